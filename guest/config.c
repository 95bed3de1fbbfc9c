// SPDX-License-Identifier: GPL-2.0
/*
 * afxdp-agent configuration: the key table and config_set().
 *
 * One table maps every leaf key path to a setter; the file walk
 * (guest/config_yaml.c) and config_set() (the command line) both go
 * through it, so "--set KEY=VALUE" accepts exactly the keys of the file and
 * gives the same messages. A row also declares the key's command-line
 * option, if it has one (OPT()): guest/options.c generates getopt's table
 * and --help from it. Lists of mappings (ports, apps) are set one key at a
 * time, ports.N.KEY and apps.N.KEY.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "guest/config_int.h"
#include "util/xdp_mtu.h"
#include "util/log.h"
#include "util/parse.h"

int cfg_fail(struct ctx *c, const char *fmt, ...)
{
	char msg[CFG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->err || !c->err_len)
		return -EINVAL;
	if (c->file && !c->key[0])
		snprintf(c->err, c->err_len, "%s:%lu: %s", c->file, c->line,
			 msg);
	else if (c->file)
		snprintf(c->err, c->err_len, "%s:%lu: %s: %s", c->file, c->line,
			 c->key, msg);
	else
		snprintf(c->err, c->err_len, "%s: %s", c->key, msg);
	return -EINVAL;
}

/* A value parser's result (guest/config_int.h): its message, with the
 * file, line and key in front. */
int cfg_msg_fail(struct ctx *c, int ret, const char *msg)
{
	return ret ? cfg_fail(c, "%s", msg) : 0;
}

/* Kinds of value, also the YAML node shape a key accepts. */
enum kind {
	K_U32, /* integer in [min, max] */
	K_U64,
	K_POW2, /* power of two in [min, max] */
	K_BOOL,
	K_STR, /* bounded string, size bytes with the NUL */
	K_ENUM, /* one of names[], stored as int */
	K_NUM_FN, /* integer, checked by fn */
	K_STR_FN, /* any scalar, handled by fn */
	K_LIST_FN, /* scalar "a,b" or a sequence of scalars joined by ',' */
};

/* A key's command-line option (guest/options.c builds the command line from
 * these); help == NULL: the key has none, only --set KEY=VALUE. */
struct key_opt {
	const char *name; /* long option; NULL: the key's own name */
	int short_opt; /* 'm', or 0 */
	const char *metavar; /* NULL: a flag (K_BOOL keys) that sets true */
	const char *help; /* one line */
};

struct key_desc {
	const char *name;
	enum kind kind;
	size_t off;
	size_t size;
	uint64_t min, max;
	const char *const *names;
	int (*fn)(struct agent_config *cfg, const char *v, struct ctx *c);
	struct key_opt opt; /* its command-line option, if any */
};

/* In the order of enum agent_mode. */
static const char *const mode_names[] = { "fwd",   "macswap", "rxdrop",
					  "txgen", "none",    NULL };
static const char *const xdp_mode_names[] = { "auto", "native", "skb", NULL };
static const char *const zc_names[] = { "auto", "on", "off", NULL };
/* In the order of enum afxdp_unmatched. */
static const char *const unmatched_names[] = { "kernel", "forward", "drop",
					       NULL };
/* xdp.fail_open: the first two of enum afxdp_unmatched. */
static const char *const fail_open_names[] = { "kernel", "forward", NULL };
static const char *const promisc_names[] = { "auto", "on", "off", NULL };
static const char *const umem_names[] = { "auto", "shared", "per-port", NULL };
static const char *const format_names[] = { "text", "json", "none", NULL };

const char *config_mode_name(enum agent_mode mode)
{
	if ((unsigned int)mode < sizeof(mode_names) / sizeof(mode_names[0]) - 1)
		return mode_names[mode];
	return "?";
}

static int set_frame_size(struct agent_config *cfg, const char *v,
			  struct ctx *c)
{
	uint32_t n;

	if (parse_u32(v, 0, UINT32_MAX, &n) || (n != 2048 && n != 4096))
		return cfg_fail(c, "must be 2048 or 4096, got %s", v);
	cfg->frame_size = n;
	return 0;
}

static int set_mtu(struct agent_config *cfg, const char *v, struct ctx *c)
{
	uint32_t n;

	if (parse_u32(v, 0, 65535, &n) || (n && n < XDP_MTU_MIN))
		return cfg_fail(c, "must be 0 (leave) or 68..65535, got %s", v);
	cfg->mtu = n;
	return 0;
}

static int set_ring_size(struct agent_config *cfg, const char *v, struct ctx *c)
{
	uint32_t n;

	if (parse_u32(v, 64, 16384, &n) || (n & (n - 1)))
		return cfg_fail(
			c, "must be a power of two in 64..16384, got %s", v);
	cfg->rx_size = cfg->tx_size = cfg->fill_size = cfg->comp_size = n;
	return 0;
}

static int set_cpus(struct agent_config *cfg, const char *v, struct ctx *c)
{
	uint32_t cpus[CFG_MAX_CPUS];
	size_t n = 0;
	int err;

	if (!*v) { /* empty: no pinning */
		cfg->nr_cpus = 0;
		return 0;
	}
	err = parse_u32_list(v, CFG_MAX_CPUS - 1, cpus, CFG_MAX_CPUS, &n);
	if (err == -E2BIG)
		return cfg_fail(c, "at most %d cpus", CFG_MAX_CPUS);
	if (err == -ERANGE)
		return cfg_fail(c, "cpu ids must be in 0..%d, got %s",
				CFG_MAX_CPUS - 1, v);
	if (err)
		return cfg_fail(c, "must be a cpu list like 1 or 0,2-3, got %s",
				v);
	memcpy(cfg->cpus, cpus, n * sizeof(cpus[0]));
	cfg->nr_cpus = n;
	return 0;
}

static int set_log_level(struct agent_config *cfg, const char *v, struct ctx *c)
{
	int level = log_level_parse(v);

	if (level < 0 || (level != LOG_ERR && level != LOG_WARNING &&
			  level != LOG_INFO && level != LOG_DEBUG))
		return cfg_fail(
			c, "must be one of error, warn, info, debug, got %s",
			v);
	cfg->log_level = level;
	return 0;
}

static int set_prometheus(struct agent_config *cfg, const char *v,
			  struct ctx *c)
{
	char host[64];
	uint16_t port;

	if (*v && parse_host_port(v, host, sizeof(host), &port))
		return cfg_fail(
			c, "must be HOST:PORT or :PORT (port 1..65535), got %s",
			v);
	if (strlen(v) >= sizeof(cfg->prometheus_listen))
		return cfg_fail(c, "longer than %zu characters",
				sizeof(cfg->prometheus_listen) - 1);
	strcpy(cfg->prometheus_listen, v);
	return 0;
}

static int set_mac(uint8_t mac[6], const char *v, struct ctx *c)
{
	if (parse_mac(v, mac))
		return cfg_fail(
			c,
			"must be a MAC address like 02:00:00:00:00:01, got %s",
			v);
	return 0;
}

static int set_txgen_src_mac(struct agent_config *cfg, const char *v,
			     struct ctx *c)
{
	return set_mac(cfg->txgen.src_mac, v, c);
}

static int set_txgen_dst_mac(struct agent_config *cfg, const char *v,
			     struct ctx *c)
{
	return set_mac(cfg->txgen.dst_mac, v, c);
}

static int set_ipv4(char dst[16], const char *v, struct ctx *c)
{
	struct in_addr a;

	if (strlen(v) >= 16 || inet_pton(AF_INET, v, &a) != 1)
		return cfg_fail(
			c, "must be an IPv4 address like 10.0.0.1, got %s", v);
	strcpy(dst, v);
	return 0;
}

static int set_txgen_src_ip(struct agent_config *cfg, const char *v,
			    struct ctx *c)
{
	return set_ipv4(cfg->txgen.src_ip, v, c);
}

static int set_txgen_dst_ip(struct agent_config *cfg, const char *v,
			    struct ctx *c)
{
	return set_ipv4(cfg->txgen.dst_ip, v, c);
}

static void clear_filters(struct agent_config *cfg)
{
	for (size_t i = 0; i < cfg->nr_filter_rules; i++)
		free(cfg->filter_rules[i]);
	cfg->nr_filter_rules = 0;
}

/* Appends a rule; the empty string clears the list (back to "all"). The
 * grammar is checked by guest/filter.c when the program is configured. */
int cfg_add_filter(struct agent_config *cfg, const char *v, struct ctx *c)
{
	char *s;

	if (!*v) {
		clear_filters(cfg);
		return 0;
	}
	if (cfg->nr_filter_rules == AFXDP_MAX_RULES)
		return cfg_fail(c, "at most %d rules", AFXDP_MAX_RULES);
	s = strdup(v);
	if (!s)
		return cfg_fail(c, "out of memory");
	cfg->filter_rules[cfg->nr_filter_rules++] = s;
	return 0;
}

#define OFF(field) offsetof(struct agent_config, field)
#define SZ(field) sizeof(((struct agent_config *)0)->field)
/* Each takes an optional last argument, OPT(...), the key's option. */
#define U32(n, f, lo, hi, ...)                                                 \
	{                                                                      \
		.name = n, .kind = K_U32, .off = OFF(f), .min = lo, .max = hi, \
		__VA_ARGS__                                                    \
	}
#define U64(n, f, lo, hi, ...)                                                 \
	{                                                                      \
		.name = n, .kind = K_U64, .off = OFF(f), .min = lo, .max = hi, \
		__VA_ARGS__                                                    \
	}
#define POW2(n, f, ...)                                              \
	{                                                            \
		.name = n, .kind = K_POW2, .off = OFF(f), .min = 64, \
		.max = 16384, __VA_ARGS__                            \
	}
#define BOOL(n, f, ...)                                               \
	{                                                             \
		.name = n, .kind = K_BOOL, .off = OFF(f), __VA_ARGS__ \
	}
#define STR(n, f, ...)                                                  \
	{                                                               \
		.name = n, .kind = K_STR, .off = OFF(f), .size = SZ(f), \
		__VA_ARGS__                                             \
	}
#define ENUM(n, f, nm, ...)                                            \
	{                                                              \
		.name = n, .kind = K_ENUM, .off = OFF(f), .names = nm, \
		__VA_ARGS__                                            \
	}
#define FN(n, k, f, ...)                                   \
	{                                                  \
		.name = n, .kind = k, .fn = f, __VA_ARGS__ \
	}
#define OPT(long_name, short_opt, metavar, help) \
	.opt = { long_name, short_opt, metavar, help }

static const struct key_desc keys[] = {
	ENUM("mode", mode, mode_names,
	     OPT(NULL, 'm', "MODE", "what to do with the frames")),
	ENUM("xdp.mode", xdp_mode, xdp_mode_names,
	     OPT("xdp-mode", 0, "M", "XDP attach mode")),
	STR("xdp.object", bpf_object),
	FN("xdp.filter", K_LIST_FN, cfg_add_filter,
	   OPT("filter", 'f', "RULE",
	       "steer only matching frames to the agent (repeat), e.g. 'udp dport 4000-4010'; the rest: --unmatched")),
	ENUM("xdp.unmatched", unmatched, unmatched_names,
	     OPT("unmatched", 0, "WHERE",
		 "frames that match no rule go to the kernel (default), to the other port inside XDP (fwd only) or are dropped")),
	ENUM("xdp.fail_open", fail_open, fail_open_names,
	     OPT("fail-open", 0, "WHERE",
		 "while no agent serves a queue (restart), matched frames go to the kernel (default) or to the other port inside XDP (fwd only; the program stays attached at exit)")),
	ENUM("socket.zero_copy", zero_copy, zc_names,
	     OPT("zero-copy", 0, "M",
		 "AF_XDP zero-copy; on fails without driver support")),
	FN("socket.frame_size", K_NUM_FN, set_frame_size,
	   OPT("frame-size", 0, "N", "UMEM frame size: 2048 | 4096")),
	U32("socket.frames", nr_frames, 128, 1U << 20,
	    OPT("frames", 0, "N", "UMEM frames per worker")),
	POW2("socket.rx_size", rx_size),
	POW2("socket.tx_size", tx_size),
	POW2("socket.fill_size", fill_size),
	POW2("socket.comp_size", comp_size),
	FN("socket.ring_size", K_NUM_FN, set_ring_size,
	   OPT("ring-size", 0, "N", "size of all four rings")),
	U32("socket.batch", batch_size, 1, 512,
	    OPT("batch", 0, "N", "descriptors per batch")),
	ENUM("socket.umem", umem, umem_names,
	     OPT("umem", 0, "M",
		 "one UMEM for all ports or one per port; auto shares when every port has zero-copy")),
	U32("socket.tx_budget", tx_budget, 0, 1U << 20),
	BOOL("socket.busy_poll", busy_poll,
	     OPT("busy-poll", 0, NULL,
		 "SO_PREFER_BUSY_POLL + SO_BUSY_POLL_BUDGET")),
	BOOL("socket.multi_buffer", multi_buffer,
	     OPT("multi-buffer", 0, NULL,
		 "jumbo frames over several UMEM frames: XDP frags + AF_XDP multi-buffer (Linux >= 6.6, driver with XDP rx-sg)")),
	U32("socket.busy_poll_budget", busy_poll_budget, 1, 1024),
	U32("socket.busy_poll_usecs", busy_poll_usecs, 0, 1000000),
	U32("socket.poll_timeout_ms", poll_timeout_ms, 0, 60000,
	    OPT("poll-timeout", 0, "MS", "idle wait in poll(); 0 busy-spins")),
	U32("socket.idle_spin_us", idle_spin_us, 0, 1000000,
	    OPT("idle-spin", 0, "US",
		"poll this long after the last frame before sleeping, default 2000, 0 sleeps at once")),
	/* No option of its own: --set socket.spin_gap_us=US. */
	U32("socket.spin_gap_us", spin_gap_us, 0, 1000000),
	/* Neither: --set socket.coalesce_us=US; 0 never naps. */
	U32("socket.coalesce_us", coalesce_us, 0, 100000),
	U32("workers.count", nr_workers, 0, CFG_MAX_PORTS *CFG_MAX_QUEUES,
	    OPT("workers", 0, "N", "worker threads (0: one per queue)")),
	FN("workers.cpus", K_LIST_FN, set_cpus,
	   OPT("cpus", 0, "LIST",
	       "pin workers to these CPUs, e.g. 1 or 0,2-3")),
	U32("nic.channels", channels, 0, 4096,
	    OPT("channels", 0, "N", "set combined channels first")),
	FN("nic.mtu", K_NUM_FN, set_mtu,
	   OPT("mtu", 0, "N", "set the MTU first")),
	BOOL("nic.disable_lro", disable_lro),
	ENUM("nic.promisc", promisc, promisc_names),
	U32("stats.interval_ms", stats_interval_ms, 0, 3600000,
	    OPT("interval", 0, "MS", "stats period (0: final report only)")),
	ENUM("stats.format", stats_format, format_names,
	     OPT("stats", 's', "FMT", "format of the stats on stdout")),
	FN("stats.prometheus", K_STR_FN, set_prometheus,
	   OPT("prometheus", 0, "H:P",
	       "metrics endpoint (host default 127.0.0.1)")),
	STR("log.file", log_file,
	    OPT("log-file", 'l', "FILE", "log here (SIGHUP reopens it)")),
	FN("log.level", K_STR_FN, set_log_level,
	   OPT("log-level", 0, "L", "error | warn | info | debug")),
	U32("run.duration_s", duration_s, 0, UINT32_MAX,
	    OPT("duration", 'd', "S",
		"stop after S seconds (0: when signalled)")),
	U32("run.bind_retries", bind_retries, 0, 100),
	STR("run.user", run_user),
	/* No option of its own: --set ctl.socket=PATH. */
	STR("ctl.socket", ctl_socket),
	U32("txgen.size", txgen.frame_size, CFG_MIN_FRAME,
	    4096 - CFG_FRAME_HEADROOM,
	    OPT("size", 0, "N", "txgen: frame size in bytes without FCS")),
	U64("txgen.rate_pps", txgen.rate_pps, 0, UINT64_MAX,
	    OPT("rate", 0, "PPS",
		"txgen: frames per second in total (0: as fast as possible)")),
	U64("txgen.count", txgen.count, 0, UINT64_MAX,
	    OPT("count", 0, "N", "txgen: stop after N frames (0: never)")),
	FN("txgen.src_mac", K_STR_FN, set_txgen_src_mac,
	   OPT("src-mac", 0, "MAC", "txgen: source MAC address")),
	FN("txgen.dst_mac", K_STR_FN, set_txgen_dst_mac,
	   OPT("dst-mac", 0, "MAC", "txgen: destination MAC address")),
	FN("txgen.src_ip", K_STR_FN, set_txgen_src_ip,
	   OPT("src-ip", 0, "ADDR", "txgen: source IPv4 address")),
	FN("txgen.dst_ip", K_STR_FN, set_txgen_dst_ip,
	   OPT("dst-ip", 0, "ADDR", "txgen: destination IPv4 address")),
	U32("txgen.src_port", txgen.src_port, 0, 65535,
	    OPT("src-port", 0, "PORT", "txgen: UDP source port")),
	U32("txgen.dst_port", txgen.dst_port, 0, 65535,
	    OPT("dst-port", 0, "PORT", "txgen: UDP destination port")),
	U32("txgen.flows", txgen.flows, 1, 65536,
	    OPT("flows", 0, "N",
		"txgen: cycle the source port over src-port .. src-port + N - 1")),
	BOOL("txgen.timestamp", txgen.timestamp,
	     OPT("timestamp", 0, NULL,
		 "txgen: write a CLOCK_MONOTONIC stamp (ns) into each payload")),
};

enum cfg_value cfg_key_value(const struct key_desc *k)
{
	switch (k->kind) {
	case K_U32:
	case K_U64:
	case K_POW2:
	case K_NUM_FN:
		return CFG_VAL_NUMBER;
	case K_BOOL:
		return CFG_VAL_BOOL;
	case K_LIST_FN:
		return k->fn == cfg_add_filter ? CFG_VAL_RULES : CFG_VAL_LIST;
	case K_STR:
	case K_ENUM:
	case K_STR_FN:
		break;
	}
	return CFG_VAL_SCALAR;
}

int config_option(size_t i, struct config_option *opt)
{
	size_t n = 0;

	for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
		const struct key_desc *k = &keys[j];

		if (!k->opt.help || n++ != i)
			continue;
		*opt = (struct config_option){
			.key = k->name,
			.name = k->opt.name ? k->opt.name : k->name,
			.short_opt = k->opt.short_opt,
			.metavar = k->opt.metavar,
			.help = k->opt.help,
			.choices = k->kind == K_ENUM ? k->names : NULL,
		};
		return 0;
	}
	return -ENOENT;
}

const struct key_desc *cfg_find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

const char *config_enum_name(const char *key, int v)
{
	const struct key_desc *k = cfg_find_key(key);

	if (!k || k->kind != K_ENUM || v < 0)
		return "?";
	for (int i = 0; k->names[i]; i++)
		if (i == v)
			return k->names[i];
	return "?";
}

/* "socket" is a section when some key starts with "socket.". */
bool cfg_is_section(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strncmp(keys[i].name, name, n) && keys[i].name[n] == '.')
			return true;
	return false;
}

int cfg_set_key(struct agent_config *cfg, const struct key_desc *k,
		const char *v, struct ctx *c)
{
	void *p = (char *)cfg + k->off;
	uint64_t u;
	bool b;

	switch (k->kind) {
	case K_U32:
	case K_U64:
		if (parse_u64(v, k->min, k->max, &u))
			return cfg_fail(
				c, "must be an integer in %llu..%llu, got %s",
				(unsigned long long)k->min,
				(unsigned long long)k->max, v);
		/* txgen ports are u16 in the struct */
		if (k->off == OFF(txgen.src_port) ||
		    k->off == OFF(txgen.dst_port))
			*(uint16_t *)p = (uint16_t)u;
		else if (k->kind == K_U32)
			*(uint32_t *)p = (uint32_t)u;
		else
			*(uint64_t *)p = u;
		return 0;
	case K_POW2:
		if (parse_u64(v, k->min, k->max, &u) || (u & (u - 1)))
			return cfg_fail(
				c,
				"must be a power of two in %llu..%llu, got %s",
				(unsigned long long)k->min,
				(unsigned long long)k->max, v);
		*(uint32_t *)p = (uint32_t)u;
		return 0;
	case K_BOOL:
		if (parse_bool(v, &b))
			return cfg_fail(c, "must be true or false, got %s", v);
		*(bool *)p = b;
		return 0;
	case K_STR:
		if (strlen(v) >= k->size)
			return cfg_fail(c, "longer than %zu characters",
					k->size - 1);
		strcpy(p, v);
		return 0;
	case K_ENUM: {
		char list[128] = "";

		for (int i = 0; k->names[i]; i++) {
			if (!strcmp(v, k->names[i])) {
				*(int *)p = i;
				return 0;
			}
			snprintf(list + strlen(list),
				 sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", k->names[i]);
		}
		return cfg_fail(c, "must be one of %s, got %s", list, v);
	}
	case K_NUM_FN:
	case K_STR_FN:
	case K_LIST_FN:
		return k->fn(cfg, v, c);
	}
	return cfg_fail(c, "internal error");
}

/* Per-port keys: ports.N.<name>. */
int cfg_port_set(struct port_config *p, const char *name, const char *v,
		 struct ctx *c)
{
	char msg[CFG_ERR_LEN];

	if (!strcmp(name, "ifname"))
		return cfg_msg_fail(
			c, cfg_parse_ifname(v, p->ifname, msg, sizeof(msg)),
			msg);
	if (!strcmp(name, "queues"))
		return cfg_msg_fail(c,
				    cfg_parse_queues(v, p->queues,
						     &p->nr_queues, msg,
						     sizeof(msg)),
				    msg);
	if (!strcmp(name, "src_mac")) {
		int err = set_mac(p->src_mac, v, c);

		if (!err)
			p->rewrite_src_mac = true;
		return err;
	}
	if (!strcmp(name, "dst_mac")) {
		int err = set_mac(p->dst_mac, v, c);

		if (!err)
			p->rewrite_dst_mac = true;
		return err;
	}
	return cfg_fail(
		c, "unknown key (ports take ifname, queues, src_mac, dst_mac)");
}

bool cfg_port_key_is_list(const char *name)
{
	return !strcmp(name, "queues");
}

bool cfg_port_key_known(const char *name)
{
	return !strcmp(name, "ifname") || !strcmp(name, "queues") ||
	       !strcmp(name, "src_mac") || !strcmp(name, "dst_mac");
}

/* "eth1,eth2": replaces the port list, per-port settings back to default. */
int cfg_set_ports(struct agent_config *cfg, const char *v, struct ctx *c)
{
	struct port_config ports[CFG_MAX_PORTS];
	char *copy, *tok, *save = NULL, *s;
	size_t n = 0;
	int err = 0;

	memset(ports, 0, sizeof(ports));
	copy = strdup(v);
	if (!copy)
		return cfg_fail(c, "out of memory");
	for (s = copy;; s = NULL) {
		tok = strtok_r(s, ",", &save);
		if (!tok)
			break;
		if (n == CFG_MAX_PORTS) {
			err = cfg_fail(c, "at most %d ports", CFG_MAX_PORTS);
			goto out;
		}
		err = cfg_port_set(&ports[n], "ifname", tok, c);
		if (err)
			goto out;
		n++;
	}
	if (!n) {
		err = cfg_fail(c, "must list at least one interface, got '%s'",
			       v);
		goto out;
	}
	memcpy(cfg->ports, ports, sizeof(ports));
	cfg->nr_ports = n;
out:
	free(copy);
	return err;
}

void config_init(struct agent_config *cfg)
{
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 };

	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = MODE_FWD;
	cfg->xdp_mode = XDP_ATTACH_AUTO;
	cfg->zero_copy = ZC_AUTO;
	cfg->frame_size = 4096;
	cfg->nr_frames = 8192;
	cfg->rx_size = cfg->tx_size = cfg->fill_size = cfg->comp_size = 2048;
	cfg->batch_size = 0; /* unset: config_batch() */
	cfg->umem = UMEM_AUTO;
	cfg->tx_budget = 0;
	cfg->busy_poll = false;
	cfg->busy_poll_budget = 64;
	cfg->busy_poll_usecs = 20;
	cfg->poll_timeout_ms = 100;
	cfg->idle_spin_us = CFG_DEFAULT_IDLE_SPIN_US;
	cfg->spin_gap_us = CFG_DEFAULT_SPIN_GAP_US;
	cfg->coalesce_us = CFG_DEFAULT_COALESCE_US;
	cfg->nr_workers = 0;
	cfg->nr_cpus = 0; /* no pinning unless asked */
	cfg->channels = 0;
	cfg->mtu = 0;
	cfg->disable_lro = true;
	cfg->stats_interval_ms = 1000;
	cfg->stats_format = STATS_TEXT;
	cfg->log_level = LOG_INFO;
	cfg->duration_s = 0;
	cfg->bind_retries = 5;
	strcpy(cfg->ctl_socket, CFG_CTL_SOCKET_DEFAULT);
	cfg->txgen.frame_size = 64;
	cfg->txgen.rate_pps = 0;
	cfg->txgen.count = 0;
	memcpy(cfg->txgen.src_mac, src, 6);
	memcpy(cfg->txgen.dst_mac, dst, 6);
	strcpy(cfg->txgen.src_ip, "10.0.0.1");
	strcpy(cfg->txgen.dst_ip, "10.0.0.2");
	cfg->txgen.src_port = 1024;
	cfg->txgen.dst_port = 4000;
	cfg->txgen.flows = 1;
	cfg->txgen.timestamp = false;
}

void config_free(struct agent_config *cfg)
{
	clear_filters(cfg);
	cfg_apps_clear(cfg);
}

int cfg_app_set_key(struct app_config *a, const char *name, const char *v,
		    struct ctx *c)
{
	char msg[CFG_ERR_LEN];

	return cfg_msg_fail(c, cfg_app_set(a, name, v, msg, sizeof(msg)), msg);
}

/* apps.N.KEY: N == nr_apps appends an application, named first. */
static int set_app(struct agent_config *cfg, const char *key, const char *v,
		   struct ctx *c)
{
	const char *idx = key + 5, *dot = strchr(idx, '.');
	struct app_config *a;
	char num[16];
	uint32_t i;
	int ret;

	if (!dot || dot == idx || (size_t)(dot - idx) >= sizeof(num))
		return cfg_fail(c, "unknown key (use apps.N.KEY)");
	snprintf(num, sizeof(num), "%.*s", (int)(dot - idx), idx);
	if (!cfg_app_key_known(dot + 1))
		return cfg_fail(
			c, "unknown key (applications take " CFG_APP_KEYS ")");
	if (parse_u32(num, 0, CFG_MAX_APPS - 1, &i) || i > cfg->nr_apps)
		return cfg_fail(c, "application index must be in 0..%zu",
				cfg->nr_apps < CFG_MAX_APPS ?
					cfg->nr_apps :
					(size_t)CFG_MAX_APPS - 1);
	if (i == cfg->nr_apps && strcmp(dot + 1, "name"))
		return cfg_fail(c, "set apps.%u.name first", i);
	a = &cfg->apps[i];
	if (i == cfg->nr_apps)
		memset(a, 0, sizeof(*a)); /* the defaults: all zero */
	ret = cfg_app_set_key(a, dot + 1, v, c);
	if (!ret && i == cfg->nr_apps)
		cfg->nr_apps++;
	return ret;
}

int config_set(struct agent_config *cfg, const char *key, const char *value,
	       char *err, size_t err_len)
{
	struct ctx c = { .err = err, .err_len = err_len };
	const struct key_desc *k;

	snprintf(c.key, sizeof(c.key), "%s", key ? key : "");
	if (!key || !value)
		return cfg_fail(&c, "missing key or value");
	if (!strcmp(key, "filter"))
		return cfg_add_filter(cfg, value, &c);
	if (!strcmp(key, "ports"))
		return cfg_set_ports(cfg, value, &c);
	if (!strcmp(key, "apps")) {
		if (*value)
			return cfg_fail(
				&c,
				"set applications with apps.N.KEY=VALUE; apps= (empty) removes them all");
		cfg_apps_clear(cfg);
		return 0;
	}
	if (!strncmp(key, "apps.", 5))
		return set_app(cfg, key, value, &c);
	if (!strncmp(key, "ports.", 6)) {
		const char *idx = key + 6, *dot = strchr(idx, '.');
		char num[16];
		uint32_t i;
		int ret;

		if (!dot || dot == idx || (size_t)(dot - idx) >= sizeof(num))
			return cfg_fail(&c, "unknown key (use ports.N.KEY)");
		snprintf(num, sizeof(num), "%.*s", (int)(dot - idx), idx);
		if (!cfg_port_key_known(dot + 1))
			return cfg_fail(
				&c,
				"unknown key (ports take ifname, queues, src_mac, dst_mac)");
		/* ports.*.KEY: every port configured so far (-q LIST) */
		if (!strcmp(num, "*")) {
			if (!cfg->nr_ports)
				return cfg_fail(&c, "no ports configured yet");
			for (size_t j = 0; j < cfg->nr_ports; j++) {
				ret = cfg_port_set(&cfg->ports[j], dot + 1,
						   value, &c);
				if (ret)
					return ret;
			}
			return 0;
		}
		/* N == nr_ports appends a port */
		if (parse_u32(num, 0, CFG_MAX_PORTS - 1, &i) ||
		    i > cfg->nr_ports)
			return cfg_fail(&c, "port index must be in 0..%zu",
					cfg->nr_ports < CFG_MAX_PORTS ?
						cfg->nr_ports :
						(size_t)CFG_MAX_PORTS - 1);
		if (i == cfg->nr_ports && strcmp(dot + 1, "ifname"))
			return cfg_fail(&c, "set ports.%u.ifname first", i);
		ret = cfg_port_set(&cfg->ports[i], dot + 1, value, &c);
		if (!ret && i == cfg->nr_ports)
			cfg->nr_ports++;
		return ret;
	}
	k = cfg_find_key(key);
	if (!k)
		return cfg_fail(&c, cfg_is_section(key) ?
					    "is a section, not a value" :
					    "unknown key");
	return cfg_set_key(cfg, k, value, &c);
}
