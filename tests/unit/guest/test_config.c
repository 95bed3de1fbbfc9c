// SPDX-License-Identifier: GPL-2.0
/* guest/config.c: defaults, every key of the YAML file, every error path
 * (file:line: key: message), config_set() overrides and config_validate(). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/config.h"

static char err[CFG_ERR_LEN];

static int load(struct agent_config *cfg, const char *yaml)
{
	err[0] = '\0';
	return config_load_string(cfg, yaml, err, sizeof(err));
}

/* Loads yaml into a fresh config, expects -EINVAL and exactly msg. */
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

static void expect_set_error(const char *key, const char *val, const char *msg)
{
	struct agent_config cfg;
	int ret;

	config_init(&cfg);
	err[0] = '\0';
	ret = config_set(&cfg, key, val, err, sizeof(err));
	if (ret != -EINVAL || strcmp(err, msg))
		print_error("set %s=%s\nexpected: %s\ngot (%d): %s\n", key, val,
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

static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac2[6] = { 2, 0, 0, 0, 0, 2 };

static void test_defaults(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.mode, MODE_FWD);
	assert_int_equal(cfg.nr_ports, 0);
	assert_int_equal(cfg.xdp_mode, XDP_ATTACH_AUTO);
	assert_string_equal(cfg.bpf_object, "");
	assert_int_equal(cfg.nr_filter_rules, 0);
	assert_int_equal(cfg.zero_copy, ZC_AUTO);
	assert_int_equal(cfg.frame_size, 4096);
	assert_int_equal(cfg.nr_frames, 8192);
	assert_int_equal(cfg.rx_size, 2048);
	assert_int_equal(cfg.tx_size, 2048);
	assert_int_equal(cfg.fill_size, 2048);
	assert_int_equal(cfg.comp_size, 2048);
	/* Unset: 256 per pass when forwarding, 64 per txgen burst. */
	assert_int_equal(cfg.batch_size, 0);
	assert_int_equal(config_batch(&cfg), 256);
	assert_int_equal(cfg.umem, UMEM_AUTO);
	assert_int_equal(cfg.unmatched, AFXDP_UNMATCHED_KERNEL);
	assert_int_equal(cfg.promisc, PROMISC_AUTO);
	assert_int_equal(cfg.tx_budget, 0);
	assert_int_equal(cfg.idle_spin_us, 2000);
	assert_false(cfg.busy_poll);
	assert_int_equal(cfg.busy_poll_budget, 64);
	assert_int_equal(cfg.busy_poll_usecs, 20);
	assert_int_equal(cfg.poll_timeout_ms, 100);
	assert_int_equal(cfg.nr_workers, 0);
	assert_int_equal(cfg.nr_cpus, 0);
	assert_int_equal(cfg.channels, 0);
	assert_int_equal(cfg.mtu, 0);
	assert_true(cfg.disable_lro);
	assert_int_equal(cfg.stats_interval_ms, 1000);
	assert_int_equal(cfg.stats_format, STATS_TEXT);
	assert_string_equal(cfg.prometheus_listen, "");
	assert_string_equal(cfg.log_file, "");
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_int_equal(cfg.duration_s, 0);
	assert_int_equal(cfg.bind_retries, 5);
	assert_string_equal(cfg.run_user, "");
	assert_int_equal(cfg.txgen.frame_size, 64);
	assert_int_equal(cfg.txgen.rate_pps, 0);
	assert_int_equal(cfg.txgen.count, 0);
	assert_memory_equal(cfg.txgen.src_mac, mac1, 6);
	assert_memory_equal(cfg.txgen.dst_mac, mac2, 6);
	assert_string_equal(cfg.txgen.src_ip, "10.0.0.1");
	assert_string_equal(cfg.txgen.dst_ip, "10.0.0.2");
	assert_int_equal(cfg.txgen.src_port, 1024);
	assert_int_equal(cfg.txgen.dst_port, 4000);
	assert_int_equal(cfg.txgen.flows, 1);
	assert_false(cfg.txgen.timestamp);
	assert_string_equal(config_mode_name(MODE_FWD), "fwd");
	assert_string_equal(config_mode_name(MODE_MACSWAP), "macswap");
	assert_string_equal(config_mode_name(MODE_RXDROP), "rxdrop");
	assert_string_equal(config_mode_name(MODE_TXGEN), "txgen");
	assert_string_equal(config_mode_name(MODE_NONE), "none");
	assert_int_equal(cfg.nr_apps, 0);
	config_free(&cfg);
}

/* Every key of the schema, set to a non-default value. */
static const char full_yaml[] = "mode: txgen\n"
				"ports:\n"
				"  - ifname: eth1\n"
				"    queues: [0, 1]\n"
				"    src_mac: 02:00:00:00:00:0a\n"
				"    dst_mac: 02:00:00:00:00:0b\n"
				"  - ifname: eth2\n"
				"    queues: \"2-4\"\n"
				"  - ifname: eth3\n"
				"    queues: all\n"
				"xdp:\n"
				"  mode: native\n"
				"  object: /opt/steer.o\n"
				"  filter:\n"
				"    - \"udp dport 4000-4010\"\n"
				"    - arp\n"
				"socket:\n"
				"  zero_copy: off\n"
				"  frame_size: 2048\n"
				"  frames: 16384\n"
				"  rx_size: 4096\n"
				"  tx_size: 1024\n"
				"  fill_size: 8192\n"
				"  comp_size: 512\n"
				"  batch: 32\n"
				"  umem: per-port\n"
				"  tx_budget: 128\n"
				"  idle_spin_us: 0\n"
				"  busy_poll: true\n"
				"  busy_poll_budget: 16\n"
				"  busy_poll_usecs: 50\n"
				"  poll_timeout_ms: 0\n"
				"workers:\n"
				"  count: 3\n"
				"  cpus: \"0,2-3\"\n"
				"nic:\n"
				"  channels: 4\n"
				"  mtu: 1500\n"
				"  disable_lro: no\n"
				"stats:\n"
				"  interval_ms: 250\n"
				"  format: json\n"
				"  prometheus: \":9100\"\n"
				"log:\n"
				"  file: /var/log/agent.log\n"
				"  level: debug\n"
				"run:\n"
				"  duration_s: 30\n"
				"  bind_retries: 9\n"
				"  user: nobody\n"
				"txgen:\n"
				"  size: 128\n"
				"  rate_pps: 1000000\n"
				"  count: 5000000000\n"
				"  src_mac: 0a:0b:0c:0d:0e:0f\n"
				"  dst_mac: AA:BB:CC:DD:EE:FF\n"
				"  src_ip: 192.168.1.1\n"
				"  dst_ip: 192.168.1.2\n"
				"  src_port: 2000\n"
				"  dst_port: 5000\n"
				"  flows: 16\n"
				"  timestamp: true\n";

static void test_every_key(void **state)
{
	static const uint8_t a[6] = { 2, 0, 0, 0, 0, 0x0a };
	static const uint8_t b[6] = { 2, 0, 0, 0, 0, 0x0b };
	static const uint8_t s[6] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	static const uint8_t d[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(load(&cfg, full_yaml), 0);
	assert_int_equal(cfg.mode, MODE_TXGEN);
	assert_int_equal(cfg.nr_ports, 3);
	assert_string_equal(cfg.ports[0].ifname, "eth1");
	assert_int_equal(cfg.ports[0].nr_queues, 2);
	assert_int_equal(cfg.ports[0].queues[0], 0);
	assert_int_equal(cfg.ports[0].queues[1], 1);
	assert_true(cfg.ports[0].rewrite_src_mac);
	assert_true(cfg.ports[0].rewrite_dst_mac);
	assert_memory_equal(cfg.ports[0].src_mac, a, 6);
	assert_memory_equal(cfg.ports[0].dst_mac, b, 6);
	assert_string_equal(cfg.ports[1].ifname, "eth2");
	assert_int_equal(cfg.ports[1].nr_queues, 3);
	assert_int_equal(cfg.ports[1].queues[0], 2);
	assert_int_equal(cfg.ports[1].queues[2], 4);
	assert_false(cfg.ports[1].rewrite_src_mac);
	assert_false(cfg.ports[1].rewrite_dst_mac);
	assert_int_equal(cfg.ports[2].nr_queues, 0);
	assert_int_equal(cfg.xdp_mode, XDP_ATTACH_NATIVE);
	assert_string_equal(cfg.bpf_object, "/opt/steer.o");
	assert_int_equal(cfg.nr_filter_rules, 2);
	assert_string_equal(cfg.filter_rules[0], "udp dport 4000-4010");
	assert_string_equal(cfg.filter_rules[1], "arp");
	assert_int_equal(cfg.zero_copy, ZC_OFF);
	assert_int_equal(cfg.frame_size, 2048);
	assert_int_equal(cfg.nr_frames, 16384);
	assert_int_equal(cfg.rx_size, 4096);
	assert_int_equal(cfg.tx_size, 1024);
	assert_int_equal(cfg.fill_size, 8192);
	assert_int_equal(cfg.comp_size, 512);
	assert_int_equal(cfg.batch_size, 32);
	assert_int_equal(cfg.umem, UMEM_PER_PORT);
	assert_int_equal(cfg.tx_budget, 128);
	assert_int_equal(cfg.idle_spin_us, 0);
	assert_true(cfg.busy_poll);
	assert_int_equal(cfg.busy_poll_budget, 16);
	assert_int_equal(cfg.busy_poll_usecs, 50);
	assert_int_equal(cfg.poll_timeout_ms, 0);
	assert_int_equal(cfg.nr_workers, 3);
	assert_int_equal(cfg.nr_cpus, 3);
	assert_int_equal(cfg.cpus[0], 0);
	assert_int_equal(cfg.cpus[1], 2);
	assert_int_equal(cfg.cpus[2], 3);
	assert_int_equal(cfg.channels, 4);
	assert_int_equal(cfg.mtu, 1500);
	assert_false(cfg.disable_lro);
	assert_int_equal(cfg.stats_interval_ms, 250);
	assert_int_equal(cfg.stats_format, STATS_JSON);
	assert_string_equal(cfg.prometheus_listen, ":9100");
	assert_string_equal(cfg.log_file, "/var/log/agent.log");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.duration_s, 30);
	assert_int_equal(cfg.bind_retries, 9);
	assert_string_equal(cfg.run_user, "nobody");
	assert_int_equal(cfg.txgen.frame_size, 128);
	assert_int_equal(cfg.txgen.rate_pps, 1000000);
	assert_true(cfg.txgen.count == 5000000000ULL);
	assert_memory_equal(cfg.txgen.src_mac, s, 6);
	assert_memory_equal(cfg.txgen.dst_mac, d, 6);
	assert_string_equal(cfg.txgen.src_ip, "192.168.1.1");
	assert_string_equal(cfg.txgen.dst_ip, "192.168.1.2");
	assert_int_equal(cfg.txgen.src_port, 2000);
	assert_int_equal(cfg.txgen.dst_port, 5000);
	assert_int_equal(cfg.txgen.flows, 16);
	assert_true(cfg.txgen.timestamp);
	/* rx 4096 + fill 8192 + tx 1024 <= 16384 frames, txgen fits 2048 */
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
}

static void test_empty_and_partial(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(load(&cfg, ""), 0);
	assert_int_equal(load(&cfg, "# only a comment\n"), 0);
	assert_int_equal(cfg.frame_size, 4096);
	/* A section with nothing under it keeps the defaults. */
	assert_int_equal(load(&cfg, "socket:\nstats:\n  format: none\n"), 0);
	assert_int_equal(cfg.stats_format, STATS_NONE);
	assert_int_equal(cfg.batch_size, 0);
	/* Loading on top keeps earlier values. */
	assert_int_equal(load(&cfg, "socket: {batch: 8}\n"), 0);
	assert_int_equal(cfg.batch_size, 8);
	assert_int_equal(cfg.stats_format, STATS_NONE);
	/* ports as a flow list of mappings, queues as a scalar */
	assert_int_equal(
		load(&cfg, "ports: [{ifname: a, queues: 3}, {ifname: b}]\n"),
		0);
	assert_int_equal(cfg.nr_ports, 2);
	assert_int_equal(cfg.ports[0].nr_queues, 1);
	assert_int_equal(cfg.ports[0].queues[0], 3);
	/* ports as the command line's comma list */
	assert_int_equal(load(&cfg, "ports: x,y,z\n"), 0);
	assert_int_equal(cfg.nr_ports, 3);
	assert_string_equal(cfg.ports[2].ifname, "z");
	/* cpus as a YAML list; null and ~ strings are empty */
	assert_int_equal(load(&cfg, "workers:\n  cpus: [1, 0]\n"
				    "xdp:\n  object: ~\n"
				    "log:\n  file:\n"),
			 0);
	assert_int_equal(cfg.nr_cpus, 2);
	assert_int_equal(cfg.cpus[0], 1);
	assert_int_equal(cfg.cpus[1], 0);
	assert_string_equal(cfg.bpf_object, "");
	assert_string_equal(cfg.log_file, "");
	/* the file's filter list replaces, a scalar is one rule, [] clears */
	assert_int_equal(load(&cfg, "xdp:\n  filter: [ipv4, arp]\n"), 0);
	assert_int_equal(cfg.nr_filter_rules, 2);
	assert_int_equal(load(&cfg, "xdp:\n  filter: \"vlan 10\"\n"), 0);
	assert_int_equal(cfg.nr_filter_rules, 1);
	assert_string_equal(cfg.filter_rules[0], "vlan 10");
	assert_int_equal(load(&cfg, "xdp:\n  filter: []\n"), 0);
	assert_int_equal(cfg.nr_filter_rules, 0);
	/* hex numbers, YAML 1.1 booleans */
	assert_int_equal(
		load(&cfg, "socket: {frames: 0x4000, busy_poll: on}\n"), 0);
	assert_int_equal(cfg.nr_frames, 16384);
	assert_true(cfg.busy_poll);
	config_free(&cfg);
}

static void test_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX.yaml";
	struct agent_config cfg;
	char want[512];
	int fd;

	(void)state;
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, full_yaml, strlen(full_yaml)),
			 (ssize_t)strlen(full_yaml));
	close(fd);
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.mode, MODE_TXGEN);
	assert_int_equal(cfg.nr_ports, 3);
	assert_int_equal(cfg.txgen.flows, 16);
	config_free(&cfg);

	/* Errors name the file as given, the line and the key path. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(
		write(fd, "mode: fwd\nsocket:\n  frame_size: 3000\n", 37), 37);
	close(fd);
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:3: socket.frame_size: must be 2048 or 4096, got 3000",
		 path);
	assert_string_equal(err, want);
	config_free(&cfg);
	unlink(path);

	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)),
			 -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path,
		 strerror(ENOENT));
	assert_string_equal(err, want);
	config_free(&cfg);
}

/* The shipped example parses and validates. */
static void test_example_file(void **state)
{
	const char *top = getenv("AFXDP_TOP");
	struct agent_config cfg;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/guest/afxdp-agent.yaml.example",
		 top ? top : ".");
	config_init(&cfg);
	if (config_load_file(&cfg, path, err, sizeof(err)))
		print_error("%s\n", err);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.nr_ports, 2);
	if (config_validate(&cfg, err, sizeof(err)))
		print_error("%s\n", err);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
}

static void test_load_errors(void **state)
{
	(void)state;
	expect_load_error(
		"mode: fwd\nsocket:\n  frame_size: 3000\n",
		"<string>:3: socket.frame_size: must be 2048 or 4096, got 3000");
	expect_load_error(
		"mode: bridge\n",
		"<string>:1: mode: must be one of fwd, macswap, rxdrop, txgen, none, got bridge");
	expect_load_error(
		"xdp:\n  mode: generic\n",
		"<string>:2: xdp.mode: must be one of auto, native, skb, got generic");
	expect_load_error(
		"socket:\n  zero_copy: maybe\n",
		"<string>:2: socket.zero_copy: must be one of auto, on, off, got maybe");
	expect_load_error(
		"stats:\n  format: xml\n",
		"<string>:2: stats.format: must be one of text, json, none, got xml");
	/* unknown keys at every level */
	expect_load_error("modes: fwd\n", "<string>:1: modes: unknown key");
	/* the key's line, not its value's */
	expect_load_error("mode: fwd\nextra:\n  a: 1\n",
			  "<string>:2: extra: unknown key");
	expect_load_error(
		"ports:\n  - ifname: a\n    nested:\n      - 1\n",
		"<string>:3: ports.0.nested: unknown key (ports take ifname, queues, src_mac, dst_mac)");
	expect_load_error("socket:\n  batch: 8\n  fram_size: 2048\n",
			  "<string>:3: socket.fram_size: unknown key");
	expect_load_error(
		"ports:\n  - ifname: a\n    queue: 1\n",
		"<string>:3: ports.0.queue: unknown key (ports take ifname, queues, src_mac, dst_mac)");
	/* wrong types */
	expect_load_error(
		"socket:\n  frame_size: \"4096\"\n",
		"<string>:2: socket.frame_size: expected an integer, got the string \"4096\"");
	expect_load_error(
		"socket:\n  busy_poll: 'yes'\n",
		"<string>:2: socket.busy_poll: expected true or false, got the string \"yes\"");
	expect_load_error(
		"socket:\n  batch: [1, 2]\n",
		"<string>:2: socket.batch: expected a scalar, got a list");
	expect_load_error(
		"socket: 5\n",
		"<string>:1: socket: expected a mapping, got a scalar");
	expect_load_error("socket:\n  - batch\n",
			  "<string>:2: socket: expected a mapping, got a list");
	expect_load_error("mode:\n  fwd: 1\n",
			  "<string>:2: mode: expected a scalar, got a mapping");
	expect_load_error(
		"ports:\n  ifname: a\n",
		"<string>:2: ports: expected a list of ports, got a mapping");
	expect_load_error(
		"ports:\n  - a\n",
		"<string>:2: ports.0: expected a mapping (ifname: ...), got a scalar");
	expect_load_error("ports: []\n",
			  "<string>:1: ports: must list at least one port");
	expect_load_error("ports:\n  - queues: all\n",
			  "<string>:2: ports.0: ifname is required");
	expect_load_error(
		"ports:\n  - ifname: a\n  - ifname: [b]\n",
		"<string>:3: ports.1.ifname: expected a scalar, got a list");
	expect_load_error(
		"ports:\n  - ifname: a\n    queues: [0, [1]]\n",
		"<string>:3: ports.0.queues: list items must be scalars, got a list");
	expect_load_error(
		"workers:\n  cpus: {a: 1}\n",
		"<string>:2: workers.cpus: expected a scalar or a list, got a mapping");
	expect_load_error(
		"xdp:\n  filter: {a: 1}\n",
		"<string>:2: xdp.filter: expected a list of rule strings, got a mapping");
	expect_load_error(
		"xdp:\n  filter:\n    - udp\n    - [tcp]\n",
		"<string>:4: xdp.filter.1: expected a rule string, got a list");
	expect_load_error("xdp:\n  filter:\n    - \"\"\n",
			  "<string>:3: xdp.filter.0: empty rule");
	expect_load_error(
		"[1, 2]\n",
		"<string>:1: the top level must be a mapping, got a list");
	expect_load_error("? [a]\n: 1\n",
			  "<string>:1: keys must be scalars, got a list");
	expect_load_error(
		"socket:\n  ? [a]\n  : 1\n",
		"<string>:2: socket: keys must be scalars, got a list");
	/* duplicates */
	expect_load_error("mode: fwd\nsocket: {}\nmode: rxdrop\n",
			  "<string>:3: mode: duplicate key (first on line 1)");
	expect_load_error("ports:\n  - ifname: a\n    queues: 0,1,0\n",
			  "<string>:3: ports.0.queues: queue 0 listed twice");
	/* syntax errors and extra documents */
	expect_load_error(
		"mode: [fwd\n",
		"<string>:2: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence");
	expect_load_error("mode: fwd\n---\nmode: rxdrop\n",
			  "<string>:2: only one YAML document is allowed");
}

/* Value errors of each key: same messages from the file and config_set. */
struct value_case {
	const char *key, *value, *msg;
};

static const struct value_case value_cases[] = {
	{ "socket.frame_size", "abc", "must be 2048 or 4096, got abc" },
	{ "socket.frames", "100",
	  "must be an integer in 128..1048576, got 100" },
	{ "socket.frames", "-1", "must be an integer in 128..1048576, got -1" },
	{ "socket.rx_size", "1000",
	  "must be a power of two in 64..16384, got 1000" },
	{ "socket.tx_size", "32",
	  "must be a power of two in 64..16384, got 32" },
	{ "socket.fill_size", "32768",
	  "must be a power of two in 64..16384, got 32768" },
	{ "socket.comp_size", "0",
	  "must be a power of two in 64..16384, got 0" },
	{ "socket.ring_size", "100",
	  "must be a power of two in 64..16384, got 100" },
	{ "socket.batch", "0", "must be an integer in 1..512, got 0" },
	{ "socket.batch", "513", "must be an integer in 1..512, got 513" },
	{ "socket.umem", "maybe",
	  "must be one of auto, shared, per-port, got maybe" },
	{ "xdp.unmatched", "pass",
	  "must be one of kernel, forward, drop, got pass" },
	{ "nic.promisc", "yes", "must be one of auto, on, off, got yes" },
	{ "socket.tx_budget", "-1",
	  "must be an integer in 0..1048576, got -1" },
	{ "socket.idle_spin_us", "1000001",
	  "must be an integer in 0..1000000, got 1000001" },
	{ "socket.busy_poll", "2", "must be true or false, got 2" },
	{ "socket.busy_poll_budget", "0",
	  "must be an integer in 1..1024, got 0" },
	{ "socket.busy_poll_usecs", "1000001",
	  "must be an integer in 0..1000000, got 1000001" },
	{ "socket.poll_timeout_ms", "1.5",
	  "must be an integer in 0..60000, got 1.5" },
	{ "workers.count", "513", "must be an integer in 0..512, got 513" },
	{ "workers.cpus", "256", "cpu ids must be in 0..255, got 256" },
	{ "workers.cpus", "a", "must be a cpu list like 1 or 0,2-3, got a" },
	{ "workers.cpus", "3-1", "cpu ids must be in 0..255, got 3-1" },
	{ "nic.channels", "4097", "must be an integer in 0..4096, got 4097" },
	{ "nic.mtu", "60", "must be 0 (leave) or 68..65535, got 60" },
	{ "nic.mtu", "70000", "must be 0 (leave) or 68..65535, got 70000" },
	{ "nic.disable_lro", "x", "must be true or false, got x" },
	{ "stats.interval_ms", "3600001",
	  "must be an integer in 0..3600000, got 3600001" },
	{ "stats.prometheus", "9100",
	  "must be HOST:PORT or :PORT (port 1..65535), got 9100" },
	{ "stats.prometheus", ":0",
	  "must be HOST:PORT or :PORT (port 1..65535), got :0" },
	{ "log.level", "verbose",
	  "must be one of error, warn, info, debug, got verbose" },
	{ "log.level", "emerg",
	  "must be one of error, warn, info, debug, got emerg" },
	{ "run.duration_s", "4294967296",
	  "must be an integer in 0..4294967295, got 4294967296" },
	{ "run.bind_retries", "101", "must be an integer in 0..100, got 101" },
	{ "txgen.size", "59", "must be an integer in 60..3840, got 59" },
	{ "txgen.size", "3841", "must be an integer in 60..3840, got 3841" },
	{ "txgen.rate_pps", "fast",
	  "must be an integer in 0..18446744073709551615, got fast" },
	{ "txgen.count", "1e6",
	  "must be an integer in 0..18446744073709551615, got 1e6" },
	{ "txgen.src_mac", "02:00:00:00:00",
	  "must be a MAC address like 02:00:00:00:00:01, got 02:00:00:00:00" },
	{ "txgen.dst_mac", "zz:00:00:00:00:00",
	  "must be a MAC address like 02:00:00:00:00:01, got zz:00:00:00:00:00" },
	{ "txgen.src_ip", "10.0.0.256",
	  "must be an IPv4 address like 10.0.0.1, got 10.0.0.256" },
	{ "txgen.dst_ip", "::1",
	  "must be an IPv4 address like 10.0.0.1, got ::1" },
	{ "txgen.src_port", "65536",
	  "must be an integer in 0..65535, got 65536" },
	{ "txgen.dst_port", "-5", "must be an integer in 0..65535, got -5" },
	{ "txgen.flows", "0", "must be an integer in 1..65536, got 0" },
	{ "txgen.timestamp", "sometimes",
	  "must be true or false, got sometimes" },
};

static void test_value_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]);
	     i++) {
		const struct value_case *v = &value_cases[i];
		const char *dot = strchr(v->key, '.');
		char yaml[256], msg[512];

		/* command line form */
		snprintf(msg, sizeof(msg), "%s: %s", v->key, v->msg);
		expect_set_error(v->key, v->value, msg);
		/* file form: section on line 1, the key on line 2; strings
		 * are quoted so YAML keeps them as written */
		snprintf(yaml, sizeof(yaml), "%.*s:\n  %s: %s\n",
			 (int)(dot - v->key), v->key, dot + 1, v->value);
		snprintf(msg, sizeof(msg), "<string>:2: %s: %s", v->key,
			 v->msg);
		expect_load_error(yaml, msg);
	}
}

static void test_string_lengths(void **state)
{
	char longstr[400], msg[512];

	(void)state;
	memset(longstr, 'a', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	expect_set_error("xdp.object", longstr,
			 "xdp.object: longer than 255 characters");
	expect_set_error("log.file", longstr,
			 "log.file: longer than 255 characters");
	expect_set_error("run.user", longstr,
			 "run.user: longer than 31 characters");
	snprintf(msg, sizeof(msg), "ports: '%s' is longer than 15 characters",
		 "abcdefghijklmnop");
	expect_set_error("ports", "abcdefghijklmnop", msg);
	expect_load_error(
		"ports:\n  - ifname: abcdefghijklmnop\n",
		"<string>:2: ports.0.ifname: 'abcdefghijklmnop' is longer than 15 characters");
	expect_set_error("ports.0.ifname", "a/b",
			 "ports.0.ifname: 'a/b' is not a valid interface name");
	expect_set_error("ports", ",",
			 "ports: must list at least one interface, got ','");
	expect_set_error("ports", "a,b,c,d,e,f,g,h,i",
			 "ports: at most 8 ports");
	expect_load_error("ports: [{ifname: a}, {ifname: b}, {ifname: c}, "
			  "{ifname: d}, {ifname: e}, {ifname: f}, "
			  "{ifname: g}, {ifname: h}, {ifname: i}]\n",
			  "<string>:1: ports: at most 8 ports");
}

static void test_queues(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	set_ok(&cfg, "ports", "a,b");
	set_ok(&cfg, "ports.1.queues", "0-3,8");
	assert_int_equal(cfg.ports[1].nr_queues, 5);
	assert_int_equal(cfg.ports[1].queues[4], 8);
	assert_int_equal(cfg.ports[0].nr_queues, 0);
	set_ok(&cfg, "ports.*.queues", "2");
	assert_int_equal(cfg.ports[0].nr_queues, 1);
	assert_int_equal(cfg.ports[1].nr_queues, 1);
	assert_int_equal(cfg.ports[1].queues[0], 2);
	set_ok(&cfg, "ports.0.queues", "all");
	assert_int_equal(cfg.ports[0].nr_queues, 0);
	config_free(&cfg);

	expect_set_error("ports.0.queues", "1",
			 "ports.0.queues: set ports.0.ifname first");
	expect_set_error("ports.*.queues", "1",
			 "ports.*.queues: no ports configured yet");
	config_init(&cfg);
	set_ok(&cfg, "ports", "a");
	assert_int_equal(
		config_set(&cfg, "ports.0.queues", "0-64", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "ports.0.queues: at most 64 queues");
	assert_int_equal(
		config_set(&cfg, "ports.0.queues", "256", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(
		err, "ports.0.queues: queue ids must be in 0..255, got 256");
	assert_int_equal(
		config_set(&cfg, "ports.0.queues", "some", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(
		err,
		"ports.0.queues: must be all, a list like 0,1 or a range like 0-3, got some");
	assert_int_equal(
		config_set(&cfg, "ports.0.queues", "1,1", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "ports.0.queues: queue 1 listed twice");
	/* a failed set leaves the previous value */
	assert_int_equal(cfg.ports[0].nr_queues, 0);
	assert_int_equal(
		config_set(&cfg, "ports.2.ifname", "c", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "ports.2.ifname: port index must be in 0..1");
	assert_int_equal(
		config_set(&cfg, "ports.x.ifname", "c", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "ports.x.ifname: port index must be in 0..1");
	assert_int_equal(config_set(&cfg, "ports.0", "c", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "ports.0: unknown key (use ports.N.KEY)");
	assert_int_equal(config_set(&cfg, "ports.0.mtu", "c", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(
		err,
		"ports.0.mtu: unknown key (ports take ifname, queues, src_mac, dst_mac)");
	/* N == nr_ports appends a port */
	set_ok(&cfg, "ports.1.ifname", "b");
	assert_int_equal(cfg.nr_ports, 2);
	set_ok(&cfg, "ports.1.dst_mac", "02:00:00:00:00:02");
	assert_true(cfg.ports[1].rewrite_dst_mac);
	assert_false(cfg.ports[1].rewrite_src_mac);
	assert_memory_equal(cfg.ports[1].dst_mac, mac2, 6);
	set_ok(&cfg, "ports.0.src_mac", "02-00-00-00-00-01");
	assert_memory_equal(cfg.ports[0].src_mac, mac1, 6);
	assert_int_equal(
		config_set(&cfg, "ports.0.src_mac", "x", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(
		err,
		"ports.0.src_mac: must be a MAC address like 02:00:00:00:00:01, got x");
	config_free(&cfg);
}

static void test_set_overrides(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(load(&cfg, full_yaml), 0);
	/* the command line wins over the file */
	set_ok(&cfg, "mode", "fwd");
	assert_int_equal(cfg.mode, MODE_FWD);
	set_ok(&cfg, "ports", "veth0,veth1");
	assert_int_equal(cfg.nr_ports, 2);
	assert_string_equal(cfg.ports[0].ifname, "veth0");
	assert_int_equal(cfg.ports[0].nr_queues, 0); /* reset with the list */
	assert_false(cfg.ports[0].rewrite_src_mac);
	set_ok(&cfg, "socket.ring_size", "256");
	assert_int_equal(cfg.rx_size, 256);
	assert_int_equal(cfg.tx_size, 256);
	assert_int_equal(cfg.fill_size, 256);
	assert_int_equal(cfg.comp_size, 256);
	set_ok(&cfg, "socket.frame_size", "4096");
	assert_int_equal(cfg.frame_size, 4096);
	set_ok(&cfg, "socket.umem", "shared");
	assert_int_equal(cfg.umem, UMEM_SHARED);
	set_ok(&cfg, "xdp.unmatched", "forward");
	assert_int_equal(cfg.unmatched, AFXDP_UNMATCHED_FORWARD);
	set_ok(&cfg, "xdp.unmatched", "drop");
	assert_int_equal(cfg.unmatched, AFXDP_UNMATCHED_DROP);
	set_ok(&cfg, "nic.promisc", "off");
	assert_int_equal(cfg.promisc, PROMISC_OFF);
	set_ok(&cfg, "socket.idle_spin_us", "50");
	assert_int_equal(cfg.idle_spin_us, 50);
	set_ok(&cfg, "xdp.mode", "skb");
	assert_int_equal(cfg.xdp_mode, XDP_ATTACH_SKB);
	set_ok(&cfg, "socket.zero_copy", "on");
	assert_int_equal(cfg.zero_copy, ZC_ON);
	set_ok(&cfg, "workers.cpus", "1");
	assert_int_equal(cfg.nr_cpus, 1);
	set_ok(&cfg, "workers.cpus", "");
	assert_int_equal(cfg.nr_cpus, 0);
	set_ok(&cfg, "stats.format", "text");
	set_ok(&cfg, "stats.prometheus", "[::1]:9100");
	assert_string_equal(cfg.prometheus_listen, "[::1]:9100");
	set_ok(&cfg, "stats.prometheus", "");
	assert_string_equal(cfg.prometheus_listen, "");
	set_ok(&cfg, "log.level", "warn");
	assert_int_equal(cfg.log_level, LOG_WARNING);
	set_ok(&cfg, "log.level", "error");
	assert_int_equal(cfg.log_level, LOG_ERR);
	set_ok(&cfg, "txgen.src_ip", "1.2.3.4");
	assert_string_equal(cfg.txgen.src_ip, "1.2.3.4");
	set_ok(&cfg, "txgen.dst_port", "65535");
	assert_int_equal(cfg.txgen.dst_port, 65535);
	set_ok(&cfg, "txgen.timestamp", "1");
	assert_true(cfg.txgen.timestamp);
	/* filter appends (both spellings), "" clears */
	assert_int_equal(cfg.nr_filter_rules, 2);
	set_ok(&cfg, "filter", "tcp dport 22");
	set_ok(&cfg, "xdp.filter", "icmp");
	assert_int_equal(cfg.nr_filter_rules, 4);
	assert_string_equal(cfg.filter_rules[2], "tcp dport 22");
	assert_string_equal(cfg.filter_rules[3], "icmp");
	set_ok(&cfg, "filter", "");
	assert_int_equal(cfg.nr_filter_rules, 0);
	for (int i = 0; i < 16; i++)
		set_ok(&cfg, "filter", "udp");
	assert_int_equal(config_set(&cfg, "filter", "udp", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "filter: at most 16 rules");
	assert_int_equal(cfg.nr_filter_rules, 16);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
	assert_int_equal(cfg.nr_filter_rules, 0);

	expect_set_error("socket", "1", "socket: is a section, not a value");
	expect_set_error("socket.nope", "1", "socket.nope: unknown key");
	expect_set_error("nope", "1", "nope: unknown key");
	expect_set_error("mode", NULL, "mode: missing key or value");
}

static struct agent_config valid_cfg(void)
{
	struct agent_config cfg;

	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "ports", "a,b", err, sizeof(err)), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	return cfg;
}

static void expect_invalid(const struct agent_config *cfg, const char *msg)
{
	err[0] = '\0';
	assert_int_equal(config_validate(cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

/* socket.batch: what the workers use, set or not. */
static void test_batch(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_batch(&cfg), CFG_DEFAULT_FWD_BATCH);
	/* Capped at the smallest of the four rings. */
	assert_int_equal(config_set(&cfg, "socket.ring_size", "128", err,
				    sizeof(err)),
			 0);
	assert_int_equal(config_batch(&cfg), 128);
	assert_int_equal(
		config_set(&cfg, "socket.fill_size", "1024", err, sizeof(err)),
		0);
	assert_int_equal(config_batch(&cfg), 128);
	assert_int_equal(config_set(&cfg, "socket.ring_size", "4096", err,
				    sizeof(err)),
			 0);
	assert_int_equal(config_batch(&cfg), CFG_DEFAULT_FWD_BATCH);
	/* txgen bursts stay at 64 (a veth peer's XDP ring holds 256). */
	cfg.mode = MODE_TXGEN;
	assert_int_equal(config_batch(&cfg), CFG_DEFAULT_TXGEN_BATCH);
	/* Set: exactly that, in every mode. */
	assert_int_equal(
		config_set(&cfg, "socket.batch", "32", err, sizeof(err)), 0);
	assert_int_equal(config_batch(&cfg), 32);
	cfg.mode = MODE_FWD;
	assert_int_equal(config_batch(&cfg), 32);
	/* The option takes 1..512: 0 cannot be set to mean "unset". */
	assert_int_not_equal(
		config_set(&cfg, "socket.batch", "0", err, sizeof(err)), 0);
	config_free(&cfg);
}

static void test_validate(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_init(&cfg);
	expect_invalid(&cfg,
		       "ports: at least one port is required (-i IFNAME)");

	cfg = valid_cfg();
	cfg.nr_ports = 1;
	expect_invalid(&cfg, "ports: mode fwd needs exactly 2 ports, got 1");
	/* Forwarding what no rule matches needs the pair of fwd mode. */
	cfg = valid_cfg();
	cfg.unmatched = AFXDP_UNMATCHED_FORWARD;
	assert_int_equal(config_validate(&cfg, NULL, 0), 0);
	cfg.mode = MODE_RXDROP;
	cfg.nr_ports = 1;
	expect_invalid(&cfg,
		       "xdp.unmatched: forward needs mode fwd (two ports), not rxdrop");
	cfg.unmatched = AFXDP_UNMATCHED_DROP;
	assert_int_equal(config_validate(&cfg, NULL, 0), 0);
	cfg.mode = MODE_MACSWAP;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.mode = MODE_RXDROP;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);

	cfg = valid_cfg();
	strcpy(cfg.ports[1].ifname, "a");
	expect_invalid(&cfg, "ports.1.ifname: a is already ports.0");
	cfg.ports[1].ifname[0] = '\0';
	expect_invalid(&cfg, "ports.1.ifname: must be 1..15 characters");

	cfg = valid_cfg();
	cfg.ports[0].nr_queues = 2;
	cfg.ports[0].queues[0] = 3;
	cfg.ports[0].queues[1] = 3;
	expect_invalid(&cfg, "ports.0.queues: queue 3 listed twice");
	cfg.ports[0].queues[1] = 300;
	expect_invalid(&cfg, "ports.0.queues: queue 300 out of 0..255");

	cfg = valid_cfg();
	cfg.frame_size = 1024;
	expect_invalid(&cfg,
		       "socket.frame_size: must be 2048 or 4096, got 1024");
	cfg = valid_cfg();
	cfg.tx_size = 1000;
	expect_invalid(
		&cfg,
		"socket.tx_size: must be a power of two in 64..16384, got 1000");
	cfg = valid_cfg();
	assert_int_equal(
		config_set(&cfg, "socket.comp_size", "64", err, sizeof(err)),
		0);
	assert_int_equal(
		config_set(&cfg, "socket.batch", "128", err, sizeof(err)), 0);
	expect_invalid(&cfg,
		       "socket.batch: 128 is larger than socket.comp_size 64");
	cfg = valid_cfg();
	cfg.batch_size = 513;
	expect_invalid(&cfg, "socket.batch: must be 1..512, got 513");
	/* Unset never conflicts with the rings: it follows the smallest. */
	cfg = valid_cfg();
	assert_int_equal(
		config_set(&cfg, "socket.comp_size", "64", err, sizeof(err)),
		0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	assert_int_equal(config_batch(&cfg), 64);
	cfg = valid_cfg();
	cfg.tx_budget = 16;
	expect_invalid(
		&cfg,
		"socket.tx_budget: must be 0 (the TX ring size) or 32..socket.tx_size (2048), got 16");
	cfg.tx_budget = 4096;
	expect_invalid(
		&cfg,
		"socket.tx_budget: must be 0 (the TX ring size) or 32..socket.tx_size (2048), got 4096");
	cfg.tx_budget = 2048;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg = valid_cfg();
	assert_int_equal(
		config_set(&cfg, "socket.frames", "4095", err, sizeof(err)), 0);
	expect_invalid(
		&cfg,
		"socket.frames: 4095 is less than socket.fill_size + socket.tx_size (4096)");
	cfg.nr_frames = 4096;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);

	cfg = valid_cfg();
	cfg.mtu = 3818; /* 4096 - 256 headroom - 14 Ethernet - 2 x 4 VLAN */
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.mtu = 3819;
	expect_invalid(
		&cfg,
		"nic.mtu: 3819 does not fit socket.frame_size 4096 (at most 3818; larger frames need socket.multi_buffer)");
	cfg.frame_size = 2048;
	cfg.mtu = 1500;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.mtu = 9000;
	expect_invalid(
		&cfg,
		"nic.mtu: 9000 does not fit socket.frame_size 2048 (at most 1770; larger frames need socket.multi_buffer)");
	/* Multi-buffer: the frame no longer bounds the MTU, but a batch
	 * must hold the longest frame (18 buffers). */
	assert_int_equal(config_set(&cfg, "socket.multi_buffer", "true", err,
				    sizeof(err)),
			 0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.batch_size = 17;
	expect_invalid(
		&cfg,
		"socket.batch: 17 is too small for socket.multi_buffer (a frame can take 18 buffers, the kernel's limit)");
	cfg.batch_size = 18;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);

	cfg = valid_cfg();
	strcpy(cfg.prometheus_listen, "nohost");
	expect_invalid(&cfg, "stats.prometheus: must be HOST:PORT, got nohost");

	/* txgen.size is checked against the frame only in txgen mode */
	cfg = valid_cfg();
	cfg.frame_size = 2048;
	cfg.txgen.frame_size = 1800;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.mode = MODE_TXGEN;
	expect_invalid(
		&cfg,
		"txgen.size: must be 60..1792 with socket.frame_size 2048, got 1800");
	cfg.txgen.frame_size = 1792;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.txgen.src_port = 65535;
	cfg.txgen.flows = 2;
	expect_invalid(
		&cfg,
		"txgen.flows: src_port 65535 + 2 flows runs past port 65535");
	cfg.txgen.flows = 1;
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_empty_and_partial),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_string_lengths),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_set_overrides),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
