// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

static struct {
	char prog[32];
	int level;
	char path[256];
	FILE *file;
	pthread_mutex_t lock; /* workers and the stats thread both log */
} log_state = {
	.prog = "afxdp",
	.level = LOG_INFO,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",  [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warn", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

int log_level_parse(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (level_names[i] && !strcmp(name, level_names[i]))
			return i;
	if (!strcmp(name, "warning"))
		return LOG_WARNING;
	return -EINVAL;
}

static int open_path(void)
{
	FILE *f;

	if (!log_state.path[0]) {
		log_state.file = NULL;
		return 0;
	}
	f = fopen(log_state.path, "ae");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	log_state.file = f;
	return 0;
}

int log_init(const struct log_opts *opts)
{
	snprintf(log_state.prog, sizeof(log_state.prog), "%s",
		 opts->prog ? opts->prog : "afxdp");
	log_state.level = opts->level ? opts->level : LOG_INFO;
	snprintf(log_state.path, sizeof(log_state.path), "%s",
		 opts->path ? opts->path : "");
	return open_path();
}

int log_reopen(void)
{
	int err;

	pthread_mutex_lock(&log_state.lock);
	if (log_state.file)
		fclose(log_state.file);
	/* If the reopen fails, log to stderr rather than to a closed FILE. */
	log_state.file = NULL;
	err = open_path();
	pthread_mutex_unlock(&log_state.lock);
	return err;
}

void log_close(void)
{
	pthread_mutex_lock(&log_state.lock);
	if (log_state.file)
		fclose(log_state.file);
	log_state.file = NULL;
	pthread_mutex_unlock(&log_state.lock);
}

void log_set_level(int level)
{
	log_state.level = level;
}

int log_get_level(void)
{
	return log_state.level;
}

void log_msg(int level, const char *fmt, ...)
{
	FILE *out;
	va_list ap;

	if (level > log_state.level)
		return;
	pthread_mutex_lock(&log_state.lock);
	out = log_state.file ? log_state.file : stderr;
	if (log_state.file) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S",
			 gmtime_r(&now, &tm));
		fprintf(out, "%s ", ts);
	}
	fprintf(out, "%s: %s: ", log_state.prog,
		level >= 0 && level <= LOG_DEBUG ? level_names[level] : "?");
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	pthread_mutex_unlock(&log_state.lock);
}
