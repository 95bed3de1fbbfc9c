/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's control protocol (afxdp-agent(8), CONTROL): one request
 * datagram, one reply datagram, on a SOCK_SEQPACKET UNIX socket.
 * Parsing and formatting only, no I/O (a fuzz target); guest/ctl_server.c
 * serves it, guest/ctl_client.c speaks it.
 *
 *   request  = "AFXDP-CTL" SP version SP command [SP args] [LF]
 *   reply    = ( "OK" / "ERR" SP errname SP message ) [LF body]
 *
 * Text, because an operator can then speak it with socat, and one
 * datagram each way, because SOCK_SEQPACKET keeps the boundaries: no
 * framing to get wrong. The version comes before the command and is
 * checked first, so a later version may change what a command means: an
 * agent refuses any version but its own with EPROTO and a message ending
 * "(this agent speaks N)", from which a client of another version learns
 * N and says so. "handover" came after the first release of version 1:
 * an agent without it answers EOPNOTSUPP, which a new agent takes as "no
 * handover here" (guest/handover.h has its own version in its argument).
 */
#ifndef AGENT_CTL_PROTO_H
#define AGENT_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_PROTO_VERSION 1
#define CTL_PROTO_MAGIC "AFXDP-CTL"
/* Longest request: only handover takes an argument (its step). */
#define CTL_REQ_MAX 256
/* Longest error message, and the longest error name ("EADDRNOTAVAIL"). */
#define CTL_MSG_MAX 255
#define CTL_ERRNAME_MAX 31
/* Longest reply: a status of 8 ports x 64 queues is ~320 KiB of JSON. A
 * datagram is limited by the sender's SO_SNDBUF, which the server raises
 * for a large reply (guest/ctl_server.c). */
#define CTL_REPLY_MAX (1024 * 1024)

enum ctl_cmd {
	CTL_CMD_STATUS, /* body: the status JSON object */
	CTL_CMD_RELOAD, /* as SIGHUP; body: what changed, a line each */
	CTL_CMD_VERSION, /* body: {"version":..., "protocol":..., "pid":...} */
	CTL_CMD_HANDOVER, /* args: a step of guest/handover.h; fds passed */
	/* start the installed binary to take over (guest/upgrade.h); body:
	 * {"pid": the new agent, "from": this one, "exe": its path} */
	CTL_CMD_UPGRADE,
	CTL_CMD_COUNT,
};

struct ctl_request {
	unsigned int version;
	enum ctl_cmd cmd; /* CTL_CMD_COUNT until known */
	char args[CTL_REQ_MAX]; /* after the command's space; "" none */
};

/*
 * One received datagram of len bytes (not NUL-terminated) into req, which
 * is zeroed first. On error, err (may be NULL) gets a message for the
 * reply. -EMSGSIZE longer than CTL_REQ_MAX, -ENOMSG empty, -EBADMSG not
 * the request syntax (a byte outside printable ASCII but one final LF, a
 * NUL, another magic, a version that is not a plain number), -EPROTO a
 * version other than CTL_PROTO_VERSION (req->version says which),
 * -EOPNOTSUPP an unknown command, -EINVAL arguments to a command that
 * takes none, or none to handover.
 */
int ctl_proto_parse_request(const void *msg, size_t len,
			    struct ctl_request *req, char *err, size_t err_len);

/* "AFXDP-CTL <version> <command>[ <args>]" into buf (NUL-terminated), any
 * version (tests speak others). Its length, -EINVAL unknown cmd or args
 * that are not printable ASCII, -ENOSPC small buf or over CTL_REQ_MAX. */
int ctl_proto_format_request(unsigned int version, enum ctl_cmd cmd,
			     const char *args, char *buf, size_t size);

/*
 * A reply into buf (NUL-terminated): err 0 gives "OK" and text, if any, as
 * the body; err < 0 gives "ERR <name> <text>", the text made one line of
 * printable ASCII and cut to CTL_MSG_MAX. Its length, or -ENOSPC when buf
 * is smaller than the reply or CTL_REPLY_MAX is exceeded.
 */
int ctl_proto_format_reply(int err, const char *text, char *buf, size_t size);

struct ctl_reply {
	bool ok;
	char errname[CTL_ERRNAME_MAX + 1]; /* "EPROTO"; "" when ok */
	char message[CTL_MSG_MAX + 1];
	unsigned int speaks; /* EPROTO's "(this agent speaks N)"; else 0 */
	const char *body; /* into the message; NULL when there is none */
	size_t body_len;
};

/* A received reply (client side, from a server it does not trust).
 * -EMSGSIZE over CTL_REPLY_MAX, -ENOMSG empty, -EBADMSG anything but the
 * reply syntax (a NUL anywhere included). */
int ctl_proto_parse_reply(const void *msg, size_t len, struct ctl_reply *rep);

/* "status", "reload", "version", "handover"; NULL for another value. */
const char *ctl_cmd_name(enum ctl_cmd cmd);
/* The command named s, or CTL_CMD_COUNT. */
enum ctl_cmd ctl_cmd_from_name(const char *s);
/* "EPROTO" for -EPROTO or EPROTO; "EIO" for an errno without a name. */
const char *ctl_errname(int err);

#endif
