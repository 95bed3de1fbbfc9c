/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's "netdev" generic-netlink family (Linux >= 6.3): per device
 * XDP features, including AF_XDP zero-copy. All return 0 or -errno;
 * -ENOENT from the dump means the kernel has no such family. */
#ifndef UTIL_NETDEV_GENL_H
#define UTIL_NETDEV_GENL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* Debian 12's linux-libc-dev (6.1) has no <linux/netdev.h>: these values
 * are the kernel's stable uAPI (include/uapi/linux/netdev.h). */
#define AFXDP_NETDEV_FAMILY_NAME "netdev"
#define AFXDP_NETDEV_FAMILY_VERSION 1
#define AFXDP_NETDEV_CMD_DEV_GET 1
#define AFXDP_NETDEV_A_DEV_IFINDEX 1
#define AFXDP_NETDEV_A_DEV_XDP_FEATURES 3
#define AFXDP_NETDEV_A_DEV_XDP_ZC_MAX_SEGS 4
#define AFXDP_NETDEV_A_DEV_MAX 6

enum netdev_xdp_act_bits {
	XDP_ACT_BASIC = 1u << 0,
	XDP_ACT_REDIRECT = 1u << 1,
	XDP_ACT_NDO_XMIT = 1u << 2,
	XDP_ACT_XSK_ZEROCOPY = 1u << 3,
	XDP_ACT_HW_OFFLOAD = 1u << 4,
	XDP_ACT_RX_SG = 1u << 5,
	XDP_ACT_NDO_XMIT_SG = 1u << 6,
};
#define XDP_ACT_NBITS 7

struct netdev_xdp_info {
	uint32_t ifindex;
	uint64_t xdp_features; /* XDP_ACT_* bits */
	uint32_t zc_max_segs;
	bool has_zc_max_segs; /* attribute present (kernel >= 6.6) */
};

/* Called once per device of the dump; a non-zero return stops the dump
 * and is returned by netdev_genl_dump(). */
typedef int (*netdev_genl_cb)(const struct netdev_xdp_info *info, void *data);

int netdev_genl_dump(netdev_genl_cb cb, void *data);
/* Decodes one NETDEV_CMD_DEV_GET reply (split out so tests can check the
 * decoding of messages built with libmnl). -EINVAL without an ifindex. */
int netdev_genl_parse(const struct nlmsghdr *nlh, struct netdev_xdp_info *info);
/* "basic", "redirect", "ndo-xmit", "xsk-zerocopy", ... as the kernel's YAML
 * spec names them; NULL past the last known bit. */
const char *netdev_xdp_act_name(unsigned int bit);

#endif
