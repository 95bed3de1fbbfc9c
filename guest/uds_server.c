// SPDX-License-Identifier: GPL-2.0
/* One application's device-plugin endpoint: accept, check the peer, run
 * the exchange (connect, version, xsk_map_fd, config_busy_poll, fin). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest/sock_path.h"
#include "guest/uds_proto.h"
#include "guest/fd_pass.h"
#include "guest/uds_server.h"
#include "util/clock.h"
#include "util/log.h"

/* Room for a few fds per message: the extras are closed, not leaked. */
#define MAX_RX_FDS 4

struct uds_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct uds_server_opts o;
	uid_t *uids;
	gid_t *gids;
	struct uds_server_stats st;
};

enum sess_state { SESS_WAIT_CONNECT, SESS_CONNECTED, SESS_DONE };

struct session {
	struct uds_server *s;
	struct uds_peer peer;
	bool allowed;
	enum sess_state state;
	unsigned int naks;
	int result; /* once SESS_DONE */
};

static void *dup_array(const void *a, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	p = calloc(n, size);
	if (p)
		memcpy(p, a, n * size);
	return p;
}

static int listen_path(struct uds_server *s, const char *path, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	err = sock_path_clear_stale(path);
	if (err)
		return err;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	strcpy(s->path, path);
	if (chmod(path, mode ? mode : 0666) || listen(s->fd, 16))
		return -errno;
	return 0;
}

static int take_listener(struct uds_server *s, int fd)
{
	int type = 0, acc = 0, fl;
	socklen_t l1 = sizeof(type), l2 = sizeof(acc);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l2))
		return errno == ENOTSOCK ? -ENOTSOCK : -EINVAL;
	if (type != SOCK_SEQPACKET || !acc)
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	s->fd = fd;
	return 0;
}

int uds_server_open(const struct uds_server_opts *o, struct uds_server **out)
{
	struct uds_server *s;
	int err;

	if (!o || !out || (!o->path && o->listen_fd < 0) ||
	    (!o->nr_uids && !o->nr_gids) || (o->nr_uids && !o->uids) ||
	    (o->nr_gids && !o->gids) || o->timeout_ms < 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->o = *o;
	s->uids = dup_array(o->uids, o->nr_uids, sizeof(uid_t));
	s->gids = dup_array(o->gids, o->nr_gids, sizeof(gid_t));
	if ((o->nr_uids && !s->uids) || (o->nr_gids && !s->gids)) {
		err = -ENOMEM;
		goto fail;
	}
	s->o.uids = s->uids;
	s->o.gids = s->gids;
	s->o.path = NULL;
	if (!s->o.timeout_ms)
		s->o.timeout_ms = UDS_SERVER_TIMEOUT_MS;
	err = o->path ? listen_path(s, o->path, o->mode) :
			take_listener(s, o->listen_fd);
	if (err)
		goto fail;
	*out = s;
	return 0;
fail:
	/* A refused listen_fd stays the caller's: s->fd is still -1. */
	uds_server_close(s);
	return err;
}

int uds_server_fd(const struct uds_server *s)
{
	return s ? s->fd : -EINVAL;
}

void uds_server_get_stats(const struct uds_server *s,
			  struct uds_server_stats *st)
{
	if (s && st)
		*st = s->st;
}

void uds_server_close(struct uds_server *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->path[0])
		unlink(s->path);
	free(s->uids);
	free(s->gids);
	free(s);
}

static bool peer_allowed(const struct uds_server *s, const struct uds_peer *p)
{
	size_t i;

	for (i = 0; i < s->o.nr_uids; i++)
		if (s->uids[i] == p->uid)
			return true;
	for (i = 0; i < s->o.nr_gids; i++)
		if (s->gids[i] == p->gid)
			return true;
	return false;
}

static enum uds_reply finish(struct session *ss, int result,
			     enum uds_reply reply)
{
	ss->state = SESS_DONE;
	ss->result = result;
	return reply;
}

/* A request we cannot serve; enough of them and the client is dropped. */
static enum uds_reply bad(struct session *ss, enum uds_reply reply)
{
	ss->s->st.naks++;
	if (++ss->naks >= UDS_SERVER_MAX_NAKS)
		return finish(ss, -EPROTO, reply);
	return reply;
}

static enum uds_reply on_connect(struct session *ss,
				 const struct uds_request *req, int perr)
{
	const struct uds_server_opts *o = &ss->s->o;
	int err;

	/* A stranger gets /host_nak to whatever it says first: DPDK then
	 * logs the refusal instead of a broken pipe. */
	if (!ss->allowed) {
		pr_warn("afxdp uds: refused pid %d uid %u gid %u (not allowed)",
			(int)ss->peer.pid, (unsigned int)ss->peer.uid,
			(unsigned int)ss->peer.gid);
		return finish(ss, -EACCES, UDS_REPLY_HOST_NAK);
	}
	if (req->cmd != UDS_CMD_CONNECT)
		return bad(ss, UDS_REPLY_NAK);
	err = perr	    ? perr :
	      o->on_connect ? o->on_connect(o->ctx, &ss->peer, req->name) :
			      0;
	if (err)
		return finish(ss, -EACCES, UDS_REPLY_HOST_NAK);
	ss->state = SESS_CONNECTED;
	return UDS_REPLY_HOST_OK;
}

/*
 * One request -> one reply. in_fd is the fd that came with the request
 * (-1: none; the caller closes it); *out_fd the fd to send with the reply.
 */
static enum uds_reply step(struct session *ss, const char *msg, size_t len,
			   int in_fd, int *out_fd)
{
	const struct uds_server_opts *o = &ss->s->o;
	struct uds_request req;
	int err, fd;

	*out_fd = -1;
	err = uds_proto_parse(msg, len, &req);
	if (ss->state == SESS_WAIT_CONNECT)
		return on_connect(ss, &req, err);
	switch (err ? UDS_CMD_UNKNOWN : req.cmd) {
	case UDS_CMD_VERSION:
		return UDS_REPLY_VERSION;
	case UDS_CMD_XSK_MAP_FD:
		fd = o->get_xsk_map_fd ?
			     o->get_xsk_map_fd(o->ctx, &ss->peer, req.ifname) :
			     -EOPNOTSUPP;
		if (fd < 0)
			return UDS_REPLY_FD_NAK;
		*out_fd = fd;
		return UDS_REPLY_FD_ACK;
	case UDS_CMD_BUSY_POLL:
		if (in_fd < 0 || !o->busy_poll ||
		    o->busy_poll(o->ctx, &ss->peer, in_fd, req.busy_timeout,
				 req.busy_budget))
			return UDS_REPLY_BUSY_POLL_NAK;
		return UDS_REPLY_BUSY_POLL_ACK;
	case UDS_CMD_FIN:
		return finish(ss, 0, UDS_REPLY_FIN_ACK);
	default:
		break;
	}
	/* Known commands with bad arguments get their own nak: the plugin's
	 * clients take anything but it for success. */
	if (req.cmd == UDS_CMD_XSK_MAP_FD)
		return bad(ss, UDS_REPLY_FD_NAK);
	if (req.cmd == UDS_CMD_BUSY_POLL)
		return bad(ss, UDS_REPLY_BUSY_POLL_NAK);
	return bad(ss, UDS_REPLY_NAK);
}

void uds_take_fd(struct msghdr *mh, int *fd)
{
	int got = -1;

	if (fd_pass_take(mh, &got, 1) && *fd < 0)
		*fd = got;
	else if (got >= 0)
		close(got);
}

/* One datagram before the deadline: its length (a datagram longer than
 * buf is cut to size, which the parser refuses), or -errno. */
static ssize_t recv_req(const struct uds_server *s, int conn, char *buf,
			size_t size, int *fd, uint64_t deadline)
{
	union {
		char buf[CMSG_SPACE(MAX_RX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd[2] = {
		{ .fd = conn, .events = POLLIN },
		{ .fd = s->o.has_cancel_fd ? s->o.cancel_fd : -1,
		  .events = POLLIN },
	};
	ssize_t n;

	for (;;) {
		uint64_t now = now_ns();
		int ret;

		if (now >= deadline)
			return -ETIMEDOUT;
		ret = poll(pfd, 2, (int)((deadline - now + 999999) / 1000000));
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		if (pfd[1].revents)
			return -ECANCELED;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(conn, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n >= 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			return errno == EPIPE ? -ECONNRESET : -errno;
	}
	uds_take_fd(&mh, fd);
	/* SOCK_SEQPACKET: 0 bytes is the peer's close, not a message. */
	return n ? n : -ECONNRESET;
}

int uds_send(int sock, const void *msg, size_t len, int fd, int flags)
{
	return fd_pass_send(sock, msg, len, &fd, fd >= 0 ? 1 : 0, flags);
}

static int send_reply(int conn, enum uds_reply r, int fd)
{
	const char *text = uds_proto_reply_str(r);

	return uds_send(conn, text, strlen(text), fd, MSG_DONTWAIT);
}

static int get_peer(int conn, struct uds_peer *p)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return -errno;
	p->pid = cr.pid;
	p->uid = cr.uid;
	p->gid = cr.gid;
	return 0;
}

static void count(struct uds_server *s, int ret)
{
	if (!ret)
		s->st.served++;
	else if (ret == -EACCES)
		s->st.refused++;
	else
		s->st.failed++;
}

int uds_server_serve_conn(struct uds_server *s, int conn)
{
	struct session ss = { .s = s, .state = SESS_WAIT_CONNECT };
	uint64_t deadline;
	int ret;

	if (!s || conn < 0) {
		if (conn >= 0)
			close(conn);
		return -EINVAL;
	}
	deadline = now_ns() + (uint64_t)s->o.timeout_ms * 1000000ULL;
	ret = get_peer(conn, &ss.peer);
	if (ret)
		goto out;
	ss.allowed = peer_allowed(s, &ss.peer);
	if (!ss.allowed && s->o.timeout_ms > UDS_SERVER_REFUSE_MS)
		deadline = now_ns() + UDS_SERVER_REFUSE_MS * 1000000ULL;
	while (ss.state != SESS_DONE) {
		char buf[UDS_MSG_MAX + 1];
		enum uds_reply r;
		int in_fd = -1, out_fd;
		ssize_t n;

		n = recv_req(s, conn, buf, sizeof(buf), &in_fd, deadline);
		if (n < 0) {
			ret = (int)n;
			goto out;
		}
		r = step(&ss, buf, (size_t)n, in_fd, &out_fd);
		if (in_fd >= 0)
			close(in_fd);
		ret = send_reply(conn, r, out_fd);
		if (ret)
			goto out;
		if (out_fd >= 0)
			s->st.fds_sent++;
	}
	ret = ss.result;
out:
	if (ret && ret != -EACCES)
		pr_info("afxdp uds: client pid %d uid %u: exchange ended: %s",
			(int)ss.peer.pid, (unsigned int)ss.peer.uid,
			strerror(-ret));
	count(s, ret);
	close(conn);
	return ret;
}

int uds_server_serve_one(struct uds_server *s)
{
	int conn;

	if (!s)
		return -EINVAL;
	conn = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return uds_server_serve_conn(s, conn);
}
