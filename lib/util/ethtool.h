/* SPDX-License-Identifier: GPL-2.0 */
/* NIC queries and settings through the SIOCETHTOOL ioctl (channels, driver,
 * features by name) and plain interface ioctls (MTU, flags). 0 or -errno. */
#ifndef UTIL_ETHTOOL_H
#define UTIL_ETHTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nic_channels {
	uint32_t max_rx, max_tx, max_other, max_combined;
	uint32_t rx, tx, other, combined;
};

struct nic_driver {
	char driver[32];
	char version[32];
	char bus_info[32];
};

int ethtool_get_channels(const char *ifname, struct nic_channels *ch);
/* Sets combined channels, or rx and tx channels on drivers without
 * combined ones (veth); -ERANGE above the maximum. */
int ethtool_set_combined(const char *ifname, uint32_t combined);
int ethtool_get_driver(const char *ifname, struct nic_driver *drv);
/* Features by their ethtool -k names, e.g. "rx-lro", "rx-gro-hw". */
int ethtool_get_feature(const char *ifname, const char *name, bool *active,
			bool *changeable);
int ethtool_set_feature(const char *ifname, const char *name, bool on);

int netdev_get_mtu(const char *ifname, uint32_t *mtu);
int netdev_set_mtu(const char *ifname, uint32_t mtu);
int netdev_is_up(const char *ifname, bool *up, bool *running);
int netdev_get_mac(const char *ifname, uint8_t mac[6]);
int netdev_get_promisc(const char *ifname, bool *on);
int netdev_set_promisc(const char *ifname, bool on);

#endif
