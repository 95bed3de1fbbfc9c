/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the control socket's status and version commands answer: the
 * agent's stats object (stats_to_json(), the same as its JSON stats
 * stream) with what the stream leaves out, the agent itself and the
 * settings in force.
 */
#ifndef AGENT_CTL_STATUS_H
#define AGENT_CTL_STATUS_H

#include "guest/config.h"
#include "guest/stats.h"

/* stats_to_json(rep) with "type": "status", an "agent" object (version,
 * protocol, pid, uid, config file, control socket) and a "config" object
 * (mode, ports and their configured queues, filter rules and unmatched
 * path, requested XDP, zero-copy, UMEM and busy-poll modes, stats
 * settings). config_path may be NULL. NULL when out of memory. */
struct json_object *ctl_status_json(const struct stats_report *rep,
				    const struct agent_config *cfg,
				    const char *config_path);
/* {"version": AFXDP_VERSION, "protocol": N, "pid": P} as a malloc()ed
 * string, NULL when out of memory. */
char *ctl_version_json(void);

#endif
