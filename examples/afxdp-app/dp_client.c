// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of the AF_XDP device-plugin protocol, as DPDK 24.11's
 * net_af_xdp speaks it (docs/adoption.md has the exchange and where each
 * rule comes from). Messages are parsed and formatted by guest/uds_proto.c
 * and sent by uds_send(), the same code the agent's server uses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "examples/afxdp-app/dp_client.h"
#include "guest/uds_proto.h"
#include "guest/uds_server.h"

/* A server that accepts and never answers must not hang the application:
 * the same bound the agent's server puts on a whole exchange. */
#define DP_TIMEOUT_S 5

/*
 * Sends req and reads one reply into *text (NUL-terminated) and *r; a
 * passed fd ends up in *fd. -EPROTO when the reply is no known answer.
 */
static int request(int sock, const struct uds_request *req, char *text,
		   size_t size, enum uds_reply *r, int *fd)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char msg[UDS_MSG_MAX + 1];
	struct iovec iov = { .iov_base = text, .iov_len = size - 1 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	size_t len;
	ssize_t n;
	int err;

	err = uds_proto_format_request(req, msg, sizeof(msg), &len);
	if (err)
		return err;
	err = uds_send(sock, msg, len, -1, 0);
	if (err)
		return err;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	uds_take_fd(&mh, fd);
	/* SOCK_SEQPACKET: an empty read is the server closing. */
	if (n == 0)
		return -ECONNRESET;
	text[n] = '\0';
	return uds_proto_parse_reply(text, (size_t)n, r) ? -EPROTO : 0;
}

/* One step of the exchange that must be answered with want. */
static int step(int sock, const char *path, const struct uds_request *req,
		enum uds_reply want, int *fd)
{
	char text[UDS_REPLY_MAX + 2] = "", sent[UDS_MSG_MAX + 1] = "";
	enum uds_reply r = UDS_REPLY_NAK;
	int err;

	uds_proto_format_request(req, sent, sizeof(sent), NULL);
	err = request(sock, req, text, sizeof(text), &r, fd);
	if (err == -EPROTO) {
		fprintf(stderr, "afxdp-app: %s: unexpected answer '%s' to %s\n",
			path, text, sent);
		return err;
	}
	if (err) {
		fprintf(stderr, "afxdp-app: %s: %s: %s\n", path, sent,
			err == -ECONNRESET ?
				"the server closed the connection" :
				strerror(-err));
		return err;
	}
	/* /version is answered with the server's version, which DPDK does
	 * not check either. */
	if (want == UDS_REPLY_VERSION || r == want)
		return 0;
	fprintf(stderr, "afxdp-app: %s: refused: %s answered with %s\n", path,
		sent, text);
	return -EACCES;
}

int dp_get_map_uds(const char *path, const char *ifname)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = DP_TIMEOUT_S };
	struct uds_request req = { .cmd = UDS_CMD_CONNECT };
	int sock, fd = -1, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "afxdp-app: %s: path too long\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		fprintf(stderr,
			"afxdp-app: %s: %s (is the agent serving this application?)\n",
			path, strerror(-err));
		goto out;
	}
	/* DPDK sends gethostname() cut to what fits in a 64-byte request. */
	if (gethostname(req.name, sizeof(req.name)))
		strcpy(req.name, "localhost");
	req.name[UDS_MSG_MAX - sizeof("/connect,")] = '\0';
	err = step(sock, path, &req, UDS_REPLY_HOST_OK, &fd);
	if (err)
		goto out;
	req.cmd = UDS_CMD_VERSION;
	err = step(sock, path, &req, UDS_REPLY_VERSION, &fd);
	if (err)
		goto out;
	/* Only /fd_ack may bring an fd: one that came earlier is no map. */
	if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	req.cmd = UDS_CMD_XSK_MAP_FD;
	snprintf(req.ifname, sizeof(req.ifname), "%s", ifname);
	err = step(sock, path, &req, UDS_REPLY_FD_ACK, &fd);
	if (err)
		goto out;
	if (fd < 0) {
		fprintf(stderr, "afxdp-app: %s: /fd_ack came without an fd\n",
			path);
		err = -EPROTO;
		goto out;
	}
	req.cmd = UDS_CMD_FIN;
	err = step(sock, path, &req, UDS_REPLY_FIN_ACK, &fd);
out:
	close(sock);
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

int dp_get_map_pinned(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd < 0) {
		int err = -errno;

		fprintf(stderr, "afxdp-app: %s: %s%s\n", path, strerror(-err),
			err == -EACCES || err == -EPERM ?
				" (the pin must be readable and writable by this user)" :
				"");
		return err;
	}
	return fd;
}

int dp_check_xskmap(int fd, uint32_t *max_entries)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_XSKMAP)
		return -EBADF;
	*max_entries = info.max_entries;
	return 0;
}
