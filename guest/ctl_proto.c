// SPDX-License-Identifier: GPL-2.0
/* The control protocol's text (ctl_proto.h): parse and format, no I/O. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/ctl_proto.h"
#include "util/errmsg.h"

static const char *const cmd_names[CTL_CMD_COUNT] = {
	[CTL_CMD_STATUS] = "status",
	[CTL_CMD_RELOAD] = "reload",
	[CTL_CMD_VERSION] = "version",
	[CTL_CMD_HANDOVER] = "handover",
	[CTL_CMD_UPGRADE] = "upgrade",
};

/* The suffix of EPROTO's message that tells a client our version. */
#define SPEAKS "(this agent speaks "

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	return (unsigned int)cmd < CTL_CMD_COUNT ? cmd_names[cmd] : NULL;
}

enum ctl_cmd ctl_cmd_from_name(const char *s)
{
	for (int i = 0; i < CTL_CMD_COUNT; i++)
		if (!strcmp(s, cmd_names[i]))
			return (enum ctl_cmd)i;
	return CTL_CMD_COUNT;
}

/* A name the reply syntax takes: E[A-Z0-9]+ (glibc names 0 "0"). */
const char *ctl_errname(int err)
{
	const char *s = strerrorname_np(err < 0 ? -err : err);
	size_t n = s ? strlen(s) : 0;

	if (n < 2 || n > CTL_ERRNAME_MAX || s[0] != 'E')
		return "EIO";
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return "EIO";
	return s;
}

static bool printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* A decimal number without sign or leading zero, at most 9 digits. */
static int parse_version(const char *s, size_t n, unsigned int *v)
{
	unsigned int x = 0;

	if (!n || n > 9 || (s[0] == '0' && n > 1))
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		x = x * 10 + (unsigned int)(s[i] - '0');
	}
	*v = x;
	return 0;
}

int ctl_proto_parse_request(const void *msg, size_t len,
			    struct ctl_request *req, char *err, size_t err_len)
{
	const size_t magic_len = strlen(CTL_PROTO_MAGIC);
	const char *s = msg, *p, *sp;
	char cmd[24];
	size_t n;

	memset(req, 0, sizeof(*req));
	req->cmd = CTL_CMD_COUNT;
	if (len > CTL_REQ_MAX)
		return errmsg(err, err_len, -EMSGSIZE,
			      "request longer than %d bytes", CTL_REQ_MAX);
	if (len && s[len - 1] == '\n')
		len--;
	if (!len)
		return errmsg(err, err_len, -ENOMSG, "empty request");
	for (size_t i = 0; i < len; i++)
		if (!printable(s[i]))
			return errmsg(
				err, err_len, -EBADMSG,
				"byte 0x%02x at offset %zu: a request is one line of printable ASCII",
				(unsigned char)s[i], i);
	if (len <= magic_len || memcmp(s, CTL_PROTO_MAGIC, magic_len) ||
	    s[magic_len] != ' ')
		return errmsg(
			err, err_len, -EBADMSG,
			"not a request: expected '%s <version> <command>'",
			CTL_PROTO_MAGIC);
	p = s + magic_len + 1;
	sp = memchr(p, ' ', len - (size_t)(p - s));
	n = sp ? (size_t)(sp - p) : len - (size_t)(p - s);
	if (parse_version(p, n, &req->version))
		return errmsg(err, err_len, -EBADMSG,
			      "bad version '%.*s': expected a number",
			      (int)(n < 16 ? n : 16), p);
	/* Before the command: its meaning may differ in another version. */
	if (req->version != CTL_PROTO_VERSION)
		return errmsg(err, err_len, -EPROTO,
			      "protocol version %u not supported " SPEAKS "%d)",
			      req->version, CTL_PROTO_VERSION);
	if (!sp)
		return errmsg(err, err_len, -EBADMSG, "no command");
	p = sp + 1;
	sp = memchr(p, ' ', len - (size_t)(p - s));
	n = sp ? (size_t)(sp - p) : len - (size_t)(p - s);
	if (!n || n >= sizeof(cmd))
		return errmsg(err, err_len, -EOPNOTSUPP,
			      "unknown command (status, reload, version, handover)");
	memcpy(cmd, p, n);
	cmd[n] = '\0';
	req->cmd = ctl_cmd_from_name(cmd);
	if (req->cmd == CTL_CMD_COUNT)
		return errmsg(err, err_len, -EOPNOTSUPP,
			      "unknown command '%s' (status, reload, version, handover)",
			      cmd);
	if (sp) {
		n = len - (size_t)(sp + 1 - s);
		memcpy(req->args, sp + 1, n);
		req->args[n] = '\0';
	}
	/* handover takes its step ("prepare N", "commit", "abort"), which
	 * guest/handover_give.c checks; no other command an argument. */
	if (req->cmd == CTL_CMD_HANDOVER && !req->args[0])
		return errmsg(err, err_len, -EINVAL,
			      "handover needs a step (prepare, commit, abort)");
	if (req->cmd != CTL_CMD_HANDOVER && sp)
		return errmsg(err, err_len, -EINVAL, "%s takes no argument",
			      cmd);
	return 0;
}

int ctl_proto_format_request(unsigned int version, enum ctl_cmd cmd,
			     const char *args, char *buf, size_t size)
{
	const char *name = ctl_cmd_name(cmd);
	int n;

	if (!name)
		return -EINVAL;
	for (const char *a = args; a && *a; a++)
		if (!printable(*a))
			return -EINVAL;
	n = snprintf(buf, size, "%s %u %s%s%s", CTL_PROTO_MAGIC, version, name,
		     args && *args ? " " : "", args ? args : "");
	if (n < 0 || (size_t)n >= size || n > CTL_REQ_MAX)
		return -ENOSPC;
	return n;
}

int ctl_proto_format_reply(int err, const char *text, char *buf, size_t size)
{
	size_t n = 0, tl;

	if (!err) {
		tl = text ? strlen(text) : 0;
		n = 2 + (tl ? 1 + tl : 0);
		if (n >= size || n > CTL_REPLY_MAX)
			return -ENOSPC;
		memcpy(buf, "OK", 2);
		if (tl) {
			buf[2] = '\n';
			memcpy(buf + 3, text, tl);
		}
		buf[n] = '\0';
		return (int)n;
	}
	n = (size_t)snprintf(buf, size, "ERR %s ", ctl_errname(err));
	if (n >= size)
		return -ENOSPC;
	/* The message is one line: newlines and control bytes become ' '. */
	for (tl = 0; text && text[tl] && tl < CTL_MSG_MAX; tl++) {
		if (n + 1 >= size)
			return -ENOSPC;
		buf[n++] = printable(text[tl]) ? text[tl] : ' ';
	}
	if (!tl) {
		if (n + 1 >= size)
			return -ENOSPC;
		buf[n++] = '-';
	}
	buf[n] = '\0';
	return (int)n;
}

/* "... (this agent speaks N)" at the end of an EPROTO message: N, or 0. */
static unsigned int speaks(const char *m)
{
	const char *p = strstr(m, SPEAKS);
	size_t n;
	unsigned int v;

	if (!p)
		return 0;
	p += strlen(SPEAKS);
	n = strspn(p, "0123456789");
	if (strcmp(p + n, ")") || parse_version(p, n, &v))
		return 0;
	return v;
}

int ctl_proto_parse_reply(const void *msg, size_t len, struct ctl_reply *rep)
{
	const char *s = msg, *nl, *sp;
	size_t line, n;

	memset(rep, 0, sizeof(*rep));
	if (len > CTL_REPLY_MAX)
		return -EMSGSIZE;
	if (!len)
		return -ENOMSG;
	if (memchr(s, '\0', len))
		return -EBADMSG;
	nl = memchr(s, '\n', len);
	line = nl ? (size_t)(nl - s) : len;
	for (size_t i = 0; i < line; i++)
		if (!printable(s[i]))
			return -EBADMSG;
	if (nl) {
		rep->body = nl + 1;
		rep->body_len = len - line - 1;
	}
	if (line == 2 && !memcmp(s, "OK", 2)) {
		rep->ok = true;
		return 0;
	}
	if (line < 4 || memcmp(s, "ERR ", 4))
		return -EBADMSG;
	sp = memchr(s + 4, ' ', line - 4);
	n = sp ? (size_t)(sp - s - 4) : 0;
	if (n < 2 || n > CTL_ERRNAME_MAX || s[4] != 'E')
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		char c = s[4 + i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return -EBADMSG;
	}
	memcpy(rep->errname, s + 4, n);
	n = line - (size_t)(sp + 1 - s);
	if (!n || n > CTL_MSG_MAX)
		return -EBADMSG;
	memcpy(rep->message, sp + 1, n);
	if (!strcmp(rep->errname, "EPROTO"))
		rep->speaks = speaks(rep->message);
	return 0;
}
