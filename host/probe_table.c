// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: the report as a table for people. */
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

static const char *tri_str(enum probe_tri t)
{
	return t == PT_YES ? "yes" : t == PT_NO ? "no" : "?";
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_vfs(const struct probe_netdev *nd, FILE *out)
{
	int count[3] = { 0 };

	for (size_t i = 0; i < nd->n_vfs; i++)
		count[nd->vfs[i].group]++;
	fprintf(out,
		"  %s SR-IOV: %u/%u VFs: %d vfio-pci, %d kernel, %d unbound\n",
		nd->name, nd->numvfs, nd->totalvfs, count[SRIOV_GROUP_VFIO],
		count[SRIOV_GROUP_KERNEL], count[SRIOV_GROUP_UNBOUND]);
	for (size_t i = 0; i < nd->n_vfs; i++) {
		const struct sriov_vf *vf = &nd->vfs[i];

		fprintf(out, "    vf %-3u %-14s %-9s %s%s%s\n", vf->index,
			vf->pci[0] ? vf->pci : "-",
			probe_vf_binding_str(vf->group),
			vf->driver[0] ? vf->driver : "-",
			vf->netdev[0] ? " " : "", vf->netdev);
	}
}

void probe_print_table(const struct probe_report *rep, FILE *out)
{
	bool any_sriov = false;

	fprintf(out, "Kernel         %s (config: %s)\n", rep->release,
		rep->config_source[0] ? rep->config_source : "not found");
	for (int i = 0; i < KCFG_NSYMS; i++)
		fprintf(out, "  %-24s %s\n", probe_kcfg_name(i),
			probe_kcfg_str(rep->kcfg[i]));
	fprintf(out, "bpf()          %s%s\n",
		!rep->bpf_checked ? "not tried" :
		rep->bpf_usable	  ? "usable" :
				    "not usable: ",
		rep->bpf_checked && !rep->bpf_usable ? strerror(-rep->bpf_err) :
						       "");
	fprintf(out, "bpffs          %s (%s)\n",
		rep->bpffs_mounted ? "mounted" : "not mounted",
		rep->bpffs_path);
	fprintf(out, "AF_XDP socket  %s%s\n",
		!rep->xsk_checked  ? "not tried" :
		rep->xsk_creatable ? "creatable" :
				     "not creatable: ",
		rep->xsk_checked && !rep->xsk_creatable ?
			strerror(-rep->xsk_err) :
			"");
	fprintf(out, "netdev genl    %s\n",
		!rep->genl_checked  ? "not queried" :
		rep->genl_available ? "available" :
				      "unavailable (driver table used)");

	fprintf(out, "\n%-16s %-12s %6s %7s %9s %6s %4s %4s %5s %-12s %s\n",
		"NETDEV", "DRIVER", "MTU", "QUEUES", "CHANNELS", "NATIVE", "ZC",
		"MB", "ZC-MB", "XDP-SOURCE", "SR-IOV");
	for (size_t i = 0; i < rep->n_netdevs; i++) {
		const struct probe_netdev *nd = &rep->netdevs[i];
		char q[24], ch[24] = "-", mtu[12] = "-", sr[24] = "-";

		snprintf(q, sizeof(q), "%u/%u", nd->rx_queues, nd->tx_queues);
		if (nd->has_channels)
			snprintf(ch, sizeof(ch), "%u/%u",
				 nd->ch.combined ? nd->ch.combined : nd->ch.rx,
				 nd->ch.max_combined ? nd->ch.max_combined :
						       nd->ch.max_rx);
		if (nd->has_mtu)
			snprintf(mtu, sizeof(mtu), "%u", nd->mtu);
		if (nd->sriov) {
			snprintf(sr, sizeof(sr), "%u/%u VFs", nd->numvfs,
				 nd->totalvfs);
			any_sriov = true;
		}
		fprintf(out,
			"%-16s %-12s %6s %7s %9s %6s %4s %4s %5s %-12s %s\n",
			nd->name, nd->driver[0] ? nd->driver : "-", mtu, q, ch,
			tri_str(nd->xdp_native), tri_str(nd->xdp_zc),
			tri_str(nd->xdp_mb), tri_str(nd->zc_mb),
			probe_xdp_src_str(nd->xdp_source), sr);
	}
	if (any_sriov) {
		fputc('\n', out);
		for (size_t i = 0; i < rep->n_netdevs; i++)
			if (rep->netdevs[i].sriov)
				print_vfs(&rep->netdevs[i], out);
	}

	fprintf(out,
		"\nHost           kvm: %s, vhost-net: %s, iommu groups: %u\n",
		yes_no(rep->kvm), yes_no(rep->vhost_net), rep->iommu_groups);
	if (rep->libvirt_checked)
		fprintf(out, "libvirt        %s (%s)%s%s\n",
			rep->libvirt_reachable ? "reachable" : "unreachable",
			rep->libvirt_uri[0] ? rep->libvirt_uri : "default URI",
			rep->libvirt_err[0] ? ": " : "", rep->libvirt_err);

	fprintf(out, "\ne.cap.025 AF_XDP: %s\n",
		rep->supported ? "supported" : "not supported");
	for (size_t i = 0; i < rep->reasons.n; i++)
		fprintf(out, "  - %s\n", rep->reasons.text[i]);
	fprintf(out,
		"Profiles: basic: yes (AF_XDP not required); "
		"high-performance: yes, AF_XDP %s%s%s%s\n",
		rep->supported ? "offered" : "not offered",
		rep->supported ? (rep->zero_copy_offered ? " (zero-copy" :
							   " (copy mode only") :
				 "",
		rep->supported && rep->multi_buffer_offered ? ", multi-buffer" :
							      "",
		rep->supported ? ")" : "");
}

/* ---- command ---- */
