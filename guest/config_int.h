/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the configuration's own files: guest/config.c (the keys, the
 * YAML walk), guest/config_apps.c (application claims) and
 * guest/config_validate.c (the cross-field checks). The rest of the agent
 * uses guest/config.h only.
 *
 * The value parsers here write a message without the key into msg: the
 * caller knows the key (and the file and line) and puts them in front.
 */
#ifndef GUEST_CONFIG_INT_H
#define GUEST_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/config.h"

/* The kernel puts received data XDP_PACKET_HEADROOM into a UMEM frame. */
#define CFG_FRAME_HEADROOM 256
#define CFG_MIN_FRAME 60

/* The keys of one application, for "unknown key" messages. */
#define CFG_APP_KEYS "name, ifname, queues, filter, uids, gids, endpoint, path"

/* An interface name, as ports.N.ifname and apps.N.ifname take it. */
int cfg_parse_ifname(const char *v, char dst[IF_NAMESIZE], char *msg,
		     size_t len);
/* "all" (*n = 0), a list "0,1" or a range "0-3": ids below
 * AFXDP_MAX_QUEUES, at most CFG_MAX_QUEUES of them, none twice. q is
 * untouched on error. */
int cfg_parse_queues(const char *v, uint32_t q[CFG_MAX_QUEUES], size_t *n,
		     char *msg, size_t len);

/* apps.N.KEY: is KEY one of CFG_APP_KEYS; does it take a list (a YAML
 * sequence joined with ',' into one value; filter is a list too, but of
 * rules, set one at a time). */
bool cfg_app_key_known(const char *key);
bool cfg_app_key_is_list(const char *key);
/* Sets one key of an application. filter appends a rule (checked with
 * filter_parse_rule), the empty value clears the rules; uids and gids
 * resolve user and group names now. 0 or -EINVAL + msg; app is unchanged
 * on error. */
int cfg_app_set(struct app_config *app, const char *key, const char *v,
		char *msg, size_t len);
/* Frees an application's filter strings; the rest is left as is. */
void cfg_app_free(struct app_config *app);
/* Every application of cfg freed, nr_apps 0. */
void cfg_apps_clear(struct agent_config *cfg);

#endif
