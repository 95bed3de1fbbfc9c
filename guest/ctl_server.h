/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's control socket (afxdp-agent(8), CONTROL): a SOCK_SEQPACKET
 * UNIX socket serving the protocol of guest/ctl_proto.h, one request and
 * one reply per connection, to peers whose SO_PEERCRED uid is allowed.
 *
 * Served from the agent's main loop, never from a thread of its own: the
 * main loop owns what the commands touch (the stats snapshot buffers, the
 * configuration that reload changes, the application claims, which
 * guest/apps.h allows on the main thread only), so a thread would have to
 * hand every request to it anyway and wait. ctl_server_poll() replaces the
 * loop's 50 ms sleep: it waits in poll() for at most that long and does
 * only non-blocking socket calls, so a client that connects and says
 * nothing, or does not read its reply, costs the loop nothing (it is
 * dropped at its deadline); the data-path workers are never involved.
 */
#ifndef AGENT_CTL_SERVER_H
#define AGENT_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/ctl_proto.h"

/* A client has this long from connect to its request. */
#define CTL_SERVER_TIMEOUT_MS 2000
/* Clients connected at once; more wait in the listen backlog. */
#define CTL_SERVER_MAX_CONNS 8

struct ctl_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/*
 * A request that parsed: 0 with the reply's body in *body (malloc()ed, the
 * server frees it; NULL for none), or -errno with a one-line message in
 * msg, sent as "ERR <errno name> <msg>".
 */
typedef int (*ctl_handler_t)(void *ctx, const struct ctl_request *req,
			     const struct ctl_peer *peer, char **body,
			     char *msg, size_t msg_len);

struct ctl_server_opts {
	const char *path; /* a stale socket there is replaced */
	mode_t mode; /* 0: 0600 */
	uid_t owner; /* chown the socket to owner:group; (uid_t)-1: ours */
	gid_t group;
	const uid_t *uids; /* SO_PEERCRED uids served; others get EACCES */
	size_t nr_uids;
	int timeout_ms; /* 0: CTL_SERVER_TIMEOUT_MS */
	ctl_handler_t handle;
	void *ctx;
};

struct ctl_server_stats {
	uint64_t served; /* answered OK */
	uint64_t errors; /* answered ERR (bad request, or the handler's) */
	uint64_t refused; /* peer's uid not allowed */
	uint64_t timeouts; /* no request before the deadline */
	uint64_t dropped; /* closed before asking, or could not be answered */
};

struct ctl_server;

/* Fds for the reply of the request being handled (SCM_RIGHTS, with an OK
 * reply only), and who to tell how it went: sent(ctx, 0) when the reply
 * with the fds went out, sent(ctx, non-zero) when it did not (an error
 * reply instead, or none at all). The fds stay the caller's. */
struct ctl_fds {
	const int *fds;
	size_t nr;
	void (*sent)(void *ctx, int err);
	void *ctx;
};

/* Only from inside the handler. */
void ctl_server_attach(struct ctl_server *s, const struct ctl_fds *f);

/* Creates the socket; its directory is created (one level, 0755) when
 * missing and must be ours or root's and writable by nobody else unless
 * sticky. 0 or -errno with err: -EADDRINUSE another process serves path,
 * -EEXIST something else is there, -EPERM an unsafe directory, -EINVAL
 * bad options, -ENAMETOOLONG, or the socket calls' errors. */
int ctl_server_open(const struct ctl_server_opts *o, struct ctl_server **out,
		    char *err, size_t err_len);
/* Waits up to timeout_ms for clients and serves those that are ready.
 * 0, or -EINTR when a signal arrived (the caller checks its flags). */
int ctl_server_poll(struct ctl_server *s, int timeout_ms);
int ctl_server_fd(const struct ctl_server *s);
void ctl_server_get_stats(const struct ctl_server *s,
			  struct ctl_server_stats *st);
/* Closes the connections and the socket, removes the path. */
void ctl_server_close(struct ctl_server *s);

#endif
