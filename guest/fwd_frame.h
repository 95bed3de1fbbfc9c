/* SPDX-License-Identifier: GPL-2.0 */
/* What the forwarding loops (fwd_loop.c, fwd_mb.c) do to a frame's
 * Ethernet header on its way out. Inline: once per frame. */
#ifndef AGENT_FWD_FRAME_H
#define AGENT_FWD_FRAME_H

#include <stdint.h>
#include <string.h>
#include <linux/if_ether.h>

#include "guest/config.h"

static inline void rewrite_macs(const struct port_config *pc, uint8_t *eth)
{
	if (pc->rewrite_dst_mac)
		memcpy(eth, pc->dst_mac, ETH_ALEN);
	if (pc->rewrite_src_mac)
		memcpy(eth + ETH_ALEN, pc->src_mac, ETH_ALEN);
}

static inline void swap_macs(uint8_t *eth)
{
	uint8_t tmp[ETH_ALEN];

	memcpy(tmp, eth, ETH_ALEN);
	memcpy(eth, eth + ETH_ALEN, ETH_ALEN);
	memcpy(eth + ETH_ALEN, tmp, ETH_ALEN);
}

#endif
