/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AF_XDP device-plugin protocol: what DPDK's net_af_xdp (use_cni=1)
 * and the Kubernetes AF_XDP device plugin's clients send over a
 * SOCK_SEQPACKET UNIX socket, one short text message per datagram, file
 * descriptors by SCM_RIGHTS. Parsing and formatting only, no I/O:
 * guest/uds_server.c runs the exchange. docs/adoption.md has the exchange
 * as DPDK 24.11 speaks it and where each rule below comes from.
 */
#ifndef AGENT_UDS_PROTO_H
#define AGENT_UDS_PROTO_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest request: DPDK formats requests into UDS_MAX_CMD_LEN (64) bytes,
 * the device plugin reads them into 64. */
#define UDS_MSG_MAX 64
/* Longest reply: DPDK reads into 128 bytes and writes a NUL at [len]. */
#define UDS_REPLY_MAX 127
/* /connect's name: a hostname (HOST_NAME_MAX). */
#define UDS_NAME_MAX 64
/* What /version answers: the device plugin's handshake version. */
#define UDS_PROTO_VERSION "0.1"
/* SO_BUSY_POLL is in microseconds; the kernel takes any int, but more than
 * a second of busy polling per syscall is a mistake, not a setting. */
#define UDS_BUSY_TIMEOUT_MAX 1000000
/* SO_BUSY_POLL_BUDGET: the kernel refuses more than U16_MAX. */
#define UDS_BUSY_BUDGET_MAX 65535

enum uds_cmd {
	UDS_CMD_UNKNOWN,
	UDS_CMD_CONNECT, /* /connect,<name> */
	UDS_CMD_VERSION, /* /version */
	UDS_CMD_XSK_MAP_FD, /* /xsk_map_fd,<ifname> */
	UDS_CMD_BUSY_POLL, /* /config_busy_poll,<timeout>,<budget> + fd */
	UDS_CMD_FIN, /* /fin */
};

struct uds_request {
	enum uds_cmd cmd;
	char name[UDS_NAME_MAX + 1]; /* CONNECT */
	char ifname[IF_NAMESIZE]; /* XSK_MAP_FD */
	uint32_t busy_timeout; /* BUSY_POLL, microseconds */
	uint32_t busy_budget; /* BUSY_POLL, packets per poll */
};

enum uds_reply {
	UDS_REPLY_HOST_OK,
	UDS_REPLY_HOST_NAK,
	UDS_REPLY_VERSION, /* UDS_PROTO_VERSION */
	UDS_REPLY_FD_ACK, /* carries the XSKMAP fd */
	UDS_REPLY_FD_NAK,
	UDS_REPLY_BUSY_POLL_ACK,
	UDS_REPLY_BUSY_POLL_NAK,
	UDS_REPLY_FIN_ACK,
	UDS_REPLY_NAK, /* anything else */
	UDS_REPLY_COUNT,
};

/*
 * One received datagram of len bytes (not NUL-terminated; trailing NULs
 * are allowed) into req, which is zeroed first and always gets the command
 * it names, even when its arguments are bad. Arguments may be padded with
 * spaces ("/connect, host" is what the plugin's Go client sends).
 * -EMSGSIZE longer than UDS_MSG_MAX, -ENOMSG empty, -EBADMSG a byte that is
 * not printable ASCII or text after a NUL, -EOPNOTSUPP an unknown command,
 * -EINVAL missing/extra/invalid arguments, -ERANGE busy-poll numbers out
 * of range.
 */
int uds_proto_parse(const void *msg, size_t len, struct uds_request *req);

/* The canonical text of req ("/xsk_map_fd,eth0"), NUL-terminated in buf;
 * *len (optional) gets its length without the NUL. -EINVAL for a request
 * uds_proto_parse would refuse, -ENOSPC when buf is too small. */
int uds_proto_format_request(const struct uds_request *req, char *buf,
			     size_t size, size_t *len);

/* The exact bytes of a reply (no NUL on the wire), NULL when r is not one. */
const char *uds_proto_reply_str(enum uds_reply r);
/* Same into buf, NUL-terminated; -EINVAL unknown r, -ENOSPC small buf. */
int uds_proto_format_reply(enum uds_reply r, char *buf, size_t size,
			   size_t *len);
/* A received reply (client side): exact match, trailing NULs allowed.
 * -EMSGSIZE longer than UDS_REPLY_MAX, -EOPNOTSUPP no reply we know. */
int uds_proto_parse_reply(const void *msg, size_t len, enum uds_reply *r);

/* A Linux interface name (the kernel's dev_valid_name, ASCII only). */
bool uds_proto_ifname_valid(const char *s);

#endif
