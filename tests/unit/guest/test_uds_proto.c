// SPDX-License-Identifier: GPL-2.0
/* guest/uds_proto.c: the device-plugin protocol's messages as DPDK 24.11
 * (drivers/net/af_xdp/rte_eth_af_xdp.c) and the AF_XDP device plugin send
 * and expect them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest/uds_proto.h"

/* Parses len bytes of text (text may hold NULs); returns the error. */
static int parse_n(const char *text, size_t len, struct uds_request *r)
{
	memset(r, 0xa5, sizeof(*r));
	return uds_proto_parse(text, len, r);
}

static int parse(const char *text, struct uds_request *r)
{
	return parse_n(text, strlen(text), r);
}

static void test_connect(void **state)
{
	struct uds_request r;

	(void)state;
	/* What DPDK sends: "/connect,<gethostname()>", no NUL. */
	assert_int_equal(parse("/connect,vm-guest-1", &r), 0);
	assert_int_equal(r.cmd, UDS_CMD_CONNECT);
	assert_string_equal(r.name, "vm-guest-1");
	assert_string_equal(r.ifname, "");
	/* The plugin's Go client puts a space after the comma. */
	assert_int_equal(parse("/connect, pod-7", &r), 0);
	assert_string_equal(r.name, "pod-7");
	assert_int_equal(parse("/connect,host.example_1 ", &r), 0);
	assert_string_equal(r.name, "host.example_1");
	/* The longest name a 64-byte message holds. */
	assert_int_equal(
		parse("/connect,"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		      &r),
		0);
	assert_int_equal(strlen(r.name), 55);
}

static void test_simple_commands(void **state)
{
	struct uds_request r;

	(void)state;
	assert_int_equal(parse("/version", &r), 0);
	assert_int_equal(r.cmd, UDS_CMD_VERSION);
	assert_int_equal(parse("/fin", &r), 0);
	assert_int_equal(r.cmd, UDS_CMD_FIN);
	assert_string_equal(r.name, "");
	assert_int_equal(r.busy_timeout, 0);
}

static void test_xsk_map_fd(void **state)
{
	struct uds_request r;

	(void)state;
	assert_int_equal(parse("/xsk_map_fd,eth0", &r), 0);
	assert_int_equal(r.cmd, UDS_CMD_XSK_MAP_FD);
	assert_string_equal(r.ifname, "eth0");
	assert_int_equal(parse("/xsk_map_fd, enp0s1f0.100", &r), 0);
	assert_string_equal(r.ifname, "enp0s1f0.100");
	assert_int_equal(parse("/xsk_map_fd,abcdefghijklmno", &r), 0);
	assert_string_equal(r.ifname, "abcdefghijklmno");
}

static void test_busy_poll(void **state)
{
	struct uds_request r;

	(void)state;
	/* The Go client's form: "/config_busy_poll, %d, %d". */
	assert_int_equal(parse("/config_busy_poll, 20, 64", &r), 0);
	assert_int_equal(r.cmd, UDS_CMD_BUSY_POLL);
	assert_int_equal(r.busy_timeout, 20);
	assert_int_equal(r.busy_budget, 64);
	assert_int_equal(parse("/config_busy_poll,0,0", &r), 0);
	assert_int_equal(r.busy_timeout, 0);
	assert_int_equal(r.busy_budget, 0);
	assert_int_equal(parse("/config_busy_poll,1000000,65535", &r), 0);
	assert_int_equal(r.busy_timeout, UDS_BUSY_TIMEOUT_MAX);
	assert_int_equal(r.busy_budget, UDS_BUSY_BUDGET_MAX);
}

static void test_busy_poll_bad(void **state)
{
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "/config_busy_poll,1000001,64", -ERANGE },
		{ "/config_busy_poll,20,65536", -ERANGE },
		{ "/config_busy_poll,99999999999999999999,1", -ERANGE },
		{ "/config_busy_poll,-1,64", -EINVAL },
		{ "/config_busy_poll,+1,64", -EINVAL },
		{ "/config_busy_poll,20,-64", -EINVAL },
		{ "/config_busy_poll,20", -EINVAL },
		{ "/config_busy_poll", -EINVAL },
		{ "/config_busy_poll,", -EINVAL },
		{ "/config_busy_poll,,", -EINVAL },
		{ "/config_busy_poll,20,", -EINVAL },
		{ "/config_busy_poll,,64", -EINVAL },
		{ "/config_busy_poll,20,64,1", -EINVAL },
		{ "/config_busy_poll,2 0,64", -EINVAL },
		{ "/config_busy_poll,20x,64", -EINVAL },
		{ "/config_busy_poll,abc,64", -EINVAL },
		{ "/config_busy_poll,1.5,64", -EINVAL },
	};
	struct uds_request r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].text, &r);

		if (err != bad[i].err)
			print_error("'%s': %d\n", bad[i].text, err);
		assert_int_equal(err, bad[i].err);
		/* The command is named even when its arguments are bad. */
		assert_int_equal(r.cmd, UDS_CMD_BUSY_POLL);
		assert_int_equal(r.busy_timeout, 0);
		assert_int_equal(r.busy_budget, 0);
	}
}

static void test_bad_arguments(void **state)
{
	static const struct {
		const char *text;
		enum uds_cmd cmd;
	} bad[] = {
		{ "/connect", UDS_CMD_CONNECT },
		{ "/connect,", UDS_CMD_CONNECT },
		{ "/connect,   ", UDS_CMD_CONNECT },
		{ "/connect,a,b", UDS_CMD_CONNECT },
		{ "/connect,a b", UDS_CMD_CONNECT },
		{ "/connect,,", UDS_CMD_CONNECT },
		{ "/version,", UDS_CMD_VERSION },
		{ "/version,1", UDS_CMD_VERSION },
		{ "/fin,", UDS_CMD_FIN },
		{ "/fin,now", UDS_CMD_FIN },
		{ "/xsk_map_fd", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,eth0,eth1", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,abcdefghijklmnop", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,.", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,..", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,../x", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,eth0:1", UDS_CMD_XSK_MAP_FD },
		{ "/xsk_map_fd,et h0", UDS_CMD_XSK_MAP_FD },
	};
	struct uds_request r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].text, &r);

		if (err != -EINVAL)
			print_error("'%s': %d\n", bad[i].text, err);
		assert_int_equal(err, -EINVAL);
		assert_int_equal(r.cmd, bad[i].cmd);
		assert_string_equal(r.name, "");
		assert_string_equal(r.ifname, "");
	}
}

static void test_unknown(void **state)
{
	static const char *const unknown[] = {
		"/xsk_socket,eth0", /* defined in DPDK, never sent */
		"/CONNECT,host",
		"connect,host",
		"/connect ,host",
		" /connect,host",
		"/fin ",
		"/finx",
		"/fin_ack",
		"/host_ok",
		"/nak",
		"/",
		",",
		",,,,",
		"hello",
		"/config_busy_poll_ack",
	};
	struct uds_request r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		int err = parse(unknown[i], &r);

		if (err != -EOPNOTSUPP)
			print_error("'%s': %d\n", unknown[i], err);
		assert_int_equal(err, -EOPNOTSUPP);
		assert_int_equal(r.cmd, UDS_CMD_UNKNOWN);
	}
}

static void test_framing(void **state)
{
	char big[UDS_MSG_MAX + 2];
	struct uds_request r;

	(void)state;
	/* A C client may send the terminating NUL, or a padded buffer. */
	assert_int_equal(parse_n("/fin", 5, &r), 0);
	assert_int_equal(r.cmd, UDS_CMD_FIN);
	assert_int_equal(parse_n("/xsk_map_fd,eth0\0\0\0", 19, &r), 0);
	assert_string_equal(r.ifname, "eth0");
	/* Text after a NUL is garbage, not a second message. */
	assert_int_equal(parse_n("/fin\0/fin", 9, &r), -EBADMSG);
	assert_int_equal(parse_n("/version\0x", 10, &r), -EBADMSG);
	/* Control and non-ASCII bytes. */
	assert_int_equal(parse("/fin\n", &r), -EBADMSG);
	assert_int_equal(parse("/connect,h\tost", &r), -EBADMSG);
	assert_int_equal(parse("/xsk_map_fd,eth\x80", &r), -EBADMSG);
	assert_int_equal(parse("\x7f", &r), -EBADMSG);
	/* Empty. */
	assert_int_equal(parse_n("", 0, &r), -ENOMSG);
	assert_int_equal(parse_n("\0\0", 2, &r), -ENOMSG);
	assert_int_equal(uds_proto_parse(NULL, 0, &r), -ENOMSG);
	assert_int_equal(uds_proto_parse(NULL, 4, &r), -EINVAL);
	assert_int_equal(uds_proto_parse("/fin", 4, NULL), -EINVAL);
	/* Exactly UDS_MSG_MAX bytes is a message, one more is too long,
	 * whatever the content. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "/connect,", 9);
	assert_int_equal(parse_n(big, UDS_MSG_MAX, &r), 0);
	assert_int_equal(strlen(r.name), UDS_MSG_MAX - 9);
	assert_int_equal(parse_n(big, UDS_MSG_MAX + 1, &r), -EMSGSIZE);
	assert_int_equal(r.cmd, UDS_CMD_UNKNOWN);
	memset(big, 0, sizeof(big));
	memcpy(big, "/fin", 4);
	assert_int_equal(parse_n(big, UDS_MSG_MAX, &r), 0);
	assert_int_equal(parse_n(big, UDS_MSG_MAX + 1, &r), -EMSGSIZE);
}

/* The requests exactly as DPDK 24.11's uds_get_xskmap_fd() formats them:
 * "%s,%s" of the command and the argument, no NUL. */
static void test_format_request(void **state)
{
	struct uds_request r = { .cmd = UDS_CMD_CONNECT };
	char buf[UDS_MSG_MAX + 1];
	size_t len = 0;

	(void)state;
	strcpy(r.name, "vm1");
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), &len),
			 0);
	assert_string_equal(buf, "/connect,vm1");
	assert_int_equal(len, 12);
	r = (struct uds_request){ .cmd = UDS_CMD_VERSION };
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 0);
	assert_string_equal(buf, "/version");
	r = (struct uds_request){ .cmd = UDS_CMD_XSK_MAP_FD };
	strcpy(r.ifname, "eth0");
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), &len),
			 0);
	assert_string_equal(buf, "/xsk_map_fd,eth0");
	assert_int_equal(len, 16);
	r = (struct uds_request){ .cmd = UDS_CMD_BUSY_POLL,
				  .busy_timeout = 20,
				  .busy_budget = 64 };
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 0);
	assert_string_equal(buf, "/config_busy_poll,20,64");
	r = (struct uds_request){ .cmd = UDS_CMD_FIN };
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), &len),
			 0);
	assert_string_equal(buf, "/fin");
	assert_int_equal(len, 4);
}

static void test_format_request_errors(void **state)
{
	struct uds_request r = { .cmd = UDS_CMD_XSK_MAP_FD };
	char buf[UDS_MSG_MAX + 1];

	(void)state;
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 -EINVAL); /* empty ifname */
	strcpy(r.ifname, "eth0");
	assert_int_equal(uds_proto_format_request(&r, buf, 16, NULL), -ENOSPC);
	assert_int_equal(uds_proto_format_request(&r, buf, 17, NULL), 0);
	assert_int_equal(uds_proto_format_request(&r, NULL, 17, NULL), -EINVAL);
	assert_int_equal(uds_proto_format_request(NULL, buf, 17, NULL),
			 -EINVAL);
	r = (struct uds_request){ .cmd = UDS_CMD_BUSY_POLL,
				  .busy_budget = UDS_BUSY_BUDGET_MAX + 1 };
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 -EINVAL);
	r = (struct uds_request){ .cmd = UDS_CMD_UNKNOWN };
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 -EINVAL);
	/* A valid hostname too long for one message. */
	r = (struct uds_request){ .cmd = UDS_CMD_CONNECT };
	memset(r.name, 'h', UDS_NAME_MAX);
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 -EINVAL);
	r.name[UDS_MSG_MAX - 9] = '\0';
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 0);
	r.name[0] = ',';
	assert_int_equal(uds_proto_format_request(&r, buf, sizeof(buf), NULL),
			 -EINVAL);
}

/* Every request formatted then parsed comes back unchanged. */
static void test_round_trip(void **state)
{
	static const char *const texts[] = {
		"/connect,node-3",	    "/version", "/xsk_map_fd,ens4",
		"/config_busy_poll,50,300", "/fin",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct uds_request a, b;
		char buf[UDS_MSG_MAX + 1];

		assert_int_equal(parse(texts[i], &a), 0);
		assert_int_equal(
			uds_proto_format_request(&a, buf, sizeof(buf), NULL),
			0);
		assert_string_equal(buf, texts[i]);
		assert_int_equal(parse(buf, &b), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

/* The replies byte for byte: DPDK compares the first strlen(expected)
 * bytes, the device plugin sends them without a NUL. */
static void test_replies(void **state)
{
	static const struct {
		enum uds_reply r;
		const char *text;
	} want[] = {
		{ UDS_REPLY_HOST_OK, "/host_ok" },
		{ UDS_REPLY_HOST_NAK, "/host_nak" },
		{ UDS_REPLY_VERSION, "0.1" },
		{ UDS_REPLY_FD_ACK, "/fd_ack" },
		{ UDS_REPLY_FD_NAK, "/fd_nak" },
		{ UDS_REPLY_BUSY_POLL_ACK, "/config_busy_poll_ack" },
		{ UDS_REPLY_BUSY_POLL_NAK, "/config_busy_poll_nak" },
		{ UDS_REPLY_FIN_ACK, "/fin_ack" },
		{ UDS_REPLY_NAK, "/nak" },
	};
	char buf[UDS_REPLY_MAX + 1];
	size_t i, len;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), UDS_REPLY_COUNT);
	for (i = 0; i < UDS_REPLY_COUNT; i++) {
		enum uds_reply back;
		size_t n = strlen(want[i].text);

		assert_string_equal(uds_proto_reply_str(want[i].r),
				    want[i].text);
		assert_true(n <= UDS_REPLY_MAX);
		assert_int_equal(uds_proto_format_reply(want[i].r, buf,
							sizeof(buf), &len),
				 0);
		assert_int_equal(len, n);
		assert_memory_equal(buf, want[i].text, n + 1);
		assert_int_equal(
			uds_proto_format_reply(want[i].r, buf, n, NULL),
			-ENOSPC);
		assert_int_equal(uds_proto_parse_reply(want[i].text, n, &back),
				 0);
		assert_int_equal(back, want[i].r);
		/* With the NUL a C server might add. */
		assert_int_equal(
			uds_proto_parse_reply(want[i].text, n + 1, &back), 0);
		assert_int_equal(back, want[i].r);
	}
	assert_null(uds_proto_reply_str(UDS_REPLY_COUNT));
	assert_null(uds_proto_reply_str((enum uds_reply) - 1));
	assert_int_equal(
		uds_proto_format_reply(UDS_REPLY_COUNT, buf, sizeof(buf), NULL),
		-EINVAL);
}

static void test_parse_reply_errors(void **state)
{
	char big[UDS_REPLY_MAX + 1];
	enum uds_reply r;

	(void)state;
	assert_int_equal(uds_proto_parse_reply("/fd_ack ", 8, &r), -EOPNOTSUPP);
	assert_int_equal(uds_proto_parse_reply("/fd_ac", 6, &r), -EOPNOTSUPP);
	assert_int_equal(uds_proto_parse_reply("0.2", 3, &r), -EOPNOTSUPP);
	assert_int_equal(uds_proto_parse_reply("/nak\0x", 6, &r), -EBADMSG);
	assert_int_equal(uds_proto_parse_reply("", 0, &r), -ENOMSG);
	assert_int_equal(uds_proto_parse_reply("/nak", 4, NULL), -EINVAL);
	memset(big, 0, sizeof(big));
	memcpy(big, "/nak", 4);
	assert_int_equal(uds_proto_parse_reply(big, UDS_REPLY_MAX, &r), 0);
	assert_int_equal(uds_proto_parse_reply(big, UDS_REPLY_MAX + 1, &r),
			 -EMSGSIZE);
}

static void test_ifname_valid(void **state)
{
	(void)state;
	assert_true(uds_proto_ifname_valid("lo"));
	assert_true(uds_proto_ifname_valid("veth-a_1.2"));
	assert_true(uds_proto_ifname_valid("..."));
	assert_false(uds_proto_ifname_valid(""));
	assert_false(uds_proto_ifname_valid("."));
	assert_false(uds_proto_ifname_valid(".."));
	assert_false(uds_proto_ifname_valid("a/b"));
	assert_false(uds_proto_ifname_valid("a:b"));
	assert_false(uds_proto_ifname_valid("a,b"));
	assert_false(uds_proto_ifname_valid("a b"));
	assert_false(uds_proto_ifname_valid("0123456789abcdef"));
	assert_true(uds_proto_ifname_valid("0123456789abcde"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_xsk_map_fd),
		cmocka_unit_test(test_busy_poll),
		cmocka_unit_test(test_busy_poll_bad),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_format_request),
		cmocka_unit_test(test_format_request_errors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_parse_reply_errors),
		cmocka_unit_test(test_ifname_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
