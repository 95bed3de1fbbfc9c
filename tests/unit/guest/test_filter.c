// SPDX-License-Identifier: GPL-2.0
/* guest/filter.c: rule text -> struct afxdp_rule, compile, canonical text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest/filter.h"

static void parse_ok(const char *text, struct afxdp_rule *r)
{
	char err[256] = "";
	int ret = filter_parse_rule(text, r, err, sizeof(err));

	if (ret)
		print_error("'%s': %s\n", text, err);
	assert_int_equal(ret, 0);
}

/* Must fail with -EINVAL and a message containing want. */
static void parse_bad(const char *text, const char *want)
{
	struct afxdp_rule r;
	char err[256] = "";

	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(filter_parse_rule(text, &r, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, want))
		print_error("'%s': message '%s' lacks '%s'\n", text, err, want);
	assert_non_null(strstr(err, want));
	/* The output is only written on success. */
	assert_int_equal(r.match, 0xa5a5a5a5);
}

static void test_all(void **state)
{
	struct afxdp_rule r;

	(void)state;
	parse_ok("all", &r);
	assert_int_equal(r.match, AFXDP_MATCH_ALL);
	parse_ok("  all\t", &r);
	assert_int_equal(r.match, AFXDP_MATCH_ALL);
}

static void test_fields(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0x00, 0x01, 0xff };
	struct afxdp_rule r;

	(void)state;
	parse_ok("dst-mac 02:AB:cd:00:01:ff vlan 4094 ipv4 udp dport 4000-4010",
		 &r);
	assert_int_equal(r.match, AFXDP_MATCH_DST_MAC | AFXDP_MATCH_VLAN |
					  AFXDP_MATCH_ETHERTYPE |
					  AFXDP_MATCH_IP_PROTO |
					  AFXDP_MATCH_DPORT);
	assert_memory_equal(r.dst_mac, mac, 6);
	assert_int_equal(r.vlan_id, 4094);
	assert_int_equal(r.ethertype, 0x0800);
	assert_int_equal(r.ip_proto, 17);
	assert_int_equal(r.dport_min, 4000);
	assert_int_equal(r.dport_max, 4010);

	/* Order is free; a single port is a one-port range. */
	parse_ok("dport 80 tcp", &r);
	assert_int_equal(r.match, AFXDP_MATCH_IP_PROTO | AFXDP_MATCH_DPORT);
	assert_int_equal(r.ip_proto, 6);
	assert_int_equal(r.dport_min, 80);
	assert_int_equal(r.dport_max, 80);

	parse_ok("ipv6", &r);
	assert_int_equal(r.ethertype, 0x86dd);
	parse_ok("arp", &r);
	assert_int_equal(r.ethertype, 0x0806);
	parse_ok("ethertype 0x88F7", &r);
	assert_int_equal(r.ethertype, 0x88f7);
	parse_ok("ethertype 2054", &r);
	assert_int_equal(r.ethertype, 0x0806);
	parse_ok("ethertype ipv6", &r);
	assert_int_equal(r.ethertype, 0x86dd);
	parse_ok("ethertype 0x0600", &r);
	assert_int_equal(r.ethertype, 0x0600);
	parse_ok("vlan 0", &r);
	assert_int_equal(r.match, AFXDP_MATCH_VLAN);
	assert_int_equal(r.vlan_id, 0);
	parse_ok("icmp", &r);
	assert_int_equal(r.ip_proto, 1);
	parse_ok("proto 255", &r);
	assert_int_equal(r.ip_proto, 255);
	parse_ok("proto 0", &r);
	assert_int_equal(r.match, AFXDP_MATCH_IP_PROTO);
	assert_int_equal(r.ip_proto, 0);
	/* proto 17 is udp, so a port range is allowed. */
	parse_ok("proto 17 dport 0-65535", &r);
	assert_int_equal(r.dport_min, 0);
	assert_int_equal(r.dport_max, 65535);
	parse_ok("ipv6 tcp dport 443", &r);
	assert_int_equal(r.ethertype, 0x86dd);
	/* Source ports: replies from a service to ephemeral ports. */
	parse_ok("udp sport 5201-5301", &r);
	assert_int_equal(r.match, AFXDP_MATCH_IP_PROTO | AFXDP_MATCH_SPORT);
	assert_int_equal(r.sport_min, 5201);
	assert_int_equal(r.sport_max, 5301);
	assert_int_equal(r.dport_min, 0);
	parse_ok("tcp sport 80 dport 1024-65535", &r);
	assert_int_equal(r.match, AFXDP_MATCH_IP_PROTO | AFXDP_MATCH_SPORT |
					  AFXDP_MATCH_DPORT);
	assert_int_equal(r.sport_min, 80);
	assert_int_equal(r.sport_max, 80);
	assert_int_equal(r.dport_min, 1024);
}

static void test_errors(void **state)
{
	(void)state;
	parse_bad("", "empty rule");
	parse_bad("   \t ", "empty rule");
	parse_bad("udpp", "unknown token 'udpp'");
	parse_bad("udp dport 53 extra", "unknown token 'extra'");
	parse_bad("ALL", "unknown token 'ALL'");
	parse_bad("all all", "'all' given twice");
	parse_bad("all udp", "'all' cannot be combined");
	parse_bad("vlan 5 all", "'all' cannot be combined");
	/* Duplicates, also through shorthands. */
	parse_bad("udp tcp", "'tcp' repeats the protocol given by 'udp'");
	parse_bad("udp proto 6", "'proto' repeats the protocol");
	parse_bad("ipv4 ipv6", "'ipv6' repeats the ethertype given by 'ipv4'");
	parse_bad("ipv4 ethertype 0x0800", "'ethertype' repeats the ethertype");
	parse_bad("vlan 1 vlan 2", "'vlan' repeats the vlan");
	parse_bad("udp dport 1 dport 2", "'dport' repeats the dport");
	parse_bad("dst-mac 00:00:00:00:00:01 dst-mac 00:00:00:00:00:02",
		  "'dst-mac' repeats");
	/* Missing values. */
	parse_bad("vlan", "'vlan' needs a value");
	parse_bad("udp dport", "'dport' needs a value");
	parse_bad("ethertype", "'ethertype' needs a value");
	parse_bad("proto", "'proto' needs a value");
	parse_bad("dst-mac", "'dst-mac' needs a value");
	/* Out of range or malformed values. */
	parse_bad("vlan 4095", "'vlan 4095'");
	parse_bad("vlan -1", "'vlan -1'");
	parse_bad("vlan 10x", "'vlan 10x'");
	parse_bad("proto 256", "'proto 256'");
	parse_bad("ethertype 0x05ff", "'ethertype 0x05ff'");
	parse_bad("ethertype 0x10000", "'ethertype 0x10000'");
	parse_bad("ethertype ip", "'ethertype ip'");
	parse_bad("udp dport 65536", "'dport 65536'");
	parse_bad("udp dport 10-5", "'dport 10-5'");
	parse_bad("udp dport 1-", "'dport 1-'");
	parse_bad("udp dport -5", "'dport -5'");
	parse_bad("udp dport 1-2-3", "'dport 1-2-3'");
	parse_bad("dst-mac 00:11:22:33:44", "'dst-mac 00:11:22:33:44'");
	parse_bad("dst-mac 00:11:22:33:44:zz", "'dst-mac 00:11:22:33:44:zz'");
	/* Fields that cannot meet in one frame. */
	parse_bad("dport 53", "'dport' needs 'udp' or 'tcp'");
	parse_bad("icmp dport 53", "'dport' needs 'udp' or 'tcp'");
	parse_bad("proto 1 dport 53", "'dport' needs 'udp' or 'tcp'");
	parse_bad("sport 53", "'sport' needs 'udp' or 'tcp'");
	parse_bad("icmp sport 53", "'sport' needs 'udp' or 'tcp'");
	parse_bad("udp sport 10-5", "'sport 10-5'");
	parse_bad("udp sport 70000", "'sport 70000'");
	parse_bad("udp sport 1 sport 2", "'sport' repeats the sport");
	parse_bad("udp sport", "'sport' needs a value");
	parse_bad("arp udp", "'udp' needs ethertype ipv4 or ipv6, not 'arp'");
	parse_bad("ethertype 0x88f7 proto 17",
		  "'proto' needs ethertype ipv4 or ipv6, not 'ethertype' "
		  "(0x88f7)");
}

static void test_null_args(void **state)
{
	struct afxdp_rule r;
	char err[64];

	(void)state;
	assert_int_equal(filter_parse_rule(NULL, &r, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(filter_parse_rule("udp", NULL, err, sizeof(err)),
			 -EINVAL);
	/* No error buffer: still fails cleanly. */
	assert_int_equal(filter_parse_rule("bogus", &r, NULL, 0), -EINVAL);
	/* A tiny error buffer is truncated, not overrun. */
	memset(err, 'x', sizeof(err));
	assert_int_equal(filter_parse_rule("bogus", &r, err, 4), -EINVAL);
	assert_int_equal(strlen(err), 3);
	assert_int_equal(err[4], 'x');
}

/* text -> rule -> canonical -> rule: both rules equal, canonical as given. */
static void round_trip(const char *text, const char *canonical)
{
	struct afxdp_rule a, b;
	char buf[FILTER_RULE_STR_LEN];

	parse_ok(text, &a);
	assert_int_equal(filter_format_rule(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, canonical);
	parse_ok(buf, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_format_round_trip(void **state)
{
	(void)state;
	round_trip("all", "all");
	round_trip("udp", "udp");
	round_trip("dport 4000-4010 udp ipv4", "ipv4 udp dport 4000-4010");
	round_trip("tcp dport 22-22", "tcp dport 22");
	round_trip("ethertype 0x0800", "ipv4");
	round_trip("ethertype 0x86DD proto 58", "ipv6 proto 58");
	round_trip("ethertype 0x88f7", "ethertype 0x88f7");
	round_trip("proto 17 dport 0-65535", "udp dport 0-65535");
	round_trip("proto 1", "icmp");
	round_trip("sport 5201 udp", "udp sport 5201");
	round_trip("sport 1-2 dport 3 tcp", "tcp dport 3 sport 1-2");
	round_trip("arp vlan 100", "vlan 100 arp");
	round_trip("udp dport 53 ipv6 vlan 4094 dst-mac 02:AA:bb:cc:dd:EE",
		   "dst-mac 02:aa:bb:cc:dd:ee vlan 4094 ipv6 udp dport 53");
}

static void test_format_errors(void **state)
{
	struct afxdp_rule r = {};
	char buf[FILTER_RULE_STR_LEN];

	(void)state;
	/* Not a valid rule: nothing to format. */
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r.match = 1U << 20;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r.match = AFXDP_MATCH_ALL | AFXDP_MATCH_VLAN;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r.match = AFXDP_MATCH_VLAN;
	r.vlan_id = 4095;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct afxdp_rule){ .match = AFXDP_MATCH_DPORT, .dport_max = 10 };
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r.match |= AFXDP_MATCH_IP_PROTO;
	r.ip_proto = 17;
	r.dport_min = 11;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r.dport_min = 10;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "udp dport 10");
	assert_int_equal(filter_format_rule(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(filter_format_rule(&r, buf, 0), -EINVAL);

	/* Too small a buffer: -ENOSPC, still NUL-terminated. */
	assert_int_equal(filter_format_rule(&r, buf, 13), 0);
	assert_string_equal(buf, "udp dport 10");
	assert_int_equal(filter_format_rule(&r, buf, 12), -ENOSPC);
	assert_string_equal(buf, "udp dport 1");
	r.match = AFXDP_MATCH_ALL;
	assert_int_equal(filter_format_rule(&r, buf, 3), -ENOSPC);
	assert_int_equal(filter_format_rule(&r, buf, 4), 0);
	assert_string_equal(buf, "all");
}

static void test_format_longest(void **state)
{
	struct afxdp_rule r = {
		.match = AFXDP_MATCH_DST_MAC | AFXDP_MATCH_VLAN |
			 AFXDP_MATCH_ETHERTYPE | AFXDP_MATCH_IP_PROTO |
			 AFXDP_MATCH_DPORT,
		.ethertype = 0xffff, /* not an IP type: invalid with a proto */
		.vlan_id = 4094,
		.ip_proto = 17,
		.dport_min = 65534,
		.dport_max = 65535,
	};
	char buf[FILTER_RULE_STR_LEN];

	(void)state;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), -EINVAL);
	r.ethertype = 0x86dd;
	r.ip_proto = 6;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "dst-mac 00:00:00:00:00:00 vlan 4094 ipv6 "
				 "tcp dport 65534-65535");
	r.match &= ~(__u32)(AFXDP_MATCH_IP_PROTO | AFXDP_MATCH_DPORT);
	r.match |= AFXDP_MATCH_IP_PROTO;
	r.ip_proto = 255;
	assert_int_equal(filter_format_rule(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "dst-mac 00:00:00:00:00:00 vlan 4094 ipv6 "
				 "proto 255");
}

static void test_compile(void **state)
{
	char *rules[] = { "ipv4 udp dport 4000", "vlan 7", "all" };
	struct afxdp_filter f;
	char err[256];

	(void)state;
	memset(&f, 0xff, sizeof(f));
	assert_int_equal(filter_compile(rules, 3, &f, err, sizeof(err)), 0);
	assert_int_equal(f.nr_rules, 3);
	assert_int_equal(f.rules[0].match, AFXDP_MATCH_ETHERTYPE |
						   AFXDP_MATCH_IP_PROTO |
						   AFXDP_MATCH_DPORT);
	assert_int_equal(f.rules[0].dport_min, 4000);
	assert_int_equal(f.rules[1].match, AFXDP_MATCH_VLAN);
	assert_int_equal(f.rules[1].vlan_id, 7);
	assert_int_equal(f.rules[2].match, AFXDP_MATCH_ALL);
	/* Unused slots and padding are zero: the map value is deterministic. */
	for (int i = 3; i < AFXDP_MAX_RULES; i++)
		assert_int_equal(f.rules[i].match, 0);
	assert_int_equal(f.unmatched, AFXDP_UNMATCHED_KERNEL);

	/* No rules: every frame. */
	memset(&f, 0xff, sizeof(f));
	assert_int_equal(filter_compile(NULL, 0, &f, err, sizeof(err)), 0);
	assert_int_equal(f.nr_rules, 1);
	assert_int_equal(f.rules[0].match, AFXDP_MATCH_ALL);
	assert_int_equal(f.rules[1].match, 0);
}

static void test_compile_max(void **state)
{
	char *rules[AFXDP_MAX_RULES + 1];
	char text[AFXDP_MAX_RULES + 1][32];
	struct afxdp_filter f;
	char err[256] = "";

	(void)state;
	for (int i = 0; i <= AFXDP_MAX_RULES; i++) {
		snprintf(text[i], sizeof(text[i]), "udp dport %d", 1000 + i);
		rules[i] = text[i];
	}
	assert_int_equal(
		filter_compile(rules, AFXDP_MAX_RULES, &f, err, sizeof(err)),
		0);
	assert_int_equal(f.nr_rules, AFXDP_MAX_RULES);
	assert_int_equal(f.rules[AFXDP_MAX_RULES - 1].dport_min,
			 1000 + AFXDP_MAX_RULES - 1);

	memset(&f, 0x5a, sizeof(f));
	assert_int_equal(filter_compile(rules, AFXDP_MAX_RULES + 1, &f, err,
					sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "at most 16"));
	assert_int_equal(f.nr_rules, 0x5a5a5a5a);
}

static void test_compile_errors(void **state)
{
	char *rules[] = { "udp", "tcp dport x", "all" };
	char *holes[] = { "udp", NULL };
	struct afxdp_filter f;
	char err[256] = "";

	(void)state;
	memset(&f, 0x5a, sizeof(f));
	assert_int_equal(filter_compile(rules, 3, &f, err, sizeof(err)),
			 -EINVAL);
	/* Names the rule (1-based), its text and the bad token. */
	assert_non_null(strstr(err, "rule 2 'tcp dport x'"));
	assert_non_null(strstr(err, "'dport x'"));
	assert_int_equal(f.nr_rules, 0x5a5a5a5a);

	assert_int_equal(filter_compile(holes, 2, &f, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "rule 2"));
	assert_int_equal(filter_compile(NULL, 1, &f, err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_format_longest),
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_compile_max),
		cmocka_unit_test(test_compile_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
