/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One application's device-plugin endpoint: a SOCK_SEQPACKET UNIX socket
 * that serves the exchange DPDK's use_cni speaks (guest/uds_proto.h,
 * docs/adoption.md) to peers whose SO_PEERCRED uid or gid is allowed.
 * The agent provides the XSKMAP fd and the busy-poll settings through
 * callbacks. One client at a time: DPDK connects once per queue, one
 * after the other, and each exchange is bounded by a deadline.
 */
#ifndef AGENT_UDS_SERVER_H
#define AGENT_UDS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UDS_SERVER_TIMEOUT_MS 5000
/* A peer that is not allowed gets its /host_nak once it has spoken (DPDK
 * writes with write(): an early close would kill it with SIGPIPE), but is
 * waited for only this long: any local user may connect to the socket,
 * and the server serves one client at a time. */
#define UDS_SERVER_REFUSE_MS 500
/* Bad requests (answered /nak) before a client is dropped. */
#define UDS_SERVER_MAX_NAKS 8

struct uds_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

struct uds_server_opts {
	/* Socket to create (a stale socket there is replaced, anything else
	 * refused with -EEXIST). NULL: listen_fd is a listening socket the
	 * server takes over. */
	const char *path;
	int listen_fd;
	mode_t mode; /* of path; 0: 0666, SO_PEERCRED is the access check */
	/* A peer is served when its uid is in uids or its gid in gids (uid 0
	 * is not special); the others get /host_nak. */
	const uid_t *uids;
	size_t nr_uids;
	const gid_t *gids;
	size_t nr_gids;
	int timeout_ms; /* whole exchange; 0: UDS_SERVER_TIMEOUT_MS */
	/* When set: cancel_fd readable (an eventfd, say) ends a running
	 * exchange at once with -ECANCELED, so closing never waits out a
	 * silent client's deadline. */
	bool has_cancel_fd;
	int cancel_fd;
	/* /connect,<name>: 0 accepts, -errno answers /host_nak. NULL: any
	 * valid name (the peer check has been passed already). */
	int (*on_connect)(void *ctx, const struct uds_peer *peer,
			  const char *name);
	/* /xsk_map_fd,<ifname>: an fd (>= 0) to send with /fd_ack, which
	 * stays the callback's (the server sends a copy, never closes it),
	 * or -errno for /fd_nak. NULL: always /fd_nak. */
	int (*get_xsk_map_fd)(void *ctx, const struct uds_peer *peer,
			      const char *ifname);
	/* /config_busy_poll,<timeout>,<budget> with the socket's fd: apply,
	 * 0 for /config_busy_poll_ack. The fd is the client's: check it is
	 * an AF_XDP socket (SO_DOMAIN) before using privileges on it; the
	 * server closes its copy afterwards. NULL: always the nak. */
	int (*busy_poll)(void *ctx, const struct uds_peer *peer, int sock_fd,
			 uint32_t timeout_us, uint32_t budget);
	void *ctx;
};

/* What the exchanges ended with, for the agent's per-application stats. */
struct uds_server_stats {
	uint64_t served; /* ended with /fin_ack */
	uint64_t fds_sent;
	uint64_t refused; /* peer not allowed, or /host_nak */
	uint64_t failed; /* timeout, closed mid-exchange, too many naks */
	uint64_t naks; /* requests answered /nak */
};

struct uds_server;

/* 0 or -errno: -EINVAL (no path and no listen_fd, no uid and no gid),
 * -EEXIST, -ENAMETOOLONG, or the socket calls' errors. */
int uds_server_open(const struct uds_server_opts *o, struct uds_server **out);
/* The listening socket (non-blocking), for poll(). */
int uds_server_fd(const struct uds_server *s);
/* Accept one pending client and run its exchange. -EAGAIN when none was
 * pending; otherwise as uds_server_serve_conn. */
int uds_server_serve_one(struct uds_server *s);
/*
 * The exchange on a connected SOCK_SEQPACKET socket, which is closed on
 * return: 0 after /fin -> /fin_ack, -EACCES peer refused or /host_nak,
 * -ETIMEDOUT deadline passed, -ECONNRESET the client closed first, -EPROTO
 * UDS_SERVER_MAX_NAKS bad requests, -ECANCELED cancel_fd, or a socket
 * error.
 */
int uds_server_serve_conn(struct uds_server *s, int conn);
void uds_server_get_stats(const struct uds_server *s,
			  struct uds_server_stats *st);
/* One message (no NUL added) on a SOCK_SEQPACKET socket, with fd by
 * SCM_RIGHTS when fd >= 0; never raises SIGPIPE. flags: e.g. MSG_DONTWAIT.
 * 0, -ECONNRESET (peer gone) or -errno. For clients too. */
int uds_send(int sock, const void *msg, size_t len, int fd, int flags);
/* The first SCM_RIGHTS fd of a received message into *fd (when *fd < 0);
 * every other fd it carries is closed, never leaked. For clients too. */
struct msghdr;
void uds_take_fd(struct msghdr *mh, int *fd);
/* Closes the socket and removes path (when the server created it). */
void uds_server_close(struct uds_server *s);

#endif
