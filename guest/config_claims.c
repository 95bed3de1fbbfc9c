// SPDX-License-Identifier: GPL-2.0
/*
 * Claims that cannot live together (config_check_claims()): each
 * application on its own, then against the others and the agent's
 * forwarding ports. Set-time checks (guest/config_apps.c) already hold for
 * a configuration read from a file or the command line; they are checked
 * again here for one built in code, whose fields nobody checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/config_int.h"
#include "guest/filter.h"
#include "util/errmsg.h"

/* An interface and its queues, and who claims them, for the messages:
 * "apps.1 (dpdk2)" or "ports.0 (the agent's workers)". */
struct claim {
	const char *ifname;
	const uint32_t *queues;
	size_t nr_queues; /* 0: all */
	char who[64];
};

static int check_app(const struct app_config *a, size_t i, char *err,
		     size_t len)
{
	struct afxdp_rule rule;
	char why[CFG_ERR_LEN];

	if (!a->name[0] ||
	    strnlen(a->name, CFG_APP_NAME_LEN) >= CFG_APP_NAME_LEN)
		return errmsg(err, len, -EINVAL,
			      "apps.%zu.name: required, 1..%d characters", i,
			      CFG_APP_NAME_LEN - 1);
	if (!a->ifname[0] || strnlen(a->ifname, IF_NAMESIZE) >= IF_NAMESIZE)
		return errmsg(err, len, -EINVAL,
			      "apps.%zu.ifname: required, 1..%d characters", i,
			      IF_NAMESIZE - 1);
	if (a->nr_queues > CFG_MAX_QUEUES)
		return errmsg(err, len, -EINVAL, "apps.%zu.queues: at most %d",
			      i, CFG_MAX_QUEUES);
	for (size_t j = 0; j < a->nr_queues; j++) {
		if (a->queues[j] >= AFXDP_MAX_QUEUES)
			return errmsg(err, len, -EINVAL,
				      "apps.%zu.queues: queue %u out of 0..%d",
				      i, a->queues[j], AFXDP_MAX_QUEUES - 1);
		for (size_t k = 0; k < j; k++)
			if (a->queues[k] == a->queues[j])
				return errmsg(
					err, len, -EINVAL,
					"apps.%zu.queues: queue %u listed twice",
					i, a->queues[j]);
	}
	if (a->nr_filter_rules > AFXDP_MAX_RULES)
		return errmsg(err, len, -EINVAL,
			      "apps.%zu.filter: at most %d rules", i,
			      AFXDP_MAX_RULES);
	for (size_t j = 0; j < a->nr_filter_rules; j++)
		if (filter_parse_rule(a->filter_rules[j], &rule, why,
				      sizeof(why)))
			return errmsg(err, len, -EINVAL,
				      "apps.%zu.filter.%zu: '%s': %s", i, j,
				      a->filter_rules[j], why);
	if (a->nr_uids > CFG_MAX_APP_IDS || a->nr_gids > CFG_MAX_APP_IDS)
		return errmsg(err, len, -EINVAL,
			      "apps.%zu: at most %d uids and %d gids", i,
			      CFG_MAX_APP_IDS, CFG_MAX_APP_IDS);
	/* Nobody allowed would be an endpoint nobody can use. */
	if (!a->nr_uids && !a->nr_gids)
		return errmsg(
			err, len, -EINVAL,
			"apps.%zu (%s): who may claim it: set apps.%zu.uids or apps.%zu.gids",
			i, a->name, i, i);
	if (a->endpoint != APP_ENDPOINT_CNI &&
	    a->endpoint != APP_ENDPOINT_PINNED)
		return errmsg(err, len, -EINVAL,
			      "apps.%zu.endpoint: invalid value %d", i,
			      (int)a->endpoint);
	if (strnlen(a->path, CFG_APP_PATH_LEN) >= CFG_APP_PATH_LEN ||
	    (a->path[0] && a->path[0] != '/'))
		return errmsg(err, len, -EINVAL,
			      "apps.%zu.path: must be an absolute path", i);
	return 0;
}

/* The first queue two claims on one interface share: 0 and the queue in
 * *q, or 1 when either claims all queues (*q unset), or -1: apart. */
static int overlap(const struct claim *a, const struct claim *b, uint32_t *q)
{
	if (strcmp(a->ifname, b->ifname))
		return -1;
	if (!a->nr_queues || !b->nr_queues)
		return 1;
	for (size_t i = 0; i < a->nr_queues; i++)
		for (size_t j = 0; j < b->nr_queues; j++)
			if (a->queues[i] == b->queues[j]) {
				*q = a->queues[i];
				return 0;
			}
	return -1;
}

/* b is the later claim (an application); a an earlier one. */
static int overlap_error(const struct claim *a, const struct claim *b,
			 char *err, size_t len)
{
	uint32_t q = 0;
	int ret = overlap(a, b, &q);

	if (ret < 0)
		return 0;
	if (!ret)
		return errmsg(err, len, -EINVAL,
			      "%s claims %s queue %u, already claimed by %s",
			      b->who, b->ifname, q, a->who);
	if (!b->nr_queues)
		return errmsg(
			err, len, -EINVAL,
			"%s claims all queues of %s, which %s also claims: give each claim on %s explicit queues",
			b->who, b->ifname, a->who, b->ifname);
	return errmsg(
		err, len, -EINVAL,
		"%s claims %s queue %u, already claimed by %s, which claims all queues of %s: give each claim on %s explicit queues",
		b->who, b->ifname, b->queues[0], a->who, a->ifname, a->ifname);
}

int config_check_claims(const struct agent_config *cfg, char *err, size_t len)
{
	struct claim claims[CFG_MAX_PORTS + CFG_MAX_APPS];
	char paths[CFG_MAX_APPS][CFG_APP_PATH_LEN + IF_NAMESIZE + 32];
	size_t nr = 0;
	int ret;

	if (cfg->nr_apps > CFG_MAX_APPS)
		return errmsg(err, len, -EINVAL,
			      "apps: at most %d applications", CFG_MAX_APPS);
	for (size_t i = 0; i < cfg->nr_ports && i < CFG_MAX_PORTS; i++) {
		const struct port_config *p = &cfg->ports[i];

		claims[nr] =
			(struct claim){ p->ifname, p->queues, p->nr_queues };
		snprintf(claims[nr++].who, sizeof(claims[0].who),
			 "ports.%zu (the agent's workers)", i);
	}
	for (size_t i = 0; i < cfg->nr_apps; i++) {
		const struct app_config *a = &cfg->apps[i];

		ret = check_app(a, i, err, len);
		if (ret)
			return ret;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->apps[j].name, a->name))
				return errmsg(
					err, len, -EINVAL,
					"apps.%zu.name: %s is already the name of apps.%zu",
					i, a->name, j);
		config_app_path(a, paths[i], sizeof(paths[i]));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(paths[j], paths[i]))
				return errmsg(
					err, len, -EINVAL,
					"apps.%zu (%s): endpoint path %s is already the one of apps.%zu (%s): set apps.%zu.path",
					i, a->name, paths[i], j,
					cfg->apps[j].name, i);
		claims[nr] =
			(struct claim){ a->ifname, a->queues, a->nr_queues };
		snprintf(claims[nr].who, sizeof(claims[0].who), "apps.%zu (%s)",
			 i, a->name);
		for (size_t j = 0; j < nr; j++) {
			ret = overlap_error(&claims[j], &claims[nr], err, len);
			if (ret)
				return ret;
		}
		nr++;
	}
	return 0;
}
