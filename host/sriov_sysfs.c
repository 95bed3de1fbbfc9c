// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sriov_sysfs.h"

int sriov_sysfs_init(struct sriov_sysfs *s, const char *sysfs_root,
		     const char *procfs_root)
{
	memset(s, 0, sizeof(*s));
	s->procfs_root = procfs_root ? procfs_root : "/proc";
	return sysfs_init(&s->fs, sysfs_root);
}

const char *sriov_group_name(enum sriov_vf_group g)
{
	switch (g) {
	case SRIOV_GROUP_VFIO:
		return "vfio";
	case SRIOV_GROUP_KERNEL:
		return "kernel";
	default:
		return "unbound";
	}
}

/* A driver_override of "(null)" (the kernel's spelling) or "" is none. */
static void read_override(const struct sysfs *fs, const char *rel, char *buf,
			  size_t len)
{
	if (sysfs_read_str(fs, rel, buf, len) || !strcmp(buf, "(null)"))
		buf[0] = '\0';
}

/* The first entry of a directory by name (a VF's net/ holds its
 * netdev; readdir's order is not stable, so the smallest name). */
static void first_entry(const struct sysfs *fs, const char *rel, char *buf,
			size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	buf[0] = '\0';
	if (sysfs_path(fs, path, sizeof(path), "%s", rel))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= len)
			continue;
		if (!buf[0] || strcmp(de->d_name, buf) < 0)
			strcpy(buf, de->d_name);
	}
	closedir(d);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A VFIO group is in use when some process holds /dev/vfio/<group> open:
 * QEMU does for every assigned device of a running domain, and so does a
 * DPDK application. */
static bool vfio_group_open(const char *procfs, const char *group)
{
	char want[64], path[PATH_MAX], target[PATH_MAX];
	struct dirent *pe, *fe;
	bool found = false;
	DIR *pd, *fd;

	snprintf(want, sizeof(want), "/dev/vfio/%s", group);
	pd = opendir(procfs);
	if (!pd)
		return false;
	while (!found && (pe = readdir(pd))) {
		if (!all_digits(pe->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd", procfs, pe->d_name);
		fd = opendir(path);
		if (!fd)
			continue;
		while ((fe = readdir(fd))) {
			ssize_t n;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/fd/%s", procfs,
				 pe->d_name, fe->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			if (!strcmp(target, want)) {
				found = true;
				break;
			}
		}
		closedir(fd);
	}
	closedir(pd);
	return found;
}

int sriov_vf_read(const struct sysfs *fs, const char *procfs_root,
		  const char *pf, uint32_t i, struct sriov_vf *vf)
{
	char rel[PATH_MAX];

	memset(vf, 0, sizeof(*vf));
	vf->index = i;
	snprintf(rel, sizeof(rel), "class/net/%s/device/virtfn%u", pf, i);
	if (sysfs_link_basename(fs, rel, vf->pci, sizeof(vf->pci)))
		return -ENOENT; /* not created (a fake tree, or it failed) */
	snprintf(rel, sizeof(rel), "class/net/%s/device/virtfn%u/driver", pf,
		 i);
	if (sysfs_link_basename(fs, rel, vf->driver, sizeof(vf->driver)))
		vf->driver[0] = '\0';
	snprintf(rel, sizeof(rel),
		 "class/net/%s/device/virtfn%u/driver_override", pf, i);
	read_override(fs, rel, vf->override, sizeof(vf->override));
	snprintf(rel, sizeof(rel), "class/net/%s/device/virtfn%u/net", pf, i);
	first_entry(fs, rel, vf->netdev, sizeof(vf->netdev));
	snprintf(rel, sizeof(rel), "class/net/%s/device/virtfn%u/iommu_group",
		 pf, i);
	if (sysfs_link_basename(fs, rel, vf->iommu_group,
				sizeof(vf->iommu_group)))
		vf->iommu_group[0] = '\0';
	if (!vf->driver[0])
		vf->group = SRIOV_GROUP_UNBOUND;
	else if (!strcmp(vf->driver, "vfio-pci"))
		vf->group = SRIOV_GROUP_VFIO;
	else
		vf->group = SRIOV_GROUP_KERNEL;
	vf->in_use = procfs_root && vf->group == SRIOV_GROUP_VFIO &&
		     vf->iommu_group[0] &&
		     vfio_group_open(procfs_root, vf->iommu_group);
	return 0;
}

int sriov_pf_read(const struct sriov_sysfs *s, const char *pf,
		  struct sriov_pf *out)
{
	char rel[PATH_MAX];
	uint32_t v;
	int err;

	memset(out, 0, sizeof(*out));
	if (!*pf || strchr(pf, '/') || strlen(pf) >= sizeof(out->name))
		return -ENODEV;
	snprintf(out->name, sizeof(out->name), "%s", pf);
	snprintf(rel, sizeof(rel), "class/net/%s", pf);
	if (!sysfs_exists(&s->fs, rel))
		return -ENODEV;
	snprintf(rel, sizeof(rel), "class/net/%s/device", pf);
	if (sysfs_link_basename(&s->fs, rel, out->pci, sizeof(out->pci)))
		return -EOPNOTSUPP; /* virtual device: veth, bridge, ... */
	snprintf(rel, sizeof(rel), "class/net/%s/device/sriov_totalvfs", pf);
	err = sysfs_read_u32(&s->fs, rel, &out->totalvfs);
	if (err == -ENOENT)
		return -EOPNOTSUPP;
	if (err)
		return err;
	snprintf(rel, sizeof(rel), "class/net/%s/device/sriov_numvfs", pf);
	err = sysfs_read_u32(&s->fs, rel, &out->numvfs);
	if (err)
		return err == -ENOENT ? -EOPNOTSUPP : err;
	snprintf(rel, sizeof(rel),
		 "class/net/%s/device/sriov_drivers_autoprobe", pf);
	out->autoprobe = sysfs_read_u32(&s->fs, rel, &v) ? -1 : v != 0;
	out->nvfs = out->numvfs < SRIOV_MAX_VFS ? out->numvfs : SRIOV_MAX_VFS;
	for (size_t i = 0; i < out->nvfs; i++)
		sriov_vf_read(&s->fs, s->procfs_root, pf, (uint32_t)i,
			      &out->vfs[i]);
	return 0;
}

int sriov_plan_add(struct sriov_plan *p, const char *rel, const char *val,
		   const char *old, const char *undo_rel, const char *undo_val)
{
	struct sriov_step *st;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;

		st = realloc(p->steps, cap * sizeof(*st));
		if (!st)
			return -ENOMEM;
		p->steps = st;
		p->cap = cap;
	}
	st = &p->steps[p->n];
	memset(st, 0, sizeof(*st));
	if (strlen(rel) >= sizeof(st->rel) || strlen(val) >= sizeof(st->val) ||
	    strlen(old ? old : "") >= sizeof(st->old) ||
	    strlen(undo_rel ? undo_rel : "") >= sizeof(st->undo_rel) ||
	    strlen(undo_val ? undo_val : "") >= sizeof(st->undo_val))
		return -ENAMETOOLONG;
	strcpy(st->rel, rel);
	strcpy(st->val, val);
	strcpy(st->old, old ? old : "");
	strcpy(st->undo_rel, undo_rel ? undo_rel : "");
	strcpy(st->undo_val, undo_val ? undo_val : "");
	p->n++;
	return 0;
}

void sriov_plan_free(struct sriov_plan *p)
{
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

int sriov_plan_numvfs(const struct sriov_pf *pf,
		      const struct sriov_numvfs_opts *o, struct sriov_plan *p)
{
	char rel[PATH_MAX], old[16], val[16];
	int err;

	if (o->numvfs > pf->totalvfs)
		return -ERANGE;
	if (o->autoprobe >= 0 && pf->autoprobe < 0)
		return -EOPNOTSUPP;
	/* Changing numvfs destroys every VF: refuse while some are handed to
	 * vfio-pci (DPDK guests) unless forced. */
	if (o->numvfs != pf->numvfs && !o->force) {
		for (size_t i = 0; i < pf->nvfs; i++)
			if (pf->vfs[i].group == SRIOV_GROUP_VFIO)
				return -EBUSY;
	}
	/* Autoprobe first: it decides whether the new VFs get a driver. */
	if (o->autoprobe >= 0 && o->autoprobe != pf->autoprobe) {
		snprintf(rel, sizeof(rel),
			 "class/net/%s/device/sriov_drivers_autoprobe",
			 pf->name);
		snprintf(old, sizeof(old), "%d", pf->autoprobe);
		snprintf(val, sizeof(val), "%d", o->autoprobe);
		err = sriov_plan_add(p, rel, val, old, rel, old);
		if (err)
			return err;
	}
	if (o->numvfs == pf->numvfs)
		return 0;
	snprintf(rel, sizeof(rel), "class/net/%s/device/sriov_numvfs",
		 pf->name);
	snprintf(old, sizeof(old), "%u", pf->numvfs);
	/* The kernel refuses N -> M with EBUSY: go through 0. */
	if (pf->numvfs && o->numvfs) {
		err = sriov_plan_add(p, rel, "0", old, rel, old);
		if (err)
			return err;
		snprintf(old, sizeof(old), "0");
	}
	snprintf(val, sizeof(val), "%u", o->numvfs);
	return sriov_plan_add(p, rel, val, old, rel, old);
}

/* Moving one VF: unbind from its driver (undo: re-probe), set the
 * override (undo: the old one), probe (undo: unbind from the new driver).
 * In this order the undo sequence restores the override before the
 * re-probe, so the VF lands back on its old driver. */
static int plan_bind_one(const struct sriov_pf *pf, const struct sriov_vf *vf,
			 const char *want_override, struct sriov_plan *p)
{
	char rel[PATH_MAX], urel[PATH_MAX], ovr_rel[PATH_MAX];
	const char *old_ovr = vf->override[0] ? vf->override : "\n";
	const char *new_ovr = want_override[0] ? want_override : "\n";
	int err;

	snprintf(ovr_rel, sizeof(ovr_rel),
		 "class/net/%s/device/virtfn%u/driver_override", pf->name,
		 vf->index);
	if (vf->driver[0]) {
		snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind",
			 vf->driver);
		err = sriov_plan_add(p, rel, vf->pci, NULL,
				     "bus/pci/drivers_probe", vf->pci);
		if (err)
			return err;
	}
	if (strcmp(vf->override, want_override)) {
		err = sriov_plan_add(p, ovr_rel, new_ovr,
				     vf->override[0] ? vf->override : "(null)",
				     ovr_rel, old_ovr);
		if (err)
			return err;
	}
	urel[0] = '\0';
	if (want_override[0])
		snprintf(urel, sizeof(urel), "bus/pci/drivers/%s/unbind",
			 want_override);
	return sriov_plan_add(p, "bus/pci/drivers_probe", vf->pci, NULL, urel,
			      vf->pci);
}

int sriov_plan_bind(const struct sriov_pf *pf, const struct sriov_bind_opts *o,
		    struct sriov_plan *p)
{
	bool to_kernel = !strcmp(o->driver, "kernel");
	const char *want = to_kernel ? "" : o->driver;
	int err;

	if (!*o->driver || strchr(o->driver, '/') ||
	    strlen(o->driver) >= SRIOV_NAME_LEN)
		return -EINVAL;
	/* Validate every VF before planning any, so nothing half-plans. */
	for (size_t i = 0; i < o->nvfs; i++) {
		const struct sriov_vf *vf;

		if (o->vfs[i] >= pf->numvfs || o->vfs[i] >= pf->nvfs)
			return -ERANGE;
		vf = &pf->vfs[o->vfs[i]];
		if (!vf->pci[0])
			return -ENOENT;
		if (vf->in_use && !o->force && strcmp(vf->driver, want))
			return -EBUSY;
	}
	for (size_t i = 0; i < o->nvfs; i++) {
		const struct sriov_vf *vf = &pf->vfs[o->vfs[i]];
		bool done;

		if (to_kernel) /* any non-vfio driver and no override */
			done = !vf->override[0] &&
			       vf->group == SRIOV_GROUP_KERNEL;
		else
			done = !strcmp(vf->override, want) &&
			       !strcmp(vf->driver, want);
		if (done)
			continue;
		err = plan_bind_one(pf, vf, want, p);
		if (err)
			return err;
	}
	return 0;
}

static int do_write(const struct sriov_sysfs *s, const char *rel,
		    const char *val)
{
	int err;

	if (s->hook) {
		err = s->hook(s->hook_ctx, rel, val, false);
		if (err)
			return err;
	}
	err = sysfs_write_str(&s->fs, rel, val);
	if (!err && s->hook)
		err = s->hook(s->hook_ctx, rel, val, true);
	return err;
}

int sriov_plan_apply(const struct sriov_sysfs *s, const struct sriov_plan *p,
		     size_t *failed)
{
	size_t i;
	int err = 0;

	for (i = 0; i < p->n; i++) {
		err = do_write(s, p->steps[i].rel, p->steps[i].val);
		if (err)
			break;
	}
	if (!err)
		return 0;
	if (failed)
		*failed = i;
	sriov_plan_undo(s, p, i);
	return err;
}

void sriov_plan_undo(const struct sriov_sysfs *s, const struct sriov_plan *p,
		     size_t n)
{
	/* Best effort: a failing undo must not stop the older ones. */
	while (n-- > 0) {
		const struct sriov_step *st = &p->steps[n];

		if (st->undo_rel[0])
			do_write(s, st->undo_rel, st->undo_val);
	}
}
