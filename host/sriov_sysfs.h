/* SPDX-License-Identifier: GPL-2.0 */
/* SR-IOV through sysfs below a root path: read a PF and its VFs, plan the
 * writes that reach a wanted state (numvfs, autoprobe, VF driver binding),
 * apply a plan and undo it in reverse when a step fails. Plans are plain
 * data so --dry-run prints exactly what apply would write. */
#ifndef HOST_SRIOV_SYSFS_H
#define HOST_SRIOV_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/sysfs.h"

#define SRIOV_MAX_VFS 256
#define SRIOV_NAME_LEN 64

enum sriov_vf_group {
	SRIOV_GROUP_UNBOUND, /* no driver */
	SRIOV_GROUP_VFIO, /* vfio-pci: DPDK / device assignment */
	SRIOV_GROUP_KERNEL, /* kernel VF netdev driver: AF_XDP */
};

struct sriov_vf {
	uint32_t index;
	char pci[SRIOV_NAME_LEN]; /* "" when virtfnN is missing */
	char driver[SRIOV_NAME_LEN]; /* "" when unbound */
	char override[SRIOV_NAME_LEN]; /* "" when none ("(null)") */
	char netdev[SRIOV_NAME_LEN]; /* "" when none */
	char iommu_group[16]; /* "" when none */
	enum sriov_vf_group group;
	bool in_use; /* vfio-pci and /dev/vfio/<group> held open */
};

struct sriov_pf {
	char name[SRIOV_NAME_LEN];
	char pci[SRIOV_NAME_LEN];
	uint32_t totalvfs, numvfs;
	int autoprobe; /* 0, 1, -1 when the file is absent */
	size_t nvfs; /* VFs whose virtfnN link exists (< numvfs on fakes) */
	struct sriov_vf vfs[SRIOV_MAX_VFS];
};

/* Tests hook every write: before it (a non-zero return injects that
 * failure) and after it (to emulate the kernel in a fake tree). */
typedef int (*sriov_write_hook_t)(void *ctx, const char *rel, const char *val,
				  bool after);

struct sriov_sysfs {
	struct sysfs fs;
	const char *procfs_root; /* for the "VF in use" check; NULL: /proc */
	sriov_write_hook_t hook;
	void *hook_ctx;
};

/* One sysfs write and the write that undoes it (undo_rel "" = none).
 * old is the value before, for display; "" for trigger files (bind,
 * unbind, drivers_probe) that have no value. */
struct sriov_step {
	char rel[256];
	char val[SRIOV_NAME_LEN];
	char old[SRIOV_NAME_LEN];
	char undo_rel[256];
	char undo_val[SRIOV_NAME_LEN];
};

struct sriov_plan {
	struct sriov_step *steps;
	size_t n, cap;
};

int sriov_sysfs_init(struct sriov_sysfs *s, const char *sysfs_root,
		     const char *procfs_root);

/* -ENODEV: no such netdev; -EOPNOTSUPP: not SR-IOV capable (no
 * device/sriov_totalvfs). */
int sriov_pf_read(const struct sriov_sysfs *s, const char *pf,
		  struct sriov_pf *out);
/* VF i of PF pf as sysfs shows it (also for afxdp-host probe): -ENOENT
 * when its virtfnN link is missing (vf->pci ""). in_use is checked only
 * with a procfs_root. */
int sriov_vf_read(const struct sysfs *fs, const char *procfs_root,
		  const char *pf, uint32_t i, struct sriov_vf *vf);
const char *sriov_group_name(enum sriov_vf_group g);

struct sriov_numvfs_opts {
	uint32_t numvfs;
	int autoprobe; /* -1: leave as is */
	bool force; /* reshape even with VFs on vfio-pci */
};

/* -ERANGE: numvfs > totalvfs; -EBUSY: VFs on vfio-pci and no force;
 * -EOPNOTSUPP: autoprobe asked for but the file is absent. */
int sriov_plan_numvfs(const struct sriov_pf *pf,
		      const struct sriov_numvfs_opts *o, struct sriov_plan *p);

struct sriov_bind_opts {
	const uint32_t *vfs;
	size_t nvfs;
	const char *driver; /* "vfio-pci", a driver name, or "kernel" */
	bool force; /* move VFs whose vfio group is held open */
};

/* -ERANGE: VF index >= numvfs; -ENOENT: virtfn link missing; -EBUSY: a VF
 * is in use by a process (a running domain) and no force. */
int sriov_plan_bind(const struct sriov_pf *pf, const struct sriov_bind_opts *o,
		    struct sriov_plan *p);

/* Applies every step; on a failure undoes the applied ones in reverse and
 * returns the error; *failed is the index of the failed step. */
int sriov_plan_apply(const struct sriov_sysfs *s, const struct sriov_plan *p,
		     size_t *failed);

/* Undoes the first n steps of a plan applied in full, newest first (when a
 * step after the plan fails, e.g. writing the --persist files). */
void sriov_plan_undo(const struct sriov_sysfs *s, const struct sriov_plan *p,
		     size_t n);

int sriov_plan_add(struct sriov_plan *p, const char *rel, const char *val,
		   const char *old, const char *undo_rel, const char *undo_val);
void sriov_plan_free(struct sriov_plan *p);

#endif
