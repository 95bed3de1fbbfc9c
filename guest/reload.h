/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AGENT_RELOAD_H
#define AGENT_RELOAD_H

#include <stddef.h>

#include "guest/apps.h"
#include "guest/config.h"

/* SIGHUP and `ctl reload`: reopen the log (rotation), re-read the stats
 * settings and the application claims from the config file at path; the
 * forwarding data path is not touched. Runs on the main thread (apps).
 * 0 or the first error (the file's, the claims'); res (may be NULL) gets
 * what changed or failed, a line each; who prefixes the log lines
 * ("SIGHUP", "ctl reload"). */
int agent_reload(struct agent_config *cfg, const char *path, struct apps *apps,
		 const char *who, char *res, size_t len);

#endif
