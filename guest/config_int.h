/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the configuration's own files: guest/config.c (the key table,
 * config_set()), guest/config_yaml.c (the YAML file), guest/config_apps.c
 * (the keys of an application), guest/config_claims.c (claims that cannot
 * live together) and guest/config_validate.c (the cross-field checks). The
 * rest of the agent uses guest/config.h only.
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

/* Where a value comes from, for its messages: "file:line: key: ..." from
 * the file, "key: ..." from config_set(). */
struct ctx {
	const char *file; /* NULL: config_set(), no file:line prefix */
	unsigned long line;
	unsigned long key_line; /* of the current key: for "unknown key" */
	char key[128];
	char *err;
	size_t err_len;
};

/* Writes the message with the file, line and key in front; -EINVAL. */
int cfg_fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ret (0 or -EINVAL from a parser below) with its msg put through
 * cfg_fail(). */
int cfg_msg_fail(struct ctx *c, int ret, const char *msg);

/* The key table (guest/config.c): a leaf key by its dotted path, whether
 * a path is a section ("socket"), and setting a leaf from its text. */
struct key_desc;
const struct key_desc *cfg_find_key(const char *name);
bool cfg_is_section(const char *name);
int cfg_set_key(struct agent_config *cfg, const struct key_desc *k,
		const char *v, struct ctx *c);
/* What a key's value looks like in the file. */
enum cfg_value {
	CFG_VAL_SCALAR, /* any scalar */
	CFG_VAL_NUMBER, /* a plain (unquoted) integer */
	CFG_VAL_BOOL, /* a plain true or false */
	CFG_VAL_LIST, /* a scalar "a,b", or a list of scalars joined by ',' */
	CFG_VAL_RULES, /* filter rules, each added by cfg_add_filter() */
};
enum cfg_value cfg_key_value(const struct key_desc *k);
/* xdp.filter: appends a rule; the empty one clears the list. */
int cfg_add_filter(struct agent_config *cfg, const char *v, struct ctx *c);

/* ports: "eth1,eth2" replaces the list; ports.N.KEY sets one key. */
int cfg_set_ports(struct agent_config *cfg, const char *v, struct ctx *c);
int cfg_port_set(struct port_config *p, const char *name, const char *v,
		 struct ctx *c);
bool cfg_port_key_known(const char *name);
bool cfg_port_key_is_list(const char *name);
/* apps.N.KEY: cfg_app_set() (below) with c's message. */
int cfg_app_set_key(struct app_config *a, const char *name, const char *v,
		    struct ctx *c);

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
