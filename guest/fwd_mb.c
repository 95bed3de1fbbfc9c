// SPDX-License-Identifier: GPL-2.0
/*
 * The multi-buffer forwarding path (see fwd_mb.h). Per batch: peek RX,
 * give back the buffers of a frame that is not complete yet, reserve TX
 * on the peer, then per frame move (shared UMEM) or copy its buffers,
 * complete a partial checksum over all of them, rewrite the MACs in the
 * first; a frame that does not fit whole is dropped whole, never cut.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "guest/csum.h"
#include "guest/fwd_frame.h"
#include "guest/fwd_mb.h"
#include "guest/xsk_tx.h"

/* Drops the frame of RX buffers [first, end): back to the pool. */
static void put_frame(struct agent_socket *s, uint32_t idx_rx, uint32_t first,
		      uint32_t end)
{
	for (uint32_t i = first; i < end; i++)
		frame_pool_put(s->pool,
			       xsk_ring_cons__rx_desc(&s->rx, idx_rx + i)->addr);
}

/* Moves or copies the RX buffers [first, end) of one frame to TX slots
 * from idx_tx on; fills seg. -ENOMEM (and nothing kept) when the peer's
 * UMEM has no frame left for a copy. */
static int move_frame(struct agent_socket *s, uint32_t idx_rx, uint32_t first,
		      uint32_t end, uint32_t idx_tx, struct csum_seg *seg)
{
	struct agent_socket *out = s->peer;
	bool same_umem = s->umem == out->umem;
	uint32_t nr = end - first;

	for (uint32_t k = 0; k < nr; k++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, idx_rx + first + k);
		struct xdp_desc *t =
			xsk_ring_prod__tx_desc(&out->tx, idx_tx + k);
		uint64_t addr = d->addr;

		if (!same_umem) {
			if (frame_pool_get(out->pool, &addr)) {
				/* Undo: the copies made so far go back. */
				for (uint32_t j = 0; j < k; j++)
					frame_pool_put(
						out->pool,
						xsk_ring_prod__tx_desc(
							&out->tx, idx_tx + j)
							->addr);
				return -ENOMEM;
			}
			addr += XDP_PACKET_HEADROOM;
			memcpy(xsk_umem__get_data(out->umem->area, addr),
			       xsk_umem__get_data(s->umem->area, d->addr),
			       d->len);
		}
		t->addr = addr;
		t->len = d->len;
		t->options = d->options & XDP_PKT_CONTD;
		seg[k].data = xsk_umem__get_data(out->umem->area, addr);
		seg[k].len = d->len;
	}
	/* The copies are made: the received buffers are free again. */
	if (!same_umem)
		put_frame(s, idx_rx, first, end);
	return 0;
}

uint32_t fwd_mb_batch(struct agent_socket *s, uint32_t batch,
		      enum agent_mode mode, bool busy_poll)
{
	struct agent_socket *out = s->peer;
	const struct port_config *out_cfg = out->port->cfg;
	bool rewrite = out_cfg->rewrite_src_mac || out_cfg->rewrite_dst_mac;
	uint32_t idx_rx, idx_tx = 0, peeked, n, room, used = 0;
	uint32_t frames = 0, sent = 0, full = 0, nodrop = 0, fixed = 0;
	uint64_t rx_bytes = 0, tx_bytes = 0;
	struct csum_seg seg[CFG_MB_MAX_BUFS];

	peeked = xsk_ring_cons__peek(&s->rx, batch, &idx_rx);
	if (!peeked) {
		if (busy_poll || xsk_ring_prod__needs_wakeup(s->fill))
			recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return 0;
	}
	/* The buffers of a frame whose last one has not arrived are read
	 * again on the next pass. batch >= CFG_MB_MAX_BUFS (config check),
	 * so a full peek always holds a whole frame. */
	n = peeked;
	while (n && xsk_ring_cons__rx_desc(&s->rx, idx_rx + n - 1)->options &
			    XDP_PKT_CONTD)
		n--;
	if (n < peeked)
		xsk_ring_cons__cancel(&s->rx, peeked - n);
	if (!n)
		return 0;
	room = fwd_reserve_tx(out, n, &idx_tx);

	for (uint32_t first = 0, end; first < n; first = end) {
		uint32_t nr;

		for (end = first; xsk_ring_cons__rx_desc(&s->rx, idx_rx + end)
					   ->options &
				  XDP_PKT_CONTD;
		     end++)
			;
		end++; /* past the frame's last buffer */
		nr = end - first;
		frames++;
		for (uint32_t i = first; i < end; i++)
			rx_bytes +=
				xsk_ring_cons__rx_desc(&s->rx, idx_rx + i)->len;
		/* No partial frame on the wire: it fits whole or is dropped. */
		if (used + nr > room || nr > CFG_MB_MAX_BUFS) {
			put_frame(s, idx_rx, first, end);
			full++;
			continue;
		}
		if (move_frame(s, idx_rx, first, end, idx_tx + used, seg)) {
			put_frame(s, idx_rx, first, end);
			nodrop++;
			continue;
		}
		if (csum_complete_partial_sg(seg, nr) == CSUM_FIXED)
			fixed++;
		if (mode == MODE_MACSWAP)
			swap_macs(seg[0].data);
		else if (rewrite)
			rewrite_macs(out_cfg, seg[0].data);
		for (uint32_t k = 0; k < nr; k++)
			tx_bytes += seg[k].len;
		used += nr;
		sent++;
	}
	fwd_batch_done(s, out,
		       &(struct fwd_batch){ .rx_descs = n,
					    .room = room,
					    .tx_descs = used,
					    .rx_frames = frames,
					    .tx_frames = sent,
					    .full = full,
					    .nodrop = nodrop,
					    .fixed = fixed,
					    .rx_bytes = rx_bytes,
					    .tx_bytes = tx_bytes });
	return frames;
}
