// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: the verdict: every reason the capability is not
 * offered, and probe_run() that gathers the evidence and judges it. */
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

__attribute__((format(printf, 2, 3))) static void
add_reason(struct probe_report *rep, const char *fmt, ...)
{
	va_list ap;

	if (rep->reasons.n >= PROBE_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(rep->reasons.text[rep->reasons.n++], PROBE_REASON_LEN, fmt,
		  ap);
	va_end(ap);
}

static bool perm_err(int err)
{
	return err == -EPERM || err == -EACCES;
}

/* Append @name to the comma-separated @list (truncated quietly). */
static void list_add(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);
	int w = snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);

	if (w < 0 || (size_t)w >= size - len)
		list[len] = '\0';
}

/* e.cap.025 for the High Performance profile: AF_XDP at its best is
 * zero-copy (the reference architecture asks for "AF_XDP zero-copy
 * capable netdevs"), and frames beyond one page need multi-buffer. */
static void high_performance(struct probe_report *rep, bool af_xdp)
{
	char zc[PROBE_REASON_LEN] = "", mb[PROBE_REASON_LEN] = "";
	char zcmb[PROBE_REASON_LEN] = "";
	bool mb_known = false;

	for (size_t i = 0; i < rep->n_netdevs; i++) {
		const struct probe_netdev *nd = &rep->netdevs[i];

		if (nd->xdp_zc == PT_YES)
			list_add(zc, sizeof(zc), nd->name);
		if (nd->xdp_mb != PT_UNKNOWN)
			mb_known = true;
		if (nd->xdp_mb == PT_YES)
			list_add(mb, sizeof(mb), nd->name);
		if (nd->zc_mb == PT_YES)
			list_add(zcmb, sizeof(zcmb), nd->name);
	}
	rep->zero_copy_offered = af_xdp && zc[0];
	rep->multi_buffer_offered = af_xdp && mb[0];
	if (zc[0])
		add_reason(rep, "AF_XDP zero-copy on: %s", zc);
	else if (rep->n_netdevs)
		add_reason(
			rep,
			"no network device offers AF_XDP zero-copy: copy mode only");
	if (mb[0])
		add_reason(
			rep,
			"multi-buffer XDP (frames beyond one page) on: %s%s%s",
			mb, zcmb[0] ? "; zero-copy multi-buffer on: " : "",
			zcmb);
	else if (mb_known)
		add_reason(
			rep,
			"no network device offers multi-buffer XDP (rx-sg): frames up to one page");
	else if (rep->n_netdevs)
		add_reason(
			rep,
			"multi-buffer XDP not known (only netdev genl reports it)");
}

const char *probe_af_xdp_mode(const struct probe_report *rep)
{
	if (!rep->supported)
		return "none";
	return rep->zero_copy_offered ? "zero-copy" : "copy";
}

void probe_verdict(struct probe_report *rep)
{
	enum kcfg_val xsk = rep->kcfg[KCFG_XDP_SOCKETS];
	bool kernel_ok, sock_ok, bpf_ok, native_ok = false;
	char list[PROBE_REASON_LEN] = "";
	size_t len = 0;

	memset(&rep->reasons, 0, sizeof(rep->reasons));

	/* 1. The kernel has XDP sockets: its config, else the socket itself. */
	if (xsk == KCFG_Y || xsk == KCFG_M) {
		kernel_ok = true;
		add_reason(rep,
			   "kernel has XDP sockets (CONFIG_XDP_SOCKETS=%s)",
			   probe_kcfg_str(xsk));
	} else if (xsk == KCFG_N) {
		kernel_ok = false;
		add_reason(rep, "kernel lacks XDP sockets (CONFIG_XDP_SOCKETS "
				"is not set)");
	} else {
		kernel_ok = rep->xsk_checked &&
			    (rep->xsk_creatable || perm_err(rep->xsk_err));
		add_reason(rep, "kernel config not found; AF_XDP socket %s",
			   kernel_ok ? "family present" : "family missing");
	}

	/* 2. An AF_XDP socket can be created (EPERM: present, needs root). */
	if (!rep->xsk_checked) {
		sock_ok = kernel_ok;
		add_reason(rep, "AF_XDP socket not tried");
	} else if (rep->xsk_creatable) {
		sock_ok = true;
		add_reason(rep, "AF_XDP socket created");
	} else if (perm_err(rep->xsk_err)) {
		sock_ok = true;
		add_reason(rep, "AF_XDP socket family present but not "
				"permitted to this user (needs CAP_NET_RAW)");
	} else {
		sock_ok = false;
		add_reason(rep, "AF_XDP socket cannot be created: %s",
			   strerror(-rep->xsk_err));
	}

	/* 3. bpf() works (the XSKMAP and the XDP program need it). */
	if (!rep->bpf_checked) {
		bpf_ok = rep->kcfg[KCFG_BPF_SYSCALL] == KCFG_Y;
		add_reason(rep, "bpf() not tried; CONFIG_BPF_SYSCALL=%s",
			   probe_kcfg_str(rep->kcfg[KCFG_BPF_SYSCALL]));
	} else if (rep->bpf_usable) {
		bpf_ok = true;
		add_reason(rep, "bpf() usable (BPF_MAP_CREATE ok)");
	} else {
		bpf_ok = false;
		add_reason(rep, "bpf() not usable: %s%s",
			   strerror(-rep->bpf_err),
			   perm_err(rep->bpf_err) ? " (run as root)" : "");
	}

	/* 4. At least one netdev with native (driver) XDP. */
	for (size_t i = 0; i < rep->n_netdevs; i++) {
		const struct probe_netdev *nd = &rep->netdevs[i];
		int w;

		if (nd->xdp_native != PT_YES)
			continue;
		native_ok = true;
		w = snprintf(list + len, sizeof(list) - len, "%s%s",
			     len ? ", " : "", nd->name);
		if (w > 0 && (size_t)w < sizeof(list) - len)
			len += (size_t)w;
	}
	if (native_ok)
		add_reason(rep, "native XDP on: %s", list);
	else
		add_reason(rep, "no network device with native XDP%s",
			   rep->n_netdevs ? "" : " (no devices probed)");

	high_performance(rep, kernel_ok && sock_ok && bpf_ok && native_ok);

	if (!rep->bpffs_mounted)
		add_reason(rep,
			   "note: bpffs not mounted at %s (needed only "
			   "to pin maps)",
			   rep->bpffs_path);
	rep->supported = kernel_ok && sock_ok && bpf_ok && native_ok;
}

int probe_run(const struct probe_opts *opts, struct probe_report *rep)
{
	struct sysfs fs;
	int err;

	memset(rep, 0, sizeof(*rep));
	err = sysfs_init(&fs, opts->sysfs_root);
	if (err) {
		pr_err("probe: bad sysfs root: %s", strerror(-err));
		return err;
	}
	probe_kernel(opts, rep);
	probe_syscalls(opts, rep);
	err = probe_netdevs(opts, &fs, rep);
	if (err)
		return err;
	probe_host(opts, &fs, rep);
	probe_verdict(rep);
	return 0;
}

void probe_report_free(struct probe_report *rep)
{
	for (size_t i = 0; i < rep->n_netdevs; i++)
		free(rep->netdevs[i].vfs);
	free(rep->netdevs);
	rep->netdevs = NULL;
	rep->n_netdevs = 0;
}
