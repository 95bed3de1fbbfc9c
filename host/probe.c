// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: evidence for Anuket capability e.cap.025 "AF_XDP". */
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

#include "host/cmds.h"
#include "host/probe.h"
#include "util/json.h"
#include "util/log.h"
#include "util/netdev_genl.h"
#include "util/sysfs.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#define BPF_FS_MAGIC_VAL 0xcafe4a11
#define KCFG_MAX_BYTES (4 << 20) /* a distro .config is ~300 KiB */

/* Bounded copy that truncates on purpose (names and messages for display). */
static void set_str(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

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

const char *probe_vf_binding_str(enum vf_binding b)
{
	switch (b) {
	case VF_VFIO:
		return "vfio-pci";
	case VF_KERNEL:
		return "kernel";
	default:
		return "none";
	}
}

static const char *xdp_src_str(enum xdp_src s)
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

static void probe_kernel(const struct probe_opts *o, struct probe_report *rep)
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

static void probe_syscalls(const struct probe_opts *o, struct probe_report *rep)
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

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Entries of a directory below the sysfs root, sorted; -errno on error. */
static int list_dir(const struct sysfs *fs, const char *rel,
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

static void free_list(struct dirent **names, int n)
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
	n = list_dir(fs, rel, &names);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i]->d_name, "rx-", 3))
			nd->rx_queues++;
		else if (!strncmp(names[i]->d_name, "tx-", 3))
			nd->tx_queues++;
	}
	free_list(names, n);
}

static int probe_vfs(const struct sysfs *fs, struct probe_netdev *nd)
{
	uint32_t max = nd->totalvfs > nd->numvfs ? nd->totalvfs : nd->numvfs;
	char rel[PATH_MAX];

	if (!max)
		return 0;
	nd->vfs = calloc(max, sizeof(*nd->vfs));
	if (!nd->vfs)
		return -ENOMEM;
	for (uint32_t i = 0; i < max; i++) {
		struct probe_vf *vf = &nd->vfs[nd->n_vfs];
		struct dirent **names;
		int n;

		snprintf(rel, sizeof(rel), "class/net/%s/device/virtfn%u",
			 nd->name, i);
		if (!sysfs_exists(fs, rel))
			continue;
		vf->index = i;
		sysfs_link_basename(fs, rel, vf->pci, sizeof(vf->pci));
		snprintf(rel, sizeof(rel),
			 "class/net/%s/device/virtfn%u/driver", nd->name, i);
		if (!sysfs_link_basename(fs, rel, vf->driver,
					 sizeof(vf->driver)))
			vf->binding = strcmp(vf->driver, "vfio-pci") ?
					      VF_KERNEL :
					      VF_VFIO;
		snprintf(rel, sizeof(rel), "class/net/%s/device/virtfn%u/net",
			 nd->name, i);
		n = list_dir(fs, rel, &names);
		if (n > 0)
			set_str(vf->netdev, sizeof(vf->netdev),
				names[0]->d_name);
		if (n >= 0)
			free_list(names, n);
		nd->n_vfs++;
	}
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
	if (gi) {
		nd->xdp_source = XDP_SRC_GENL;
		nd->xdp_features = gi->xdp_features;
		nd->xdp_native =
			gi->xdp_features & XDP_ACT_BASIC ? PT_YES : PT_NO;
		nd->xdp_zc = gi->xdp_features & XDP_ACT_XSK_ZEROCOPY ? PT_YES :
								       PT_NO;
		nd->zc_max_segs = gi->zc_max_segs;
		nd->has_zc_max_segs = gi->has_zc_max_segs;
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

static int probe_netdevs(const struct probe_opts *o, const struct sysfs *fs,
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
	n = list_dir(fs, "class/net", &names);
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
	free_list(names, n);
	return err;
}

/* libvirt prints every error unless given a handler; we report it. */
static void libvirt_quiet(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

/* libvirt has no connect timeout: connect in a child, wait on a pipe. */
static void probe_libvirt(const struct probe_opts *o, struct probe_report *rep)
{
	int timeout = o->libvirt_timeout_ms ? o->libvirt_timeout_ms : 5000;
	char buf[600] = "";
	struct pollfd pfd;
	int fds[2], status;
	ssize_t len = 0;
	pid_t pid;

	rep->libvirt_checked = true;
	set_str(rep->libvirt_uri, sizeof(rep->libvirt_uri),
		o->connect_uri ? o->connect_uri : "");
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(rep->libvirt_err, sizeof(rep->libvirt_err), "pipe: %s",
			 strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(rep->libvirt_err, sizeof(rep->libvirt_err), "fork: %s",
			 strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		virConnectPtr conn;
		char *uri;
		int w;

		close(fds[0]);
		virSetErrorFunc(NULL, libvirt_quiet);
		conn = virConnectOpenReadOnly(o->connect_uri);
		if (conn) {
			uri = virConnectGetURI(conn);
			w = dprintf(fds[1], "1%s", uri ? uri : "");
			free(uri);
			virConnectClose(conn);
		} else {
			const char *msg = virGetLastErrorMessage();

			w = dprintf(fds[1], "0%s", msg ? msg : "unknown error");
		}
		_exit(w < 0);
	}
	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	for (;;) {
		ssize_t r;
		int p = poll(&pfd, 1, timeout);

		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			break;
		r = read(fds[0], buf + len, sizeof(buf) - 1 - (size_t)len);
		if (r <= 0)
			break;
		len += r;
	}
	close(fds[0]);
	buf[len] = '\0';
	/* The answer is in (or never came): the child has no more to say. */
	kill(pid, SIGKILL);
	if (!len) {
		snprintf(rep->libvirt_err, sizeof(rep->libvirt_err),
			 "no answer within %d ms", timeout);
	} else if (buf[0] == '1') {
		rep->libvirt_reachable = true;
		if (buf[1])
			set_str(rep->libvirt_uri, sizeof(rep->libvirt_uri),
				buf + 1);
	} else {
		set_str(rep->libvirt_err, sizeof(rep->libvirt_err), buf + 1);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void probe_host(const struct probe_opts *o, const struct sysfs *fs,
		       struct probe_report *rep)
{
	const char *dev = o->dev_root ? o->dev_root : "/dev";
	struct dirent **names;
	char path[PATH_MAX];
	int n;

	snprintf(path, sizeof(path), "%s/kvm", dev);
	rep->kvm = !access(path, F_OK);
	snprintf(path, sizeof(path), "%s/vhost-net", dev);
	rep->vhost_net = !access(path, F_OK);
	n = list_dir(fs, "kernel/iommu_groups", &names);
	if (n >= 0) {
		rep->iommu_groups = (uint32_t)n;
		free_list(names, n);
	}
	if (!o->skip_libvirt)
		probe_libvirt(o, rep);
}

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

/* ---- output ---- */

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
		json_add_str(cfg, kcfg_names[i], probe_kcfg_str(rep->kcfg[i]));
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
		const struct probe_vf *vf = &nd->vfs[i];
		struct json_object *v = json_object_new_object();

		json_add_int(v, "index", vf->index);
		json_add_str(v, "pci", vf->pci[0] ? vf->pci : NULL);
		json_add_str(v, "driver", vf->driver[0] ? vf->driver : NULL);
		json_add_str(v, "binding", probe_vf_binding_str(vf->binding));
		json_add_str(v, "netdev", vf->netdev[0] ? vf->netdev : NULL);
		json_object_array_add(vfs, v);
		count[vf->binding]++;
	}
	json_add_obj(s, "vfs", vfs);
	json_add_int(split, "vfio_pci", count[VF_VFIO]);
	json_add_int(split, "kernel", count[VF_KERNEL]);
	json_add_int(split, "unbound", count[VF_UNBOUND]);
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

	json_add_str(x, "source", xdp_src_str(nd->xdp_source));
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

	/* Basic does not use AF_XDP: any host the probe ran on serves it. */
	json_add_bool(b, "can_serve", true);
	json_add_str(b, "af_xdp", "not-required");
	json_add_obj(p, "basic", b);

	/* High Performance lists AF_XDP as optional: the host serves the
	 * profile either way; af_xdp_offered says whether it can add it. */
	json_add_bool(hp, "can_serve", true);
	json_add_str(hp, "af_xdp", "optional");
	json_add_bool(hp, "af_xdp_offered", rep->supported);
	for (size_t i = 0; i < rep->n_netdevs; i++)
		if (rep->netdevs[i].xdp_zc == PT_YES)
			json_array_add_str(zc, rep->netdevs[i].name);
	json_add_obj(hp, "zero_copy_netdevs", zc);
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
		count[nd->vfs[i].binding]++;
	fprintf(out,
		"  %s SR-IOV: %u/%u VFs: %d vfio-pci, %d kernel, %d unbound\n",
		nd->name, nd->numvfs, nd->totalvfs, count[VF_VFIO],
		count[VF_KERNEL], count[VF_UNBOUND]);
	for (size_t i = 0; i < nd->n_vfs; i++) {
		const struct probe_vf *vf = &nd->vfs[i];

		fprintf(out, "    vf %-3u %-14s %-9s %s%s%s\n", vf->index,
			vf->pci[0] ? vf->pci : "-",
			probe_vf_binding_str(vf->binding),
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
		fprintf(out, "  %-24s %s\n", kcfg_names[i],
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

	fprintf(out, "\n%-16s %-12s %6s %7s %9s %6s %4s %-12s %s\n", "NETDEV",
		"DRIVER", "MTU", "QUEUES", "CHANNELS", "NATIVE", "ZC",
		"XDP-SOURCE", "SR-IOV");
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
		fprintf(out, "%-16s %-12s %6s %7s %9s %6s %4s %-12s %s\n",
			nd->name, nd->driver[0] ? nd->driver : "-", mtu, q, ch,
			tri_str(nd->xdp_native), tri_str(nd->xdp_zc),
			xdp_src_str(nd->xdp_source), sr);
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
		"high-performance: yes, AF_XDP %s\n",
		rep->supported ? "offered" : "not offered");
}

/* ---- command ---- */

static void probe_usage(FILE *out)
{
	fprintf(out,
		"Usage: afxdp-host [GLOBAL OPTIONS] probe [--dev IFNAME]...\n"
		"Reports Anuket capability e.cap.025 (AF_XDP) with evidence.\n"
		"  -d, --dev IFNAME  probe only this device (repeatable;\n"
		"                    default: every device but lo)\n"
		"  -h, --help        this help\n"
		"Global options (-j/--json, --sysfs-root, --proc-root, -c URI)\n"
		"go before the command. Exit: 0 probe ran (also when\n"
		"unsupported), 1 could not run, 2 bad usage or unknown device.\n"
		"See afxdp-host(8).\n");
}

static bool is_real_sysfs(const char *root)
{
	char path[PATH_MAX];

	return !root || (realpath(root, path) && !strcmp(path, "/sys"));
}

int cmd_probe(const struct host_global_opts *g, int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_opts o = { 0 };
	struct probe_report rep;
	const char **devs;
	int c, err, rc = HOST_EXIT_OK;

	devs = calloc((size_t)argc + 1, sizeof(*devs));
	if (!devs)
		return HOST_EXIT_FAIL;
	optind = 0; /* glibc: full re-initialisation for the subcommand */
	while ((c = getopt_long(argc, argv, "+d:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			devs[o.n_devs++] = optarg;
			break;
		case 'h':
			probe_usage(stdout);
			free(devs);
			return HOST_EXIT_OK;
		default:
			fprintf(stderr, "Try 'afxdp-host probe --help'.\n");
			free(devs);
			return HOST_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_err("probe: unexpected argument '%s'", argv[optind]);
		fprintf(stderr, "Try 'afxdp-host probe --help'.\n");
		free(devs);
		return HOST_EXIT_USAGE;
	}
	o.devs = devs;
	o.sysfs_root = g->sysfs_root;
	o.procfs_root = g->procfs_root;
	o.connect_uri = g->connect_uri;
	/* Ioctls and netlink describe the running kernel: only trust them
	 * when the sysfs tree is the running kernel's too. */
	o.live = is_real_sysfs(g->sysfs_root);

	err = probe_run(&o, &rep);
	if (err == -ENODEV) {
		rc = HOST_EXIT_USAGE;
	} else if (err) {
		pr_err("probe failed: %s", strerror(-err));
		rc = HOST_EXIT_FAIL;
	} else if (g->json) {
		struct json_object *j = probe_report_json(&rep);

		if (json_print(j, stdout, true))
			rc = HOST_EXIT_FAIL;
		json_object_put(j);
	} else {
		probe_print_table(&rep, stdout);
	}
	if (fflush(stdout))
		rc = HOST_EXIT_FAIL;
	probe_report_free(&rep);
	free(devs);
	return rc;
}
