// SPDX-License-Identifier: GPL-2.0
/* Application claims in the agent's configuration (guest/config_apps.c,
 * guest/config_claims.c): every key of apps.N in the YAML file and in
 * --set form, good and bad, the defaults, the checks between claims
 * (names, endpoint paths, overlapping queues), mode none, and freeing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest/config.h"

static char err[CFG_ERR_LEN];

static int load(struct agent_config *cfg, const char *yaml)
{
	err[0] = '\0';
	return config_load_string(cfg, yaml, err, sizeof(err));
}

static void load_ok(struct agent_config *cfg, const char *yaml)
{
	int ret = load(cfg, yaml);

	if (ret)
		print_error("yaml:\n%s\ngot (%d): %s\n", yaml, ret, err);
	assert_int_equal(ret, 0);
}

static void expect_load_error(const char *yaml, const char *msg)
{
	struct agent_config cfg;
	int ret;

	config_init(&cfg);
	ret = load(&cfg, yaml);
	if (ret != -EINVAL || strcmp(err, msg))
		print_error("yaml:\n%s\nexpected: %s\ngot (%d): %s\n", yaml,
			    msg, ret, err);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, msg);
	config_free(&cfg);
}

static void set_ok(struct agent_config *cfg, const char *key, const char *val)
{
	int ret = config_set(cfg, key, val, err, sizeof(err));

	if (ret)
		print_error("set %s=%s: %s\n", key, val, err);
	assert_int_equal(ret, 0);
}

static void expect_set(struct agent_config *cfg, const char *key,
		       const char *val, const char *msg)
{
	int ret;

	err[0] = '\0';
	ret = config_set(cfg, key, val, err, sizeof(err));
	if (ret != -EINVAL || strcmp(err, msg))
		print_error("set %s=%s\nexpected: %s\ngot (%d): %s\n", key, val,
			    msg, ret, err);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, msg);
}

/* On a config with apps.0 named "a": KEY=VALUE fails with msg, and the
 * same value in the file (quoted, so '' is the empty string) names the
 * file, line and key. */
static void expect_key_error(const char *key, const char *val, const char *msg)
{
	struct agent_config cfg;
	char k[64], yaml[512], full[CFG_ERR_LEN];

	config_init(&cfg);
	set_ok(&cfg, "apps.0.name", "a");
	snprintf(k, sizeof(k), "apps.0.%s", key);
	snprintf(full, sizeof(full), "%s: %s", k, msg);
	expect_set(&cfg, k, val, full);
	config_free(&cfg);

	snprintf(yaml, sizeof(yaml), "apps:\n  - %s: '%s'\n%s%s", key, val,
		 strcmp(key, "name") ? "    name: a\n" : "",
		 strcmp(key, "ifname") ? "    ifname: eth1\n" : "");
	snprintf(full, sizeof(full), "<string>:2: %s: %s", k, msg);
	expect_load_error(yaml, full);
}

static void expect_invalid(const struct agent_config *cfg, const char *msg)
{
	int ret;

	err[0] = '\0';
	ret = config_validate(cfg, err, sizeof(err));
	if (ret != -EINVAL || strcmp(err, msg))
		print_error("expected: %s\ngot (%d): %s\n", msg, ret, err);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, msg);
}

static void expect_valid(const struct agent_config *cfg)
{
	int ret = config_validate(cfg, err, sizeof(err));

	if (ret)
		print_error("%s\n", err);
	assert_int_equal(ret, 0);
}

static void test_defaults(void **state)
{
	struct agent_config cfg;
	char path[CFG_APP_PATH_LEN];

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.nr_apps, 0);
	load_ok(&cfg, "apps:\n"
		      "  - name: dpdk1\n"
		      "    ifname: eth1\n");
	assert_int_equal(cfg.nr_apps, 1);
	assert_string_equal(cfg.apps[0].name, "dpdk1");
	assert_string_equal(cfg.apps[0].ifname, "eth1");
	assert_int_equal(cfg.apps[0].nr_queues, 0); /* all */
	assert_int_equal(cfg.apps[0].nr_filter_rules, 0); /* all */
	assert_int_equal(cfg.apps[0].nr_uids, 0);
	assert_int_equal(cfg.apps[0].nr_gids, 0);
	assert_int_equal(cfg.apps[0].endpoint, APP_ENDPOINT_CNI);
	assert_string_equal(cfg.apps[0].path, "");
	config_app_path(&cfg.apps[0], path, sizeof(path));
	assert_string_equal(path, "/tmp/afxdp_dp/eth1/afxdp.sock");
	cfg.apps[0].endpoint = APP_ENDPOINT_PINNED;
	config_app_path(&cfg.apps[0], path, sizeof(path));
	assert_string_equal(path, "/tmp/afxdp_dp/eth1/xsks_map");
	strcpy(cfg.apps[0].path, "/run/dpdk1/map");
	config_app_path(&cfg.apps[0], path, sizeof(path));
	assert_string_equal(path, "/run/dpdk1/map");
	config_free(&cfg);
	assert_int_equal(cfg.nr_apps, 0);
	config_free(&cfg); /* twice: nothing left to free */
}

static const char full_yaml[] = "mode: none\n"
				"apps:\n"
				"  - name: dpdk-1.a_b\n"
				"    ifname: eth1\n"
				"    queues: [0, 2]\n"
				"    filter:\n"
				"      - udp dport 4000-4010\n"
				"      - vlan 100 arp\n"
				"    uids: [root, 1000]\n"
				"    gids: 0\n"
				"    endpoint: pinned\n"
				"    path: /run/afxdp/dpdk1/xsks_map\n"
				"  - name: native\n"
				"    ifname: eth1\n"
				"    queues: 4-6\n"
				"    filter: tcp dport 80\n"
				"    gids: [root, '7']\n"
				"    endpoint: cni\n";

static void test_every_key(void **state)
{
	const struct app_config *a, *b;
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	load_ok(&cfg, full_yaml);
	assert_int_equal(cfg.mode, MODE_NONE);
	assert_int_equal(cfg.nr_apps, 2);
	a = &cfg.apps[0];
	assert_string_equal(a->name, "dpdk-1.a_b");
	assert_string_equal(a->ifname, "eth1");
	assert_int_equal(a->nr_queues, 2);
	assert_int_equal(a->queues[0], 0);
	assert_int_equal(a->queues[1], 2);
	assert_int_equal(a->nr_filter_rules, 2);
	assert_string_equal(a->filter_rules[0], "udp dport 4000-4010");
	assert_string_equal(a->filter_rules[1], "vlan 100 arp");
	assert_int_equal(a->nr_uids, 2);
	assert_int_equal(a->uids[0], 0); /* root, resolved */
	assert_int_equal(a->uids[1], 1000);
	assert_int_equal(a->nr_gids, 1);
	assert_int_equal(a->gids[0], 0);
	assert_int_equal(a->endpoint, APP_ENDPOINT_PINNED);
	assert_string_equal(a->path, "/run/afxdp/dpdk1/xsks_map");
	b = &cfg.apps[1];
	assert_int_equal(b->nr_queues, 3);
	assert_int_equal(b->queues[0], 4);
	assert_int_equal(b->queues[2], 6);
	assert_int_equal(b->nr_filter_rules, 1);
	assert_string_equal(b->filter_rules[0], "tcp dport 80");
	assert_int_equal(b->nr_uids, 0);
	assert_int_equal(b->nr_gids, 2);
	assert_int_equal(b->gids[0], 0);
	assert_int_equal(b->gids[1], 7);
	assert_int_equal(b->endpoint, APP_ENDPOINT_CNI);
	expect_valid(&cfg);

	/* A second file replaces the list (and frees the first's rules). */
	load_ok(&cfg, "apps:\n  - {name: x, ifname: eth9, uids: 5}\n");
	assert_int_equal(cfg.nr_apps, 1);
	assert_string_equal(cfg.apps[0].name, "x");
	assert_int_equal(cfg.apps[0].nr_filter_rules, 0);
	assert_int_equal(cfg.apps[0].nr_queues, 0);
	/* A bad one keeps the list there was, whole. */
	expect_load_error(
		"apps:\n"
		"  - {name: y, ifname: eth2, filter: [udp]}\n"
		"  - {name: z, ifname: eth2, filter: [bogus]}\n",
		"<string>:3: apps.1.filter.0: 'bogus': unknown token "
		"'bogus' (expected all, ethertype, ipv4, ipv6, arp, "
		"vlan, udp, tcp, icmp, proto, dport, sport, dst-mac)");
	assert_int_equal(
		load(&cfg, "apps:\n"
			   "  - {name: y, ifname: eth2, filter: [udp]}\n"
			   "  - {name: z, ifname: eth2, uids: nosuchuser.x}\n"),
		-EINVAL);
	assert_string_equal(
		err, "<string>:3: apps.1.uids: unknown user 'nosuchuser.x'");
	assert_int_equal(cfg.nr_apps, 1);
	assert_string_equal(cfg.apps[0].name, "x");
	/* "apps:" with nothing, or [], removes them. */
	load_ok(&cfg, "apps:\n");
	assert_int_equal(cfg.nr_apps, 0);
	load_ok(&cfg, full_yaml);
	load_ok(&cfg, "apps: []\n");
	assert_int_equal(cfg.nr_apps, 0);
	config_free(&cfg);
}

/* The command line's form of the same keys: apps.N.KEY=VALUE. */
static void test_set(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	expect_set(&cfg, "apps.0.ifname", "eth1",
		   "apps.0.ifname: set apps.0.name first");
	expect_set(&cfg, "apps.1.name", "a",
		   "apps.1.name: application index must be in 0..0");
	expect_set(&cfg, "apps.0.name", "",
		   "apps.0.name: must be 1..31 characters");
	assert_int_equal(cfg.nr_apps, 0); /* a failed name appends nothing */
	set_ok(&cfg, "apps.0.name", "dpdk1");
	assert_int_equal(cfg.nr_apps, 1);
	set_ok(&cfg, "apps.0.ifname", "eth1");
	set_ok(&cfg, "apps.0.queues", "0-3");
	set_ok(&cfg, "apps.0.filter", "udp dport 4000");
	set_ok(&cfg, "apps.0.filter", "tcp");
	set_ok(&cfg, "apps.0.uids", "root, 1000");
	set_ok(&cfg, "apps.0.gids", "root");
	set_ok(&cfg, "apps.0.endpoint", "pinned");
	set_ok(&cfg, "apps.0.path", "/sys/fs/bpf/dpdk1/xsks_map");
	assert_int_equal(cfg.apps[0].nr_queues, 4);
	assert_int_equal(cfg.apps[0].queues[3], 3);
	assert_int_equal(cfg.apps[0].nr_filter_rules, 2);
	assert_string_equal(cfg.apps[0].filter_rules[1], "tcp");
	assert_int_equal(cfg.apps[0].nr_uids, 2);
	assert_int_equal(cfg.apps[0].uids[1], 1000);
	assert_int_equal(cfg.apps[0].nr_gids, 1);
	assert_int_equal(cfg.apps[0].endpoint, APP_ENDPOINT_PINNED);
	assert_string_equal(cfg.apps[0].path, "/sys/fs/bpf/dpdk1/xsks_map");
	/* the empty value: back to the default */
	set_ok(&cfg, "apps.0.filter", "");
	assert_int_equal(cfg.apps[0].nr_filter_rules, 0);
	set_ok(&cfg, "apps.0.queues", "all");
	assert_int_equal(cfg.apps[0].nr_queues, 0);
	set_ok(&cfg, "apps.0.gids", "");
	assert_int_equal(cfg.apps[0].nr_gids, 0);
	set_ok(&cfg, "apps.0.path", "");
	assert_string_equal(cfg.apps[0].path, "");
	/* a later value replaces, an existing app is set in place */
	set_ok(&cfg, "apps.0.name", "dpdk2");
	assert_string_equal(cfg.apps[0].name, "dpdk2");
	assert_int_equal(cfg.nr_apps, 1);

	expect_set(&cfg, "apps.0.bogus", "1",
		   "apps.0.bogus: unknown key (applications take name, "
		   "ifname, queues, filter, uids, gids, endpoint, path)");
	expect_set(&cfg, "apps.x", "1", "apps.x: unknown key (use apps.N.KEY)");
	expect_set(&cfg, "apps..name", "1",
		   "apps..name: unknown key (use apps.N.KEY)");
	expect_set(&cfg, "apps.-1.name", "b",
		   "apps.-1.name: application index must be in 0..1");
	expect_set(&cfg, "apps", "dpdk1",
		   "apps: set applications with apps.N.KEY=VALUE; apps= "
		   "(empty) removes them all");
	/* up to CFG_MAX_APPS, appended in order */
	for (int i = 1; i < CFG_MAX_APPS; i++) {
		char k[32], v[32];

		snprintf(k, sizeof(k), "apps.%d.name", i);
		snprintf(v, sizeof(v), "app%d", i);
		set_ok(&cfg, k, v);
		snprintf(k, sizeof(k), "apps.%d.filter", i);
		set_ok(&cfg, k, "udp"); /* rules to free for ASan */
	}
	assert_int_equal(cfg.nr_apps, CFG_MAX_APPS);
	expect_set(&cfg, "apps.8.name", "z",
		   "apps.8.name: application index must be in 0..7");
	set_ok(&cfg, "apps", "");
	assert_int_equal(cfg.nr_apps, 0);
	set_ok(&cfg, "apps.0.name", "again");
	assert_int_equal(cfg.apps[0].nr_filter_rules, 0);
	assert_string_equal(cfg.apps[0].ifname, "");
	config_free(&cfg);
}

static void test_key_errors(void **state)
{
	char many[64 * 4] = "", name32[40], long_path[CFG_APP_PATH_LEN + 1];

	(void)state;
	memset(name32, 'n', 32);
	name32[32] = '\0';
	expect_key_error("name", name32, "must be 1..31 characters");
	expect_key_error(
		"name", "a b",
		"'a b' has ' ': use letters, digits, '_', '.' and '-'");
	expect_key_error(
		"name", "a/b",
		"'a/b' has '/': use letters, digits, '_', '.' and '-'");
	expect_key_error("ifname", "", "must not be empty");
	expect_key_error("ifname", "0123456789abcdef",
			 "'0123456789abcdef' is longer than 15 characters");
	expect_key_error("ifname", "eth 0",
			 "'eth 0' is not a valid interface name");
	expect_key_error("ifname", "a/b",
			 "'a/b' is not a valid interface name");
	expect_key_error("queues", "256",
			 "queue ids must be in 0..255, got 256");
	expect_key_error("queues", "1,1", "queue 1 listed twice");
	expect_key_error(
		"queues", "some",
		"must be all, a list like 0,1 or a range like 0-3, got some");
	expect_key_error("queues", "0-64", "at most 64 queues");
	expect_key_error("filter", "udp dport",
			 "'udp dport': 'dport' needs a value");
	expect_key_error("filter", "udp dport 99999",
			 "'udp dport 99999': 'dport 99999': expected a port or "
			 "range N-M (0-65535, N <= M)");
	expect_key_error("uids", "nosuchuser.x", "unknown user 'nosuchuser.x'");
	expect_key_error("gids", "nosuchgroup.x",
			 "unknown group 'nosuchgroup.x'");
	expect_key_error("uids", "4294967295",
			 "user id must be in 0..4294967294, got 4294967295");
	expect_key_error("gids", "12x",
			 "group id must be in 0..4294967294, got 12x");
	expect_key_error("uids", "0,,1", "empty user in '0,,1'");
	for (int i = 0; i <= CFG_MAX_APP_IDS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "%s%d", i ? "," : "", i);
	expect_key_error("uids", many, "at most 16 users");
	expect_key_error("gids", many, "at most 16 groups");
	expect_key_error("endpoint", "tcp",
			 "must be one of cni, pinned, got tcp");
	expect_key_error("path", "run/x",
			 "must be an absolute path, got run/x");
	expect_key_error("path", "/run/x/",
			 "must name a file, not end in '/', got /run/x/");
	expect_key_error("path", "/",
			 "must name a file, not end in '/', got /");
	expect_key_error("path", "/run/../etc/x",
			 "must not have a '..' component, got /run/../etc/x");
	expect_key_error("path", "/run/x/..",
			 "must not have a '..' component, got /run/x/..");
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[CFG_APP_PATH_LEN] = '\0'; /* 108 characters */
	expect_key_error("path", long_path, "longer than 107 characters");
}

/* Names that only look like the refused ones are fine. */
static void test_good_values(void **state)
{
	char p[CFG_APP_PATH_LEN];
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	set_ok(&cfg, "apps.0.name", "A-z_0.9");
	set_ok(&cfg, "apps.0.path", "/run/x..y/..z/a..");
	memset(p, 'p', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0'; /* 107 characters: the longest */
	set_ok(&cfg, "apps.0.path", p);
	assert_string_equal(cfg.apps[0].path, p);
	set_ok(&cfg, "apps.0.uids", "0");
	set_ok(&cfg, "apps.0.gids", "4294967294");
	assert_int_equal(cfg.apps[0].gids[0], 4294967294U);
	set_ok(&cfg, "apps.0.queues", "255");
	assert_int_equal(cfg.apps[0].queues[0], 255);
	for (int i = 0; i < AFXDP_MAX_RULES; i++)
		set_ok(&cfg, "apps.0.filter", "udp");
	expect_set(&cfg, "apps.0.filter", "udp",
		   "apps.0.filter: at most 16 rules");
	config_free(&cfg);
}

static void test_yaml_shape(void **state)
{
	(void)state;
	expect_load_error("apps: dpdk1\n",
			  "<string>:1: apps: expected a list of applications, "
			  "got a scalar");
	expect_load_error("apps:\n  name: a\n",
			  "<string>:2: apps: expected a list of applications, "
			  "got a mapping");
	expect_load_error("apps:\n  - dpdk1\n",
			  "<string>:2: apps.0: expected a mapping (name: ...), "
			  "got a scalar");
	expect_load_error("apps:\n  - ifname: eth1\n",
			  "<string>:2: apps.0: name is required");
	expect_load_error("apps:\n  - name: a\n    uids: 0\n",
			  "<string>:2: apps.0: ifname is required");
	expect_load_error("apps:\n  - name: a\n    ifname: e\n    bogus: 1\n",
			  "<string>:4: apps.0.bogus: unknown key (applications "
			  "take name, ifname, queues, filter, uids, gids, "
			  "endpoint, path)");
	expect_load_error("apps:\n  - name: [a]\n",
			  "<string>:2: apps.0.name: expected a scalar, got a "
			  "list");
	expect_load_error("apps:\n  - name: a\n    uids: {a: 1}\n",
			  "<string>:3: apps.0.uids: expected a scalar or a "
			  "list, got a mapping");
	expect_load_error("apps:\n  - name: a\n    filter: {a: 1}\n",
			  "<string>:3: apps.0.filter: expected a list of rule "
			  "strings, got a mapping");
	expect_load_error("apps:\n  - name: a\n    filter:\n      - udp\n"
			  "      - ''\n",
			  "<string>:5: apps.0.filter.1: empty rule");
	expect_load_error("apps:\n  - name: a\n    name: b\n",
			  "<string>:3: apps.0.name: duplicate key (first on "
			  "line 2)");
	expect_load_error(
		"apps:\n"
		"  - {name: a0, ifname: e}\n  - {name: a1, ifname: e}\n"
		"  - {name: a2, ifname: e}\n  - {name: a3, ifname: e}\n"
		"  - {name: a4, ifname: e}\n  - {name: a5, ifname: e}\n"
		"  - {name: a6, ifname: e}\n  - {name: a7, ifname: e}\n"
		"  - {name: a8, ifname: e}\n",
		"<string>:10: apps: at most 8 applications");
	/* a list for queues, uids and gids */
	expect_load_error("apps:\n  - name: a\n    queues: [1, [2]]\n",
			  "<string>:3: apps.0.queues: list items must be "
			  "scalars, got a list");
}

/* Rxdrop on eth1 queues 0-1 beside apps: each case sets apps.1 or
 * changes the port, then validates. */
static void claims_cfg(struct agent_config *cfg)
{
	config_init(cfg);
	load_ok(cfg, "mode: rxdrop\n"
		     "ports:\n"
		     "  - ifname: eth1\n"
		     "    queues: 0-1\n"
		     "apps:\n"
		     "  - name: dpdk1\n"
		     "    ifname: eth1\n"
		     "    queues: [2, 3]\n"
		     "    uids: 1000\n");
	expect_valid(cfg);
}

static void test_claims(void **state)
{
	struct agent_config cfg;

	(void)state;
	/* app and app, one queue in common */
	claims_cfg(&cfg);
	set_ok(&cfg, "apps.1.name", "dpdk2");
	set_ok(&cfg, "apps.1.ifname", "eth1");
	set_ok(&cfg, "apps.1.queues", "4,3");
	set_ok(&cfg, "apps.1.uids", "1001");
	set_ok(&cfg, "apps.1.path", "/run/dpdk2.sock");
	expect_invalid(&cfg, "apps.1 (dpdk2) claims eth1 queue 3, already "
			     "claimed by apps.0 (dpdk1)");
	/* same interface, other queues: fine */
	set_ok(&cfg, "apps.1.queues", "4-7");
	expect_valid(&cfg);
	/* app and the agent's port */
	set_ok(&cfg, "apps.1.queues", "1");
	expect_invalid(&cfg, "apps.1 (dpdk2) claims eth1 queue 1, already "
			     "claimed by ports.0 (the agent's workers)");
	/* all queues against explicit ones, either way round */
	set_ok(&cfg, "apps.1.queues", "all");
	expect_invalid(&cfg, "apps.1 (dpdk2) claims all queues of eth1, which "
			     "ports.0 (the agent's workers) also claims: give "
			     "each claim on eth1 explicit queues");
	set_ok(&cfg, "apps.1.queues", "5");
	set_ok(&cfg, "ports.0.queues", "all");
	expect_invalid(&cfg, "apps.0 (dpdk1) claims eth1 queue 2, already "
			     "claimed by ports.0 (the agent's workers), which "
			     "claims all queues of eth1: give each claim on "
			     "eth1 explicit queues");
	/* another interface: no overlap whatever the queues */
	set_ok(&cfg, "ports.0.ifname", "eth0");
	expect_valid(&cfg);
	set_ok(&cfg, "apps.1.queues", "all");
	expect_invalid(&cfg, "apps.1 (dpdk2) claims all queues of eth1, which "
			     "apps.0 (dpdk1) also claims: give each claim on "
			     "eth1 explicit queues");
	set_ok(&cfg, "apps.1.ifname", "eth2");
	expect_valid(&cfg);
	config_free(&cfg);

	/* two apps on one interface share DPDK's default path */
	claims_cfg(&cfg);
	set_ok(&cfg, "apps.1.name", "dpdk2");
	set_ok(&cfg, "apps.1.ifname", "eth1");
	set_ok(&cfg, "apps.1.queues", "4");
	set_ok(&cfg, "apps.1.gids", "root");
	expect_invalid(&cfg, "apps.1 (dpdk2): endpoint path "
			     "/tmp/afxdp_dp/eth1/afxdp.sock is already the one "
			     "of apps.0 (dpdk1): set apps.1.path");
	/* pinned has its own default */
	set_ok(&cfg, "apps.1.endpoint", "pinned");
	expect_valid(&cfg);
	/* an explicit path that is another's default */
	set_ok(&cfg, "apps.1.endpoint", "cni");
	set_ok(&cfg, "apps.0.path", "/tmp/afxdp_dp/eth1/xsks_map");
	set_ok(&cfg, "apps.1.path", "/tmp/afxdp_dp/eth1/xsks_map");
	expect_invalid(&cfg, "apps.1 (dpdk2): endpoint path "
			     "/tmp/afxdp_dp/eth1/xsks_map is already the one "
			     "of apps.0 (dpdk1): set apps.1.path");
	set_ok(&cfg, "apps.1.path", "");
	expect_valid(&cfg);
	/* names are unique */
	set_ok(&cfg, "apps.1.name", "dpdk1");
	expect_invalid(&cfg,
		       "apps.1.name: dpdk1 is already the name of apps.0");
	set_ok(&cfg, "apps.1.name", "dpdk2");
	/* somebody must be allowed */
	set_ok(&cfg, "apps.1.gids", "");
	expect_invalid(&cfg, "apps.1 (dpdk2): who may claim it: set "
			     "apps.1.uids or apps.1.gids");
	set_ok(&cfg, "apps.1.uids", "root");
	expect_valid(&cfg);
	/* --set can make an app without an interface */
	set_ok(&cfg, "apps.2.name", "late");
	expect_invalid(&cfg, "apps.2.ifname: required, 1..15 characters");
	config_free(&cfg);
}

static void test_mode_none(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	set_ok(&cfg, "mode", "none");
	assert_int_equal(cfg.mode, MODE_NONE);
	assert_string_equal(config_mode_name(cfg.mode), "none");
	expect_invalid(&cfg, "apps: mode none needs at least one application");
	set_ok(&cfg, "apps.0.name", "a");
	set_ok(&cfg, "apps.0.ifname", "eth1");
	set_ok(&cfg, "apps.0.uids", "0");
	expect_valid(&cfg);
	set_ok(&cfg, "ports", "eth2");
	expect_invalid(&cfg, "ports: mode none has no workers of its own, so "
			     "no ports (the applications' interfaces are in "
			     "apps), got 1");
	cfg.nr_ports = 0;
	set_ok(&cfg, "xdp.unmatched", "forward");
	expect_invalid(&cfg, "xdp.unmatched: forward needs mode fwd (two "
			     "ports), not none");
	set_ok(&cfg, "xdp.unmatched", "kernel");
	expect_valid(&cfg);
	/* the other modes keep their port rules; apps are optional */
	set_ok(&cfg, "mode", "macswap");
	expect_invalid(&cfg,
		       "ports: at least one port is required (-i IFNAME)");
	set_ok(&cfg, "ports", "eth2");
	expect_valid(&cfg);
	set_ok(&cfg, "apps", "");
	expect_valid(&cfg);
	cfg.mode = (enum agent_mode)(MODE_NONE + 1);
	expect_invalid(&cfg, "mode: invalid value 5");
	config_free(&cfg);
}

/* A configuration built in code: the same rules hold. */
static void test_struct_checks(void **state)
{
	struct agent_config cfg;
	struct app_config *a;

	(void)state;
	config_init(&cfg);
	cfg.mode = MODE_NONE;
	cfg.nr_apps = 1;
	a = &cfg.apps[0];
	strcpy(a->ifname, "eth1");
	a->nr_uids = 1;
	expect_invalid(&cfg, "apps.0.name: required, 1..31 characters");
	strcpy(a->name, "a");
	a->nr_queues = 2;
	a->queues[0] = a->queues[1] = 7;
	expect_invalid(&cfg, "apps.0.queues: queue 7 listed twice");
	a->queues[1] = 256;
	expect_invalid(&cfg, "apps.0.queues: queue 256 out of 0..255");
	a->nr_queues = CFG_MAX_QUEUES + 1;
	expect_invalid(&cfg, "apps.0.queues: at most 64");
	a->nr_queues = 0;
	a->nr_uids = CFG_MAX_APP_IDS + 1;
	expect_invalid(&cfg, "apps.0: at most 16 uids and 16 gids");
	a->nr_uids = 1;
	a->endpoint = (enum app_endpoint)2;
	expect_invalid(&cfg, "apps.0.endpoint: invalid value 2");
	a->endpoint = APP_ENDPOINT_CNI;
	strcpy(a->path, "rel");
	expect_invalid(&cfg, "apps.0.path: must be an absolute path");
	a->path[0] = '\0';
	a->filter_rules[0] = strdup("udp sport");
	assert_non_null(a->filter_rules[0]);
	a->nr_filter_rules = 1;
	expect_invalid(&cfg, "apps.0.filter.0: 'udp sport': 'sport' needs a "
			     "value");
	cfg.nr_apps = CFG_MAX_APPS + 1;
	expect_invalid(&cfg, "apps: at most 8 applications");
	cfg.nr_apps = 1;
	expect_invalid(&cfg, "apps.0.filter.0: 'udp sport': 'sport' needs a "
			     "value");
	config_free(&cfg); /* frees the strdup'd rule */
	assert_int_equal(cfg.nr_apps, 0);
}

/* The example file's commented apps: block, uncommented, loads on top of
 * the example and validates beside its ports. */
static void test_example_file(void **state)
{
	const char *top = getenv("AFXDP_TOP");
	char path[512], line[256], yaml[4096] = "";
	struct agent_config cfg;
	bool in = false;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/guest/afxdp-agent.yaml.example",
		 top ? top : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "#apps:\n"))
			in = true;
		else if (in && line[0] != '#')
			break;
		if (in)
			strncat(yaml, line + 1,
				sizeof(yaml) - strlen(yaml) - 1);
	}
	fclose(f);
	assert_true(in);
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), 0);
	load_ok(&cfg, yaml);
	assert_true(cfg.nr_apps >= 1);
	expect_valid(&cfg);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_yaml_shape),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_mode_none),
		cmocka_unit_test(test_struct_checks),
		cmocka_unit_test(test_example_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
