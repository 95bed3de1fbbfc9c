// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/afxdp_steer.bpf.o under BPF_PROG_TEST_RUN: crafted frames against
 * filters compiled by guest/filter.c; asserts the action and the exact
 * per-CPU counter deltas. Needs root: it runs in its own network namespace
 * with a 2-queue veth whose queue 0 has a real AF_XDP socket in xsks_map
 * (REDIRECT path) and whose queue 1 has none ("no socket" path).
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include <cmocka.h>

#include "bpf/afxdp_steer.h"
#include "guest/filter.h"
#include "util/netlink.h"

#define IFNAME "xt0"
#define PEER "xt1"
#define Q_SOCK 0 /* queue with a socket */
#define Q_NOSOCK 1 /* queue without */
#define NUM_FRAMES 64
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t mac_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x5c };

struct env {
	const char *skip_reason; /* set: a facility is absent, skip */
	struct bpf_object *obj;
	int prog_fd, filter_fd, counters_fd, xsks_fd, fwd_fd, owner_fd;
	int ifindex, ncpus;
	void *umem_area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
};

static struct env env;

/* ---- frame builder ---------------------------------------------------- */

struct frame_opts {
	const uint8_t *dst; /* NULL: mac_a */
	int nr_tags;
	uint16_t tpid[3], vid[3];
	uint16_t ethertype; /* innermost */
	uint8_t proto; /* IPv4 protocol / IPv6 next header */
	uint16_t dport;
	uint16_t sport; /* 0: 12345 */
	uint8_t ihl; /* IPv4 header words; 0: 5 */
	uint16_t frag; /* IPv4 flags + fragment offset, host order */
	size_t len; /* 0: the whole frame; else cut to len bytes */
};

static void put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static size_t build(const struct frame_opts *o, uint8_t *buf, size_t cap)
{
	size_t off = 12, l4;

	assert_true(cap >= 256);
	memset(buf, 0, cap);
	memcpy(buf, o->dst ? o->dst : mac_a, 6);
	memcpy(buf + 6, mac_src, 6);
	for (int i = 0; i < o->nr_tags; i++) {
		put16(buf + off, o->tpid[i] ? o->tpid[i] : ETH_P_8021Q);
		put16(buf + off + 2, o->vid[i]);
		off += 4;
	}
	put16(buf + off, o->ethertype);
	off += 2;

	switch (o->ethertype) {
	case ETH_P_IP: {
		uint8_t ihl = o->ihl ? o->ihl : 5;

		buf[off] = 0x40 | ihl;
		put16(buf + off + 2, 20 + 28);
		put16(buf + off + 6, o->frag);
		buf[off + 8] = 64;
		buf[off + 9] = o->proto;
		/* Options (ihl > 5) are zero bytes: end-of-options. */
		l4 = off + (ihl > 5 ? ihl : 5) * 4;
		break;
	}
	case ETH_P_IPV6:
		buf[off] = 0x60;
		put16(buf + off + 4, 28);
		buf[off + 6] = o->proto;
		buf[off + 7] = 64;
		l4 = off + 40;
		break;
	case ETH_P_ARP:
		return o->len ? o->len : off + 28;
	default:
		return o->len ? o->len : off + 46;
	}
	/* UDP and TCP both keep the destination port at offset 2. */
	put16(buf + l4, o->sport ? o->sport : 12345);
	put16(buf + l4 + 2, o->dport);
	if (o->proto == IPPROTO_TCP)
		buf[l4 + 12] = 5 << 4;
	return o->len ? o->len : l4 + 20 + 18;
}

/* ---- helpers ------------------------------------------------------------ */

/* One owner's counters (afxdp_steer.h: owner * AFXDP_CNT_MAX + counter). */
static void read_counters(uint32_t owner, uint64_t out[AFXDP_CNT_MAX])
{
	uint64_t vals[env.ncpus];

	for (uint32_t k = 0; k < AFXDP_CNT_MAX; k++) {
		uint32_t key = owner * AFXDP_CNT_MAX + k;

		assert_int_equal(bpf_map_lookup_elem(env.counters_fd, &key,
						     vals),
				 0);
		out[k] = 0;
		for (int c = 0; c < env.ncpus; c++)
			out[k] += vals[c];
	}
}

static void set_filter_n(char *const *rules, size_t nr)
{
	struct afxdp_filter f;
	uint32_t key = 0;
	char err[256] = "";
	int ret = filter_compile(rules, nr, &f, err, sizeof(err));

	if (ret)
		print_error("filter_compile: %s\n", err);
	assert_int_equal(ret, 0);
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
}

static void set_filter(const char *rule)
{
	char *rules[] = { (char *)rule };

	set_filter_n(rules, 1);
}

/* Runs the program once on frame, preceded by meta bytes of XDP metadata,
 * as received on queue of the veth. */
static int run_raw(const uint8_t *frame, size_t len, uint32_t meta,
		   uint32_t queue)
{
	uint8_t data[512] = {};
	struct xdp_md ctx = {
		.data = meta,
		.data_end = (uint32_t)(meta + len),
		.ingress_ifindex = (uint32_t)env.ifindex,
		.rx_queue_index = queue,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = (uint32_t)(meta + len), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));

	assert_true(meta + len <= sizeof(data));
	memcpy(data + meta, frame, len);
	/* -errno: the kernel refused the frame; else the XDP action. */
	if (bpf_prog_test_run_opts(env.prog_fd, &opts))
		return -errno;
	return (int)opts.retval;
}

/* One run; the action must be want_ret and exactly counter want_cnt of
 * owner must have grown, by one (and no counter of owner 0, the agent,
 * when owner is an application). */
static void expect_owner_raw(const uint8_t *frame, size_t len, uint32_t queue,
			     uint32_t owner, int want_ret, int want_cnt,
			     const char *what)
{
	uint64_t before[AFXDP_CNT_MAX], after[AFXDP_CNT_MAX];
	uint64_t agent0[AFXDP_CNT_MAX], agent1[AFXDP_CNT_MAX];
	int ret;

	read_counters(owner, before);
	read_counters(0, agent0);
	ret = run_raw(frame, len, 0, queue);
	read_counters(owner, after);
	read_counters(0, agent1);
	if (owner)
		assert_memory_equal(agent0, agent1, sizeof(agent0));
	if (ret != want_ret)
		print_error("%s: action %d, want %d\n", what, ret, want_ret);
	assert_int_equal(ret, want_ret);
	for (int k = 0; k < AFXDP_CNT_MAX; k++) {
		uint64_t want = k == want_cnt ? 1 : 0;

		if (after[k] - before[k] != want)
			print_error("%s: counter %d grew by %llu, want %llu\n",
				    what, k,
				    (unsigned long long)(after[k] - before[k]),
				    (unsigned long long)want);
		assert_int_equal(after[k] - before[k], want);
	}
}

static void expect_raw(const uint8_t *frame, size_t len, uint32_t queue,
		       int want_ret, int want_cnt, const char *what)
{
	expect_owner_raw(frame, len, queue, 0, want_ret, want_cnt, what);
}

static void expect_owner(const struct frame_opts *o, uint32_t queue,
			 uint32_t owner, int want_ret, int want_cnt,
			 const char *what)
{
	uint8_t buf[256];
	size_t len = build(o, buf, sizeof(buf));

	expect_owner_raw(buf, len, queue, owner, want_ret, want_cnt, what);
}

static void expect_q(const struct frame_opts *o, uint32_t queue, int want_ret,
		     int want_cnt, const char *what)
{
	uint8_t buf[256];
	size_t len = build(o, buf, sizeof(buf));

	expect_raw(buf, len, queue, want_ret, want_cnt, what);
}

static void redirected(const struct frame_opts *o, const char *what)
{
	expect_q(o, Q_SOCK, XDP_REDIRECT, AFXDP_CNT_REDIRECTED, what);
}

static void passed(const struct frame_opts *o, const char *what)
{
	expect_q(o, Q_SOCK, XDP_PASS, AFXDP_CNT_PASSED, what);
}

/* Setup printed the reason once. */
#define NEED_ENV()                   \
	do {                         \
		if (env.skip_reason) \
			skip();      \
	} while (0)

static const struct frame_opts udp4 = { .ethertype = ETH_P_IP,
					.proto = IPPROTO_UDP,
					.dport = 4000 };
static const struct frame_opts tcp4 = { .ethertype = ETH_P_IP,
					.proto = IPPROTO_TCP,
					.dport = 4000 };
static const struct frame_opts udp6 = { .ethertype = ETH_P_IPV6,
					.proto = IPPROTO_UDP,
					.dport = 4000 };
static const struct frame_opts arp = { .ethertype = ETH_P_ARP };

/* ---- tests -------------------------------------------------------------- */

static void test_object_layout(void **state)
{
	struct bpf_map *m;
	struct xdp_program *xp;
	char path[4096];

	(void)state;
	NEED_ENV();
	m = bpf_object__find_map_by_name(env.obj, "filter_map");
	assert_non_null(m);
	assert_int_equal(bpf_map__value_size(m), sizeof(struct afxdp_filter));
	assert_int_equal(bpf_map__max_entries(m), AFXDP_MAX_OWNERS);
	m = bpf_object__find_map_by_name(env.obj, "counters_map");
	assert_non_null(m);
	assert_int_equal(bpf_map__type(m), BPF_MAP_TYPE_PERCPU_ARRAY);
	assert_int_equal(bpf_map__max_entries(m),
			 AFXDP_CNT_MAX * AFXDP_MAX_OWNERS);
	m = bpf_object__find_map_by_name(env.obj, "queue_owner_map");
	assert_non_null(m);
	assert_int_equal(bpf_map__max_entries(m), AFXDP_MAX_QUEUES);
	for (int i = 1; i <= AFXDP_MAX_APPS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "app_xsks_%d", i);
		m = bpf_object__find_map_by_name(env.obj, name);
		assert_non_null(m);
		assert_int_equal(bpf_map__type(m), BPF_MAP_TYPE_XSKMAP);
		assert_int_equal(bpf_map__max_entries(m), AFXDP_MAX_QUEUES);
	}
	m = bpf_object__find_map_by_name(env.obj, "xsks_map");
	assert_non_null(m);
	assert_int_equal(bpf_map__type(m), BPF_MAP_TYPE_XSKMAP);
	assert_int_equal(bpf_map__max_entries(m), AFXDP_MAX_QUEUES);

	/* libxdp reads the dispatcher metadata (XDP_RUN_CONFIG). */
	snprintf(path, sizeof(path), "%s/bpf/afxdp_steer.bpf.o",
		 getenv("AFXDP_TOP") ? getenv("AFXDP_TOP") : ".");
	xp = xdp_program__open_file(path, "xdp", NULL);
	assert_int_equal(libxdp_get_error(xp), 0);
	assert_string_equal(xdp_program__name(xp), AFXDP_STEER_PROG_NAME);
	assert_int_equal(xdp_program__run_prio(xp), 10);
	assert_true(xdp_program__chain_call_enabled(xp, XDP_PASS));
	assert_false(xdp_program__chain_call_enabled(xp, XDP_DROP));
	xdp_program__close(xp);
}

static void test_empty_filter(void **state)
{
	struct afxdp_filter f = {};
	uint32_t key = 0;

	(void)state;
	NEED_ENV();
	/* nr_rules 0: nothing matches, everything to the kernel. */
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
	passed(&udp4, "udp4, empty filter");
	passed(&arp, "arp, empty filter");
	/* Rules beyond nr_rules are ignored. */
	f.rules[0].match = AFXDP_MATCH_ALL;
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
	passed(&udp4, "'all' beyond nr_rules");
	/* An empty rule (match == 0) matches nothing. */
	f.nr_rules = 1;
	f.rules[0].match = 0;
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
	passed(&udp4, "match == 0");
}

static void test_all(void **state)
{
	struct frame_opts qinq = udp4, arp14 = arp;

	(void)state;
	NEED_ENV();
	/* No rules compiles to "all". */
	set_filter_n(NULL, 0);
	redirected(&udp4, "udp4, all");
	redirected(&arp, "arp, all");
	redirected(&udp6, "udp6, all");
	qinq.nr_tags = 2;
	redirected(&qinq, "qinq, all");
	/* The smallest frame XDP can see (see test_runt). */
	arp14.len = 14;
	redirected(&arp14, "14-byte frame, all");
}

/*
 * Frames shorter than an Ethernet header: the kernel refuses them in
 * BPF_PROG_TEST_RUN (also behind XDP metadata) and in bpf_xdp_adjust_head/
 * tail, so they cannot reach the program here; its bounds checks for them
 * are what the verifier demands. Assert that refusal, then the edge: a
 * 14-byte frame has MAC and EtherType but nothing above.
 */
static void test_runt(void **state)
{
	struct frame_opts o = udp4;
	uint8_t frame[14];

	(void)state;
	NEED_ENV();
	memcpy(frame, mac_a, 6);
	memcpy(frame + 6, mac_src, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	set_filter("all");
	for (size_t len = 0; len < 14; len++) {
		assert_int_equal(run_raw(frame, len, 0, Q_SOCK), -EINVAL);
		assert_int_equal(run_raw(frame, len, 4, Q_SOCK), -EINVAL);
	}
	o.len = 14;
	set_filter("dst-mac 02:00:00:00:00:0a");
	redirected(&o, "14 bytes, dst-mac");
	set_filter("ipv4");
	redirected(&o, "14 bytes, ipv4");
	set_filter("vlan 0");
	passed(&o, "14 bytes, vlan 0");
	set_filter("udp");
	passed(&o, "14 bytes, udp");
	/* The same filter still matches a whole frame. */
	redirected(&udp4, "udp4 after the short one");
}

static void test_truncated(void **state)
{
	struct frame_opts o = udp4;

	(void)state;
	NEED_ENV();
	set_filter("udp");
	/* Ethernet header only, a partial IPv4 header. */
	o.len = 14;
	passed(&o, "eth only, udp");
	o.len = 14 + 19;
	passed(&o, "19 bytes of IPv4, udp");
	/* The whole IPv4 header is enough for the protocol... */
	o.len = 14 + 20;
	redirected(&o, "IPv4 header only, udp");
	/* ...but a port needs the whole UDP header. */
	set_filter("udp dport 4000");
	o.len = 14 + 20 + 7;
	passed(&o, "7 bytes of UDP, dport");
	o.len = 14 + 20 + 8;
	redirected(&o, "8 bytes of UDP, dport");
	/* IHL: options shift the UDP header; bogus or cut-off IHL: no L4. */
	o = udp4;
	o.ihl = 6;
	redirected(&o, "IPv4 with options, dport");
	o.len = 14 + 22;
	set_filter("udp");
	passed(&o, "options cut off, udp");
	o = udp4;
	o.ihl = 4;
	passed(&o, "ihl 4, udp");
	/* TCP needs its minimal 20-byte header for a port. */
	set_filter("tcp dport 4000");
	o = tcp4;
	o.len = 14 + 20 + 19;
	passed(&o, "19 bytes of TCP, dport");
	o.len = 14 + 20 + 20;
	redirected(&o, "20 bytes of TCP, dport");
	/* IPv6: 40-byte header, then the port. */
	set_filter("ipv6 udp dport 4000");
	o = udp6;
	o.len = 14 + 39;
	passed(&o, "39 bytes of IPv6");
	o.len = 14 + 40 + 7;
	passed(&o, "7 bytes of UDP over IPv6");
	o.len = 14 + 40 + 8;
	redirected(&o, "8 bytes of UDP over IPv6");
}

static void test_fragments(void **state)
{
	struct frame_opts o = udp4;

	(void)state;
	NEED_ENV();
	set_filter("udp dport 4000");
	o.frag = 0x2000; /* MF, offset 0: the first fragment has ports */
	redirected(&o, "first fragment, dport");
	o.frag = 0x0010; /* a later fragment: its bytes are not a header */
	passed(&o, "later fragment, dport");
	o.frag = 0x2010;
	passed(&o, "middle fragment, dport");
	set_filter("udp");
	redirected(&o, "middle fragment, udp");
}

static void test_vlan(void **state)
{
	struct frame_opts o = udp4;

	(void)state;
	NEED_ENV();
	set_filter("vlan 100");
	passed(&o, "untagged, vlan 100");
	o.nr_tags = 1;
	o.vid[0] = 100;
	redirected(&o, "802.1Q 100, vlan 100");
	o.vid[0] = 101;
	passed(&o, "802.1Q 101, vlan 100");
	/* Priority and DEI bits are not part of the id. */
	o.vid[0] = 0xf000 | 100;
	redirected(&o, "802.1Q pcp 7 dei 1 id 100, vlan 100");

	/* QinQ: the outer tag is the one matched. */
	o.nr_tags = 2;
	o.tpid[0] = ETH_P_8021AD;
	o.vid[0] = 100;
	o.vid[1] = 200;
	redirected(&o, "QinQ 100/200, vlan 100");
	set_filter("vlan 200");
	passed(&o, "QinQ 100/200, vlan 200");
	o.tpid[0] = ETH_P_8021Q; /* double 802.1Q, as some switches send */
	set_filter("vlan 100");
	redirected(&o, "802.1Q/802.1Q 100/200, vlan 100");

	/* The ethertype (and IP above it) is read past both tags. */
	set_filter("vlan 100 ipv4 udp dport 4000");
	redirected(&o, "QinQ + UDP 4000");
	o.dport = 4001;
	passed(&o, "QinQ + UDP 4001");
	o.dport = 4000;
	o.ethertype = ETH_P_IPV6;
	passed(&o, "QinQ + UDP6 vs ipv4 rule");

	/* A third tag is not parsed: the ethertype is that tag's TPID. */
	o = udp4;
	o.nr_tags = 3;
	set_filter("ipv4");
	passed(&o, "three tags, ipv4");
	set_filter("ethertype 0x8100");
	redirected(&o, "three tags, ethertype 0x8100");

	/* A cut-off tag: no VLAN id, no ethertype. */
	o = udp4;
	o.nr_tags = 1;
	o.vid[0] = 100;
	o.len = 14 + 2;
	set_filter("vlan 100");
	passed(&o, "truncated tag, vlan 100");
	set_filter("ethertype 0x8100");
	passed(&o, "truncated tag, ethertype 0x8100");

	/* vlan 0: priority-tagged frames. */
	o = arp;
	o.nr_tags = 1;
	set_filter("vlan 0 arp");
	redirected(&o, "priority tag + arp, vlan 0 arp");
}

static void test_non_ip(void **state)
{
	struct frame_opts o = arp;

	(void)state;
	NEED_ENV();
	set_filter("arp");
	redirected(&arp, "arp, arp");
	passed(&udp4, "udp4, arp");
	set_filter("udp");
	passed(&arp, "arp, udp");
	o.ethertype = 0x88f7; /* PTP */
	set_filter("ethertype 0x88f7");
	redirected(&o, "ptp, ethertype 0x88f7");
	passed(&arp, "arp, ethertype 0x88f7");
	set_filter("ipv4");
	passed(&o, "ptp, ipv4");
	redirected(&tcp4, "tcp4, ipv4");
	/* An 802.3 length where the type would be. */
	o.ethertype = 46;
	set_filter("ipv6");
	passed(&o, "802.3 length frame, ipv6");
}

static void test_ipv6(void **state)
{
	struct frame_opts o = udp6;

	(void)state;
	NEED_ENV();
	set_filter("ipv6 udp dport 4000-4010");
	redirected(&o, "udp6 4000");
	o.dport = 4010;
	redirected(&o, "udp6 4010");
	o.dport = 4011;
	passed(&o, "udp6 4011");
	o.dport = 4005;
	o.proto = IPPROTO_TCP;
	passed(&o, "tcp6 4005");
	passed(&udp4, "udp4 vs ipv6 rule");

	/* Without an ethertype, a port rule takes both IP versions. */
	set_filter("udp dport 4000");
	redirected(&udp6, "udp6, udp dport");
	redirected(&udp4, "udp4, udp dport");

	/* Extension headers are not walked (documented): no match. */
	o = udp6;
	o.proto = 0; /* hop-by-hop options */
	set_filter("udp");
	passed(&o, "udp6 behind hop-by-hop, udp");
	set_filter("ipv6 proto 0");
	redirected(&o, "hop-by-hop, proto 0");
	o.proto = 58;
	set_filter("ipv6 proto 58");
	redirected(&o, "icmpv6, proto 58");
	set_filter("icmp");
	passed(&o, "icmpv6, icmp (IPv4's 1)");
}

static void test_tcp_ranges(void **state)
{
	struct frame_opts o = tcp4;

	(void)state;
	NEED_ENV();
	set_filter("tcp dport 1000-2000");
	o.dport = 999;
	passed(&o, "tcp 999");
	o.dport = 1000;
	redirected(&o, "tcp 1000");
	o.dport = 1500;
	redirected(&o, "tcp 1500");
	o.dport = 2000;
	redirected(&o, "tcp 2000");
	o.dport = 2001;
	passed(&o, "tcp 2001");
	o = udp4;
	o.dport = 1500;
	passed(&o, "udp 1500 vs tcp rule");

	/* Single port and the extremes of the port space. */
	set_filter("tcp dport 0");
	o = tcp4;
	o.dport = 0;
	redirected(&o, "tcp 0, dport 0");
	o.dport = 1;
	passed(&o, "tcp 1, dport 0");
	set_filter("tcp dport 65535");
	o.dport = 65535;
	redirected(&o, "tcp 65535, dport 65535");
	o.dport = 65534;
	passed(&o, "tcp 65534, dport 65535");
	set_filter("tcp dport 0-65535");
	redirected(&o, "tcp 65534, dport 0-65535");
	passed(&udp4, "udp, tcp dport 0-65535");
}

static void test_dst_mac(void **state)
{
	struct frame_opts o = udp4;
	static const uint8_t first_differs[6] = { 0x03, 0, 0, 0, 0, 0x0a };

	(void)state;
	NEED_ENV();
	set_filter("dst-mac 02:00:00:00:00:0a");
	o.dst = mac_a;
	redirected(&o, "dst mac_a");
	o.dst = mac_b;
	passed(&o, "dst mac_b (last byte)");
	o.dst = first_differs;
	passed(&o, "first byte differs");
	o = arp;
	o.dst = mac_a;
	redirected(&o, "arp to mac_a");
	set_filter("dst-mac 02:00:00:00:00:0a udp");
	passed(&o, "arp to mac_a, dst-mac + udp");
}

static void test_any_rule(void **state)
{
	char *rules[AFXDP_MAX_RULES];
	char text[AFXDP_MAX_RULES][32];
	struct frame_opts o = udp4;

	(void)state;
	NEED_ENV();
	/* The last of 16 rules still counts: the loop covers them all. */
	for (int i = 0; i < AFXDP_MAX_RULES; i++) {
		snprintf(text[i], sizeof(text[i]), "udp dport %d", 5000 + i);
		rules[i] = text[i];
	}
	set_filter_n(rules, AFXDP_MAX_RULES);
	o.dport = 5000 + AFXDP_MAX_RULES - 1;
	redirected(&o, "rule 16 of 16");
	o.dport = 5000;
	redirected(&o, "rule 1 of 16");
	o.dport = 5000 + AFXDP_MAX_RULES;
	passed(&o, "no rule of 16");

	/* Different kinds of rules: any one is enough. */
	rules[0] = "arp";
	rules[1] = "vlan 7";
	rules[2] = "ipv6 tcp dport 22";
	set_filter_n(rules, 3);
	redirected(&arp, "arp, rule 1");
	o = udp4;
	o.nr_tags = 1;
	o.vid[0] = 7;
	redirected(&o, "vlan 7, rule 2");
	o = udp6;
	o.proto = IPPROTO_TCP;
	o.dport = 22;
	redirected(&o, "tcp6 22, rule 3");
	o.ethertype = ETH_P_IP;
	passed(&o, "tcp4 22, none");
}

static void test_no_socket(void **state)
{
	struct frame_opts o = udp4;
	uint32_t key = Q_NOSOCK;
	int fd = -1;

	(void)state;
	NEED_ENV();
	/* Queue 1 has no socket: matching frames are passed, not dropped. */
	assert_int_not_equal(bpf_map_lookup_elem(env.xsks_fd, &key, &fd), 0);
	set_filter("udp dport 4000");
	expect_q(&o, Q_NOSOCK, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		 "match, queue without socket");
	o.dport = 4001;
	expect_q(&o, Q_NOSOCK, XDP_PASS, AFXDP_CNT_PASSED,
		 "no match, queue without socket");
	/* The same frame on queue 0 goes to its socket. */
	o.dport = 4000;
	redirected(&o, "match, queue with socket");

	/* Removing the socket turns REDIRECT into "no socket". */
	key = Q_SOCK;
	assert_int_equal(bpf_map_delete_elem(env.xsks_fd, &key), 0);
	expect_q(&o, Q_SOCK, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		 "match, socket removed");
	fd = xsk_socket__fd(env.xsk);
	assert_int_equal(bpf_map_update_elem(env.xsks_fd, &key, &fd, BPF_ANY),
			 0);
	redirected(&o, "match, socket back");
}

static void test_sport(void **state)
{
	struct frame_opts o = udp4;

	(void)state;
	NEED_ENV();
	/* Replies from a service: the source port is the service's. */
	set_filter("udp sport 5201-5301");
	o.sport = 5201;
	redirected(&o, "udp sport 5201, range 5201-5301");
	o.sport = 5301;
	redirected(&o, "udp sport 5301 (upper bound)");
	o.sport = 5200;
	passed(&o, "udp sport 5200, below the range");
	o.sport = 0;
	o.dport = 5201; /* a destination port does not match sport */
	passed(&o, "udp dport 5201 against a sport rule");
	/* Both ports in one rule must both match. */
	set_filter("tcp sport 80 dport 1024-65535");
	o = tcp4;
	o.sport = 80;
	o.dport = 40000;
	redirected(&o, "tcp 80 -> 40000");
	o.dport = 22;
	passed(&o, "tcp 80 -> 22: dport out of range");
	o = udp4;
	o.sport = 80;
	o.dport = 40000;
	passed(&o, "udp with tcp's ports");
}

static void set_unmatched(const char *rule, uint32_t how)
{
	char *rules[] = { (char *)rule };
	struct afxdp_filter f;
	uint32_t key = 0;
	char err[256] = "";

	assert_int_equal(filter_compile(rules, 1, &f, err, sizeof(err)), 0);
	f.unmatched = how;
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
}

static void test_unmatched(void **state)
{
	struct frame_opts o = udp4;
	uint32_t key = 0;
	int peer = (int)if_nametoindex(PEER);

	(void)state;
	NEED_ENV();
	/* drop: what no rule takes is dropped, ARP included. */
	set_unmatched("udp dport 4000", AFXDP_UNMATCHED_DROP);
	redirected(&o, "match, unmatched drop");
	o.dport = 4001;
	expect_q(&o, Q_SOCK, XDP_DROP, AFXDP_CNT_DROPPED, "no match, drop");
	expect_q(&arp, Q_SOCK, XDP_DROP, AFXDP_CNT_DROPPED, "arp, drop");

	/* forward with no port in fwd_map: to the kernel, never lost. */
	bpf_map_delete_elem(env.fwd_fd, &key);
	set_unmatched("udp dport 4000", AFXDP_UNMATCHED_FORWARD);
	passed(&o, "no match, forward, fwd_map empty");
	/* forward to the paired port: redirected inside the kernel. */
	assert_true(peer > 0);
	assert_int_equal(bpf_map_update_elem(env.fwd_fd, &key, &peer, BPF_ANY),
			 0);
	expect_q(&o, Q_SOCK, XDP_REDIRECT, AFXDP_CNT_FORWARDED,
		 "no match, forward");
	expect_q(&arp, Q_SOCK, XDP_REDIRECT, AFXDP_CNT_FORWARDED,
		 "arp, forward");
	o.dport = 4000;
	redirected(&o, "match, unmatched forward");
	/* kernel: the default. */
	set_unmatched("udp dport 4000", AFXDP_UNMATCHED_KERNEL);
	o.dport = 4001;
	passed(&o, "no match, kernel");
	assert_int_equal(bpf_map_delete_elem(env.fwd_fd, &key), 0);
}

/* fail_open forward: a matching frame on a queue without a socket (no
 * agent serving it during a restart) goes to the paired port inside the
 * kernel; an empty fwd_map still passes it; fail_open kernel passes it;
 * an application's queue never forwards. */
static void test_fail_open(void **state)
{
	char *rules[] = { (char *)"udp dport 4000" };
	struct frame_opts o = udp4;
	struct afxdp_filter f;
	uint32_t key = 0, q = Q_NOSOCK, owner = 1;
	int peer = (int)if_nametoindex(PEER);
	char err[256] = "";

	(void)state;
	NEED_ENV();
	assert_int_equal(filter_compile(rules, 1, &f, err, sizeof(err)), 0);
	assert_int_equal(f.fail_open, AFXDP_UNMATCHED_KERNEL);
	f.fail_open = AFXDP_UNMATCHED_FORWARD;
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
	bpf_map_delete_elem(env.fwd_fd, &key);
	expect_q(&o, Q_NOSOCK, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		 "fail-open forward, fwd_map empty: passed");
	assert_true(peer > 0);
	assert_int_equal(bpf_map_update_elem(env.fwd_fd, &key, &peer, BPF_ANY),
			 0);
	expect_q(&o, Q_NOSOCK, XDP_REDIRECT, AFXDP_CNT_NO_SOCKET,
		 "fail-open forward: matched, no socket, to the paired port");
	/* unmatched stays kernel: fail_open is only about matched frames */
	o.dport = 4001;
	expect_q(&o, Q_NOSOCK, XDP_PASS, AFXDP_CNT_PASSED,
		 "fail-open forward, no match: unmatched kernel");
	o.dport = 4000;
	redirected(&o, "fail-open forward, queue with a socket: redirected");
	/* an application's queue: its frames never cross to the other port */
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &owner, &f,
					     BPF_ANY),
			 0);
	assert_int_equal(bpf_map_update_elem(env.owner_fd, &q, &owner, BPF_ANY),
			 0);
	expect_owner(&o, Q_NOSOCK, 1, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		     "application queue, no socket: passed, fail_open ignored");
	owner = 0;
	assert_int_equal(bpf_map_update_elem(env.owner_fd, &q, &owner, BPF_ANY),
			 0);
	f.fail_open = AFXDP_UNMATCHED_KERNEL;
	assert_int_equal(bpf_map_update_elem(env.filter_fd, &key, &f, BPF_ANY),
			 0);
	expect_q(&o, Q_NOSOCK, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		 "fail-open kernel: passed");
	assert_int_equal(bpf_map_delete_elem(env.fwd_fd, &key), 0);
}

static void set_owner_filter(uint32_t owner, const char *rule, uint32_t how)
{
	char *rules[] = { (char *)rule };
	struct afxdp_filter f;
	char err[256] = "";

	assert_int_equal(filter_compile(rules, 1, &f, err, sizeof(err)), 0);
	f.unmatched = how;
	assert_int_equal(
		bpf_map_update_elem(env.filter_fd, &owner, &f, BPF_ANY), 0);
}

/* An application (owner 3) claims the socket's queue: its filter, its map,
 * its counters; what it does not select goes to the kernel even when its
 * entry says drop, and the agent's queue 1 keeps the agent's filter. */
static void test_owners(void **state)
{
	struct frame_opts o = udp4;
	uint32_t q = Q_SOCK, owner = 3, zero = 0;
	int app_map, fd = xsk_socket__fd(env.xsk);

	(void)state;
	NEED_ENV();
	app_map = bpf_object__find_map_fd_by_name(env.obj, "app_xsks_3");
	assert_true(app_map >= 0);
	set_filter("udp dport 4000");
	set_owner_filter(owner, "udp dport 5000", AFXDP_UNMATCHED_DROP);
	assert_int_equal(bpf_map_delete_elem(env.xsks_fd, &q), 0);
	assert_int_equal(bpf_map_update_elem(app_map, &q, &fd, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(env.owner_fd, &q, &owner,
					     BPF_ANY),
			 0);

	o.dport = 5000;
	expect_owner(&o, Q_SOCK, owner, XDP_REDIRECT, AFXDP_CNT_REDIRECTED,
		     "app's filter, app's socket");
	o.dport = 4000; /* the agent's filter does not apply here */
	expect_owner(&o, Q_SOCK, owner, XDP_PASS, AFXDP_CNT_PASSED,
		     "agent's rule on the app's queue: kernel");
	expect_owner(&arp, Q_SOCK, owner, XDP_PASS, AFXDP_CNT_PASSED,
		     "arp on the app's queue: kernel, never dropped");
	/* The agent's queue is untouched by the claim. */
	expect_q(&o, Q_NOSOCK, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		 "agent's queue keeps the agent's filter");
	/* The application went away: its frames go to the kernel. */
	assert_int_equal(bpf_map_delete_elem(app_map, &q), 0);
	o.dport = 5000;
	expect_owner(&o, Q_SOCK, owner, XDP_PASS, AFXDP_CNT_NO_SOCKET,
		     "app without socket: kernel");
	/* An owner past the last slot is the agent (never out of bounds). */
	owner = AFXDP_MAX_APPS + 1;
	assert_int_equal(bpf_map_update_elem(env.owner_fd, &q, &owner,
					     BPF_ANY),
			 0);
	assert_int_equal(bpf_map_update_elem(env.xsks_fd, &q, &fd, BPF_ANY),
			 0);
	o.dport = 4000;
	redirected(&o, "bad owner value: the agent's");
	assert_int_equal(bpf_map_update_elem(env.owner_fd, &q, &zero,
					     BPF_ANY),
			 0);
	redirected(&o, "claim released");
}

/* ---- set-up ------------------------------------------------------------- */

static const char *obj_path(const char *name, char *buf, size_t len)
{
	const char *top = getenv("AFXDP_TOP");

	if (top)
		snprintf(buf, len, "%s/bpf/%s", top, name);
	else
		snprintf(buf, len, "bpf/%s", name);
	return buf;
}

/* RTM_NEWLINK for a veth pair with 2 rx/tx queues on each end, xt0 up. */
static int add_veth(struct nl_handle *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *linkinfo, *data, *peer;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi, *pifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, IFNAME);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 2);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 2);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow its own ifinfomsg. */
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	/* Not IFF_UP: the peer would be opened before the pair is linked,
	 * and veth_open() fails with -ENOTCONN. */
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, PEER);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 2);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 2);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nl, nlh, NULL, NULL);
}

static int make_veth(void)
{
	struct nl_handle nl;
	int ret;

	/* A fresh netns: nothing of the host is touched, it dies with us. */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -errno;
	}
	ret = nl_open(&nl, NETLINK_ROUTE);
	if (ret)
		return ret;
	ret = add_veth(&nl);
	nl_close(&nl);
	if (ret) {
		fprintf(stderr, "creating veth %s/%s: %s\n", IFNAME, PEER,
			strerror(-ret));
		return ret;
	}
	env.ifindex = (int)if_nametoindex(IFNAME);
	return env.ifindex ? 0 : -ENODEV;
}

static int make_xsk(void)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		/* Our program, not libxdp's default one, owns xsks_map. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	size_t size = (size_t)NUM_FRAMES * FRAME_SIZE;
	uint32_t key = Q_SOCK;
	int fd, ret;

	env.umem_area = mmap(NULL, size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (env.umem_area == MAP_FAILED) {
		env.umem_area = NULL;
		return -errno;
	}
	ret = xsk_umem__create(&env.umem, env.umem_area, size, &env.fq, &env.cq,
			       NULL);
	if (ret) {
		fprintf(stderr, "xsk_umem__create: %s\n", strerror(-ret));
		return ret;
	}
	ret = xsk_socket__create(&env.xsk, IFNAME, Q_SOCK, env.umem, &env.rx,
				 &env.tx, &cfg);
	if (ret) {
		fprintf(stderr, "xsk_socket__create: %s\n", strerror(-ret));
		return ret;
	}
	fd = xsk_socket__fd(env.xsk);
	ret = bpf_map_update_elem(env.xsks_fd, &key, &fd, BPF_ANY);
	if (ret)
		fprintf(stderr, "xsks_map[0] = xsk: %s\n", strerror(errno));
	return ret ? -errno : 0;
}

static int group_setup(void **state)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	struct bpf_program *prog;
	char path[4096];
	int ret;

	(void)state;
	if (geteuid() != 0) {
		env.skip_reason = "needs root (BPF_PROG_TEST_RUN, netns)";
		print_message("# skipped: %s\n", env.skip_reason);
		return 0;
	}
	env.ncpus = libbpf_num_possible_cpus();
	if (env.ncpus <= 0)
		return -1;
	if (make_veth())
		return -1;
	env.obj = bpf_object__open_file(
		obj_path("afxdp_steer.bpf.o", path, sizeof(path)), NULL);
	if (libbpf_get_error(env.obj)) {
		fprintf(stderr, "open %s failed\n", path);
		env.obj = NULL;
		return -1;
	}
	ret = bpf_object__load(env.obj);
	if (ret) {
		fprintf(stderr, "load %s: %s\n", path, strerror(-ret));
		return -1;
	}
	prog = bpf_object__find_program_by_name(env.obj, AFXDP_STEER_PROG_NAME);
	if (!prog)
		return -1;
	env.prog_fd = bpf_program__fd(prog);
	env.filter_fd = bpf_object__find_map_fd_by_name(env.obj, "filter_map");
	env.counters_fd =
		bpf_object__find_map_fd_by_name(env.obj, "counters_map");
	env.xsks_fd = bpf_object__find_map_fd_by_name(env.obj, "xsks_map");
	env.fwd_fd = bpf_object__find_map_fd_by_name(env.obj, "fwd_map");
	env.owner_fd =
		bpf_object__find_map_fd_by_name(env.obj, "queue_owner_map");
	if (env.owner_fd < 0 || env.filter_fd < 0 || env.counters_fd < 0 || env.xsks_fd < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(env.prog_fd, &info, &info_len))
		print_message("# afxdp_steer: %u instructions (xlated), "
			      "%u verified\n",
			      info.xlated_prog_len / 8, info.verified_insns);
	return make_xsk() ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (env.xsk)
		xsk_socket__delete(env.xsk);
	if (env.umem)
		xsk_umem__delete(env.umem);
	if (env.umem_area)
		munmap(env.umem_area, (size_t)NUM_FRAMES * FRAME_SIZE);
	bpf_object__close(env.obj);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_layout),
		cmocka_unit_test(test_empty_filter),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_runt),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_non_ip),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_tcp_ranges),
		cmocka_unit_test(test_dst_mac),
		cmocka_unit_test(test_any_rule),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_sport),
		cmocka_unit_test(test_unmatched),
		cmocka_unit_test(test_fail_open),
		cmocka_unit_test(test_owners),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
