/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The four rings of an AF_XDP socket that is already bound, mapped from
 * its fd: how an agent that received the socket in a handover
 * (guest/handover.h) reaches the rings its predecessor used. libxdp only
 * maps the rings of sockets it creates, hence this. The ring indices live
 * in the shared pages, so the new mapping sees exactly where the previous
 * owner stopped; the cached indices are synced from them once it has.
 *
 * Linux refused mmap() on a bound socket (EBUSY) until it dropped that
 * check; the caller treats any error as "no handover here".
 */
#ifndef AGENT_XSK_RINGS_H
#define AGENT_XSK_RINGS_H

#include <stdint.h>
#include <xdp/xsk.h>

struct xsk_rings_sizes {
	uint32_t rx, tx, fill, comp; /* entries, as at bind */
};

struct xsk_rings {
	struct xsk_ring_cons rx, comp;
	struct xsk_ring_prod tx, fill;
	void *map[4]; /* rx, tx, fill, comp mappings */
	size_t len[4];
};

/* 0 or -errno (every mapping undone). */
int xsk_rings_map(int fd, const struct xsk_rings_sizes *sz,
		  struct xsk_rings *r);
void xsk_rings_unmap(struct xsk_rings *r);
/* The cached indices from the shared ones again: the previous owner went
 * on using the rings between the mapping and its stop. */
void xsk_ring_prod_sync(struct xsk_ring_prod *p);
void xsk_ring_cons_sync(struct xsk_ring_cons *c);

#endif
