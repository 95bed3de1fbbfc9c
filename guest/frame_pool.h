/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A LIFO stack of free UMEM frame addresses, owned by one worker (no
 * locking). LIFO keeps recently used, cache-warm frames in circulation.
 * Inline: it sits on the per-packet path.
 */
#ifndef AGENT_FRAME_POOL_H
#define AGENT_FRAME_POOL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct frame_pool {
	uint64_t *addrs;
	uint32_t nr_free;
	uint32_t capacity;
	uint64_t frame_mask; /* ~(frame_size - 1): address -> frame start */
};

/* Frames [first, first + count) of frame_size bytes each. */
static inline int frame_pool_init(struct frame_pool *p, uint64_t first,
				  uint32_t count, uint32_t frame_size)
{
	if (!count || !frame_size || (frame_size & (frame_size - 1)))
		return -EINVAL;
	p->addrs = calloc(count, sizeof(*p->addrs));
	if (!p->addrs)
		return -ENOMEM;
	p->capacity = count;
	p->nr_free = count;
	p->frame_mask = ~((uint64_t)frame_size - 1);
	/* Lowest address on top: deterministic for tests. */
	for (uint32_t i = 0; i < count; i++)
		p->addrs[i] = (first + count - 1 - i) * frame_size;
	return 0;
}

static inline void frame_pool_free_all(struct frame_pool *p)
{
	free(p->addrs);
	p->addrs = NULL;
	p->nr_free = p->capacity = 0;
}

/* Returns 0 and the frame's start address, or -ENOBUFS when empty. */
static inline int frame_pool_get(struct frame_pool *p, uint64_t *addr)
{
	if (!p->nr_free)
		return -ENOBUFS;
	*addr = p->addrs[--p->nr_free];
	return 0;
}

/* Any address inside a frame (descriptors carry headroom offsets). A put
 * beyond capacity means a frame was returned twice: refuse, don't corrupt. */
static inline int frame_pool_put(struct frame_pool *p, uint64_t addr)
{
	if (p->nr_free == p->capacity)
		return -EOVERFLOW;
	p->addrs[p->nr_free++] = addr & p->frame_mask;
	return 0;
}

#endif
