// SPDX-License-Identifier: GPL-2.0
/* The control socket (ctl_server.h): accept, check the peer, read one
 * request, answer it, close; every socket call non-blocking. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest/ctl_server.h"
#include "guest/fd_pass.h"
#include "guest/sock_path.h"
#include "guest/uds_server.h"
#include "util/clock.h"
#include "util/errmsg.h"
#include "util/log.h"

struct conn {
	int fd; /* -1: free slot */
	uint64_t deadline; /* ns, CLOCK_MONOTONIC */
	struct ctl_peer peer;
};

struct ctl_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* created */
	uid_t uids[8];
	size_t nr_uids;
	int timeout_ms;
	ctl_handler_t handle;
	void *ctx;
	struct conn conns[CTL_SERVER_MAX_CONNS];
	struct ctl_server_stats st;
	struct ctl_fds att; /* for the reply being made; nr 0: none */
};

/* The socket's directory: another user who can write there could put
 * their own socket in our place between two agent runs, and clients would
 * talk to it. Created (one level) when missing, as /run/afxdp-agent is on
 * a host without systemd's RuntimeDirectory=. */
static int check_dir(struct ctl_server *s, const char *path, char *err,
		     size_t err_len)
{
	char dir[sizeof(s->path)], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return errmsg(err, err_len, -EINVAL,
			      "%s: must be an absolute path", path);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) && errno == ENOENT) {
		if (mkdir(dir, 0755))
			return errmsg(err, err_len, -errno,
				      "cannot create %s: %s", dir,
				      strerror(errno));
		snprintf(s->dir, sizeof(s->dir), "%s", dir);
		return 0;
	}
	if (stat(dir, &st))
		return errmsg(err, err_len, -errno, "%s: %s", dir,
			      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return errmsg(err, err_len, -ENOTDIR, "%s: not a directory",
			      dir);
	if (!sock_path_dir_safe(&st))
		return errmsg(
			err, err_len, -EPERM,
			"%s: owned by uid %u or writable by others without the sticky bit: another user could replace the control socket; choose another directory",
			dir, (unsigned int)st.st_uid);
	return 0;
}

static int listen_path(struct ctl_server *s, const struct ctl_server_opts *o,
		       char *err, size_t err_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t mode = o->mode ? o->mode : 0600;
	int ret;

	if (strlen(o->path) >= sizeof(sa.sun_path))
		return errmsg(err, err_len, -ENAMETOOLONG,
			      "%s: longer than %zu characters", o->path,
			      sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, o->path);
	ret = check_dir(s, o->path, err, err_len);
	if (ret)
		return ret;
	ret = sock_path_clear_stale(o->path);
	if (ret == -EADDRINUSE)
		return errmsg(
			err, err_len, ret,
			"%s: another agent serves this control socket (set ctl.socket to another path, or empty for none)",
			o->path);
	if (ret)
		return errmsg(err, err_len, ret, "%s: %s", o->path,
			      ret == -EEXIST ? "exists and is not a socket" :
					       strerror(-ret));
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0);
	if (s->fd < 0)
		return errmsg(err, err_len, -errno, "socket: %s",
			      strerror(errno));
	/* bind() creates the file with the socket inode's mode less the
	 * umask: set it first, so the path is never more open than mode. */
	if (fchmod(s->fd, mode) ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return errmsg(err, err_len, -errno, "cannot bind %s: %s",
			      o->path, strerror(errno));
	strcpy(s->path, o->path);
	if (chmod(o->path, mode) ||
	    (o->owner != (uid_t)-1 && chown(o->path, o->owner, o->group)) ||
	    listen(s->fd, 16))
		return errmsg(err, err_len, -errno, "%s: %s", o->path,
			      strerror(errno));
	return 0;
}

int ctl_server_open(const struct ctl_server_opts *o, struct ctl_server **out,
		    char *err, size_t err_len)
{
	struct ctl_server *s;
	int ret;

	if (!o || !out || !o->path || !o->path[0] || !o->handle ||
	    !o->nr_uids || !o->uids || o->timeout_ms < 0)
		return errmsg(err, err_len, -EINVAL,
			      "control socket: bad options");
	s = calloc(1, sizeof(*s));
	if (!s)
		return errmsg(err, err_len, -ENOMEM, "out of memory");
	s->fd = -1;
	for (size_t i = 0; i < CTL_SERVER_MAX_CONNS; i++)
		s->conns[i].fd = -1;
	/* Distinct uids, at most as many as we keep. */
	for (size_t i = 0; i < o->nr_uids; i++) {
		bool dup = false;

		for (size_t j = 0; j < s->nr_uids; j++)
			dup |= s->uids[j] == o->uids[i];
		if (!dup && s->nr_uids < sizeof(s->uids) / sizeof(s->uids[0]))
			s->uids[s->nr_uids++] = o->uids[i];
	}
	s->timeout_ms = o->timeout_ms ? o->timeout_ms : CTL_SERVER_TIMEOUT_MS;
	s->handle = o->handle;
	s->ctx = o->ctx;
	ret = listen_path(s, o, err, err_len);
	if (ret) {
		ctl_server_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

int ctl_server_fd(const struct ctl_server *s)
{
	return s ? s->fd : -EINVAL;
}

void ctl_server_get_stats(const struct ctl_server *s,
			  struct ctl_server_stats *st)
{
	if (s && st)
		*st = s->st;
}

/* Reads what the client sent and we did not: closing with it unread
 * would make the kernel report ECONNRESET to the client before our
 * answer (which it still gets, reading on). */
static void drop(struct conn *c)
{
	char buf[CTL_REQ_MAX + 1];

	for (int i = 0; i < 4; i++) /* bounded: a client may keep sending */
		if (recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	close(c->fd);
	c->fd = -1;
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < CTL_SERVER_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0)
			drop(&s->conns[i]);
	if (s->fd >= 0)
		close(s->fd);
	/* May fail after the drop to run.user in a root-owned directory:
	 * the next agent then replaces the stale socket. */
	if (s->path[0])
		unlink(s->path);
	if (s->dir[0])
		rmdir(s->dir); /* only when empty */
	free(s);
}

static bool allowed(const struct ctl_server *s, uid_t uid)
{
	for (size_t i = 0; i < s->nr_uids; i++)
		if (s->uids[i] == uid)
			return true;
	return false;
}

/* One datagram, never blocking: a reply larger than the socket's send
 * buffer (a big status) raises it for this connection first; with
 * CAP_NET_ADMIN past net.core.wmem_max. */
static int send_reply(int fd, const char *buf, size_t len,
		      const struct ctl_fds *att)
{
	int want = (int)len + 4096;

	if (len > 64 * 1024 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	return fd_pass_send(fd, buf, len, att ? att->fds : NULL,
			    att ? att->nr : 0, MSG_DONTWAIT);
}

void ctl_server_attach(struct ctl_server *s, const struct ctl_fds *f)
{
	s->att = *f;
}

/* Formats and sends; a body too large for one datagram is answered with
 * EMSGSIZE instead, so the client still gets a reply. Returns the error
 * sent (0 for OK) or, when nothing could be sent, 1. */
static int answer(int fd, int err, const char *text,
		  const struct ctl_fds *att)
{
	size_t size = (text ? strlen(text) : 0) + CTL_MSG_MAX + 64;
	char *buf = malloc(size), small[CTL_MSG_MAX + 64];
	int n, ret = 0;

	n = buf ? ctl_proto_format_reply(err, text, buf, size) : -ENOMEM;
	if (n >= 0)
		ret = send_reply(fd, buf, (size_t)n, err ? NULL : att);
	if (n < 0 || ret == -EMSGSIZE || ret == -ENOBUFS || ret == -EAGAIN) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "reply of %zu bytes does not fit one datagram",
			 text ? strlen(text) : 0);
		err = -EMSGSIZE;
		n = ctl_proto_format_reply(err, msg, small, sizeof(small));
		ret = uds_send(fd, small, (size_t)n, -1, MSG_DONTWAIT);
	}
	free(buf);
	return ret ? 1 : err;
}

static void serve(struct ctl_server *s, struct conn *c)
{
	char buf[CTL_REQ_MAX + 1], msg[CTL_MSG_MAX + 1] = "";
	struct ctl_request req;
	char *body = NULL;
	ssize_t n;
	int err;

	/* MSG_TRUNC: the datagram's real length, however much fits. */
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* 0: SOCK_SEQPACKET's close, not a message */
		s->st.dropped++;
		drop(c);
		return;
	}
	if ((size_t)n > CTL_REQ_MAX) {
		err = -EMSGSIZE;
		snprintf(msg, sizeof(msg), "request of %zd bytes, more than %d",
			 n, CTL_REQ_MAX);
	} else {
		err = ctl_proto_parse_request(buf, (size_t)n, &req, msg,
					      sizeof(msg));
	}
	if (!err) {
		err = s->handle(s->ctx, &req, &c->peer, &body, msg,
				sizeof(msg));
		if (err >= 0)
			err = 0;
	} else {
		pr_info("ctl: pid %d uid %u: %s", (int)c->peer.pid,
			(unsigned int)c->peer.uid, msg);
	}
	err = answer(c->fd, err, err ? msg : body, &s->att);
	/* The handler learns whether its fds went out (a handover must
	 * know whether the next agent has the data path). */
	if (s->att.sent)
		s->att.sent(s->att.ctx, err);
	memset(&s->att, 0, sizeof(s->att));
	if (err > 0)
		s->st.dropped++;
	else if (err)
		s->st.errors++;
	else
		s->st.served++;
	free(body);
	drop(c);
}

static void accept_one(struct ctl_server *s, struct conn *c)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	char msg[96];
	int fd;

	fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	c->fd = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		s->st.dropped++;
		drop(c);
		return;
	}
	c->peer = (struct ctl_peer){ cr.pid, cr.uid, cr.gid };
	if (!allowed(s, cr.uid)) {
		/* Told why at once, before it asks: a refused ctl then says
		 * "permission denied" rather than "connection reset". */
		pr_warn("ctl: refused pid %d uid %u (not allowed)", (int)cr.pid,
			(unsigned int)cr.uid);
		snprintf(msg, sizeof(msg),
			 "uid %u may not use this control socket",
			 (unsigned int)cr.uid);
		answer(fd, -EACCES, msg, NULL);
		s->st.refused++;
		drop(c);
		return;
	}
	c->deadline = now_ns() + (uint64_t)s->timeout_ms * 1000000ULL;
}

int ctl_server_poll(struct ctl_server *s, int timeout_ms)
{
	struct pollfd pfd[CTL_SERVER_MAX_CONNS + 1];
	struct conn *slot[CTL_SERVER_MAX_CONNS + 1];
	uint64_t now = now_ns(), wake = now + (uint64_t)timeout_ms * 1000000ULL;
	struct conn *free_slot = NULL;
	nfds_t n = 0;
	int ret;

	for (size_t i = 0; i < CTL_SERVER_MAX_CONNS; i++) {
		struct conn *c = &s->conns[i];

		if (c->fd < 0) {
			free_slot = free_slot ? free_slot : c;
			continue;
		}
		if (c->deadline <= now) {
			pr_info("ctl: pid %d uid %u sent no request within %d ms: dropped",
				(int)c->peer.pid, (unsigned int)c->peer.uid,
				s->timeout_ms);
			s->st.timeouts++;
			drop(c);
			free_slot = free_slot ? free_slot : c;
			continue;
		}
		if (c->deadline < wake)
			wake = c->deadline;
		pfd[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		slot[n++] = c;
	}
	/* No free slot: new clients wait in the backlog. */
	if (free_slot) {
		pfd[n] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
		slot[n++] = NULL;
	}
	ret = poll(pfd, n, (int)((wake - now + 999999) / 1000000));
	if (ret < 0)
		return errno == EINTR ? -EINTR : -errno;
	for (nfds_t i = 0; i < n && ret > 0; i++) {
		if (!pfd[i].revents)
			continue;
		if (slot[i])
			serve(s, slot[i]);
		else
			accept_one(s, free_slot);
	}
	return 0;
}
