// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe on a fake sysfs/procfs tree: netdevs, an SR-IOV PF whose
 * VFs are split between vfio-pci, iavf and no driver, a NIC without
 * SR-IOV, the kernel config, the driver-table fallback, the verdict, the
 * JSON and the decoding of netdev genl replies built with libmnl. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <linux/genetlink.h>

#include "host/probe.h"
#include "util/netdev_genl.h"

static char top[64];

static void pathf(char *buf, size_t len, const char *fmt, va_list ap)
{
	char rel[PATH_MAX];

	vsnprintf(rel, sizeof(rel), fmt, ap);
	assert_true((size_t)snprintf(buf, len, "%s/%s", top, rel) < len);
}

static void mkdir_p(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	pathf(path, sizeof(path), fmt, ap);
	va_end(ap);
	for (char *p = path + strlen(top) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(!mkdir(path, 0755) || errno == EEXIST);
		*p = '/';
	}
	assert_true(!mkdir(path, 0755) || errno == EEXIST);
}

static void put_file(const char *content, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	pathf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

/* Symlink at top/LINK pointing at top/TARGET (absolute, like a resolved
 * sysfs link; the probe only needs the basename and existence). */
static void put_link(const char *target, const char *link)
{
	char t[PATH_MAX], l[PATH_MAX];

	snprintf(t, sizeof(t), "%s/%s", top, target);
	snprintf(l, sizeof(l), "%s/%s", top, link);
	assert_int_equal(symlink(t, l), 0);
}

static void put_gz(const char *text, const char *rel)
{
	char path[PATH_MAX];
	gzFile gz;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	gz = gzopen(path, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, text, (unsigned int)strlen(text)),
			 (int)strlen(text));
	assert_int_equal(gzclose(gz), Z_OK);
}

static void add_netdev(const char *name, uint32_t ifindex, uint32_t mtu,
		       int queues)
{
	char buf[16];

	mkdir_p("sys/class/net/%s", name);
	snprintf(buf, sizeof(buf), "%u\n", ifindex);
	put_file(buf, "sys/class/net/%s/ifindex", name);
	snprintf(buf, sizeof(buf), "%u\n", mtu);
	put_file(buf, "sys/class/net/%s/mtu", name);
	for (int q = 0; q < queues; q++) {
		mkdir_p("sys/class/net/%s/queues/rx-%d", name, q);
		mkdir_p("sys/class/net/%s/queues/tx-%d", name, q);
	}
}

/* A PCI function at sys/devices/pci0000:00/ADDR bound to DRIVER (NULL:
 * unbound); netdev NAME's device link points at it when NAME is given. */
static void add_pci(const char *addr, const char *driver, const char *name)
{
	char dev[PATH_MAX], rel[PATH_MAX];

	snprintf(dev, sizeof(dev), "sys/devices/pci0000:00/%s", addr);
	mkdir_p("%s", dev);
	if (driver) {
		mkdir_p("sys/bus/pci/drivers/%s", driver);
		snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s", driver);
		snprintf(dev, sizeof(dev), "sys/devices/pci0000:00/%s/driver",
			 addr);
		put_link(rel, dev);
	}
	if (name) {
		snprintf(dev, sizeof(dev), "sys/devices/pci0000:00/%s", addr);
		snprintf(rel, sizeof(rel), "sys/class/net/%s/device", name);
		put_link(dev, rel);
	}
}

static const char kconfig[] = "#\n# Automatically generated file\n#\n"
			      "CONFIG_BPF_SYSCALL=y\n"
			      "CONFIG_BPF_JIT=y\n"
			      "CONFIG_XDP_SOCKETS=y\n"
			      "CONFIG_XDP_SOCKETS_DIAG=m\n"
			      "# CONFIG_NET_CLS_BPF is not set\n"
			      "CONFIG_VIRTIO_NET=m\n"
			      "CONFIG_PCI_IOV=y\n"
			      "CONFIG_VFIO_PCI=m\n";

/* The tree: lo; ens1f0 (ice PF, 8 VFs possible, 4 made: 0,1 vfio-pci,
 * 2 iavf with netdev ens1f0v2, 3 unbound); ens2 (e1000e, no SR-IOV, not in
 * the driver table); ens3 (virtio_net, no SR-IOV); the VF's netdev. */
static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/test_probe.XXXXXX");
	assert_non_null(mkdtemp(top));
	add_netdev("lo", 1, 65536, 1);
	add_netdev("ens1f0", 2, 1500, 4);
	add_netdev("ens2", 3, 9000, 1);
	add_netdev("ens3", 4, 1500, 2);
	add_netdev("ens1f0v2", 5, 1500, 1);
	add_pci("0000:3b:00.0", "ice", "ens1f0");
	add_pci("0000:5e:00.0", "e1000e", "ens2");
	add_pci("0000:00:03.0", "virtio_net", "ens3");
	add_pci("0000:3b:01.0", "vfio-pci", NULL);
	add_pci("0000:3b:01.1", "vfio-pci", NULL);
	add_pci("0000:3b:01.2", "iavf", "ens1f0v2");
	add_pci("0000:3b:01.3", NULL, NULL);
	put_file("8\n", "sys/devices/pci0000:00/0000:3b:00.0/sriov_totalvfs");
	put_file("4\n", "sys/devices/pci0000:00/0000:3b:00.0/sriov_numvfs");
	for (int i = 0; i < 4; i++) {
		char t[128], l[128];

		snprintf(t, sizeof(t), "sys/devices/pci0000:00/0000:3b:01.%d",
			 i);
		snprintf(l, sizeof(l),
			 "sys/devices/pci0000:00/0000:3b:00.0/virtfn%d", i);
		put_link(t, l);
	}
	mkdir_p("sys/devices/pci0000:00/0000:3b:01.2/net/ens1f0v2");
	mkdir_p("sys/kernel/iommu_groups/0");
	mkdir_p("sys/kernel/iommu_groups/1");
	mkdir_p("sys/kernel/iommu_groups/2");
	mkdir_p("proc");
	put_gz(kconfig, "proc/config.gz");
	mkdir_p("boot");
	put_file("CONFIG_XDP_SOCKETS=m\nCONFIG_BPF_SYSCALL=y\n",
		 "boot/config-6.1.0-test");
	mkdir_p("dev");
	put_file("", "dev/kvm");
	return 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static struct probe_opts fake_opts(char *sys, char *proc, char *boot, char *dev)
{
	snprintf(sys, PATH_MAX, "%s/sys", top);
	snprintf(proc, PATH_MAX, "%s/proc", top);
	snprintf(boot, PATH_MAX, "%s/boot", top);
	snprintf(dev, PATH_MAX, "%s/dev", top);
	return (struct probe_opts){
		.sysfs_root = sys,
		.procfs_root = proc,
		.boot_dir = boot,
		.dev_root = dev,
		.kernel_release = "6.1.0-test",
		.skip_libvirt = true,
		.skip_syscalls = true,
	};
}

static const struct probe_netdev *find_nd(const struct probe_report *rep,
					  const char *name)
{
	for (size_t i = 0; i < rep->n_netdevs; i++)
		if (!strcmp(rep->netdevs[i].name, name))
			return &rep->netdevs[i];
	return NULL;
}

static void test_kcfg_parse(void **state)
{
	enum kcfg_val v[KCFG_NSYMS];

	(void)state;
	probe_kcfg_parse(kconfig, v);
	assert_int_equal(v[KCFG_XDP_SOCKETS], KCFG_Y);
	assert_int_equal(v[KCFG_XDP_SOCKETS_DIAG], KCFG_M);
	assert_int_equal(v[KCFG_NET_CLS_BPF], KCFG_N); /* "is not set" */
	assert_int_equal(v[KCFG_VHOST_NET], KCFG_N); /* absent */
	assert_int_equal(v[KCFG_VFIO_PCI], KCFG_M);
	/* A longer symbol sharing the prefix must not match. */
	probe_kcfg_parse("CONFIG_XDP_SOCKETS_DIAG=y\n", v);
	assert_int_equal(v[KCFG_XDP_SOCKETS], KCFG_N);
	assert_int_equal(v[KCFG_XDP_SOCKETS_DIAG], KCFG_Y);
	assert_string_equal(probe_kcfg_str(KCFG_UNKNOWN), "unknown");
	assert_string_equal(probe_kcfg_name(KCFG_PCI_IOV), "CONFIG_PCI_IOV");
}

static void test_driver_table(void **state)
{
	enum probe_tri native, zc;

	(void)state;
	assert_int_equal(probe_kver("6.11.0-rc1"), 6011);
	assert_int_equal(probe_kver("garbage"), 0);
	assert_true(probe_driver_table("virtio_net", "6.10.3", &native, &zc));
	assert_int_equal(native, PT_YES);
	assert_int_equal(zc, PT_NO);
	assert_true(probe_driver_table("virtio_net", "6.11.0", &native, &zc));
	assert_int_equal(zc, PT_YES);
	assert_true(probe_driver_table("veth", "6.18.0", &native, &zc));
	assert_int_equal(native, PT_YES);
	assert_int_equal(zc, PT_NO);
	assert_true(probe_driver_table("ice", "6.1.0", &native, &zc));
	assert_int_equal(native, PT_YES);
	assert_int_equal(zc, PT_YES);
	assert_true(probe_driver_table("igc", "5.13.0", &native, &zc));
	assert_int_equal(native, PT_YES);
	assert_int_equal(zc, PT_NO); /* zero-copy came one release later */
	assert_false(probe_driver_table("e1000e", "6.1.0", &native, &zc));
	assert_int_equal(native, PT_UNKNOWN);
	assert_int_equal(zc, PT_UNKNOWN);
}

static void test_fake_tree(void **state)
{
	char sys[PATH_MAX], proc[PATH_MAX], boot[PATH_MAX], dev[PATH_MAX];
	struct probe_opts o = fake_opts(sys, proc, boot, dev);
	const struct probe_netdev *pf, *nd;
	struct probe_report rep;

	(void)state;
	assert_int_equal(probe_run(&o, &rep), 0);
	/* lo skipped, the rest sorted by name */
	assert_int_equal(rep.n_netdevs, 4);
	assert_string_equal(rep.netdevs[0].name, "ens1f0");
	assert_string_equal(rep.netdevs[1].name, "ens1f0v2");
	assert_null(find_nd(&rep, "lo"));

	assert_string_equal(rep.release, "6.1.0-test");
	assert_true(strstr(rep.config_source, "/proc/config.gz") != NULL);
	assert_int_equal(rep.kcfg[KCFG_XDP_SOCKETS], KCFG_Y);
	assert_int_equal(rep.kcfg[KCFG_VIRTIO_NET], KCFG_M);
	assert_false(rep.bpffs_mounted);
	assert_false(rep.bpf_checked);
	assert_false(rep.genl_checked); /* not live: no netlink */

	pf = find_nd(&rep, "ens1f0");
	assert_non_null(pf);
	assert_string_equal(pf->driver, "ice");
	assert_string_equal(pf->driver_source, "sysfs");
	assert_int_equal(pf->ifindex, 2);
	assert_int_equal(pf->mtu, 1500);
	assert_int_equal(pf->rx_queues, 4);
	assert_int_equal(pf->tx_queues, 4);
	assert_false(pf->has_channels);
	assert_int_equal(pf->xdp_source, XDP_SRC_TABLE);
	assert_int_equal(pf->xdp_native, PT_YES);
	assert_int_equal(pf->xdp_zc, PT_YES);
	assert_true(pf->sriov);
	assert_int_equal(pf->totalvfs, 8);
	assert_int_equal(pf->numvfs, 4);
	assert_int_equal(pf->n_vfs, 4);
	assert_int_equal(pf->vfs[0].group, SRIOV_GROUP_VFIO);
	assert_string_equal(pf->vfs[0].pci, "0000:3b:01.0");
	assert_int_equal(pf->vfs[1].group, SRIOV_GROUP_VFIO);
	assert_int_equal(pf->vfs[2].group, SRIOV_GROUP_KERNEL);
	assert_string_equal(pf->vfs[2].driver, "iavf");
	assert_string_equal(pf->vfs[2].netdev, "ens1f0v2");
	assert_int_equal(pf->vfs[3].group, SRIOV_GROUP_UNBOUND);
	assert_string_equal(pf->vfs[3].driver, "");
	assert_int_equal(pf->vfs[3].index, 3);

	/* No SR-IOV, driver not in the table: unknown, not guessed. */
	nd = find_nd(&rep, "ens2");
	assert_non_null(nd);
	assert_false(nd->sriov);
	assert_int_equal(nd->n_vfs, 0);
	assert_string_equal(nd->driver, "e1000e");
	assert_int_equal(nd->mtu, 9000);
	assert_int_equal(nd->xdp_source, XDP_SRC_UNKNOWN);
	assert_int_equal(nd->xdp_native, PT_UNKNOWN);

	/* virtio_net on 6.1: native yes, zero-copy only from 6.11. */
	nd = find_nd(&rep, "ens3");
	assert_non_null(nd);
	assert_int_equal(nd->xdp_native, PT_YES);
	assert_int_equal(nd->xdp_zc, PT_NO);
	assert_int_equal(nd->rx_queues, 2);

	assert_true(rep.kvm);
	assert_false(rep.vhost_net);
	assert_int_equal(rep.iommu_groups, 3);
	assert_false(rep.libvirt_checked);

	/* Syscalls not tried: verdict from the config and native XDP. */
	assert_true(rep.supported);
	probe_report_free(&rep);
}

static void test_dev_filter(void **state)
{
	char sys[PATH_MAX], proc[PATH_MAX], boot[PATH_MAX], dev[PATH_MAX];
	struct probe_opts o = fake_opts(sys, proc, boot, dev);
	const char *devs[] = { "lo", "ens2" };
	const char *bad[] = { "ens2", "nosuchdev" };
	const char *evil[] = { "../../etc" };
	struct probe_report rep;

	(void)state;
	o.devs = devs;
	o.n_devs = 2;
	assert_int_equal(probe_run(&o, &rep), 0);
	assert_int_equal(rep.n_netdevs, 2);
	assert_non_null(find_nd(&rep, "lo")); /* named, so included */
	assert_non_null(find_nd(&rep, "ens2"));
	assert_null(find_nd(&rep, "ens1f0"));
	/* lo has no driver link and no live ethtool: driver unknown. */
	assert_string_equal(find_nd(&rep, "lo")->driver, "");
	assert_null(find_nd(&rep, "lo")->driver_source);
	/* Neither lo nor an e1000e is known to do native XDP. */
	assert_false(rep.supported);
	probe_report_free(&rep);

	o.devs = bad;
	assert_int_equal(probe_run(&o, &rep), -ENODEV);
	probe_report_free(&rep);
	o.devs = evil;
	o.n_devs = 1;
	assert_int_equal(probe_run(&o, &rep), -ENODEV);
	probe_report_free(&rep);
}

static void test_config_fallbacks(void **state)
{
	char sys[PATH_MAX], proc[PATH_MAX], boot[PATH_MAX], dev[PATH_MAX];
	struct probe_opts o = fake_opts(sys, proc, boot, dev);
	char noproc[PATH_MAX];
	struct probe_report rep;

	(void)state;
	/* No config.gz: /boot/config-RELEASE. */
	snprintf(noproc, sizeof(noproc), "%s/nonexistent", top);
	o.procfs_root = noproc;
	assert_int_equal(probe_run(&o, &rep), 0);
	assert_true(strstr(rep.config_source, "boot/config-6.1.0-test"));
	assert_int_equal(rep.kcfg[KCFG_XDP_SOCKETS], KCFG_M);
	assert_int_equal(rep.kcfg[KCFG_BPF_JIT], KCFG_N);
	probe_report_free(&rep);

	/* Neither: every symbol unknown; nothing to vouch for XDP sockets. */
	o.kernel_release = "6.1.0-other";
	assert_int_equal(probe_run(&o, &rep), 0);
	assert_string_equal(rep.config_source, "");
	for (int i = 0; i < KCFG_NSYMS; i++)
		assert_int_equal(rep.kcfg[i], KCFG_UNKNOWN);
	assert_false(rep.supported);
	probe_report_free(&rep);
}

static bool has_reason(const struct probe_report *rep, const char *needle)
{
	for (size_t i = 0; i < rep->reasons.n; i++)
		if (strstr(rep->reasons.text[i], needle))
			return true;
	return false;
}

/* A report where everything needed for AF_XDP holds. */
static void good_report(struct probe_report *rep, struct probe_netdev *nd)
{
	memset(rep, 0, sizeof(*rep));
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->name, sizeof(nd->name), "eth0");
	nd->xdp_native = PT_YES;
	nd->xdp_zc = PT_NO;
	rep->netdevs = nd;
	rep->n_netdevs = 1;
	rep->kcfg[KCFG_XDP_SOCKETS] = KCFG_Y;
	rep->kcfg[KCFG_BPF_SYSCALL] = KCFG_Y;
	rep->bpf_checked = rep->bpf_usable = true;
	rep->xsk_checked = rep->xsk_creatable = true;
	rep->bpffs_mounted = true;
}

static void test_verdict(void **state)
{
	struct probe_report rep;
	struct probe_netdev nd;

	(void)state;
	good_report(&rep, &nd);
	probe_verdict(&rep);
	assert_true(rep.supported);
	assert_true(has_reason(&rep, "native XDP on: eth0"));
	assert_true(has_reason(&rep, "CONFIG_XDP_SOCKETS=y"));
	assert_false(has_reason(&rep, "bpffs"));

	/* No native XDP anywhere. */
	nd.xdp_native = PT_NO;
	probe_verdict(&rep);
	assert_false(rep.supported);
	assert_true(has_reason(&rep, "no network device with native XDP"));

	/* Unknown native XDP does not count as native. */
	nd.xdp_native = PT_UNKNOWN;
	probe_verdict(&rep);
	assert_false(rep.supported);

	/* Kernel without XDP sockets. */
	good_report(&rep, &nd);
	rep.kcfg[KCFG_XDP_SOCKETS] = KCFG_N;
	rep.xsk_creatable = false;
	rep.xsk_err = -EAFNOSUPPORT;
	probe_verdict(&rep);
	assert_false(rep.supported);
	assert_true(has_reason(&rep, "kernel lacks XDP sockets"));
	assert_true(has_reason(&rep, "AF_XDP socket cannot be created"));

	/* Unprivileged caller: socket family present (EPERM), bpf() not. */
	good_report(&rep, &nd);
	rep.xsk_creatable = false;
	rep.xsk_err = -EPERM;
	probe_verdict(&rep);
	assert_true(rep.supported);
	assert_true(has_reason(&rep, "CAP_NET_RAW"));
	rep.bpf_usable = false;
	rep.bpf_err = -EPERM;
	probe_verdict(&rep);
	assert_false(rep.supported);
	assert_true(has_reason(&rep, "run as root"));

	/* Config unknown: the socket itself is the evidence. */
	good_report(&rep, &nd);
	rep.kcfg[KCFG_XDP_SOCKETS] = KCFG_UNKNOWN;
	probe_verdict(&rep);
	assert_true(rep.supported);
	assert_true(has_reason(&rep, "kernel config not found"));

	/* bpffs missing is a note, not a failure. */
	rep.bpffs_mounted = false;
	probe_verdict(&rep);
	assert_true(rep.supported);
	assert_true(has_reason(&rep, "bpffs not mounted"));

	/* No devices at all. */
	rep.n_netdevs = 0;
	probe_verdict(&rep);
	assert_false(rep.supported);
	assert_true(has_reason(&rep, "no devices probed"));
}

static struct json_object *jget(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, "/", &save); k && o;
	     k = strtok_r(NULL, "/", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(k));
		else if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	}
	return o;
}

static void test_json(void **state)
{
	char sys[PATH_MAX], proc[PATH_MAX], boot[PATH_MAX], dev[PATH_MAX];
	struct probe_opts o = fake_opts(sys, proc, boot, dev);
	struct probe_report rep;
	struct json_object *j, *v;

	(void)state;
	assert_int_equal(probe_run(&o, &rep), 0);
	j = probe_report_json(&rep);
	assert_non_null(j);
	assert_string_equal(
		json_object_get_string(jget(j, "capabilities/e.cap.025/name")),
		"AF_XDP");
	assert_true(json_object_get_boolean(
		jget(j, "capabilities/e.cap.025/supported")));
	assert_true(json_object_array_length(
			    jget(j, "capabilities/e.cap.025/reasons")) >= 4);
	assert_true(json_object_get_boolean(
		jget(j, "profiles/high-performance/af_xdp_offered")));
	assert_string_equal(
		json_object_get_string(jget(j, "profiles/basic/af_xdp")),
		"not-required");
	/* netdevs[0] is the PF: split 2 vfio-pci, 1 kernel, 1 unbound */
	assert_string_equal(json_object_get_string(jget(j, "netdevs/0/name")),
			    "ens1f0");
	assert_int_equal(
		json_object_get_int(jget(j, "netdevs/0/sriov/split/vfio_pci")),
		2);
	assert_int_equal(
		json_object_get_int(jget(j, "netdevs/0/sriov/split/kernel")),
		1);
	assert_int_equal(
		json_object_get_int(jget(j, "netdevs/0/sriov/split/unbound")),
		1);
	assert_string_equal(
		json_object_get_string(jget(j, "netdevs/0/sriov/vfs/2/driver")),
		"iavf");
	assert_true(json_object_get_boolean(
		jget(j, "netdevs/0/zero_copy_available")));
	assert_string_equal(
		json_object_get_string(jget(j, "netdevs/0/xdp/source")),
		"driver-table");
	/* features are only known from netdev genl */
	v = jget(j, "netdevs/0/xdp/features");
	assert_true(json_object_object_get_ex(jget(j, "netdevs/0/xdp"),
					      "features", NULL));
	assert_null(v);
	/* no SR-IOV: null, present */
	assert_true(
		json_object_object_get_ex(jget(j, "netdevs/2"), "sriov", NULL));
	assert_null(jget(j, "netdevs/2/sriov"));
	assert_string_equal(json_object_get_string(jget(
				    j, "kernel/config/CONFIG_NET_CLS_BPF")),
			    "n");
	assert_int_equal(
		json_object_get_int(jget(j, "host/iommu_groups/count")), 3);
	assert_true(json_object_get_boolean(jget(j, "host/kvm")));
	json_object_put(j);
	probe_report_free(&rep);
}

static void test_print_table(void **state)
{
	char sys[PATH_MAX], proc[PATH_MAX], boot[PATH_MAX], dev[PATH_MAX];
	struct probe_opts o = fake_opts(sys, proc, boot, dev);
	struct probe_report rep;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(probe_run(&o, &rep), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	probe_print_table(&rep, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "e.cap.025 AF_XDP: supported"));
	assert_non_null(strstr(text, "2 vfio-pci, 1 kernel, 1 unbound"));
	assert_non_null(strstr(text, "0000:3b:01.2"));
	free(text);
	probe_report_free(&rep);
}

/* A NETDEV_CMD_DEV_GET reply as the kernel builds it, through libmnl. */
static void test_genl_parse(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	struct netdev_xdp_info info;

	(void)state;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = AFXDP_NETDEV_CMD_DEV_GET;
	mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_IFINDEX, 7);
	mnl_attr_put_u64(nlh, AFXDP_NETDEV_A_DEV_XDP_FEATURES,
			 XDP_ACT_BASIC | XDP_ACT_REDIRECT |
				 XDP_ACT_XSK_ZEROCOPY);
	mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_XDP_ZC_MAX_SEGS, 1);
	mnl_attr_put_u32(nlh, 99, 0); /* unknown: ignored */
	assert_int_equal(netdev_genl_parse(nlh, &info), 0);
	assert_int_equal(info.ifindex, 7);
	assert_true(info.xdp_features & XDP_ACT_XSK_ZEROCOPY);
	assert_false(info.xdp_features & XDP_ACT_NDO_XMIT);
	assert_true(info.has_zc_max_segs);
	assert_int_equal(info.zc_max_segs, 1);
	assert_string_equal(netdev_xdp_act_name(3), "xsk-zerocopy");
	assert_null(netdev_xdp_act_name(XDP_ACT_NBITS));

	/* Older kernel: no zc-max-segs. No ifindex: refused. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_IFINDEX, 3);
	mnl_attr_put_u64(nlh, AFXDP_NETDEV_A_DEV_XDP_FEATURES, 0);
	assert_int_equal(netdev_genl_parse(nlh, &info), 0);
	assert_false(info.has_zc_max_segs);
	assert_int_equal(info.xdp_features, 0);
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_u64(nlh, AFXDP_NETDEV_A_DEV_XDP_FEATURES, 1);
	assert_int_equal(netdev_genl_parse(nlh, &info), -EINVAL);
	/* A features attribute of the wrong size is refused. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_IFINDEX, 3);
	mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_XDP_FEATURES, 1);
	assert_int_equal(netdev_genl_parse(nlh, &info), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kcfg_parse),
		cmocka_unit_test(test_driver_table),
		cmocka_unit_test(test_fake_tree),
		cmocka_unit_test(test_dev_filter),
		cmocka_unit_test(test_config_fallbacks),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_print_table),
		cmocka_unit_test(test_genl_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
