/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Shared between bpf/afxdp_steer.bpf.c and user space: the run-time filter
 * (filter_map) and the per-CPU counters (counters_map). Host byte order for
 * every field so user space never byte-swaps; the program does.
 */
#ifndef AFXDP_STEER_H
#define AFXDP_STEER_H

#include <linux/types.h>

#define AFXDP_STEER_PROG_NAME "afxdp_steer"
#define AFXDP_MAX_RULES 16
#define AFXDP_MAX_QUEUES 256 /* XSKMAP size: rx queue index -> socket */
/*
 * Owners of an interface's rx queues (queue_owner_map: queue -> owner):
 * owner 0 is the agent's own workers (xsks_map), owners 1..AFXDP_MAX_APPS
 * are applications, each with its own XSKMAP (app_xsks_1..8), its own
 * filter (filter_map[owner]) and its own counters (counters_map[owner *
 * AFXDP_CNT_MAX + counter]). A queue nobody claimed belongs to owner 0.
 */
#define AFXDP_MAX_APPS 8
#define AFXDP_MAX_OWNERS (AFXDP_MAX_APPS + 1)

/* Fields a rule matches on; a rule matches when every set field matches
 * (a field absent from the frame, e.g. no VLAN tag, does not match). A rule
 * with match == 0 matches nothing; ALL must stand alone. */
enum afxdp_match {
	AFXDP_MATCH_ALL = 1U << 0, /* every frame, even runts */
	AFXDP_MATCH_ETHERTYPE = 1U << 1, /* after up to two VLAN tags */
	AFXDP_MATCH_VLAN = 1U << 2, /* outer VLAN id */
	AFXDP_MATCH_IP_PROTO = 1U << 3, /* IPv4 protocol / IPv6 next header */
	AFXDP_MATCH_DPORT = 1U << 4, /* UDP/TCP destination port range */
	AFXDP_MATCH_DST_MAC = 1U << 5,
	AFXDP_MATCH_SPORT = 1U << 6, /* UDP/TCP source port range */
};

struct afxdp_rule {
	__u32 match; /* enum afxdp_match bits */
	__u16 ethertype;
	__u16 vlan_id;
	__u16 dport_min;
	__u16 dport_max;
	__u8 ip_proto;
	__u8 dst_mac[6];
	__u8 pad;
	__u16 sport_min;
	__u16 sport_max;
};

/* What happens to a frame no rule matches. */
enum afxdp_unmatched {
	AFXDP_UNMATCHED_KERNEL = 0, /* XDP_PASS: this host's stack */
	/* XDP_REDIRECT through fwd_map (key 0: the paired port's ifindex),
	 * never leaving the kernel; XDP_PASS while the map is empty. */
	AFXDP_UNMATCHED_FORWARD,
	AFXDP_UNMATCHED_DROP, /* XDP_DROP */
};

/* Value of filter_map[owner]. nr_rules == 0: nothing matches, every frame
 * takes the unmatched path. Applications' entries always have unmatched
 * kernel. fail_open: where a frame that matched goes when its queue has no
 * socket (no agent serving it, e.g. between two agents of a restart):
 * AFXDP_UNMATCHED_KERNEL (XDP_PASS) or AFXDP_UNMATCHED_FORWARD (fwd_map,
 * XDP_PASS while it is empty); owner 0 only. */
struct afxdp_filter {
	__u32 nr_rules;
	__u32 unmatched; /* enum afxdp_unmatched */
	__u32 fail_open; /* enum afxdp_unmatched: KERNEL or FORWARD */
	struct afxdp_rule rules[AFXDP_MAX_RULES];
};

enum afxdp_counter {
	AFXDP_CNT_REDIRECTED = 0, /* matched, handed to the queue's socket */
	AFXDP_CNT_PASSED, /* did not match: to the kernel stack */
	/* matched, no socket on this queue: passed, or forwarded through
	 * fwd_map with fail_open forward */
	AFXDP_CNT_NO_SOCKET,
	AFXDP_CNT_FORWARDED, /* did not match: redirected to the paired port */
	AFXDP_CNT_DROPPED, /* did not match: dropped (unmatched drop) */
	AFXDP_CNT_MAX,
};

/* bpf/sink_count.bpf.c: keys of its PERCPU_ARRAY sink_counters (__u64
 * values). The sink drops every frame it counts. Packets and bytes: sum
 * over CPUs. The longest silence between two frames (bpf_ktime_get_ns)
 * is kept per CPU that received them: take the largest; it is the
 * stream's longest gap when one CPU receives it (veth: the sender's). */
#define AFXDP_SINK_PROG_NAME "sink_count"
enum afxdp_sink_counter {
	AFXDP_SINK_PACKETS = 0,
	AFXDP_SINK_BYTES, /* frame bytes from data to data_end */
	AFXDP_SINK_LAST_NS, /* when this CPU's last frame came */
	AFXDP_SINK_MAX_GAP_NS, /* longest time between two of its frames */
	AFXDP_SINK_MAX,
};

#endif /* AFXDP_STEER_H */
