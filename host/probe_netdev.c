// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: network devices: queues, SR-IOV VFs and the XDP
 * features netdev genl reports, per device. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "host/probe.h"
#include "util/json.h"
#include "util/log.h"
#include "util/netdev_genl.h"
#include "util/sysfs.h"
#include "host/probe_internal.h"

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Entries of a directory below the sysfs root, sorted; -errno on error. */
int probe_list_dir(const struct sysfs *fs, const char *rel,
		   struct dirent ***names)
{
	char path[PATH_MAX];
	int n, err;

	err = sysfs_path(fs, path, sizeof(path), "%s", rel);
	if (err)
		return err;
	n = scandir(path, names, no_dots, name_cmp);
	return n < 0 ? -errno : n;
}

void probe_free_list(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void count_queues(const struct sysfs *fs, struct probe_netdev *nd)
{
	struct dirent **names;
	char rel[PATH_MAX];
	int n;

	snprintf(rel, sizeof(rel), "class/net/%s/queues", nd->name);
	n = probe_list_dir(fs, rel, &names);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i]->d_name, "rx-", 3))
			nd->rx_queues++;
		else if (!strncmp(names[i]->d_name, "tx-", 3))
			nd->tx_queues++;
	}
	probe_free_list(names, n);
}

static int probe_vfs(const struct sysfs *fs, struct probe_netdev *nd)
{
	uint32_t max = nd->totalvfs > nd->numvfs ? nd->totalvfs : nd->numvfs;

	if (!max)
		return 0;
	nd->vfs = calloc(max, sizeof(*nd->vfs));
	if (!nd->vfs)
		return -ENOMEM;
	/* The reader sriov uses; the in-use check is not probe's. */
	for (uint32_t i = 0; i < max; i++)
		if (!sriov_vf_read(fs, NULL, nd->name, i, &nd->vfs[nd->n_vfs]))
			nd->n_vfs++;
	return 0;
}

struct genl_map {
	struct netdev_xdp_info *info;
	size_t n, cap;
};

static int genl_collect(const struct netdev_xdp_info *info, void *data)
{
	struct genl_map *m = data;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		void *p = realloc(m->info, cap * sizeof(*m->info));

		if (!p)
			return -ENOMEM;
		m->info = p;
		m->cap = cap;
	}
	m->info[m->n++] = *info;
	return 0;
}

static const struct netdev_xdp_info *genl_find(const struct genl_map *m,
					       uint32_t ifindex)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->info[i].ifindex == ifindex)
			return &m->info[i];
	return NULL;
}

void probe_netdev_genl(struct probe_netdev *nd,
		       const struct netdev_xdp_info *gi)
{
	uint64_t f = gi->xdp_features;

	nd->xdp_source = XDP_SRC_GENL;
	nd->xdp_features = f;
	nd->xdp_native = f & XDP_ACT_BASIC ? PT_YES : PT_NO;
	nd->xdp_zc = f & XDP_ACT_XSK_ZEROCOPY ? PT_YES : PT_NO;
	nd->zc_max_segs = gi->zc_max_segs;
	nd->has_zc_max_segs = gi->has_zc_max_segs;
	/* Frames beyond one page need the driver's XDP frags (rx-sg); a
	 * driver without it refuses an MTU above one page with XDP on. */
	nd->xdp_mb = f & XDP_ACT_RX_SG ? PT_YES : PT_NO;
	/* Zero-copy multi-buffer: the kernel reports how many buffers one
	 * frame may span on a zero-copy socket (1: none); before 6.6 it
	 * does not say. */
	if (nd->xdp_zc != PT_YES)
		nd->zc_mb = PT_NO;
	else if (gi->has_zc_max_segs)
		nd->zc_mb = gi->zc_max_segs > 1 ? PT_YES : PT_NO;
	else
		nd->zc_mb = PT_UNKNOWN;
}

static int probe_netdev(const struct probe_opts *o, const struct sysfs *fs,
			const struct genl_map *genl, const char *release,
			struct probe_netdev *nd)
{
	const struct netdev_xdp_info *gi = NULL;
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "class/net/%s/ifindex", nd->name);
	sysfs_read_u32(fs, rel, &nd->ifindex);
	snprintf(rel, sizeof(rel), "class/net/%s/mtu", nd->name);
	nd->has_mtu = !sysfs_read_u32(fs, rel, &nd->mtu);
	snprintf(rel, sizeof(rel), "class/net/%s/device/driver", nd->name);
	if (!sysfs_link_basename(fs, rel, nd->driver, sizeof(nd->driver))) {
		nd->driver_source = "sysfs";
	} else if (o->live) {
		struct nic_driver drv;

		/* Virtual devices (veth, tun, bridge) have no device link. */
		if (!ethtool_get_driver(nd->name, &drv) && drv.driver[0]) {
			set_str(nd->driver, sizeof(nd->driver), drv.driver);
			nd->driver_source = "ethtool";
		}
	}
	count_queues(fs, nd);
	if (o->live)
		nd->has_channels = !ethtool_get_channels(nd->name, &nd->ch);

	nd->xdp_native = nd->xdp_zc = PT_UNKNOWN;
	if (genl && nd->ifindex)
		gi = genl_find(genl, nd->ifindex);
	nd->xdp_mb = nd->zc_mb = PT_UNKNOWN;
	if (gi) {
		probe_netdev_genl(nd, gi);
	} else if (nd->driver[0] &&
		   probe_driver_table(nd->driver, release, &nd->xdp_native,
				      &nd->xdp_zc)) {
		nd->xdp_source = XDP_SRC_TABLE;
	}

	snprintf(rel, sizeof(rel), "class/net/%s/device/sriov_totalvfs",
		 nd->name);
	if (!sysfs_read_u32(fs, rel, &nd->totalvfs)) {
		nd->sriov = true;
		snprintf(rel, sizeof(rel), "class/net/%s/device/sriov_numvfs",
			 nd->name);
		sysfs_read_u32(fs, rel, &nd->numvfs);
		return probe_vfs(fs, nd);
	}
	return 0;
}

static bool wanted(const struct probe_opts *o, const char *name)
{
	if (!o->n_devs)
		return strcmp(name, "lo") != 0;
	for (size_t i = 0; i < o->n_devs; i++)
		if (!strcmp(o->devs[i], name))
			return true;
	return false;
}

int probe_netdevs(const struct probe_opts *o, const struct sysfs *fs,
		  struct probe_report *rep)
{
	struct genl_map genl = { 0 };
	struct dirent **names;
	int n, err = 0;

	for (size_t i = 0; i < o->n_devs; i++) {
		char rel[PATH_MAX];

		snprintf(rel, sizeof(rel), "class/net/%s", o->devs[i]);
		if (strchr(o->devs[i], '/') || !o->devs[i][0] ||
		    !sysfs_exists(fs, rel)) {
			pr_err("probe: no network device '%s' (in %s/class/net)",
			       o->devs[i], fs->root);
			return -ENODEV;
		}
	}
	n = probe_list_dir(fs, "class/net", &names);
	if (n < 0) {
		pr_err("probe: cannot list %s/class/net: %s", fs->root,
		       strerror(-n));
		return n;
	}
	if (o->live) {
		rep->genl_checked = true;
		rep->genl_err = netdev_genl_dump(genl_collect, &genl);
		rep->genl_available = !rep->genl_err;
		if (rep->genl_err)
			pr_info("netdev genl: %s (using the driver table)",
				strerror(-rep->genl_err));
	}
	rep->netdevs = calloc(n ? (size_t)n : 1, sizeof(*rep->netdevs));
	if (!rep->netdevs) {
		err = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n && !err; i++) {
		struct probe_netdev *nd = &rep->netdevs[rep->n_netdevs];

		if (!wanted(o, names[i]->d_name) ||
		    strlen(names[i]->d_name) >= sizeof(nd->name))
			continue;
		set_str(nd->name, sizeof(nd->name), names[i]->d_name);
		rep->n_netdevs++;
		err = probe_netdev(o, fs, rep->genl_available ? &genl : NULL,
				   rep->release, nd);
	}
out:
	free(genl.info);
	probe_free_list(names, n);
	return err;
}

/* libvirt prints every error unless given a handler; we report it. */

const char *probe_xdp_src_str(enum xdp_src s)
{
	switch (s) {
	case XDP_SRC_GENL:
		return "netdev-genl";
	case XDP_SRC_TABLE:
		return "driver-table";
	default:
		return "unknown";
	}
}
