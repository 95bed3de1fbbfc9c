// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: the report as JSON (host/probe.schema.json). */
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

static void json_add_tri(struct json_object *o, const char *key,
			 enum probe_tri t)
{
	if (t == PT_UNKNOWN)
		json_add_null(o, key);
	else
		json_add_bool(o, key, t == PT_YES);
}

static void json_add_err(struct json_object *o, const char *key, int err)
{
	json_add_str(o, key, err ? strerror(-err) : NULL);
}

/* {"checked", @what, "error"} of one kernel facility tried for real. */
static void add_check_json(struct json_object *k, const char *key, bool checked,
			   const char *what, bool ok, int err)
{
	struct json_object *o = json_object_new_object();

	json_add_bool(o, "checked", checked);
	json_add_bool(o, what, ok);
	json_add_err(o, "error", err);
	json_add_obj(k, key, o);
}

static struct json_object *kernel_json(const struct probe_report *rep)
{
	struct json_object *k = json_object_new_object();
	struct json_object *cfg = json_object_new_object();
	struct json_object *o;

	json_add_str(k, "release", rep->release);
	json_add_str(k, "config_source",
		     rep->config_source[0] ? rep->config_source : NULL);
	for (int i = 0; i < KCFG_NSYMS; i++)
		json_add_str(cfg, probe_kcfg_name(i),
			     probe_kcfg_str(rep->kcfg[i]));
	json_add_obj(k, "config", cfg);

	add_check_json(k, "bpf_syscall", rep->bpf_checked, "usable",
		       rep->bpf_usable, rep->bpf_err);

	o = json_object_new_object();
	json_add_str(o, "path", rep->bpffs_path);
	json_add_bool(o, "mounted", rep->bpffs_mounted);
	json_add_obj(k, "bpffs", o);

	add_check_json(k, "af_xdp_socket", rep->xsk_checked, "creatable",
		       rep->xsk_creatable, rep->xsk_err);
	add_check_json(k, "netdev_genl", rep->genl_checked, "available",
		       rep->genl_available, rep->genl_err);
	return k;
}

static struct json_object *channels_json(const struct nic_channels *c, bool max)
{
	struct json_object *o = json_object_new_object();

	json_add_int(o, "rx", max ? c->max_rx : c->rx);
	json_add_int(o, "tx", max ? c->max_tx : c->tx);
	json_add_int(o, "other", max ? c->max_other : c->other);
	json_add_int(o, "combined", max ? c->max_combined : c->combined);
	return o;
}

static struct json_object *sriov_json(const struct probe_netdev *nd)
{
	struct json_object *s = json_object_new_object();
	struct json_object *vfs = json_object_new_array();
	struct json_object *split = json_object_new_object();
	int count[3] = { 0 };

	json_add_int(s, "totalvfs", nd->totalvfs);
	json_add_int(s, "numvfs", nd->numvfs);
	for (size_t i = 0; i < nd->n_vfs; i++) {
		const struct sriov_vf *vf = &nd->vfs[i];
		struct json_object *v = json_object_new_object();

		json_add_int(v, "index", vf->index);
		json_add_str(v, "pci", vf->pci[0] ? vf->pci : NULL);
		json_add_str(v, "driver", vf->driver[0] ? vf->driver : NULL);
		json_add_str(v, "binding", probe_vf_binding_str(vf->group));
		json_add_str(v, "netdev", vf->netdev[0] ? vf->netdev : NULL);
		json_object_array_add(vfs, v);
		count[vf->group]++;
	}
	json_add_obj(s, "vfs", vfs);
	json_add_int(split, "vfio_pci", count[SRIOV_GROUP_VFIO]);
	json_add_int(split, "kernel", count[SRIOV_GROUP_KERNEL]);
	json_add_int(split, "unbound", count[SRIOV_GROUP_UNBOUND]);
	json_add_obj(s, "split", split);
	return s;
}

static struct json_object *netdev_json(const struct probe_netdev *nd)
{
	struct json_object *o = json_object_new_object();
	struct json_object *x = json_object_new_object();
	struct json_object *feats = json_object_new_array();
	struct json_object *q;

	json_add_str(o, "name", nd->name);
	json_add_int(o, "ifindex", nd->ifindex);
	json_add_str(o, "driver", nd->driver[0] ? nd->driver : NULL);
	json_add_str(o, "driver_source", nd->driver_source);
	if (nd->has_mtu)
		json_add_int(o, "mtu", nd->mtu);
	else
		json_add_null(o, "mtu");
	q = json_object_new_object();
	json_add_int(q, "rx", nd->rx_queues);
	json_add_int(q, "tx", nd->tx_queues);
	json_add_obj(o, "queues", q);
	if (nd->has_channels) {
		q = json_object_new_object();
		json_add_obj(q, "current", channels_json(&nd->ch, false));
		json_add_obj(q, "max", channels_json(&nd->ch, true));
		json_add_obj(o, "channels", q);
	} else {
		json_add_null(o, "channels");
	}

	json_add_str(x, "source", probe_xdp_src_str(nd->xdp_source));
	for (unsigned int b = 0; b < 64; b++) {
		const char *name = netdev_xdp_act_name(b);

		if (nd->xdp_features & (1ull << b))
			json_array_add_str(feats, name ? name : "unknown");
	}
	if (nd->xdp_source == XDP_SRC_GENL) {
		json_add_obj(x, "features", feats);
	} else {
		json_object_put(feats);
		json_add_null(x, "features");
	}
	json_add_tri(x, "native", nd->xdp_native);
	json_add_tri(x, "zero_copy", nd->xdp_zc);
	if (nd->has_zc_max_segs)
		json_add_int(x, "zc_max_segs", nd->zc_max_segs);
	else
		json_add_null(x, "zc_max_segs");
	json_add_tri(x, "multi_buffer", nd->xdp_mb);
	json_add_tri(x, "zero_copy_multi_buffer", nd->zc_mb);
	json_add_obj(o, "xdp", x);
	json_add_bool(o, "zero_copy_available", nd->xdp_zc == PT_YES);
	json_add_obj(o, "sriov", nd->sriov ? sriov_json(nd) : NULL);
	return o;
}

static struct json_object *host_json(const struct probe_report *rep)
{
	struct json_object *h = json_object_new_object();
	struct json_object *o = json_object_new_object();

	json_add_bool(h, "kvm", rep->kvm);
	json_add_bool(h, "vhost_net", rep->vhost_net);
	json_add_bool(o, "present", rep->iommu_groups > 0);
	json_add_int(o, "count", rep->iommu_groups);
	json_add_obj(h, "iommu_groups", o);
	o = json_object_new_object();
	json_add_bool(o, "checked", rep->libvirt_checked);
	json_add_str(o, "uri", rep->libvirt_uri[0] ? rep->libvirt_uri : NULL);
	json_add_bool(o, "reachable", rep->libvirt_reachable);
	json_add_str(o, "error", rep->libvirt_err[0] ? rep->libvirt_err : NULL);
	json_add_obj(h, "libvirt", o);
	return h;
}

static struct json_object *profiles_json(const struct probe_report *rep)
{
	struct json_object *p = json_object_new_object();
	struct json_object *b = json_object_new_object();
	struct json_object *hp = json_object_new_object();
	struct json_object *zc = json_object_new_array();
	struct json_object *mb = json_object_new_array();
	struct json_object *zcmb = json_object_new_array();

	/* Basic does not use AF_XDP: any host the probe ran on serves it. */
	json_add_bool(b, "can_serve", true);
	json_add_str(b, "af_xdp", "not-required");
	json_add_obj(p, "basic", b);

	/* High Performance lists AF_XDP as optional: the host serves the
	 * profile either way; af_xdp_offered says whether it can add it. */
	json_add_bool(hp, "can_serve", true);
	json_add_str(hp, "af_xdp", "optional");
	json_add_bool(hp, "af_xdp_offered", rep->supported);
	/* ... and how: zero-copy (the reference architecture's "AF_XDP
	 * zero-copy capable netdevs") or copy mode, and multi-buffer. */
	json_add_str(hp, "af_xdp_mode", probe_af_xdp_mode(rep));
	json_add_bool(hp, "zero_copy_offered", rep->zero_copy_offered);
	json_add_bool(hp, "multi_buffer_offered", rep->multi_buffer_offered);
	for (size_t i = 0; i < rep->n_netdevs; i++) {
		const struct probe_netdev *nd = &rep->netdevs[i];

		if (nd->xdp_zc == PT_YES)
			json_array_add_str(zc, nd->name);
		if (nd->xdp_mb == PT_YES)
			json_array_add_str(mb, nd->name);
		if (nd->zc_mb == PT_YES)
			json_array_add_str(zcmb, nd->name);
	}
	json_add_obj(hp, "zero_copy_netdevs", zc);
	json_add_obj(hp, "multi_buffer_netdevs", mb);
	json_add_obj(hp, "zero_copy_multi_buffer_netdevs", zcmb);
	json_add_obj(p, "high-performance", hp);
	return p;
}

struct json_object *probe_report_json(const struct probe_report *rep)
{
	struct json_object *root = json_object_new_object();
	struct json_object *caps = json_object_new_object();
	struct json_object *cap = json_object_new_object();
	struct json_object *reasons = json_object_new_array();
	struct json_object *nds = json_object_new_array();

	json_add_str(root, "tool", "afxdp-host");
	json_add_str(root, "version", AFXDP_VERSION);
	json_add_str(cap, "name", "AF_XDP");
	json_add_bool(cap, "supported", rep->supported);
	for (size_t i = 0; i < rep->reasons.n; i++)
		json_array_add_str(reasons, rep->reasons.text[i]);
	json_add_obj(cap, "reasons", reasons);
	json_add_obj(caps, "e.cap.025", cap);
	json_add_obj(root, "capabilities", caps);
	json_add_obj(root, "profiles", profiles_json(rep));
	json_add_obj(root, "kernel", kernel_json(rep));
	for (size_t i = 0; i < rep->n_netdevs; i++)
		json_object_array_add(nds, netdev_json(&rep->netdevs[i]));
	json_add_obj(root, "netdevs", nds);
	json_add_obj(root, "host", host_json(rep));
	return root;
}
