/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filter rules: text -> struct afxdp_rule for bpf/afxdp_steer.bpf.c's
 * filter_map. A frame is redirected when ANY rule matches; a rule matches
 * when ALL of its tokens match. Tokens, space separated, any order, each
 * field at most once:
 *
 *   all                          every frame (alone; also runts)
 *   ethertype <0xNNNN|N|ipv4|ipv6|arp>   after up to two VLAN tags
 *   ipv4 | ipv6 | arp            shorthands for ethertype
 *   vlan <0-4094>                outer VLAN id
 *   udp | tcp | icmp | proto <0-255>     IPv4 protocol / IPv6 next header
 *                                (icmp is IPv4's 1; ICMPv6 is "proto 58")
 *   dport <N[-M]>                UDP/TCP destination port range; needs
 *                                udp or tcp (or proto 17/6)
 *   sport <N[-M]>                UDP/TCP source port range (likewise): a
 *                                rule for replies from a service, e.g.
 *                                "udp sport 5201" beside "udp dport 5201"
 *   dst-mac <xx:xx:xx:xx:xx:xx>
 *
 * Example: "ipv4 udp dport 4000-4010", "vlan 100 arp", "all".
 */
#ifndef GUEST_FILTER_H
#define GUEST_FILTER_H

#include <stddef.h>

#include "bpf/afxdp_steer.h"

/* Longest canonical rule text, NUL included. */
#define FILTER_RULE_STR_LEN 128

/* 0, or -EINVAL with one message naming the bad token in err. */
int filter_parse_rule(const char *text, struct afxdp_rule *rule, char *err,
		      size_t err_len);

/* nr == 0 compiles a single "all" rule; nr > AFXDP_MAX_RULES is an error.
 * 0 or -EINVAL (err names the rule and the token). out is untouched on
 * error. */
int filter_compile(char *const *rules, size_t nr, struct afxdp_filter *out,
		   char *err, size_t err_len);

/* Canonical text that filter_parse_rule() turns back into the same rule:
 * dst-mac, vlan, ethertype, protocol, dport, sport, in that order. 0, -EINVAL
 * (not a valid rule) or -ENOSPC (buf too small; FILTER_RULE_STR_LEN is
 * always enough). */
int filter_format_rule(const struct afxdp_rule *rule, char *buf, size_t len);

#endif
