// SPDX-License-Identifier: GPL-2.0
/* The AF_XDP device-plugin protocol's messages: parse, format. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/uds_proto.h"
#include "util/parse.h"

#define MAX_ARGS 2

static const struct {
	const char *name;
	enum uds_cmd cmd;
	unsigned int nargs;
} cmds[] = {
	{ "/connect", UDS_CMD_CONNECT, 1 },
	{ "/version", UDS_CMD_VERSION, 0 },
	{ "/xsk_map_fd", UDS_CMD_XSK_MAP_FD, 1 },
	{ "/config_busy_poll", UDS_CMD_BUSY_POLL, 2 },
	{ "/fin", UDS_CMD_FIN, 0 },
};

static const char *const replies[UDS_REPLY_COUNT] = {
	[UDS_REPLY_HOST_OK] = "/host_ok",
	[UDS_REPLY_HOST_NAK] = "/host_nak",
	[UDS_REPLY_VERSION] = UDS_PROTO_VERSION,
	[UDS_REPLY_FD_ACK] = "/fd_ack",
	[UDS_REPLY_FD_NAK] = "/fd_nak",
	[UDS_REPLY_BUSY_POLL_ACK] = "/config_busy_poll_ack",
	[UDS_REPLY_BUSY_POLL_NAK] = "/config_busy_poll_nak",
	[UDS_REPLY_FIN_ACK] = "/fin_ack",
	[UDS_REPLY_NAK] = "/nak",
};

bool uds_proto_ifname_valid(const char *s)
{
	size_t n = strnlen(s, IF_NAMESIZE);

	if (!n || n >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '/' || *s == ':' ||
		    *s == ',')
			return false;
	return true;
}

/* A hostname as gethostname() may return it: printable, no separator. */
static bool name_valid(const char *s)
{
	size_t n = strnlen(s, UDS_NAME_MAX + 1);

	if (!n || n > UDS_NAME_MAX)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ',')
			return false;
	return true;
}

static bool busy_valid(uint32_t timeout, uint32_t budget)
{
	return timeout <= UDS_BUSY_TIMEOUT_MAX && budget <= UDS_BUSY_BUDGET_MAX;
}

/*
 * The text of a datagram: its bytes up to the first NUL, the rest all NUL
 * (C clients may send the terminator). Sets *n; 0 or -errno.
 */
static int msg_text(const char *msg, size_t len, size_t max, size_t *n)
{
	size_t i, end;

	if (!msg && len)
		return -EINVAL;
	if (len > max)
		return -EMSGSIZE;
	end = len ? strnlen(msg, len) : 0;
	for (i = end; i < len; i++)
		if (msg[i])
			return -EBADMSG;
	if (!end)
		return -ENOMSG;
	*n = end;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		*--e = '\0';
	return s;
}

static int parse_args(struct uds_request *req, char **args)
{
	switch (req->cmd) {
	case UDS_CMD_CONNECT:
		if (!name_valid(args[0]))
			return -EINVAL;
		strcpy(req->name, args[0]);
		return 0;
	case UDS_CMD_XSK_MAP_FD:
		if (!uds_proto_ifname_valid(args[0]))
			return -EINVAL;
		strcpy(req->ifname, args[0]);
		return 0;
	case UDS_CMD_BUSY_POLL: {
		uint32_t t, b;
		int err;

		err = parse_u32(args[0], 0, UDS_BUSY_TIMEOUT_MAX, &t);
		if (!err)
			err = parse_u32(args[1], 0, UDS_BUSY_BUDGET_MAX, &b);
		if (err)
			return err;
		req->busy_timeout = t;
		req->busy_budget = b;
		return 0;
	}
	default:
		return 0;
	}
}

int uds_proto_parse(const void *msg, size_t len, struct uds_request *req)
{
	char buf[UDS_MSG_MAX + 1], *args[MAX_ARGS], *p, *comma;
	unsigned int nargs = 0;
	size_t n, i;
	int err;

	if (!req)
		return -EINVAL;
	memset(req, 0, sizeof(*req));
	err = msg_text(msg, len, UDS_MSG_MAX, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		char c = ((const char *)msg)[i];

		if (c < ' ' || c > '~')
			return -EBADMSG;
	}
	memcpy(buf, msg, n);
	buf[n] = '\0';

	comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(buf, cmds[i].name))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return -EOPNOTSUPP;
	req->cmd = cmds[i].cmd;

	for (p = comma; p; p = comma) {
		if (nargs == MAX_ARGS)
			return -EINVAL;
		comma = strchr(p + 1, ',');
		if (comma)
			*comma = '\0';
		args[nargs++] = trim(p + 1);
	}
	if (nargs != cmds[i].nargs)
		return -EINVAL;
	return parse_args(req, args);
}

int uds_proto_format_request(const struct uds_request *req, char *buf,
			     size_t size, size_t *len)
{
	int n;

	if (!req || !buf)
		return -EINVAL;
	switch (req->cmd) {
	case UDS_CMD_CONNECT:
		if (!name_valid(req->name))
			return -EINVAL;
		n = snprintf(buf, size, "/connect,%s", req->name);
		break;
	case UDS_CMD_VERSION:
		n = snprintf(buf, size, "/version");
		break;
	case UDS_CMD_XSK_MAP_FD:
		if (!uds_proto_ifname_valid(req->ifname))
			return -EINVAL;
		n = snprintf(buf, size, "/xsk_map_fd,%s", req->ifname);
		break;
	case UDS_CMD_BUSY_POLL:
		if (!busy_valid(req->busy_timeout, req->busy_budget))
			return -EINVAL;
		n = snprintf(buf, size, "/config_busy_poll,%u,%u",
			     req->busy_timeout, req->busy_budget);
		break;
	case UDS_CMD_FIN:
		n = snprintf(buf, size, "/fin");
		break;
	default:
		return -EINVAL;
	}
	/* A name that fits UDS_NAME_MAX can still overflow the message. */
	if (n > UDS_MSG_MAX)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOSPC;
	if (len)
		*len = (size_t)n;
	return 0;
}

const char *uds_proto_reply_str(enum uds_reply r)
{
	if ((unsigned int)r >= UDS_REPLY_COUNT)
		return NULL;
	return replies[r];
}

int uds_proto_format_reply(enum uds_reply r, char *buf, size_t size,
			   size_t *len)
{
	const char *s = uds_proto_reply_str(r);
	size_t n;

	if (!s || !buf)
		return -EINVAL;
	n = strlen(s);
	if (n >= size)
		return -ENOSPC;
	memcpy(buf, s, n + 1);
	if (len)
		*len = n;
	return 0;
}

int uds_proto_parse_reply(const void *msg, size_t len, enum uds_reply *r)
{
	size_t n;
	int err, i;

	if (!r)
		return -EINVAL;
	err = msg_text(msg, len, UDS_REPLY_MAX, &n);
	if (err)
		return err;
	for (i = 0; i < UDS_REPLY_COUNT; i++) {
		if (strlen(replies[i]) == n && !memcmp(replies[i], msg, n)) {
			*r = (enum uds_reply)i;
			return 0;
		}
	}
	return -EOPNOTSUPP;
}
