// SPDX-License-Identifier: GPL-2.0
/* guest/ctl_proto.c: the control protocol's requests and replies, every
 * command, other versions, oversized input, junk and NULs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest/ctl_proto.h"

static char err[CTL_MSG_MAX + 1];

static int parse(const char *s, struct ctl_request *req)
{
	err[0] = '\0';
	return ctl_proto_parse_request(s, strlen(s), req, err, sizeof(err));
}

static void test_commands(void **state)
{
	static const struct {
		const char *text;
		enum ctl_cmd cmd;
	} ok[] = {
		{ "AFXDP-CTL 1 status", CTL_CMD_STATUS },
		{ "AFXDP-CTL 1 reload", CTL_CMD_RELOAD },
		{ "AFXDP-CTL 1 version", CTL_CMD_VERSION },
		{ "AFXDP-CTL 1 upgrade", CTL_CMD_UPGRADE },
		/* socat and echo add a newline: one is allowed */
		{ "AFXDP-CTL 1 status\n", CTL_CMD_STATUS },
	};
	struct ctl_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(ok[i].text, &req), 0);
		assert_int_equal(req.cmd, ok[i].cmd);
		assert_int_equal(req.version, 1);
		assert_string_equal(req.args, "");
	}
	assert_string_equal(ctl_cmd_name(CTL_CMD_STATUS), "status");
	assert_string_equal(ctl_cmd_name(CTL_CMD_RELOAD), "reload");
	assert_string_equal(ctl_cmd_name(CTL_CMD_VERSION), "version");
	assert_string_equal(ctl_cmd_name(CTL_CMD_UPGRADE), "upgrade");
	assert_null(ctl_cmd_name(CTL_CMD_COUNT));
	assert_null(ctl_cmd_name((enum ctl_cmd) - 1));
	assert_int_equal(ctl_cmd_from_name("reload"), CTL_CMD_RELOAD);
	assert_int_equal(ctl_cmd_from_name("Reload"), CTL_CMD_COUNT);
	assert_int_equal(ctl_cmd_from_name(""), CTL_CMD_COUNT);
}

/* Any version but 1 is refused before the command is looked at, with the
 * version the agent speaks where a client can find it. */
static void test_versions(void **state)
{
	static const char *const other[] = {
		"AFXDP-CTL 2 status",	    "AFXDP-CTL 0 status",
		"AFXDP-CTL 2 handover",	    "AFXDP-CTL 999999999 version",
		"AFXDP-CTL 2 status extra", "AFXDP-CTL 2",
	};
	struct ctl_request req;
	char buf[512];
	struct ctl_reply rep;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		assert_int_equal(parse(other[i], &req), -EPROTO);
		assert_int_equal(req.cmd, CTL_CMD_COUNT);
		assert_non_null(strstr(err, "(this agent speaks 1)"));
	}
	assert_int_equal(parse("AFXDP-CTL 2 status", &req), -EPROTO);
	assert_int_equal(req.version, 2);
	assert_string_equal(
		err, "protocol version 2 not supported (this agent speaks 1)");
	/* The reply a v1 agent sends, as a client of v2 reads it. */
	n = ctl_proto_format_reply(-EPROTO, err, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(ctl_proto_parse_reply(buf, (size_t)n, &rep), 0);
	assert_false(rep.ok);
	assert_string_equal(rep.errname, "EPROTO");
	assert_int_equal(rep.speaks, 1);
	/* Not numbers: a syntax error, not another version. */
	static const char *const bad[] = {
		"AFXDP-CTL x status",	       "AFXDP-CTL 01 status",
		"AFXDP-CTL -1 status",	       "AFXDP-CTL +1 status",
		"AFXDP-CTL 1234567890 status", "AFXDP-CTL  1 status",
		"AFXDP-CTL 1.0 status",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &req), -EBADMSG);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text;
		int ret;
	} cases[] = {
		{ "", -ENOMSG },
		{ "\n", -ENOMSG },
		{ "AFXDP-CTL", -EBADMSG },
		{ "AFXDP-CTL ", -EBADMSG },
		{ "AFXDP-CTL 1", -EBADMSG },
		{ "afxdp-ctl 1 status", -EBADMSG },
		{ "AFXDP-CTLX 1 status", -EBADMSG },
		{ "/connect,host", -EBADMSG },
		{ "GET / HTTP/1.0", -EBADMSG },
		{ "AFXDP-CTL 1 ", -EOPNOTSUPP },
		{ "AFXDP-CTL 1 stop", -EOPNOTSUPP },
		{ "AFXDP-CTL 1 STATUS", -EOPNOTSUPP },
		{ "AFXDP-CTL 1 handover", -EINVAL },
		{ "AFXDP-CTL 1 averyveryverylongcommandname", -EOPNOTSUPP },
		{ "AFXDP-CTL 1 status now", -EINVAL },
		{ "AFXDP-CTL 1 reload ", -EINVAL },
		{ "AFXDP-CTL 1 status\n\n", -EBADMSG },
		{ "AFXDP-CTL 1 status\r\n", -EBADMSG },
		{ "AFXDP-CTL 1\tstatus", -EBADMSG },
		{ "AFXDP-CTL 1 st\x7f"
		  "atus",
		  -EBADMSG },
		{ "AFXDP-CTL 1 st\xc3\xa4tus", -EBADMSG },
	};
	struct ctl_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse(cases[i].text, &req);

		if (ret != cases[i].ret)
			fail_msg("'%s': %d, expected %d", cases[i].text, ret,
				 cases[i].ret);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(parse("AFXDP-CTL 1 status now", &req), -EINVAL);
	assert_int_equal(req.cmd, CTL_CMD_STATUS);
	assert_string_equal(req.args, "now");
	assert_string_equal(err, "status takes no argument");
	assert_int_equal(parse("AFXDP-CTL 1 stop", &req), -EOPNOTSUPP);
	assert_string_equal(err,
			    "unknown command 'stop' (status, reload, version, handover)");
	/* handover takes its step, and must have one */
	assert_int_equal(parse("AFXDP-CTL 1 handover prepare 1", &req), 0);
	assert_int_equal(req.cmd, CTL_CMD_HANDOVER);
	assert_string_equal(req.args, "prepare 1");
	assert_int_equal(parse("AFXDP-CTL 1 handover", &req), -EINVAL);
	assert_string_equal(err,
			    "handover needs a step (prepare, commit, abort)");
	/* NULL err is allowed */
	assert_int_equal(ctl_proto_parse_request("x", 1, &req, NULL, 0),
			 -EBADMSG);
}

static void test_nuls(void **state)
{
	static const char a[] = "AFXDP-CTL 1 status\0";
	static const char b[] = "AFXDP-CTL 1 st\0atus";
	static const char c[] = "\0AFXDP-CTL 1 status";
	struct ctl_request req;

	(void)state;
	assert_int_equal(ctl_proto_parse_request(a, sizeof(a) - 1, &req, err,
						 sizeof(err)),
			 -EBADMSG);
	assert_string_equal(
		err,
		"byte 0x00 at offset 18: a request is one line of printable ASCII");
	assert_int_equal(ctl_proto_parse_request(b, sizeof(b) - 1, &req, err,
						 sizeof(err)),
			 -EBADMSG);
	assert_int_equal(ctl_proto_parse_request(c, sizeof(c) - 1, &req, err,
						 sizeof(err)),
			 -EBADMSG);
	assert_int_equal(ctl_proto_parse_request(a, 1, &req, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(ctl_proto_parse_request(a, 0, &req, err, sizeof(err)),
			 -ENOMSG);
}

static void test_oversized(void **state)
{
	char big[CTL_REQ_MAX + 2];
	struct ctl_request req;

	(void)state;
	/* exactly CTL_REQ_MAX: parsed (and refused for its argument) */
	memset(big, 'a', sizeof(big));
	memcpy(big, "AFXDP-CTL 1 status ", 19);
	assert_int_equal(ctl_proto_parse_request(big, CTL_REQ_MAX, &req, err,
						 sizeof(err)),
			 -EINVAL);
	assert_int_equal(strlen(req.args), CTL_REQ_MAX - 19);
	assert_int_equal(ctl_proto_parse_request(big, CTL_REQ_MAX + 1, &req,
						 err, sizeof(err)),
			 -EMSGSIZE);
	assert_string_equal(err, "request longer than 256 bytes");
	/* a message cut to fit err is still a message */
	char small[8];

	assert_int_equal(ctl_proto_parse_request("AFXDP-CTL 7 x", 13, &req,
						 small, sizeof(small)),
			 -EPROTO);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_format_request(void **state)
{
	char buf[CTL_REQ_MAX + 1];
	struct ctl_request req;
	int n;

	(void)state;
	for (int c = 0; c < CTL_CMD_COUNT; c++) {
		n = ctl_proto_format_request(CTL_PROTO_VERSION, (enum ctl_cmd)c,
					     c == CTL_CMD_HANDOVER ? "abort" :
								     NULL,
					     buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(buf));
		assert_int_equal(ctl_proto_parse_request(buf, (size_t)n, &req,
							 err, sizeof(err)),
				 0);
		assert_int_equal(req.cmd, c);
	}
	assert_int_equal(ctl_proto_format_request(1, CTL_CMD_STATUS, NULL, buf,
						  sizeof(buf)),
			 18);
	assert_string_equal(buf, "AFXDP-CTL 1 status");
	assert_int_equal(ctl_proto_format_request(2, CTL_CMD_RELOAD, "x y", buf,
						  sizeof(buf)),
			 22);
	assert_string_equal(buf, "AFXDP-CTL 2 reload x y");
	assert_int_equal(ctl_proto_format_request(1, CTL_CMD_COUNT, NULL, buf,
						  sizeof(buf)),
			 -EINVAL);
	assert_int_equal(ctl_proto_format_request(1, CTL_CMD_STATUS, "a\nb",
						  buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(
		ctl_proto_format_request(1, CTL_CMD_STATUS, NULL, buf, 18),
		-ENOSPC);
	memset(buf, 'a', CTL_REQ_MAX);
	buf[CTL_REQ_MAX - 10] = '\0';
	{
		char out[2 * CTL_REQ_MAX];

		assert_int_equal(ctl_proto_format_request(1, CTL_CMD_STATUS,
							  buf, out,
							  sizeof(out)),
				 -ENOSPC);
	}
}

static void test_replies(void **state)
{
	char buf[512];
	struct ctl_reply rep;
	int n;

	(void)state;
	n = ctl_proto_format_reply(0, NULL, buf, sizeof(buf));
	assert_int_equal(n, 2);
	assert_string_equal(buf, "OK");
	assert_int_equal(ctl_proto_parse_reply(buf, 2, &rep), 0);
	assert_true(rep.ok);
	assert_null(rep.body);
	n = ctl_proto_format_reply(0, "{\"a\":1}", buf, sizeof(buf));
	assert_string_equal(buf, "OK\n{\"a\":1}");
	assert_int_equal(ctl_proto_parse_reply(buf, (size_t)n, &rep), 0);
	assert_true(rep.ok);
	assert_int_equal(rep.body_len, 7);
	assert_memory_equal(rep.body, "{\"a\":1}", 7);
	/* the error's message is one line; newlines become spaces */
	n = ctl_proto_format_reply(-EINVAL, "f:3: bad\nkeeping", buf,
				   sizeof(buf));
	assert_string_equal(buf, "ERR EINVAL f:3: bad keeping");
	assert_int_equal(ctl_proto_parse_reply(buf, (size_t)n, &rep), 0);
	assert_false(rep.ok);
	assert_string_equal(rep.errname, "EINVAL");
	assert_string_equal(rep.message, "f:3: bad keeping");
	assert_int_equal(rep.speaks, 0);
	assert_null(rep.body);
	ctl_proto_format_reply(EACCES, "", buf, sizeof(buf));
	assert_string_equal(buf, "ERR EACCES -");
	ctl_proto_format_reply(-EOPNOTSUPP, "x", buf, sizeof(buf));
	assert_string_equal(buf, "ERR EOPNOTSUPP x");
	ctl_proto_format_reply(-4095, "x", buf, sizeof(buf));
	assert_string_equal(buf, "ERR EIO x");
	assert_int_equal(ctl_proto_format_reply(0, "abc", buf, 6), -ENOSPC);
	assert_int_equal(ctl_proto_format_reply(0, "abc", buf, 7), 6);
	assert_int_equal(ctl_proto_format_reply(-EIO, "abc", buf, 8), -ENOSPC);
	/* a long message is cut to CTL_MSG_MAX */
	{
		char msg[600], out[700];

		memset(msg, 'm', sizeof(msg) - 1);
		msg[sizeof(msg) - 1] = '\0';
		n = ctl_proto_format_reply(-EIO, msg, out, sizeof(out));
		assert_int_equal(n, 8 + CTL_MSG_MAX);
		assert_int_equal(ctl_proto_parse_reply(out, (size_t)n, &rep),
				 0);
		assert_int_equal(strlen(rep.message), CTL_MSG_MAX);
	}
}

static void test_parse_reply_errors(void **state)
{
	static const char *const bad[] = {
		"ok",
		"OK ",
		"OKAY",
		"ERR",
		"ERR ",
		"ERR EIO",
		"ERR EIO ",
		"ERR eio x",
		"ERR IO x",
		"ERR E x",
		"ERR E-1 x",
		"ERR  EIO x",
		"ERR EIO x\ty",
		"HTTP/1.0 200 OK",
		"ERR EAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA x",
	};
	static const char nul[] = "OK\n{\0}";
	struct ctl_reply rep;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ctl_proto_parse_reply(bad[i], strlen(bad[i]), &rep) !=
		    -EBADMSG)
			fail_msg("'%s' parsed", bad[i]);
	assert_int_equal(ctl_proto_parse_reply(nul, sizeof(nul) - 1, &rep),
			 -EBADMSG);
	assert_int_equal(ctl_proto_parse_reply("", 0, &rep), -ENOMSG);
	assert_int_equal(ctl_proto_parse_reply("OK", CTL_REPLY_MAX + 1, &rep),
			 -EMSGSIZE);
	/* what a client finds in other servers' EPROTO */
	assert_int_equal(
		ctl_proto_parse_reply(
			"ERR EPROTO v1 not spoken (this agent speaks 2)", 46,
			&rep),
		0);
	assert_int_equal(rep.speaks, 2);
	assert_int_equal(
		ctl_proto_parse_reply("ERR EPROTO x (this agent speaks 2) ", 35,
				      &rep),
		0);
	assert_int_equal(rep.speaks, 0);
	assert_int_equal(
		ctl_proto_parse_reply("ERR EPROTO x (this agent speaks 02)", 35,
				      &rep),
		0);
	assert_int_equal(rep.speaks, 0);
	assert_int_equal(
		ctl_proto_parse_reply("ERR EINVAL x (this agent speaks 2)", 34,
				      &rep),
		0);
	assert_int_equal(rep.speaks, 0);
}

static void test_errnames(void **state)
{
	(void)state;
	assert_string_equal(ctl_errname(-EPROTO), "EPROTO");
	assert_string_equal(ctl_errname(EPROTO), "EPROTO");
	assert_string_equal(ctl_errname(-EACCES), "EACCES");
	assert_string_equal(ctl_errname(-EMSGSIZE), "EMSGSIZE");
	assert_string_equal(ctl_errname(0), "EIO");
	assert_string_equal(ctl_errname(-100000), "EIO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_nuls),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_format_request),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_parse_reply_errors),
		cmocka_unit_test(test_errnames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
