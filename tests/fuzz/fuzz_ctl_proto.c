// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the control protocol (guest/ctl_proto.c). The input
 * is one received datagram, read as a request (the agent's side) and as a
 * reply (the client's side, which does not trust the server). A request
 * that parses is formatted back and must re-parse to the same request;
 * a refused one has one of the documented errors and a message; a reply
 * that parses is formatted back (OK with its body, or ERR with its name's
 * errno when glibc knows it) and must re-parse to the same reply. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void request(const uint8_t *data, size_t size)
{
	char text[CTL_REQ_MAX + 1], err[CTL_MSG_MAX + 1];
	struct ctl_request a, b;
	int ret, n;

	ret = ctl_proto_parse_request(data, size, &a, err, sizeof(err));
	if (!ret) {
		if (a.cmd >= CTL_CMD_COUNT || a.version != CTL_PROTO_VERSION ||
		    (a.args[0] != '\0') != (a.cmd == CTL_CMD_HANDOVER) ||
		    size > CTL_REQ_MAX)
			abort();
		n = ctl_proto_format_request(a.version, a.cmd,
					     a.args[0] ? a.args : NULL, text,
					     sizeof(text));
		if (n < 0 || (size_t)n > size || strlen(text) != (size_t)n)
			abort();
		if (ctl_proto_parse_request(text, (size_t)n, &b, NULL, 0) ||
		    memcmp(&a, &b, sizeof(a)))
			abort();
		return;
	}
	if (!err[0] || strlen(err) >= sizeof(err))
		abort();
	switch (ret) {
	case -EPROTO:
		if (a.version == CTL_PROTO_VERSION || a.cmd != CTL_CMD_COUNT ||
		    !strstr(err, "(this agent speaks 1)"))
			abort();
		break;
	case -EINVAL: /* a command with something after it ("" too) */
		if (a.cmd >= CTL_CMD_COUNT)
			abort();
		break;
	case -EMSGSIZE:
	case -ENOMSG:
	case -EBADMSG:
	case -EOPNOTSUPP:
		if (a.cmd != CTL_CMD_COUNT)
			abort();
		break;
	default:
		abort();
	}
}

static int errno_of(const char *name)
{
	for (int e = 1; e < 200; e++)
		if (!strcmp(ctl_errname(e), name) && strcmp(name, "EIO"))
			return e;
	return 0;
}

static void reply(const uint8_t *data, size_t size)
{
	static char out[CTL_REPLY_MAX + CTL_MSG_MAX + 64];
	struct ctl_reply a, b;
	char body[4097];
	int n, e;

	if (ctl_proto_parse_reply(data, size, &a))
		return;
	if (a.body && (a.body < (const char *)data ||
		       a.body + a.body_len != (const char *)data + size))
		abort();
	if (a.ok) {
		if (a.errname[0] || a.message[0] || a.speaks)
			abort();
		/* bodies of fuzz size only (-max_len) */
		if (!a.body || !a.body_len || a.body_len >= sizeof(body))
			return;
		memcpy(body, a.body, a.body_len);
		body[a.body_len] = '\0';
		n = ctl_proto_format_reply(0, body, out, sizeof(out));
		if (n < 0 || ctl_proto_parse_reply(out, (size_t)n, &b) ||
		    !b.ok || b.body_len != a.body_len ||
		    memcmp(b.body, a.body, a.body_len))
			abort();
		return;
	}
	if (a.errname[0] != 'E' || !a.message[0] ||
	    (a.speaks && strcmp(a.errname, "EPROTO")))
		abort();
	e = errno_of(a.errname);
	if (!e || a.body)
		return;
	n = ctl_proto_format_reply(-e, a.message, out, sizeof(out));
	if (n < 0 || ctl_proto_parse_reply(out, (size_t)n, &b) || b.ok ||
	    strcmp(a.errname, b.errname) || strcmp(a.message, b.message) ||
	    a.speaks != b.speaks)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	request(data, size);
	reply(data, size);
	return 0;
}
