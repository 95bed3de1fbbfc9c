/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File descriptors over a UNIX socket (SCM_RIGHTS), several per message:
 * the application endpoints pass one XSKMAP, a handover passes a data
 * path (UMEM memfds, AF_XDP sockets, port locks, its state).
 */
#ifndef AGENT_FD_PASS_H
#define AGENT_FD_PASS_H

#include <stddef.h>

/* The kernel's limit per message (SCM_MAX_FD). */
#define FD_PASS_MAX 253

struct msghdr;

/* One message of len bytes with nr fds (0..FD_PASS_MAX); never raises
 * SIGPIPE. 0, -ECONNRESET (peer gone), -EINVAL too many fds, or -errno. */
int fd_pass_send(int sock, const void *msg, size_t len, const int *fds,
		 size_t nr, int flags);
/* The SCM_RIGHTS fds of a received message into fds[0..max), in order;
 * returns how many. Any beyond max are closed, never leaked. */
size_t fd_pass_take(struct msghdr *mh, int *fds, size_t max);

#endif
