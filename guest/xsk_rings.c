// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>

#include "guest/xsk_rings.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

static void *map_ring(int fd, const struct xdp_ring_offset *off,
		      uint32_t entries, size_t entry, off_t pgoff, size_t *len)
{
	void *m;

	*len = off->desc + (size_t)entries * entry;
	m = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, pgoff);
	return m == MAP_FAILED ? NULL : m;
}

/* libxdp's convention: a producer's cached_cons runs one ring ahead. */
void xsk_ring_prod_sync(struct xsk_ring_prod *p)
{
	p->cached_prod = __atomic_load_n(p->producer, __ATOMIC_ACQUIRE);
	p->cached_cons =
		__atomic_load_n(p->consumer, __ATOMIC_ACQUIRE) + p->size;
}

void xsk_ring_cons_sync(struct xsk_ring_cons *c)
{
	c->cached_cons = __atomic_load_n(c->consumer, __ATOMIC_ACQUIRE);
	c->cached_prod = __atomic_load_n(c->producer, __ATOMIC_ACQUIRE);
}

static void prod_init(struct xsk_ring_prod *p, void *m,
		      const struct xdp_ring_offset *off, uint32_t entries)
{
	p->mask = entries - 1;
	p->size = entries;
	p->producer = (uint32_t *)((char *)m + off->producer);
	p->consumer = (uint32_t *)((char *)m + off->consumer);
	p->flags = (uint32_t *)((char *)m + off->flags);
	p->ring = (char *)m + off->desc;
	xsk_ring_prod_sync(p);
}

static void cons_init(struct xsk_ring_cons *c, void *m,
		      const struct xdp_ring_offset *off, uint32_t entries)
{
	c->mask = entries - 1;
	c->size = entries;
	c->producer = (uint32_t *)((char *)m + off->producer);
	c->consumer = (uint32_t *)((char *)m + off->consumer);
	c->flags = (uint32_t *)((char *)m + off->flags);
	c->ring = (char *)m + off->desc;
	xsk_ring_cons_sync(c);
}

int xsk_rings_map(int fd, const struct xsk_rings_sizes *sz, struct xsk_rings *r)
{
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	const struct xdp_ring_offset *o[4] = { &off.rx, &off.tx, &off.fr,
					       &off.cr };
	const uint32_t n[4] = { sz->rx, sz->tx, sz->fill, sz->comp };
	const size_t entry[4] = { sizeof(struct xdp_desc),
				  sizeof(struct xdp_desc), sizeof(uint64_t),
				  sizeof(uint64_t) };
	const off_t pg[4] = { XDP_PGOFF_RX_RING, XDP_PGOFF_TX_RING,
			      (off_t)XDP_UMEM_PGOFF_FILL_RING,
			      (off_t)XDP_UMEM_PGOFF_COMPLETION_RING };
	int ret;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 4; i++)
		if (!n[i] || (n[i] & (n[i] - 1)))
			return -EINVAL;
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return -errno;
	for (int i = 0; i < 4; i++) {
		r->map[i] =
			map_ring(fd, o[i], n[i], entry[i], pg[i], &r->len[i]);
		if (!r->map[i]) {
			ret = -errno;
			xsk_rings_unmap(r);
			return ret;
		}
	}
	cons_init(&r->rx, r->map[0], &off.rx, sz->rx);
	prod_init(&r->tx, r->map[1], &off.tx, sz->tx);
	prod_init(&r->fill, r->map[2], &off.fr, sz->fill);
	cons_init(&r->comp, r->map[3], &off.cr, sz->comp);
	return 0;
}

void xsk_rings_unmap(struct xsk_rings *r)
{
	for (int i = 0; i < 4; i++) {
		if (r->map[i])
			munmap(r->map[i], r->len[i]);
		r->map[i] = NULL;
	}
}
