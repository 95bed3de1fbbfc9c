// SPDX-License-Identifier: GPL-2.0
/* Filter rule text <-> struct afxdp_rule; the grammar is in filter.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <netinet/in.h>

#include "guest/filter.h"
#include "util/errmsg.h"
#include "util/parse.h"

#define ETHERTYPE_MIN 0x0600 /* below: an 802.3 length, not a type */
#define VLAN_ID_MAX 4094
#define TOKEN_SEP " \t\r\n"

/* Protocol and EtherType names; the first name of a value is canonical. */
struct name_val {
	const char *name;
	unsigned int val;
};

static const struct name_val ethertypes[] = {
	{ "ipv4", ETH_P_IP },
	{ "ipv6", ETH_P_IPV6 },
	{ "arp", ETH_P_ARP },
};

static const struct name_val protos[] = {
	{ "udp", IPPROTO_UDP },
	{ "tcp", IPPROTO_TCP },
	{ "icmp", IPPROTO_ICMP },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct name_val *by_name(const struct name_val *t, size_t n,
				      const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static const char *by_val(const struct name_val *t, size_t n, unsigned int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == v)
			return t[i].name;
	return NULL;
}

/* Which token set each field, to name both sides of a duplicate. */
struct seen {
	const char *all, *ethertype, *vlan, *proto, *dport, *sport, *dst_mac;
};

static int claim(const char **slot, const char *tok, const char *what,
		 char *err, size_t len)
{
	if (*slot)
		return errmsg(err, len, -EINVAL,
			      "'%s' repeats the %s given by '%s'", tok, what,
			      *slot);
	*slot = tok;
	return 0;
}

static int parse_ethertype(const char *v, struct afxdp_rule *r, char *err,
			   size_t len)
{
	const struct name_val *nv =
		by_name(ethertypes, ARRAY_SIZE(ethertypes), v);
	uint32_t et;

	if (nv) {
		et = nv->val;
	} else if (parse_u32(v, ETHERTYPE_MIN, 0xffff, &et)) {
		return errmsg(err, len, -EINVAL,
			      "'ethertype %s': expected ipv4, ipv6, arp or a "
			      "number 0x0600-0xffff",
			      v);
	}
	r->ethertype = (__u16)et;
	r->match |= AFXDP_MATCH_ETHERTYPE;
	return 0;
}

static int parse_value(const char *kw, const char *v, struct afxdp_rule *r,
		       char *err, size_t len)
{
	uint32_t a, b;

	if (!strcmp(kw, "ethertype"))
		return parse_ethertype(v, r, err, len);
	if (!strcmp(kw, "vlan")) {
		if (parse_u32(v, 0, VLAN_ID_MAX, &a))
			return errmsg(err, len, -EINVAL,
				      "'vlan %s': expected a VLAN id 0-%d", v,
				      VLAN_ID_MAX);
		r->vlan_id = (__u16)a;
		r->match |= AFXDP_MATCH_VLAN;
		return 0;
	}
	if (!strcmp(kw, "proto")) {
		if (parse_u32(v, 0, 255, &a))
			return errmsg(err, len, -EINVAL,
				      "'proto %s': expected a protocol number "
				      "0-255",
				      v);
		r->ip_proto = (__u8)a;
		r->match |= AFXDP_MATCH_IP_PROTO;
		return 0;
	}
	if (!strcmp(kw, "dport") || !strcmp(kw, "sport")) {
		bool dst = kw[0] == 'd';

		if (parse_u32_range(v, 0, 65535, &a, &b))
			return errmsg(err, len, -EINVAL,
				      "'%s %s': expected a port or range "
				      "N-M (0-65535, N <= M)",
				      kw, v);
		if (dst) {
			r->dport_min = (__u16)a;
			r->dport_max = (__u16)b;
			r->match |= AFXDP_MATCH_DPORT;
		} else {
			r->sport_min = (__u16)a;
			r->sport_max = (__u16)b;
			r->match |= AFXDP_MATCH_SPORT;
		}
		return 0;
	}
	/* dst-mac */
	if (parse_mac(v, r->dst_mac))
		return errmsg(err, len, -EINVAL,
			      "'dst-mac %s': expected xx:xx:xx:xx:xx:xx", v);
	r->match |= AFXDP_MATCH_DST_MAC;
	return 0;
}

/* Cross-field checks, shared by the parser and the formatter. */
static int check_rule(const struct afxdp_rule *r, char *err, size_t len)
{
	const __u32 known = AFXDP_MATCH_ALL | AFXDP_MATCH_ETHERTYPE |
			    AFXDP_MATCH_VLAN | AFXDP_MATCH_IP_PROTO |
			    AFXDP_MATCH_DPORT | AFXDP_MATCH_SPORT |
			    AFXDP_MATCH_DST_MAC;
	__u32 m = r->match;

	if (!m)
		return errmsg(err, len, -EINVAL,
			      "empty rule (use 'all' for every "
			      "frame)");
	if (m & ~known)
		return errmsg(err, len, -EINVAL, "unknown match bits 0x%x",
			      m & ~known);
	if ((m & AFXDP_MATCH_ALL) && m != AFXDP_MATCH_ALL)
		return errmsg(err, len, -EINVAL,
			      "'all' cannot be combined with other "
			      "tokens");
	if ((m & AFXDP_MATCH_VLAN) && r->vlan_id > VLAN_ID_MAX)
		return errmsg(err, len, -EINVAL, "vlan %u out of range 0-%d",
			      r->vlan_id, VLAN_ID_MAX);
	if ((m & AFXDP_MATCH_ETHERTYPE) && r->ethertype < ETHERTYPE_MIN)
		return errmsg(err, len, -EINVAL,
			      "ethertype 0x%04x below 0x0600", r->ethertype);
	if ((m & AFXDP_MATCH_IP_PROTO) && (m & AFXDP_MATCH_ETHERTYPE) &&
	    r->ethertype != ETH_P_IP && r->ethertype != ETH_P_IPV6)
		return errmsg(err, len, -EINVAL,
			      "an IP protocol needs ethertype ipv4 or ipv6, "
			      "not 0x%04x",
			      r->ethertype);
	if ((m & (AFXDP_MATCH_DPORT | AFXDP_MATCH_SPORT)) &&
	    (!(m & AFXDP_MATCH_IP_PROTO) ||
	     (r->ip_proto != IPPROTO_UDP && r->ip_proto != IPPROTO_TCP)))
		return errmsg(err, len, -EINVAL, "'%s' needs 'udp' or 'tcp'",
			      m & AFXDP_MATCH_DPORT ? "dport" : "sport");
	if ((m & AFXDP_MATCH_DPORT) && r->dport_min > r->dport_max)
		return errmsg(err, len, -EINVAL,
			      "dport range %u-%u is reversed", r->dport_min,
			      r->dport_max);
	if ((m & AFXDP_MATCH_SPORT) && r->sport_min > r->sport_max)
		return errmsg(err, len, -EINVAL,
			      "sport range %u-%u is reversed", r->sport_min,
			      r->sport_max);
	return 0;
}

static int parse_tokens(char *s, struct afxdp_rule *r, char *err, size_t len)
{
	struct seen seen = {};
	char *save = NULL, *tok;
	int ret;

	for (tok = strtok_r(s, TOKEN_SEP, &save); tok;
	     tok = strtok_r(NULL, TOKEN_SEP, &save)) {
		const struct name_val *nv;
		const char **slot;
		const char *what;
		char *val;

		if (!strcmp(tok, "all")) {
			if (seen.all)
				return errmsg(err, len, -EINVAL,
					      "'all' given twice");
			seen.all = tok;
			r->match |= AFXDP_MATCH_ALL;
			continue;
		}
		nv = by_name(ethertypes, ARRAY_SIZE(ethertypes), tok);
		if (nv) {
			ret = claim(&seen.ethertype, tok, "ethertype", err,
				    len);
			if (ret)
				return ret;
			r->ethertype = (__u16)nv->val;
			r->match |= AFXDP_MATCH_ETHERTYPE;
			continue;
		}
		nv = by_name(protos, ARRAY_SIZE(protos), tok);
		if (nv) {
			ret = claim(&seen.proto, tok, "protocol", err, len);
			if (ret)
				return ret;
			r->ip_proto = (__u8)nv->val;
			r->match |= AFXDP_MATCH_IP_PROTO;
			continue;
		}
		if (!strcmp(tok, "ethertype")) {
			slot = &seen.ethertype;
			what = "ethertype";
		} else if (!strcmp(tok, "vlan")) {
			slot = &seen.vlan;
			what = "vlan";
		} else if (!strcmp(tok, "proto")) {
			slot = &seen.proto;
			what = "protocol";
		} else if (!strcmp(tok, "dport")) {
			slot = &seen.dport;
			what = "dport";
		} else if (!strcmp(tok, "sport")) {
			slot = &seen.sport;
			what = "sport";
		} else if (!strcmp(tok, "dst-mac")) {
			slot = &seen.dst_mac;
			what = "dst-mac";
		} else {
			return errmsg(err, len, -EINVAL,
				      "unknown token '%s' (expected all, "
				      "ethertype, ipv4, ipv6, arp, vlan, udp, "
				      "tcp, icmp, proto, dport, sport, dst-mac)",
				      tok);
		}
		ret = claim(slot, tok, what, err, len);
		if (ret)
			return ret;
		val = strtok_r(NULL, TOKEN_SEP, &save);
		if (!val)
			return errmsg(err, len, -EINVAL, "'%s' needs a value",
				      tok);
		ret = parse_value(tok, val, r, err, len);
		if (ret)
			return ret;
	}
	/* Here to name both tokens; check_rule() only sees values. */
	if (seen.proto && seen.ethertype && r->ethertype != ETH_P_IP &&
	    r->ethertype != ETH_P_IPV6)
		return errmsg(err, len, -EINVAL,
			      "'%s' needs ethertype ipv4 or ipv6, not '%s' "
			      "(0x%04x)",
			      seen.proto, seen.ethertype, r->ethertype);
	return check_rule(r, err, len);
}

int filter_parse_rule(const char *text, struct afxdp_rule *rule, char *err,
		      size_t err_len)
{
	struct afxdp_rule r = {};
	char *copy;
	int ret;

	if (!text || !rule)
		return errmsg(err, err_len, -EINVAL, "no rule given");
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	ret = parse_tokens(copy, &r, err, err_len);
	free(copy);
	if (!ret)
		*rule = r;
	return ret;
}

int filter_compile(char *const *rules, size_t nr, struct afxdp_filter *out,
		   char *err, size_t err_len)
{
	struct afxdp_filter f = {};
	char msg[256];
	int ret;

	if (nr > AFXDP_MAX_RULES)
		return errmsg(err, err_len, -EINVAL,
			      "filter: %zu rules, at most %d", nr,
			      AFXDP_MAX_RULES);
	if (nr == 0) {
		f.rules[0].match = AFXDP_MATCH_ALL;
		f.nr_rules = 1;
	}
	for (size_t i = 0; i < nr; i++) {
		ret = filter_parse_rule(rules ? rules[i] : NULL, &f.rules[i],
					msg, sizeof(msg));
		if (ret == -EINVAL)
			return errmsg(err, err_len, -EINVAL,
				      "filter rule %zu '%s': %s", i + 1,
				      rules && rules[i] ? rules[i] : "", msg);
		if (ret)
			return ret;
		f.nr_rules++;
	}
	*out = f;
	return 0;
}

/* Appends " text" to buf at *off; buf is big enough for any rule. */
static void append(char *buf, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, FILTER_RULE_STR_LEN - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
	if (*off >= FILTER_RULE_STR_LEN)
		*off = FILTER_RULE_STR_LEN - 1;
}

static void append_range(char *buf, size_t *off, const char *kw,
			 unsigned int lo, unsigned int hi)
{
	if (lo == hi)
		append(buf, off, " %s %u", kw, lo);
	else
		append(buf, off, " %s %u-%u", kw, lo, hi);
}

int filter_format_rule(const struct afxdp_rule *rule, char *buf, size_t len)
{
	char out[FILTER_RULE_STR_LEN] = "";
	char mac[MAC_STR_LEN];
	const char *name;
	size_t off = 0;
	__u32 m;

	if (!rule || !buf || !len || check_rule(rule, NULL, 0))
		return -EINVAL;
	m = rule->match;
	if (m & AFXDP_MATCH_ALL)
		append(out, &off, " all");
	if (m & AFXDP_MATCH_DST_MAC)
		append(out, &off, " dst-mac %s",
		       format_mac(rule->dst_mac, mac));
	if (m & AFXDP_MATCH_VLAN)
		append(out, &off, " vlan %u", rule->vlan_id);
	if (m & AFXDP_MATCH_ETHERTYPE) {
		name = by_val(ethertypes, ARRAY_SIZE(ethertypes),
			      rule->ethertype);
		if (name)
			append(out, &off, " %s", name);
		else
			append(out, &off, " ethertype 0x%04x", rule->ethertype);
	}
	if (m & AFXDP_MATCH_IP_PROTO) {
		name = by_val(protos, ARRAY_SIZE(protos), rule->ip_proto);
		if (name)
			append(out, &off, " %s", name);
		else
			append(out, &off, " proto %u", rule->ip_proto);
	}
	if (m & AFXDP_MATCH_DPORT)
		append_range(out, &off, "dport", rule->dport_min,
			     rule->dport_max);
	if (m & AFXDP_MATCH_SPORT)
		append_range(out, &off, "sport", rule->sport_min,
			     rule->sport_max);
	/* Without the leading separator; truncated but terminated if short. */
	if ((size_t)snprintf(buf, len, "%s", out + 1) >= len)
		return -ENOSPC;
	return 0;
}
