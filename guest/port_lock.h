/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One agent per port: an flock on /run/afxdp-agent/<netns>-<ifindex>.lock.
 * The kernel drops the lock when the holder dies (even by SIGKILL), so a
 * program of ours found on a port whose lock we obtain is stale; a held
 * lock means a live agent, and the second one is refused with -EBUSY.
 */
#ifndef AGENT_PORT_LOCK_H
#define AGENT_PORT_LOCK_H

#include <stddef.h>

/* Returns the lock fd (>= 0) or -errno; -EBUSY names the holder's pid. */
int port_lock_acquire(int ifindex, const char *ifname, char *err,
		      size_t err_len);
void port_lock_release(int fd, int ifindex);

#endif
