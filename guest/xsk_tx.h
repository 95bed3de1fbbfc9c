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

/* Reserves up to n TX slots on out (reaping completions first when the
 * ring looks full); the number reserved, from *idx. */
static inline uint32_t fwd_reserve_tx(struct agent_socket *out, uint32_t n,
				      uint32_t *idx)
{
	uint32_t room = xsk_prod_nb_free(&out->tx, n);

	if (room < n) {
		xsk_tx_reap(out);
		room = xsk_prod_nb_free(&out->tx, n);
	}
	if (room > n)
		room = n;
	if (room)
		xsk_ring_prod__reserve(&out->tx, room, idx);
	return room;
}

/* What one forwarding batch from s to out did (fwd_loop.c, fwd_mb.c). */
struct fwd_batch {
	uint32_t rx_descs; /* peeked and consumed on s's RX ring */
	uint32_t room; /* TX slots reserved on out */
	uint32_t tx_descs; /* of those, written */
	uint32_t rx_frames, tx_frames; /* frames (= descs but multi-buffer) */
	uint32_t full, nodrop, fixed; /* dropped: TX ring full, no frame */
	uint64_t rx_bytes, tx_bytes;
};

/* The end of a batch: reserved slots left unused go back (the producer
 * index must only cover written descriptors), the written ones are
 * submitted, the received ones released, the counters added, and the
 * kernel kicked to send. */
static inline void fwd_batch_done(struct agent_socket *s,
				  struct agent_socket *out,
				  const struct fwd_batch *b)
{
	if (b->tx_descs < b->room)
		out->tx.cached_prod -= b->room - b->tx_descs;
	if (b->tx_descs)
		xsk_ring_prod__submit(&out->tx, b->tx_descs);
	xsk_ring_cons__release(&s->rx, b->rx_descs);
	/* Completions come per descriptor. */
	out->outstanding_tx += b->tx_descs;

	add_relaxed(&s->c.rx_packets, b->rx_frames);
	add_relaxed(&s->c.rx_bytes, b->rx_bytes);
	add_relaxed(&out->c.tx_packets, b->tx_frames);
	add_relaxed(&out->c.tx_bytes, b->tx_bytes);
	if (b->full)
		add_relaxed(&s->c.drop_tx_ring_full, b->full);
	if (b->nodrop)
		add_relaxed(&s->c.drop_no_frame, b->nodrop);
	if (b->fixed)
		add_relaxed(&s->c.csum_fixed, b->fixed);
	xsk_tx_kick(out);
}

#endif
