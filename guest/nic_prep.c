// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <linux/bpf.h>

#include "guest/nic_prep.h"
#include "util/log.h"
#include "util/netdev_genl.h"
#include "util/xdp_mtu.h"

static bool is_virtio(const char *driver)
{
	return !strcmp(driver, "virtio_net");
}

int nic_check_mtu(const char *ifname, const char *driver, uint32_t mtu,
		  uint32_t frame_size, char *err, size_t err_len)
{
	uint32_t frame_max = xdp_mtu_max_for_frame(frame_size);
	uint32_t drv_max = xdp_mtu_driver_max(driver);
	uint32_t advice = xdp_mtu_advised(frame_size, driver);
	char drv_note[128] = "";

	if (advice < frame_max)
		snprintf(drv_note, sizeof(drv_note),
			 " (%u: the largest MTU %s runs native XDP with)",
			 drv_max, driver);
	/* virtio-net refuses XDP outright above its limit (no skb
	 * fallback helps: the frames would not fit a page either). */
	if (is_virtio(driver) && mtu > drv_max) {
		snprintf(
			err, err_len,
			"%s: MTU %u is above %u, the largest MTU virtio-net can run XDP with in one 4 KiB page per buffer: lower it with 'ip link set dev %s mtu %u' (and <mtu size='%u'/> in the domain XML), or use socket.multi_buffer (Linux >= 6.6)",
			ifname, mtu, drv_max, ifname, advice, advice);
		return -EMSGSIZE;
	}
	if (mtu > frame_max) {
		snprintf(
			err, err_len,
			"%s: MTU %u does not fit a %u-byte UMEM frame (%u bytes of XDP headroom, Ethernet header and two VLAN tags leave room for MTU %u): lower the MTU with 'ip link set dev %s mtu %u'%s%s, or spread frames over several buffers with socket.multi_buffer (Linux >= 6.6)",
			ifname, mtu, frame_size, XDP_PACKET_HEADROOM, frame_max,
			ifname, advice, drv_note,
			frame_size < 4096 ? " or use socket.frame_size: 4096" :
					    "");
		return -EMSGSIZE;
	}
	return 0;
}

struct mb_scan {
	int ifindex;
	bool found;
	uint64_t features;
	uint32_t zc_max_segs; /* 0: not reported */
};

static int find_dev(const struct netdev_xdp_info *info, void *data)
{
	struct mb_scan *scan = data;

	if ((int)info->ifindex == scan->ifindex) {
		scan->found = true;
		scan->features = info->xdp_features;
		scan->zc_max_segs =
			info->has_zc_max_segs ? info->zc_max_segs : 0;
	}
	return 0;
}

int nic_check_multi_buffer(const char *ifname, int ifindex, bool native_only,
			   bool zero_copy_on, char *err, size_t err_len)
{
	struct mb_scan scan = { .ifindex = ifindex };
	int ret = netdev_genl_dump(find_dev, &scan);

	if (ret == -ENOENT) {
		snprintf(
			err, err_len,
			"%s: socket.multi_buffer needs Linux >= 6.6 (AF_XDP multi-buffer); this kernel does not even report XDP features (netdev netlink family, 6.3)",
			ifname);
		return -EOPNOTSUPP;
	}
	if (ret || !scan.found) {
		/* Cannot tell: the kernel decides at attach and bind. */
		pr_info("%s: XDP features unknown (%s); trying multi-buffer",
			ifname, ret ? strerror(-ret) : "not listed");
		return 0;
	}
	if (!(scan.features & XDP_ACT_RX_SG)) {
		if (native_only) {
			snprintf(
				err, err_len,
				"%s: the driver has no XDP multi-buffer in native mode (its xdp-features lack rx-sg): use xdp.mode skb, or frames of one buffer (no socket.multi_buffer, MTU within the frame)",
				ifname);
			return -EOPNOTSUPP;
		}
		pr_info("%s: no native XDP multi-buffer (rx-sg) in the driver: skb mode will carry the frames",
			ifname);
	}
	if (zero_copy_on && (!(scan.features & XDP_ACT_XSK_ZEROCOPY) ||
			     scan.zc_max_segs < 2)) {
		snprintf(
			err, err_len,
			"%s: socket.zero_copy on with socket.multi_buffer: the driver has no zero-copy multi-buffer (%s, xdp_zc_max_segs %u): use socket.zero_copy auto (copy mode) or off",
			ifname,
			scan.features & XDP_ACT_XSK_ZEROCOPY ?
				"its zero-copy takes one buffer per frame" :
				"no zero-copy at all",
			scan.zc_max_segs);
		return -EOPNOTSUPP;
	}
	return 0;
}

int nic_check(const struct nic_prep_opts *o, char *err, size_t err_len)
{
	struct nic_driver drv = { 0 };
	bool gro_hw = false, gro_hw_changeable = true;
	uint32_t mtu;
	int ret;

	ret = netdev_get_mtu(o->ifname, &mtu);
	if (ret) {
		snprintf(err, err_len, "interface %s: %s", o->ifname,
			 ret == -ENODEV ? "no such interface" : strerror(-ret));
		return ret == -ENODEV ? -ENODEV : ret;
	}
	ethtool_get_driver(o->ifname, &drv);
	if (o->mtu)
		mtu = o->mtu;
	/* Multi-buffer lifts the frame's limit; the driver's is checked by
	 * the kernel at attach, which says why. */
	ret = o->multi_buffer ?
		      nic_check_multi_buffer(o->ifname,
					     (int)if_nametoindex(o->ifname),
					     o->native_only, o->zero_copy_on,
					     err, err_len) :
		      nic_check_mtu(o->ifname, drv.driver, mtu, o->frame_size,
				    err, err_len);
	if (ret)
		return ret;
	/* Without VIRTIO_NET_F_CTRL_GUEST_OFFLOADS the guest cannot turn
	 * off what the host offloads into it, and virtio-net refuses XDP. */
	if (is_virtio(drv.driver) &&
	    !ethtool_get_feature(o->ifname, "rx-gro-hw", &gro_hw,
				 &gro_hw_changeable) &&
	    gro_hw && !gro_hw_changeable) {
		snprintf(
			err, err_len,
			"%s: the host implements receive offloads (GRO_HW/CSUM) for this virtio-net NIC and the guest cannot turn them off (no ctrl_guest_offloads), so XDP cannot load: set <driver><guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/></driver> on the host ('afxdp-host vm set DOMAIN')",
			o->ifname);
		return -EOPNOTSUPP;
	}
	if (o->channels) {
		struct nic_channels ch;

		ret = ethtool_get_channels(o->ifname, &ch);
		if (ret || (o->channels > ch.max_combined &&
			    o->channels > ch.max_rx)) {
			snprintf(
				err, err_len,
				"%s: cannot use %u channels (driver maximum %u)",
				o->ifname, o->channels,
				ret			    ? 0 :
				ch.max_combined > ch.max_rx ? ch.max_combined :
							      ch.max_rx);
			return -ERANGE;
		}
	}
	return 0;
}

static int turn_off(const char *ifname, const char *feature, bool *changed)
{
	bool active = false, changeable = false;
	int err;

	*changed = false;
	if (ethtool_get_feature(ifname, feature, &active, &changeable) ||
	    !active)
		return 0;
	if (!changeable) {
		pr_warn("%s: %s is on and fixed; XDP may refuse to load",
			ifname, feature);
		return 0;
	}
	err = ethtool_set_feature(ifname, feature, false);
	if (err) {
		pr_warn("%s: cannot turn off %s: %s", ifname, feature,
			strerror(-err));
		return 0;
	}
	*changed = true;
	pr_info("%s: turned off %s (XDP needs it off)", ifname, feature);
	return 0;
}

int nic_prepare(const struct nic_prep_opts *o, struct nic_state *st, char *err,
		size_t err_len)
{
	struct nic_driver drv = { 0 };
	int ret;

	memset(st, 0, sizeof(*st));
	ret = nic_check(o, err, err_len);
	if (ret)
		return ret;
	snprintf(st->ifname, sizeof(st->ifname), "%s", o->ifname);
	if (!ethtool_get_driver(o->ifname, &drv))
		snprintf(st->driver, sizeof(st->driver), "%s", drv.driver);
	netdev_get_mtu(o->ifname, &st->orig_mtu);
	st->mtu = st->orig_mtu;
	if (ethtool_get_channels(o->ifname, &st->ch))
		memset(&st->ch, 0, sizeof(st->ch));
	/* Drivers without combined channels (veth) count rx/tx queues. */
	st->orig_combined = st->ch.max_combined ? st->ch.combined : st->ch.rx;

	if (o->mtu && o->mtu != st->orig_mtu) {
		ret = netdev_set_mtu(o->ifname, o->mtu);
		if (ret) {
			snprintf(err, err_len, "%s: cannot set MTU %u: %s",
				 o->ifname, o->mtu, strerror(-ret));
			return ret;
		}
		st->mtu = o->mtu;
		st->mtu_changed = true;
		pr_info("%s: MTU %u -> %u", o->ifname, st->orig_mtu, o->mtu);
	}
	if (o->channels && o->channels != st->orig_combined) {
		ret = ethtool_set_combined(o->ifname, o->channels);
		if (ret) {
			snprintf(err, err_len,
				 "%s: cannot set %u combined channels: %s",
				 o->ifname, o->channels, strerror(-ret));
			nic_restore(st);
			return ret;
		}
		pr_info("%s: channels %u -> %u", o->ifname, st->orig_combined,
			o->channels);
		st->channels_changed = true;
		if (st->ch.max_combined)
			st->ch.combined = o->channels;
		else
			st->ch.rx = st->ch.tx = o->channels;
	}
	if (o->promisc) {
		bool on = false;

		netdev_get_promisc(o->ifname, &on);
		if (!on) {
			ret = netdev_set_promisc(o->ifname, true);
			if (ret)
				pr_warn("%s: cannot turn promiscuous mode on (%s): frames for other MAC addresses may be filtered before XDP",
					o->ifname, strerror(-ret));
			else
				pr_info("%s: promiscuous mode on (forwarding frames addressed to other hosts)",
					o->ifname);
			st->promisc_set = !ret;
		}
	}
	if (o->disable_lro) {
		turn_off(o->ifname, "rx-lro", &st->lro_disabled);
		turn_off(o->ifname, "rx-gro-hw", &st->gro_hw_disabled);
	}
	/* virtio-net gives XDP_TX/redirect their own TX queue per CPU only
	 * when queue pairs >= current + vCPUs; else it uses a locked,
	 * shared TX path. */
	if (is_virtio(st->driver) && o->nr_cpus &&
	    st->ch.max_combined < st->ch.combined + o->nr_cpus) {
		st->virtio_few_queues = true;
		pr_warn("%s: virtio-net has %u queue pairs for %u vCPUs (%u in use); XDP wants 2 x vCPUs = %u so that XDP_TX/redirect get a queue per CPU, else the kernel uses slower locked TX. Give the VM <driver queues='%u'/> ('afxdp-host vm set DOMAIN')",
			st->ifname, st->ch.max_combined, o->nr_cpus,
			st->ch.combined, 2 * o->nr_cpus, 2 * o->nr_cpus);
	}
	return 0;
}

uint32_t nic_tx_queue_count(const char *ifname)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *de;
	uint32_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "tx-", 3))
			n++;
	closedir(d);
	return n ? n : 1;
}

uint32_t nic_queue_count(const struct nic_state *st)
{
	uint32_t n = st->ch.combined > st->ch.rx ? st->ch.combined : st->ch.rx;

	return n ? n : 1;
}

void nic_restore(struct nic_state *st)
{
	int err;

	if (st->promisc_set && !netdev_set_promisc(st->ifname, false))
		st->promisc_set = false;
	if (st->gro_hw_disabled &&
	    !ethtool_set_feature(st->ifname, "rx-gro-hw", true))
		st->gro_hw_disabled = false;
	if (st->lro_disabled &&
	    !ethtool_set_feature(st->ifname, "rx-lro", true))
		st->lro_disabled = false;
	if (st->channels_changed) {
		err = ethtool_set_combined(st->ifname, st->orig_combined);
		if (err)
			pr_warn("%s: cannot restore %u channels: %s",
				st->ifname, st->orig_combined, strerror(-err));
		st->channels_changed = false;
	}
	if (st->mtu_changed) {
		err = netdev_set_mtu(st->ifname, st->orig_mtu);
		if (err)
			pr_warn("%s: cannot restore MTU %u: %s", st->ifname,
				st->orig_mtu, strerror(-err));
		st->mtu_changed = false;
	}
}
