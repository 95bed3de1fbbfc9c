// SPDX-License-Identifier: GPL-2.0
/* What SIGHUP and `afxdp-agent ctl reload` do (reload.h), moved out of
 * main.c when the control socket needed its result. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "guest/reload.h"
#include "util/log.h"

/* A line of a reload's result (res may be NULL: SIGHUP has no one to
 * tell), also logged under who ("SIGHUP", "ctl reload"). */
static void __attribute__((format(printf, 5, 6)))
say(int level, const char *who, char *res, size_t len, const char *fmt, ...)
{
	char line[CFG_ERR_LEN + 64];
	size_t used = res ? strlen(res) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level == LOG_ERR)
		pr_err("%s: %s", who, line);
	else
		pr_info("%s: %s", who, line);
	if (res && used < len)
		snprintf(res + used, len - used, "%s%s", used ? "\n" : "",
			 line);
}

/* SIGHUP's claims: the file's applications against the running ports;
 * refused as a whole when they overlap, else applied claim by claim. */
static int reload_apps(struct apps *apps, const struct agent_config *cfg,
		       struct agent_config *fresh, const char *who, char *res,
		       size_t len)
{
	struct agent_config *merged = malloc(sizeof(*merged));
	unsigned int added, removed;
	char err[CFG_ERR_LEN];
	int ret;

	if (!merged) {
		say(LOG_ERR, who, res, len,
		    "out of memory; keeping the current applications");
		return -ENOMEM;
	}
	/* The running ports with the new claims; the rule strings stay
	 * fresh's (merged is never freed with config_free). */
	memcpy(merged, cfg, sizeof(*merged));
	memcpy(merged->apps, fresh->apps, sizeof(merged->apps));
	merged->nr_apps = fresh->nr_apps;
	ret = config_check_claims(merged, err, sizeof(err));
	free(merged);
	if (ret) {
		say(LOG_ERR, who, res, len,
		    "%s; keeping the current applications", err);
		return ret;
	}
	ret = apps_reload(apps, fresh, &added, &removed, err, sizeof(err));
	say(ret ? LOG_ERR : LOG_INFO, who, res, len,
	    "applications: %u added, %u removed, %zu running%s%s", added,
	    removed, apps->nr_apps, ret ? "; failed: " : "", ret ? err : "");
	return ret;
}

int agent_reload(struct agent_config *cfg, const char *path, struct apps *apps,
		 const char *who, char *res, size_t len)
{
	struct agent_config fresh;
	char err[CFG_ERR_LEN];
	int ret = log_reopen();

	if (res && len)
		res[0] = '\0';
	if (ret) {
		say(LOG_ERR, who, res, len, "cannot reopen the log file: %s",
		    strerror(-ret));
		return ret;
	}
	if (!path) {
		say(LOG_INFO, who, res, len, "log reopened (no config file)");
		return 0;
	}
	config_init(&fresh);
	ret = config_load_file(&fresh, path, err, sizeof(err));
	if (ret) {
		say(LOG_ERR, who, res, len, "%s; keeping the current settings",
		    err);
	} else {
		cfg->stats_interval_ms = fresh.stats_interval_ms;
		cfg->stats_format = fresh.stats_format;
		say(LOG_INFO, who, res, len,
		    "log reopened, stats every %u ms as %s",
		    cfg->stats_interval_ms,
		    config_enum_name("stats.format", (int)cfg->stats_format));
		ret = reload_apps(apps, cfg, &fresh, who, res, len);
	}
	config_free(&fresh);
	return ret;
}
