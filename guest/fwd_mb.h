/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forwarding frames that span several UMEM frames (AF_XDP multi-buffer,
 * Linux >= 6.6): a frame is a run of RX descriptors, each but the last
 * flagged XDP_PKT_CONTD, and goes out as the same run on the peer's TX
 * ring. Kept apart from fwd_loop.c's single-buffer path, which stays as
 * lean as it is.
 */
#ifndef AGENT_FWD_MB_H
#define AGENT_FWD_MB_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/if_xdp.h>

#include "guest/agent.h"

/* Debian 12's linux-libc-dev (6.1) predates multi-buffer AF_XDP: the
 * kernel's stable uAPI values (include/uapi/linux/if_xdp.h). */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif

/* One batch from s to s->peer, whole frames only (a frame whose last
 * buffer has not arrived waits for the next pass). Returns the number of
 * frames read. */
uint32_t fwd_mb_batch(struct agent_socket *s, uint32_t batch,
		      enum agent_mode mode, bool busy_poll);

#endif
