/* SPDX-License-Identifier: GPL-2.0 */
/* TX-side ring chores shared by the forwarding loop and txgen: waking the
 * kernel to send, and returning completed frames to the worker's pool.
 * Inline: they run once per batch on the hot path. */
#ifndef AGENT_XSK_TX_H
#define AGENT_XSK_TX_H

#include <sys/socket.h>

#include "guest/agent.h"

static inline void xsk_tx_kick(struct agent_socket *s)
{
	if (!s->outstanding_tx || !xsk_ring_prod__needs_wakeup(&s->tx))
		return;
	/* EAGAIN/EBUSY/ENOBUFS: the kernel is still sending, try again on
	 * the next pass; ENETDOWN/ENXIO: link down, frames complete later. */
	sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	add_relaxed(&s->c.kicks, 1);
}

/* Completed TX frames go back to the pool of their UMEM. */
static inline void xsk_tx_reap(struct agent_socket *s)
{
	uint32_t idx, n;

	if (!s->outstanding_tx)
		return;
	n = xsk_ring_cons__peek(s->comp, s->outstanding_tx, &idx);
	if (!n)
		return;
	for (uint32_t i = 0; i < n; i++)
		frame_pool_put(s->pool,
			       *xsk_ring_cons__comp_addr(s->comp, idx + i));
	xsk_ring_cons__release(s->comp, n);
	s->outstanding_tx -= n;
	add_relaxed(&s->c.tx_completed, n);
}

#endif
