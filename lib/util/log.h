/* SPDX-License-Identifier: GPL-2.0 */
/* Logging shared by afxdp-agent and afxdp-host: syslog levels, to stderr or
 * a file that SIGHUP can reopen (log rotation). */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include <syslog.h>

struct log_opts {
	const char *prog; /* prefix, e.g. "afxdp-agent" */
	int level; /* LOG_ERR .. LOG_DEBUG */
	const char *path; /* NULL: stderr */
};

int log_init(const struct log_opts *opts);
int log_reopen(void);
void log_set_level(int level);
int log_get_level(void);
int log_level_parse(const char *name); /* -EINVAL when unknown */
void log_close(void);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
