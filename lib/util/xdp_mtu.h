/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The largest MTU for AF_XDP: what fits one UMEM frame, and what the driver
 * accepts with XDP attached. The one computation behind the agent's nic.mtu
 * validation (--check), its run-time check, its advice and its man page.
 */
#ifndef UTIL_XDP_MTU_H
#define UTIL_XDP_MTU_H

#include <stdint.h>

#define XDP_MTU_MIN 68
/* A frame is MTU + Ethernet header + two VLAN tags (QinQ), after the
 * kernel's XDP_PACKET_HEADROOM in the UMEM frame: 256 + 14 + 2 x 4. */
#define XDP_MTU_FRAME_OVERHEAD 278
/* veth refuses native XDP while its peer's MTU is above
 * SKB_WITH_OVERHEAD(PAGE_SIZE - XDP_PACKET_HEADROOM) - ETH_HLEN ("veth:
 * Peer MTU is too large to set XDP"): 3506 with 4 KiB pages. */
#define XDP_MTU_VETH_MAX 3506
/* virtio-net keeps each XDP buffer within one 4 KiB page, less its
 * 32-byte padded header ("MTU too large to enable XDP"); afxdp-host sets
 * domains' MTU within it too. */
#define XDP_MTU_VIRTIO_MAX 4064

/* Largest MTU whose frames (with two VLAN tags) fit a UMEM frame; 0 when
 * none does. */
uint32_t xdp_mtu_max_for_frame(uint32_t frame_size);
/* Largest MTU the driver (ethtool's driver name) runs native XDP with; 0
 * when the agent knows of no limit. */
uint32_t xdp_mtu_driver_max(const char *driver);
/* What to advise: the frame limit, lowered to the driver's XDP limit. */
uint32_t xdp_mtu_advised(uint32_t frame_size, const char *driver);

#endif
