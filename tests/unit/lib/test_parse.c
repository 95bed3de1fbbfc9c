// SPDX-License-Identifier: GPL-2.0
/* lib/util/parse.c (strict value parsers) and the level names of
 * lib/util/log.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/log.h"
#include "util/parse.h"

static void test_u64(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX, &v),
			 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", 0, UINT64_MAX, &v),
			 -ERANGE);
	assert_int_equal(parse_u64("0x10", 0, 100, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(parse_u64("0XfF", 0, 1000, &v), 0);
	assert_int_equal(v, 255);
	/* leading zeros are decimal, never octal */
	assert_int_equal(parse_u64("010", 0, 100, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_u64("08", 0, 100, &v), 0);
	assert_int_equal(v, 8);
	v = 7;
	static const char *const bad[] = { "",	  " 1",	 "1 ",	 "-1",	 "+1",
					   "1x",  "0x",	 "0x-1", "0x 1", "1.0",
					   "1e3", "abc", "0xg" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_u64(bad[i], 0, UINT64_MAX, &v) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
	assert_int_equal(v, 7); /* untouched on error */
	assert_int_equal(parse_u64(NULL, 0, 1, &v), -EINVAL);
	assert_int_equal(parse_u64("11", 0, 10, &v), -ERANGE);
	assert_int_equal(parse_u64("4", 5, 10, &v), -ERANGE);
}

static void test_u32(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	assert_true(v == UINT32_MAX);
	assert_int_equal(parse_u32("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	assert_int_equal(parse_u32("64", 64, 64, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(parse_u32("63", 64, 16384, &v), -ERANGE);
	assert_int_equal(v, 64);
	assert_int_equal(parse_u32("x", 0, 1, &v), -EINVAL);
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "1",	 "true", "yes",
					   "on", "TRUE", "Yes" };
	static const char *const no[] = { "0",	 "false", "no",
					  "off", "OFF",	  "False" };
	bool b;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		assert_int_equal(parse_bool(yes[i], &b), 0);
		assert_true(b);
		b = true;
		assert_int_equal(parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	assert_int_equal(parse_bool("2", &b), -EINVAL);
	assert_int_equal(parse_bool("", &b), -EINVAL);
	assert_int_equal(parse_bool("truee", &b), -EINVAL);
	assert_int_equal(parse_bool(NULL, &b), -EINVAL);
}

static void test_mac(void **state)
{
	static const uint8_t want[6] = { 0x02, 0xab, 0xCD, 0x00, 0x9f, 0xff };
	uint8_t mac[6] = { 0 };
	char buf[MAC_STR_LEN];

	(void)state;
	assert_int_equal(parse_mac("02:ab:CD:00:9f:ff", mac), 0);
	assert_memory_equal(mac, want, 6);
	memset(mac, 0, 6);
	assert_int_equal(parse_mac("02-ab-cd-00-9f-ff", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_string_equal(format_mac(mac, buf), "02:ab:cd:00:9f:ff");
	assert_ptr_equal(format_mac(mac, buf), buf);
	/* round trip */
	memset(mac, 0, 6);
	assert_int_equal(parse_mac(buf, mac), 0);
	assert_memory_equal(mac, want, 6);

	static const char *const bad[] = {
		"02:ab:cd:00:9f",     "02:ab:cd:00:9f:ff:", "02:ab:cd:00:9f:f",
		"02:ab:cd:00:9f:fg",  "02ab:cd:00:9f:ff:0", "02.ab.cd.00.9f.ff",
		"02:ab-cd:00:9f:ff",  "2:ab:cd:00:9f:ff0",  "",
		" 02:ab:cd:00:9f:ff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mac, 0x11, 6);
		if (parse_mac(bad[i], mac) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		/* untouched on error */
		assert_int_equal(mac[0], 0x11);
		assert_int_equal(mac[5], 0x11);
	}
	assert_int_equal(parse_mac(NULL, mac), -EINVAL);
}

static void test_range(void **state)
{
	uint32_t lo = 0, hi = 0;

	(void)state;
	assert_int_equal(parse_u32_range("4000", 0, 65535, &lo, &hi), 0);
	assert_int_equal(lo, 4000);
	assert_int_equal(hi, 4000);
	assert_int_equal(parse_u32_range("4000-4010", 0, 65535, &lo, &hi), 0);
	assert_int_equal(lo, 4000);
	assert_int_equal(hi, 4010);
	assert_int_equal(parse_u32_range("5-5", 0, 10, &lo, &hi), 0);
	assert_int_equal(lo, 5);
	assert_int_equal(hi, 5);
	assert_int_equal(parse_u32_range("10-5", 0, 65535, &lo, &hi), -ERANGE);
	assert_int_equal(parse_u32_range("1-70000", 0, 65535, &lo, &hi),
			 -ERANGE);
	assert_int_equal(parse_u32_range("0-1", 1, 65535, &lo, &hi), -ERANGE);
	assert_int_equal(parse_u32_range("-5", 0, 65535, &lo, &hi), -EINVAL);
	assert_int_equal(parse_u32_range("5-", 0, 65535, &lo, &hi), -EINVAL);
	assert_int_equal(parse_u32_range("1-2-3", 0, 65535, &lo, &hi), -EINVAL);
	assert_int_equal(parse_u32_range("a-b", 0, 65535, &lo, &hi), -EINVAL);
	assert_int_equal(parse_u32_range("", 0, 65535, &lo, &hi), -EINVAL);
	assert_int_equal(parse_u32_range(NULL, 0, 65535, &lo, &hi), -EINVAL);
	/* still 5-5 from the last success */
	assert_int_equal(lo, 5);
	assert_int_equal(hi, 5);
}

static void test_list(void **state)
{
	uint32_t out[8];
	size_t n = 99;

	(void)state;
	assert_int_equal(parse_u32_list("0,2,4-7", 255, out, 8, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 4);
	assert_int_equal(out[5], 7);
	assert_int_equal(parse_u32_list("3", 255, out, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 3);
	/* order kept, duplicates are the caller's business */
	assert_int_equal(parse_u32_list("5,1,5", 255, out, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 5);
	assert_int_equal(out[1], 1);
	/* exactly max_items fits, one more is E2BIG */
	assert_int_equal(parse_u32_list("0-7", 255, out, 8, &n), 0);
	assert_int_equal(n, 8);
	n = 99;
	assert_int_equal(parse_u32_list("0-8", 255, out, 8, &n), -E2BIG);
	assert_int_equal(parse_u32_list("0-4294967295", UINT32_MAX, out, 8, &n),
			 -E2BIG);
	assert_int_equal(n, 99);
	assert_int_equal(parse_u32_list("256", 255, out, 8, &n), -ERANGE);
	assert_int_equal(parse_u32_list("7-3", 255, out, 8, &n), -ERANGE);
	static const char *const bad[] = { "",	   ",", "1,",  ",1",
					   "1,,2", "a", "1;2", "1, 2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_u32_list(bad[i], 255, out, 8, &n) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(parse_u32_list(NULL, 255, out, 8, &n), -EINVAL);
	assert_int_equal(n, 99);
}

static void test_host_port(void **state)
{
	char host[64];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(
		parse_host_port("127.0.0.1:9100", host, sizeof(host), &port),
		0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9100);
	assert_int_equal(parse_host_port(":9100", host, sizeof(host), &port),
			 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(
		parse_host_port("[::1]:65535", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 65535);
	assert_int_equal(
		parse_host_port("0.0.0.0:1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 1);
	assert_int_equal(parse_host_port("9100", host, sizeof(host), &port),
			 -EINVAL);
	assert_int_equal(parse_host_port("host:", host, sizeof(host), &port),
			 -EINVAL);
	assert_int_equal(parse_host_port("host:0", host, sizeof(host), &port),
			 -ERANGE);
	assert_int_equal(
		parse_host_port("host:65536", host, sizeof(host), &port),
		-ERANGE);
	assert_int_equal(
		parse_host_port("host:http", host, sizeof(host), &port),
		-EINVAL);
	assert_int_equal(parse_host_port("", host, sizeof(host), &port),
			 -EINVAL);
	assert_int_equal(parse_host_port(NULL, host, sizeof(host), &port),
			 -EINVAL);
	/* host must fit host_len with its NUL */
	assert_int_equal(parse_host_port("abcdefgh:1", host, 8, &port),
			 -ERANGE);
	assert_int_equal(parse_host_port("abcdefg:1", host, 8, &port), 0);
	assert_string_equal(host, "abcdefg");
}

static void test_log_levels(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("error"), LOG_ERR);
	assert_int_equal(log_level_parse("warn"), LOG_WARNING);
	assert_int_equal(log_level_parse("warning"), LOG_WARNING);
	assert_int_equal(log_level_parse("info"), LOG_INFO);
	assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
	assert_int_equal(log_level_parse("loud"), -EINVAL);
	assert_int_equal(log_level_parse(""), -EINVAL);
	assert_int_equal(log_level_parse(NULL), -EINVAL);
}

/* A reopen that fails falls back to stderr instead of writing to a closed
 * FILE (ASan catches the use after free this guards against). */
static void test_log_reopen(void **state)
{
	char dir[] = "/tmp/test_parse_XXXXXX", path[64], rotated[64];
	char line[256];
	struct log_opts o = { .prog = "t", .level = LOG_INFO };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(rotated, sizeof(rotated), "%s/log.1", dir);
	o.path = path;
	assert_int_equal(log_init(&o), 0);
	pr_info("first %d", 1);
	pr_debug("hidden");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "t: info: first 1\n"));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	/* rotate: the file moves away, reopen creates a new one */
	assert_int_equal(rename(path, rotated), 0);
	assert_int_equal(log_reopen(), 0);
	pr_warn("second");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "t: warn: second\n"));
	fclose(f);
	/* the directory disappears: reopen fails, logging goes on */
	unlink(path);
	unlink(rotated);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(log_reopen(), -ENOENT);
	pr_info("to stderr after a failed reopen");
	log_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_host_port),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_log_reopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
