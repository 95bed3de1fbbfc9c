// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "util/xdp_mtu.h"

_Static_assert(XDP_MTU_FRAME_OVERHEAD == XDP_PACKET_HEADROOM + ETH_HLEN + 2 * 4,
	       "XDP headroom, Ethernet header and two VLAN tags");

uint32_t xdp_mtu_max_for_frame(uint32_t frame_size)
{
	return frame_size > XDP_MTU_FRAME_OVERHEAD ?
		       frame_size - XDP_MTU_FRAME_OVERHEAD :
		       0;
}

uint32_t xdp_mtu_driver_max(const char *driver)
{
	if (!driver)
		return 0;
	if (!strcmp(driver, "veth"))
		return XDP_MTU_VETH_MAX;
	if (!strcmp(driver, "virtio_net"))
		return XDP_MTU_VIRTIO_MAX;
	return 0;
}

uint32_t xdp_mtu_advised(uint32_t frame_size, const char *driver)
{
	uint32_t frame = xdp_mtu_max_for_frame(frame_size);
	uint32_t drv = xdp_mtu_driver_max(driver);

	return drv && drv < frame ? drv : frame;
}
