// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: the kernel: its build options (.config), version, the
 * AF_XDP and BPF syscalls, and the driver table. */
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

#ifndef AF_XDP
#define AF_XDP 44
#endif
#define BPF_FS_MAGIC_VAL 0xcafe4a11
#define KCFG_MAX_BYTES (4 << 20) /* a distro .config is ~300 KiB */

static const char *const kcfg_names[KCFG_NSYMS] = {
	[KCFG_XDP_SOCKETS] = "CONFIG_XDP_SOCKETS",
	[KCFG_BPF_SYSCALL] = "CONFIG_BPF_SYSCALL",
	[KCFG_BPF_JIT] = "CONFIG_BPF_JIT",
	[KCFG_XDP_SOCKETS_DIAG] = "CONFIG_XDP_SOCKETS_DIAG",
	[KCFG_NET_CLS_BPF] = "CONFIG_NET_CLS_BPF",
	[KCFG_VIRTIO_NET] = "CONFIG_VIRTIO_NET",
	[KCFG_PCI_IOV] = "CONFIG_PCI_IOV",
	[KCFG_VFIO_PCI] = "CONFIG_VFIO_PCI",
	[KCFG_VHOST_NET] = "CONFIG_VHOST_NET",
};

const char *probe_kcfg_name(enum probe_kcfg_sym sym)
{
	return sym < KCFG_NSYMS ? kcfg_names[sym] : NULL;
}

const char *probe_kcfg_str(enum kcfg_val v)
{
	switch (v) {
	case KCFG_Y:
		return "y";
	case KCFG_M:
		return "m";
	case KCFG_N:
		return "n";
	default:
		return "unknown";
	}
}

const char *probe_vf_binding_str(enum sriov_vf_group g)
{
	switch (g) {
	case SRIOV_GROUP_VFIO:
		return "vfio-pci";
	case SRIOV_GROUP_KERNEL:
		return "kernel";
	default:
		return "none";
	}
}

/* A symbol missing from a .config that we found is "not set" (n). */
void probe_kcfg_parse(const char *text, enum kcfg_val out[KCFG_NSYMS])
{
	const char *line = text;

	for (int i = 0; i < KCFG_NSYMS; i++)
		out[i] = KCFG_N;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		for (int i = 0; i < KCFG_NSYMS; i++) {
			size_t n = strlen(kcfg_names[i]);

			if (len > n + 1 && !strncmp(line, kcfg_names[i], n) &&
			    line[n] == '=') {
				char v = line[n + 1];

				out[i] = v == 'y' ? KCFG_Y :
					 v == 'm' ? KCFG_M :
						    KCFG_N;
			}
		}
		line = end ? end + 1 : NULL;
	}
}

unsigned int probe_kver(const char *release)
{
	unsigned int major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major * 1000 + minor;
}

/* Fallback when the kernel has no netdev genl family (< 6.3). The kernel
 * versions are the mainline releases that added native XDP / AF_XDP
 * zero-copy to each driver; 0 means "never" (as of Linux 6.18). Keep the
 * man page's DRIVER TABLE in step with this. */
static const struct {
	const char *driver;
	unsigned int native_since, zc_since;
} driver_table[] = {
	{ "virtio_net", 4010, 6011 }, { "veth", 4019, 0 },
	{ "tun", 4014, 0 },	      { "ixgbe", 4012, 4020 },
	{ "ixgbevf", 4017, 0 },	      { "i40e", 4013, 4020 },
	{ "ice", 5005, 5005 },	      { "igc", 5013, 5014 },
	{ "igb", 5010, 6014 },	      { "mlx5_core", 4009, 5003 },
	{ "mlx4_en", 4008, 0 },	      { "bnxt_en", 4011, 0 },
	{ "nfp", 4010, 5018 },	      { "qede", 4010, 0 },
	{ "stmmac", 5013, 5013 },     { "hv_netvsc", 5006, 0 },
	{ "mana", 5017, 0 },	      { "ena", 5005, 0 },
	{ "gve", 6002, 6002 },	      { "xen-netfront", 5009, 0 },
};

bool probe_driver_table(const char *driver, const char *release,
			enum probe_tri *native, enum probe_tri *zc)
{
	unsigned int kv = probe_kver(release);

	for (size_t i = 0; i < sizeof(driver_table) / sizeof(driver_table[0]);
	     i++) {
		if (strcmp(driver, driver_table[i].driver))
			continue;
		if (!kv) {
			*native = *zc = PT_UNKNOWN;
			return true;
		}
		*native = kv >= driver_table[i].native_since ? PT_YES : PT_NO;
		*zc = driver_table[i].zc_since &&
				      kv >= driver_table[i].zc_since ?
			      PT_YES :
			      PT_NO;
		return true;
	}
	*native = *zc = PT_UNKNOWN;
	return false;
}

/* Reads a whole file, gzip or plain (gzread passes plain files through). */
static int read_config(const char *path, char **out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf;
	gzFile gz;
	int n;

	gz = gzopen(path, "rb");
	if (!gz)
		return errno ? -errno : -ENOMEM;
	buf = malloc(cap);
	while (buf) {
		if (len + 1 >= cap) {
			char *nb = cap < KCFG_MAX_BYTES ?
					   realloc(buf, cap * 2) :
					   NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = gzread(gz, buf + len, (unsigned int)(cap - len - 1));
		if (n < 0) {
			free(buf);
			buf = NULL;
			errno = EIO;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	gzclose(gz);
	if (!buf)
		return errno == EIO ? -EIO : -ENOMEM;
	buf[len] = '\0';
	*out = buf;
	return 0;
}

void probe_kernel(const struct probe_opts *o, struct probe_report *rep)
{
	const char *proc = o->procfs_root ? o->procfs_root : "/proc";
	const char *boot = o->boot_dir ? o->boot_dir : "/boot";
	char path[2][PATH_MAX];
	char *text = NULL;

	if (o->kernel_release) {
		set_str(rep->release, sizeof(rep->release), o->kernel_release);
	} else {
		struct utsname u;

		if (!uname(&u))
			set_str(rep->release, sizeof(rep->release), u.release);
	}
	snprintf(path[0], sizeof(path[0]), "%s/config.gz", proc);
	snprintf(path[1], sizeof(path[1]), "%s/config-%s", boot, rep->release);
	for (int i = 0; i < 2; i++) {
		int err;

		if (access(path[i], R_OK))
			continue;
		err = read_config(path[i], &text);
		if (!err) {
			set_str(rep->config_source, sizeof(rep->config_source),
				path[i]);
			break;
		}
		pr_info("kernel config %s: %s", path[i], strerror(-err));
	}
	if (text) {
		probe_kcfg_parse(text, rep->kcfg);
		free(text);
	} else {
		pr_info("no kernel config in %s or %s", path[0], path[1]);
	}
}

static int silent_libbpf(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

void probe_syscalls(const struct probe_opts *o, struct probe_report *rep)
{
	struct statfs st;
	int fd;

	snprintf(rep->bpffs_path, sizeof(rep->bpffs_path), "%s/fs/bpf",
		 o->sysfs_root ? o->sysfs_root : "/sys");
	rep->bpffs_mounted = !statfs(rep->bpffs_path, &st) &&
			     (unsigned long)st.f_type == BPF_FS_MAGIC_VAL;
	if (o->skip_syscalls)
		return;

	/* A one-entry array map: the smallest thing that proves bpf() works
	 * for this caller (unprivileged_bpf_disabled, seccomp, lockdown). */
	libbpf_set_print(silent_libbpf);
	rep->bpf_checked = true;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "afxdp_probe", 4, 4, 1, NULL);
	if (fd >= 0) {
		rep->bpf_usable = true;
		close(fd);
	} else {
		rep->bpf_err = fd < 0 ? fd : -EINVAL;
	}

	rep->xsk_checked = true;
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		rep->xsk_creatable = true;
		close(fd);
	} else {
		rep->xsk_err = -errno;
	}
}
