// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "util/ethtool.h"

static int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd, err = 0;

	if (!ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, req, ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int ethtool_ioctl(const char *ifname, void *cmd)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_data = cmd;
	return if_ioctl(ifname, SIOCETHTOOL, &ifr);
}

int ethtool_get_channels(const char *ifname, struct nic_channels *ch)
{
	struct ethtool_channels ec = { .cmd = ETHTOOL_GCHANNELS };
	int err = ethtool_ioctl(ifname, &ec);

	if (err)
		return err;
	*ch = (struct nic_channels){
		.max_rx = ec.max_rx,
		.max_tx = ec.max_tx,
		.max_other = ec.max_other,
		.max_combined = ec.max_combined,
		.rx = ec.rx_count,
		.tx = ec.tx_count,
		.other = ec.other_count,
		.combined = ec.combined_count,
	};
	return 0;
}

int ethtool_set_combined(const char *ifname, uint32_t combined)
{
	struct ethtool_channels ec = { .cmd = ETHTOOL_GCHANNELS };
	int err = ethtool_ioctl(ifname, &ec);

	if (err)
		return err;
	ec.cmd = ETHTOOL_SCHANNELS;
	if (ec.max_combined) {
		if (combined > ec.max_combined)
			return -ERANGE;
		if (ec.combined_count == combined)
			return 0;
		ec.combined_count = combined;
	} else {
		/* Drivers with separate rx/tx queues (veth): set both. */
		if (combined > ec.max_rx || combined > ec.max_tx)
			return -ERANGE;
		if (ec.rx_count == combined && ec.tx_count == combined)
			return 0;
		ec.rx_count = ec.tx_count = combined;
	}
	return ethtool_ioctl(ifname, &ec);
}

int ethtool_get_driver(const char *ifname, struct nic_driver *drv)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	int err = ethtool_ioctl(ifname, &di);

	if (err)
		return err;
	snprintf(drv->driver, sizeof(drv->driver), "%s", di.driver);
	snprintf(drv->version, sizeof(drv->version), "%s", di.version);
	snprintf(drv->bus_info, sizeof(drv->bus_info), "%s", di.bus_info);
	return 0;
}

/* Index of a feature name in the device's ETH_SS_FEATURES string set. */
static int feature_index(const char *ifname, const char *name, int *count)
{
	struct {
		struct ethtool_sset_info hdr;
		__u32 len;
	} sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
			    .sset_mask = 1ULL << ETH_SS_FEATURES } };
	struct ethtool_gstrings *strings;
	int err, idx = -ENOENT;
	__u32 n;

	err = ethtool_ioctl(ifname, &sset);
	if (err)
		return err;
	n = sset.hdr.sset_mask ? sset.len : 0;
	if (!n)
		return -EOPNOTSUPP;
	strings = calloc(1, sizeof(*strings) + (size_t)n * ETH_GSTRING_LEN);
	if (!strings)
		return -ENOMEM;
	strings->cmd = ETHTOOL_GSTRINGS;
	strings->string_set = ETH_SS_FEATURES;
	strings->len = n;
	err = ethtool_ioctl(ifname, strings);
	if (!err) {
		for (__u32 i = 0; i < n; i++) {
			const char *s = (const char *)strings->data +
					(size_t)i * ETH_GSTRING_LEN;
			if (!strncmp(s, name, ETH_GSTRING_LEN)) {
				idx = (int)i;
				break;
			}
		}
	}
	free(strings);
	*count = (int)n;
	return err ? err : idx;
}

int ethtool_get_feature(const char *ifname, const char *name, bool *active,
			bool *changeable)
{
	struct ethtool_gfeatures *gf;
	int count, idx, err;
	__u32 blocks, bit;

	idx = feature_index(ifname, name, &count);
	if (idx < 0)
		return idx;
	blocks = ((__u32)count + 31) / 32;
	gf = calloc(1, sizeof(*gf) + blocks * sizeof(gf->features[0]));
	if (!gf)
		return -ENOMEM;
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = blocks;
	err = ethtool_ioctl(ifname, gf);
	if (!err) {
		bit = 1U << (idx % 32);
		if (active)
			*active = gf->features[idx / 32].active & bit;
		if (changeable)
			*changeable =
				(gf->features[idx / 32].available & bit) &&
				!(gf->features[idx / 32].never_changed & bit);
	}
	free(gf);
	return err;
}

int ethtool_set_feature(const char *ifname, const char *name, bool on)
{
	struct ethtool_sfeatures *sf;
	int count, idx, err;
	__u32 blocks, bit;
	bool active;

	idx = feature_index(ifname, name, &count);
	if (idx < 0)
		return idx;
	blocks = ((__u32)count + 31) / 32;
	sf = calloc(1, sizeof(*sf) + blocks * sizeof(sf->features[0]));
	if (!sf)
		return -ENOMEM;
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = blocks;
	bit = 1U << (idx % 32);
	sf->features[idx / 32].valid = bit;
	sf->features[idx / 32].requested = on ? bit : 0;
	err = ethtool_ioctl(ifname, sf);
	free(sf);
	/* SFEATURES returns a positive flag mask when it adjusted the request;
	 * read back to know whether the change really took. */
	if (err >= 0) {
		err = ethtool_get_feature(ifname, name, &active, NULL);
		if (!err && active != on)
			err = -EOPNOTSUPP;
	}
	return err;
}

int netdev_get_mtu(const char *ifname, uint32_t *mtu)
{
	struct ifreq ifr = { 0 };
	int err = if_ioctl(ifname, SIOCGIFMTU, &ifr);

	if (!err)
		*mtu = (uint32_t)ifr.ifr_mtu;
	return err;
}

int netdev_set_mtu(const char *ifname, uint32_t mtu)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_mtu = (int)mtu;
	return if_ioctl(ifname, SIOCSIFMTU, &ifr);
}

/* SIOCGIFFLAGS into ifr: the one read of the interface flags. */
static int get_flags(const char *ifname, struct ifreq *ifr)
{
	return if_ioctl(ifname, SIOCGIFFLAGS, ifr);
}

int netdev_is_up(const char *ifname, bool *up, bool *running)
{
	struct ifreq ifr = { 0 };
	int err = get_flags(ifname, &ifr);

	if (err)
		return err;
	if (up)
		*up = ifr.ifr_flags & IFF_UP;
	if (running)
		*running = ifr.ifr_flags & IFF_RUNNING;
	return 0;
}

int netdev_get_promisc(const char *ifname, bool *on)
{
	struct ifreq ifr = { 0 };
	int err = get_flags(ifname, &ifr);

	if (!err)
		*on = ifr.ifr_flags & IFF_PROMISC;
	return err;
}

/* The administrative flag (what `ip link set promisc` sets), not the
 * kernel's promiscuity count that packet sockets add to. */
int netdev_set_promisc(const char *ifname, bool on)
{
	struct ifreq ifr = { 0 };
	int err = get_flags(ifname, &ifr);

	if (err)
		return err;
	if (on)
		ifr.ifr_flags |= IFF_PROMISC;
	else
		ifr.ifr_flags &= ~IFF_PROMISC;
	return if_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

int netdev_get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int err = if_ioctl(ifname, SIOCGIFHWADDR, &ifr);

	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}
