/* SPDX-License-Identifier: GPL-2.0 */
/* afxdp-host probe: gathers the evidence for Anuket capability e.cap.025
 * "AF_XDP" into a report, decides the verdict, prints it as a table or
 * JSON. Split into steps so the unit tests can feed a fake sysfs tree. */
#ifndef HOST_PROBE_H
#define HOST_PROBE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/sriov_sysfs.h"
#include "util/ethtool.h"

struct json_object;
struct netdev_xdp_info;

struct probe_opts {
	const char *sysfs_root; /* NULL: /sys */
	const char *procfs_root; /* NULL: /proc */
	const char *boot_dir; /* NULL: /boot (config-RELEASE fallback) */
	const char *dev_root; /* NULL: /dev (kvm, vhost-net) */
	const char *kernel_release; /* NULL: uname -r */
	const char *connect_uri; /* libvirt; NULL: libvirt's default */
	const char *const *devs; /* --dev names; n_devs == 0: all but lo */
	size_t n_devs;
	/* Query netdevs through ioctls and netlink. Only meaningful when the
	 * sysfs tree is the running kernel's (a fake tree's names would be
	 * looked up on the real host). */
	bool live;
	bool skip_libvirt; /* unit tests: no libvirt connection attempt */
	bool skip_syscalls; /* unit tests: no bpf()/socket() probes */
	int libvirt_timeout_ms; /* 0: 5000 */
};

enum kcfg_val { KCFG_UNKNOWN = 0, KCFG_N, KCFG_M, KCFG_Y };

enum probe_kcfg_sym {
	KCFG_XDP_SOCKETS,
	KCFG_BPF_SYSCALL,
	KCFG_BPF_JIT,
	KCFG_XDP_SOCKETS_DIAG,
	KCFG_NET_CLS_BPF,
	KCFG_VIRTIO_NET,
	KCFG_PCI_IOV,
	KCFG_VFIO_PCI,
	KCFG_VHOST_NET,
	KCFG_NSYMS,
};

enum xdp_src { XDP_SRC_UNKNOWN = 0, XDP_SRC_GENL, XDP_SRC_TABLE };
enum probe_tri { PT_UNKNOWN = -1, PT_NO = 0, PT_YES = 1 };

struct probe_netdev {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	char driver[32]; /* "" unknown */
	const char *driver_source; /* "sysfs", "ethtool" or NULL */
	uint32_t mtu;
	bool has_mtu;
	uint32_t rx_queues, tx_queues; /* sysfs queues/ directory */
	struct nic_channels ch;
	bool has_channels;
	/* XDP */
	enum xdp_src xdp_source;
	uint64_t xdp_features; /* XDP_ACT_* (genl) */
	enum probe_tri xdp_native;
	enum probe_tri xdp_zc;
	uint32_t zc_max_segs;
	bool has_zc_max_segs;
	/* Multi-buffer (frames beyond one page): native XDP with frags
	 * (rx-sg), and AF_XDP zero-copy multi-buffer (zero-copy with
	 * zc_max_segs > 1). Known from netdev genl only. */
	enum probe_tri xdp_mb;
	enum probe_tri zc_mb;
	/* SR-IOV, when device/sriov_totalvfs exists */
	bool sriov;
	uint32_t totalvfs, numvfs;
	struct sriov_vf *vfs; /* those with a virtfnN link (sriov_vf_read) */
	size_t n_vfs;
};

#define PROBE_MAX_REASONS 16
#define PROBE_REASON_LEN 160

struct probe_reasons {
	char text[PROBE_MAX_REASONS][PROBE_REASON_LEN];
	size_t n;
};

struct probe_report {
	char release[128];
	char config_source[256]; /* "" when no config was found */
	enum kcfg_val kcfg[KCFG_NSYMS];
	/* syscalls */
	bool bpf_checked, bpf_usable;
	int bpf_err; /* -errno */
	bool bpffs_mounted;
	char bpffs_path[300];
	bool xsk_checked, xsk_creatable;
	int xsk_err;
	bool genl_checked, genl_available;
	int genl_err;
	/* netdevs */
	struct probe_netdev *netdevs;
	size_t n_netdevs;
	/* host */
	bool kvm, vhost_net;
	uint32_t iommu_groups;
	bool libvirt_checked, libvirt_reachable;
	char libvirt_uri[256]; /* as connected, or as requested */
	char libvirt_err[256];
	/* verdict */
	bool supported;
	/* High Performance: AF_XDP offered and some netdev with zero-copy /
	 * with native multi-buffer XDP. */
	bool zero_copy_offered, multi_buffer_offered;
	struct probe_reasons reasons;
};

/* Fills rep (zeroed first). 0, or -errno when the probe could not run at
 * all; -ENODEV (with a message logged) when a --dev name does not exist. */
int probe_run(const struct probe_opts *opts, struct probe_report *rep);
void probe_report_free(struct probe_report *rep);

/* Steps of probe_run, exposed for the tests. */
const char *probe_xdp_src_str(enum xdp_src s);
const char *probe_kcfg_name(enum probe_kcfg_sym sym);
/* Parses a kernel .config text (NUL-terminated) into rep->kcfg. */
void probe_kcfg_parse(const char *text, enum kcfg_val out[KCFG_NSYMS]);
const char *probe_kcfg_str(enum kcfg_val v);
/* Built-in table used when the kernel has no netdev genl family: native
 * XDP and AF_XDP zero-copy per driver at the given kernel release. Returns
 * false for drivers not in the table. */
bool probe_driver_table(const char *driver, const char *release,
			enum probe_tri *native, enum probe_tri *zc);
/* "6.11.0-foo" -> 6*1000+11; 0 when unparsable. */
unsigned int probe_kver(const char *release);
void probe_verdict(struct probe_report *rep);
/* A netdev's XDP part from its netdev genl reply. */
void probe_netdev_genl(struct probe_netdev *nd,
		       const struct netdev_xdp_info *gi);
/* "zero-copy", "copy" (AF_XDP without a zero-copy netdev) or "none". */
const char *probe_af_xdp_mode(const struct probe_report *rep);
/* A VF's group as probe names it: "vfio-pci", "kernel", "none". */
const char *probe_vf_binding_str(enum sriov_vf_group g);

struct json_object *probe_report_json(const struct probe_report *rep);
void probe_print_table(const struct probe_report *rep, FILE *out);

#endif
