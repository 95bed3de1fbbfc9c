// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * afxdp_steer: redirects the frames that match the run-time filter
 * (filter_map) to the AF_XDP socket of their rx queue (xsks_map). What no
 * rule matches takes the filter's unmatched path: the kernel stack (the
 * default, so management traffic such as SSH keeps working), the paired
 * port through fwd_map (a bump in the wire: only the selected traffic
 * visits user space) or a drop. A matching frame whose queue has no socket
 * is passed to the kernel, or with fail_open forward sent to the paired
 * port like an unmatched one (so a restarting agent loses nothing), never
 * dropped. Per-CPU counters in counters_map
 * (enum afxdp_counter).
 *
 * Queues an application claimed (queue_owner_map, afxdp_steer.h) use that
 * application's filter and XSKMAP instead, and what its filter does not
 * select always goes to the kernel: an application adopts part of the
 * interface, never the guest's management traffic.
 *
 * Parsing limits, on purpose:
 * - VLAN tags are read from the frame. A NIC that strips tags (rx-vlan
 *   offload) hides them from XDP: turn the offload off to match on "vlan".
 * - IPv6: the protocol is the fixed header's next header; extension headers
 *   are not walked, so a UDP datagram behind a hop-by-hop or fragment
 *   header does not match "udp" (nor any dport).
 * - IPv4 fragments: the protocol matches on every fragment, ports only on
 *   the first one (later fragments carry no L4 header).
 * - Ports need the whole UDP (8 bytes) or minimal TCP (20 bytes) header.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>

#include "afxdp_steer.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define VLAN_VID_MASK 0x0fff
#define IP_FRAG_OFFSET 0x1fff

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, AFXDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* Applications' XSKMAPs: static maps, one per owner slot, so the verifier
 * sees a constant map in every bpf_redirect_map() (see redirect()). */
#define APP_XSKS(n)                                                \
	struct {                                                   \
		__uint(type, BPF_MAP_TYPE_XSKMAP);                 \
		__uint(max_entries, AFXDP_MAX_QUEUES);             \
		__type(key, __u32);                                \
		__type(value, __u32);                              \
	} app_xsks_##n SEC(".maps")
APP_XSKS(1);
APP_XSKS(2);
APP_XSKS(3);
APP_XSKS(4);
APP_XSKS(5);
APP_XSKS(6);
APP_XSKS(7);
APP_XSKS(8);

/* rx queue -> owner (0: the agent; 1..AFXDP_MAX_APPS: an application). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AFXDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} queue_owner_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AFXDP_MAX_OWNERS);
	__type(key, __u32);
	__type(value, struct afxdp_filter);
} filter_map SEC(".maps");

/* Key 0: the ifindex of the port unmatched frames are forwarded to. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fwd_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AFXDP_CNT_MAX * AFXDP_MAX_OWNERS);
	__type(key, __u32);
	__type(value, __u64);
} counters_map SEC(".maps");

/* libxdp's dispatcher runs the next program after ours on XDP_PASS. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(afxdp_steer);

/* What the parser found; a rule field can only match a field that is here. */
struct frame {
	__u8 *dst_mac; /* NULL: runt, no Ethernet header */
	__u16 ethertype; /* after up to two VLAN tags, host order */
	__u16 vlan_id;
	__u16 dport, sport;
	__u8 ip_proto;
	__u8 has_vlan : 1, has_ethertype : 1, has_proto : 1, has_ports : 1;
};

static __always_inline void parse_l4(struct frame *f, void *l4, void *end)
{
	if (f->ip_proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return;
		f->dport = bpf_ntohs(udp->dest);
		f->sport = bpf_ntohs(udp->source);
		f->has_ports = 1;
	} else if (f->ip_proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > end)
			return;
		f->dport = bpf_ntohs(tcp->dest);
		f->sport = bpf_ntohs(tcp->source);
		f->has_ports = 1;
	}
}

static __always_inline void parse(struct frame *f, void *data, void *end)
{
	struct ethhdr *eth = data;
	void *cur = eth + 1;
	__u16 proto;

	if (cur > end)
		return;
	f->dst_mac = eth->h_dest;
	proto = bpf_ntohs(eth->h_proto);

	/* Up to two tags: 802.1Q, or 802.1AD (QinQ) outside 802.1Q. */
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if ((void *)(vh + 1) > end)
			return; /* truncated tag: ethertype unknown */
		if (i == 0) {
			f->vlan_id = bpf_ntohs(vh->tci) & VLAN_VID_MASK;
			f->has_vlan = 1;
		}
		proto = bpf_ntohs(vh->encap_proto);
		cur = vh + 1;
	}
	f->ethertype = proto;
	f->has_ethertype = 1;

	if (proto == ETH_P_IP) {
		struct iphdr *iph = cur;
		__u32 ihl;

		if ((void *)(iph + 1) > end)
			return;
		ihl = iph->ihl * 4;
		if (ihl < sizeof(*iph) || cur + ihl > end)
			return;
		f->ip_proto = iph->protocol;
		f->has_proto = 1;
		if (iph->frag_off & bpf_htons(IP_FRAG_OFFSET))
			return; /* later fragment: no L4 header */
		parse_l4(f, cur + ihl, end);
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6h = cur;

		if ((void *)(ip6h + 1) > end)
			return;
		f->ip_proto = ip6h->nexthdr;
		f->has_proto = 1;
		parse_l4(f, ip6h + 1, end);
	}
}

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] &&
	       a[4] == b[4] && a[5] == b[5];
}

/* Every field set in rule->match must be present in the frame and equal. */
static __always_inline int rule_match(const struct afxdp_rule *r,
				      const struct frame *f)
{
	__u32 m = r->match;

	if (m & AFXDP_MATCH_ALL)
		return 1;
	if (!m || !f->dst_mac)
		return 0; /* empty rules match nothing; runts only "all" */
	if ((m & AFXDP_MATCH_DST_MAC) && !mac_eq(f->dst_mac, r->dst_mac))
		return 0;
	if ((m & AFXDP_MATCH_VLAN) &&
	    (!f->has_vlan || f->vlan_id != r->vlan_id))
		return 0;
	if ((m & AFXDP_MATCH_ETHERTYPE) &&
	    (!f->has_ethertype || f->ethertype != r->ethertype))
		return 0;
	if ((m & AFXDP_MATCH_IP_PROTO) &&
	    (!f->has_proto || f->ip_proto != r->ip_proto))
		return 0;
	if ((m & AFXDP_MATCH_DPORT) &&
	    (!f->has_ports || f->dport < r->dport_min ||
	     f->dport > r->dport_max))
		return 0;
	if ((m & AFXDP_MATCH_SPORT) &&
	    (!f->has_ports || f->sport < r->sport_min ||
	     f->sport > r->sport_max))
		return 0;
	return 1;
}

static __always_inline void count(__u32 owner, __u32 idx)
{
	__u32 key = owner * AFXDP_CNT_MAX + idx;
	__u64 *c = bpf_map_lookup_elem(&counters_map, &key);

	if (c)
		*c += 1;
}

/* The owner's socket for this queue; XDP_PASS when it has none. */
static __always_inline long redirect(__u32 owner, __u32 qid)
{
	switch (owner) {
	case 1:
		return bpf_redirect_map(&app_xsks_1, qid, XDP_PASS);
	case 2:
		return bpf_redirect_map(&app_xsks_2, qid, XDP_PASS);
	case 3:
		return bpf_redirect_map(&app_xsks_3, qid, XDP_PASS);
	case 4:
		return bpf_redirect_map(&app_xsks_4, qid, XDP_PASS);
	case 5:
		return bpf_redirect_map(&app_xsks_5, qid, XDP_PASS);
	case 6:
		return bpf_redirect_map(&app_xsks_6, qid, XDP_PASS);
	case 7:
		return bpf_redirect_map(&app_xsks_7, qid, XDP_PASS);
	case 8:
		return bpf_redirect_map(&app_xsks_8, qid, XDP_PASS);
	default:
		return bpf_redirect_map(&xsks_map, qid, XDP_PASS);
	}
}

/* The unmatched path. ARP and IPv6 ND take it like any frame: forward keeps
 * the two sides' neighbour discovery working through the pair; kernel and
 * drop stop it unless a rule selects it. */
static __always_inline int unmatched(__u32 owner, __u32 how)
{
	if (how == AFXDP_UNMATCHED_DROP) {
		count(owner, AFXDP_CNT_DROPPED);
		return XDP_DROP;
	}
	if (how == AFXDP_UNMATCHED_FORWARD &&
	    bpf_redirect_map(&fwd_map, 0, XDP_PASS) == XDP_REDIRECT) {
		count(owner, AFXDP_CNT_FORWARDED);
		return XDP_REDIRECT;
	}
	count(owner, AFXDP_CNT_PASSED);
	return XDP_PASS;
}

SEC("xdp")
int afxdp_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct afxdp_filter *flt;
	struct frame f = {};
	__u32 owner = 0, qid = ctx->rx_queue_index, nr, *o;
	int matched = 0;

	o = bpf_map_lookup_elem(&queue_owner_map, &qid);
	if (o && *o <= AFXDP_MAX_APPS)
		owner = *o;
	flt = bpf_map_lookup_elem(&filter_map, &owner);
	if (!flt) {
		count(owner, AFXDP_CNT_PASSED);
		return XDP_PASS;
	}
	parse(&f, data, end);

	nr = flt->nr_rules;
	/* Bounded for the verifier: at most AFXDP_MAX_RULES iterations. */
	for (__u32 i = 0; i < AFXDP_MAX_RULES; i++) {
		if (i >= nr)
			break;
		if (rule_match(&flt->rules[i], &f)) {
			matched = 1;
			break;
		}
	}
	if (!matched)
		return unmatched(owner, owner ? AFXDP_UNMATCHED_KERNEL :
						flt->unmatched);

	/* The low bits of flags are the action when the slot is empty: an
	 * application that has no socket (yet, or any more) loses nothing. */
	if (redirect(owner, qid) == XDP_REDIRECT) {
		count(owner, AFXDP_CNT_REDIRECTED);
		return XDP_REDIRECT;
	}
	count(owner, AFXDP_CNT_NO_SOCKET);
	if (!owner && flt->fail_open == AFXDP_UNMATCHED_FORWARD &&
	    bpf_redirect_map(&fwd_map, 0, XDP_PASS) == XDP_REDIRECT)
		return XDP_REDIRECT;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
