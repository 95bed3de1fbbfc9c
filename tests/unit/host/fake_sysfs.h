/* SPDX-License-Identifier: GPL-2.0 */
/* A fake sysfs tree for the SR-IOV unit tests (this host has no SR-IOV):
 * a PF "fpf0" with 8 VFs possible, and a write hook that emulates the
 * kernel's reactions (virtfn links appear when sriov_numvfs is written,
 * N -> M without 0 is EBUSY, drivers_probe binds per driver_override,
 * unbind drops the driver link) and injects failures. Shared by
 * test_sriov_sysfs.c and test_plan_check.c. */
#ifndef AFXDP_TESTS_FAKE_SYSFS_H
#define AFXDP_TESTS_FAKE_SYSFS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/sriov_sysfs.h"

/* Paths here are short mkdtemp names; snprintf bounds them anyway. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define PF "fpf0"
#define PFDEV "devices/pci0000:00/0000:00:03.0"

struct fake {
	char root[PATH_MAX];
	char proc[PATH_MAX];
	struct sriov_sysfs s;
	/* write log, "rel=val" per write that reached the tree */
	char log[64][320];
	int nlog;
	/* inject: fail the fail_nth write (1-based) whose rel contains
	 * fail_match, with fail_err */
	const char *fail_match;
	int fail_nth, fail_seen, fail_err;
	bool emulate;
};

static inline void put(const char *root, const char *rel, const char *content)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static inline void mkdirs(const char *root, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = strchr(p + strlen(root) + 1, '/'); s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static inline void link_to(const char *root, const char *rel,
			   const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

static inline void vf_addr(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "0000:00:%02x.%x", 0x10 + i / 8, i % 8);
}

/* VF i: its device dir, driver link, override, netdev, iommu group. */
static inline void make_vf(const char *root, unsigned int i, const char *driver)
{
	char addr[32], rel[PATH_MAX], tgt[PATH_MAX];

	vf_addr(i, addr, sizeof(addr));
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/net/%sv%u", addr, PF,
		 i);
	mkdirs(root, rel);
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%u", 20 + i);
	mkdirs(root, rel);
	snprintf(rel, sizeof(rel), "%s/virtfn%u", PFDEV, i);
	snprintf(tgt, sizeof(tgt), "../%s", addr);
	link_to(root, rel, tgt);
	if (driver) {
		snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver",
			 addr);
		snprintf(tgt, sizeof(tgt), "../../../bus/pci/drivers/%s",
			 driver);
		link_to(root, rel, tgt);
	}
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/iommu_group", addr);
	snprintf(tgt, sizeof(tgt), "../../../kernel/iommu_groups/%u", 20 + i);
	link_to(root, rel, tgt);
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override",
		 addr);
	put(root, rel, "(null)\n");
}

static inline void remove_vf(const char *root, unsigned int i)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s/virtfn%u", root, PFDEV, i);
	unlink(rel);
}

static inline int fake_hook(void *ctx, const char *rel, const char *val,
			    bool after);

/* A PF with total VFs, num of them created on driver iavf; and a second
 * netdev "nosriov0" that is a PCI device without SR-IOV. */
static inline int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	char t[64];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/sriov-sysfs-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->proc, sizeof(f->proc), "%s-proc", f->root);
	mkdir(f->proc, 0755);
	mkdirs(f->root, PFDEV "/net/" PF);
	mkdirs(f->root, "class/net");
	mkdirs(f->root, "bus/pci/drivers/vfio-pci");
	mkdirs(f->root, "bus/pci/drivers/iavf");
	put(f->root, "bus/pci/drivers/vfio-pci/bind", "");
	put(f->root, "bus/pci/drivers/vfio-pci/unbind", "");
	put(f->root, "bus/pci/drivers/iavf/bind", "");
	put(f->root, "bus/pci/drivers/iavf/unbind", "");
	put(f->root, "bus/pci/drivers_probe", "");
	link_to(f->root, "class/net/" PF, "../../" PFDEV "/net/" PF);
	link_to(f->root, PFDEV "/net/" PF "/device", "../../../0000:00:03.0");
	put(f->root, PFDEV "/sriov_totalvfs", "8\n");
	put(f->root, PFDEV "/sriov_numvfs", "0\n");
	put(f->root, PFDEV "/sriov_drivers_autoprobe", "1\n");
	mkdirs(f->root, "devices/pci0000:00/0000:00:05.0/net/nosriov0");
	link_to(f->root, "class/net/nosriov0",
		"../../devices/pci0000:00/0000:00:05.0/net/nosriov0");
	link_to(f->root, "devices/pci0000:00/0000:00:05.0/net/nosriov0/device",
		"../../../0000:00:05.0");
	assert_int_equal(sriov_sysfs_init(&f->s, f->root, f->proc), 0);
	f->s.hook = fake_hook;
	f->s.hook_ctx = f;
	f->emulate = true;
	(void)t;
	*state = f;
	return 0;
}

static inline void fake_numvfs(struct fake *f, unsigned int n)
{
	char v[16];

	snprintf(v, sizeof(v), "%u\n", n);
	put(f->root, PFDEV "/sriov_numvfs", v);
	for (unsigned int i = 0; i < n; i++)
		make_vf(f->root, i, "iavf");
}

static inline int rm_cb(const char *p, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline int fake_teardown(void **state)
{
	struct fake *f = *state;

	nftw(f->root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	nftw(f->proc, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static inline void read_rel(struct fake *f, const char *rel, char *buf,
			    size_t len)
{
	assert_int_equal(sysfs_read_str(&f->s.fs, rel, buf, len), 0);
}

/* The fake kernel. */
static inline int fake_hook(void *ctx, const char *rel, const char *val,
			    bool after)
{
	struct fake *f = ctx;
	char buf[PATH_MAX], rel2[PATH_MAX];
	unsigned int cur, n;

	if (!after) {
		if (f->fail_match && strstr(rel, f->fail_match) &&
		    ++f->fail_seen == f->fail_nth)
			return f->fail_err;
		if (f->emulate && strstr(rel, "sriov_numvfs")) {
			sysfs_read_u32(&f->s.fs, rel, &cur);
			n = (unsigned int)atoi(val);
			if (cur && n && cur != n)
				return -EBUSY; /* like sriov_numvfs_store */
		}
		return 0;
	}
	if (f->nlog < 64)
		snprintf(f->log[f->nlog++], sizeof(f->log[0]), "%s=%s", rel,
			 val);
	if (!f->emulate)
		return 0;
	if (strstr(rel, "sriov_numvfs")) {
		n = (unsigned int)atoi(val);
		for (unsigned int i = 0; i < 16; i++) {
			if (i < n)
				make_vf(f->root, i, "iavf");
			else
				remove_vf(f->root, i);
		}
	} else if (strstr(rel, "/unbind")) {
		snprintf(buf, sizeof(buf), "%s/devices/pci0000:00/%s/driver",
			 f->root, val);
		unlink(buf);
	} else if (!strcmp(rel, "bus/pci/drivers_probe")) {
		char ovr[64] = "";

		snprintf(rel2, sizeof(rel2),
			 "devices/pci0000:00/%s/driver_override", val);
		sysfs_read_str(&f->s.fs, rel2, ovr, sizeof(ovr));
		if (!ovr[0] || !strcmp(ovr, "(null)"))
			snprintf(ovr, sizeof(ovr), "iavf");
		snprintf(rel2, sizeof(rel2), "devices/pci0000:00/%s/driver",
			 val);
		snprintf(buf, sizeof(buf), "../../../bus/pci/drivers/%s", ovr);
		link_to(f->root, rel2, buf);
	} else if (strstr(rel, "/bind")) {
		snprintf(rel2, sizeof(rel2), "devices/pci0000:00/%s/driver",
			 val);
		snprintf(buf, sizeof(buf), "../../../bus/pci/drivers/%s",
			 rel + strlen("bus/pci/drivers/"));
		*strrchr(buf, '/') = '\0';
		link_to(f->root, rel2, buf);
	}
	return 0;
}

/* The whole tree as text (path, type, mode, content or link target),
 * sorted: two dumps are equal iff the trees are byte-identical. */
static FILE *dump_f;
static size_t dump_root_len;

static inline int dump_cb(const char *p, const struct stat *sb, int flag,
			  struct FTW *ftw)
{
	char buf[4096];
	ssize_t n;
	int fd;

	(void)ftw;
	fprintf(dump_f, "%s %o %d:", p + dump_root_len, sb->st_mode, flag);
	if (flag == FTW_SL) {
		n = readlink(p, buf, sizeof(buf) - 1);
		buf[n < 0 ? 0 : n] = '\0';
		fprintf(dump_f, "%s", buf);
	} else if (flag == FTW_F) {
		fd = open(p, O_RDONLY);
		n = fd < 0 ? 0 : read(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
		fwrite(buf, 1, n < 0 ? 0 : (size_t)n, dump_f);
	}
	fputc('\n', dump_f);
	return 0;
}

static inline int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char *tree_dump(const char *root)
{
	char *buf = NULL, *out = NULL, *lines[4096], *save = NULL, *l;
	size_t len = 0, olen = 0, n = 0;
	FILE *o;

	dump_f = open_memstream(&buf, &len);
	dump_root_len = strlen(root);
	nftw(root, dump_cb, 16, FTW_PHYS);
	fclose(dump_f);
	for (l = strtok_r(buf, "\n", &save); l && n < 4096;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(lines[0]), line_cmp);
	o = open_memstream(&out, &olen);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%s\n", lines[i]);
	fclose(o);
	free(buf);
	return out;
}

#endif
