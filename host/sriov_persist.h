/* SPDX-License-Identifier: GPL-2.0 */
/* --persist: what makes a PF's SR-IOV setup survive a reboot. The choice
 * (see docs/sriov.md): a key=value config file per PF,
 * ROOT/etc/afxdp-kit/sriov/PF.conf, replayed at boot by a systemd oneshot
 * template unit ROOT/etc/systemd/system/afxdp-sriov@.service running
 * "afxdp-host sriov apply PF", enabled for that PF by the same symlink
 * `systemctl enable afxdp-sriov@PF` would make. A unit rather than a udev
 * rule because netlink VF settings need the PF up and ordering against
 * libvirtd, and udev RUN must not run long tasks. ROOT is "/" unless
 * --persist-root says otherwise (tests). */
#ifndef HOST_SRIOV_PERSIST_H
#define HOST_SRIOV_PERSIST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRIOV_UNIT_NAME "afxdp-sriov@.service"

struct sriov_kv {
	char key[48];
	char val[64];
};

/* A PF's persisted settings. Keys: numvfs, autoprobe, and per VF
 * vf.N.{mac,vlan,qos,vlan-proto,trust,spoofchk,link-state,min-rate,
 * max-rate,driver}. */
struct sriov_conf {
	struct sriov_kv *kv;
	size_t n, cap;
};

int sriov_conf_parse(const char *text, struct sriov_conf *c);
int sriov_conf_load(const char *path, struct sriov_conf *c); /* none: empty */
int sriov_conf_set(struct sriov_conf *c, const char *key, const char *val);
const char *sriov_conf_get(const struct sriov_conf *c, const char *key);
/* Drops vf.N.* for N >= numvfs (those VFs no longer exist). */
void sriov_conf_drop_vfs_from(struct sriov_conf *c, uint32_t numvfs);
/* Sorted "key=value\n" lines after a header; caller frees. */
char *sriov_conf_format(const struct sriov_conf *c, const char *pf);
void sriov_conf_free(struct sriov_conf *c);

/* One file (or symlink) the persist step would write. */
struct sriov_file_change {
	char path[PATH_MAX];
	char *old; /* NULL: did not exist */
	char *new; /* contents, or the link target for a symlink */
	bool symlink;
};

struct sriov_persist {
	struct sriov_file_change files[3];
	size_t n; /* only the files that differ */
};

/* Plans the files for pf holding conf under root; exe is the afxdp-host
 * path for ExecStart. */
int sriov_persist_plan(const char *root, const char *pf,
		       const struct sriov_conf *conf, const char *exe,
		       struct sriov_persist *p);
/* Writes them (atomically each); on failure restores those written. */
int sriov_persist_apply(const struct sriov_persist *p);
/* Puts back what apply replaced (used when a later step fails). */
void sriov_persist_undo(const struct sriov_persist *p);
void sriov_persist_free(struct sriov_persist *p);
int sriov_conf_path(const char *root, const char *pf, char *buf, size_t len);

#endif
