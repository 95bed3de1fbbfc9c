/* SPDX-License-Identifier: GPL-2.0 */
/* afxdp-host plan: one YAML file that says how a compute host serves DPDK
 * guests and AF_XDP guests side by side (afxdp-host-plan(8)):
 *
 *   pfs:
 *     - name: enp1s0f0
 *       numvfs: 8
 *       autoprobe: on
 *       vfio: 0-3            # vfio-pci: DPDK guests
 *       kernel: 4-7          # the kernel VF driver: AF_XDP guests
 *       vfs:
 *         4: { mac: "02:00:00:00:00:04", vlan: 20, trust: on }
 *   domains:
 *     - name: afxdp-guest
 *       zero-copy: true
 *
 * plan_parse.c reads the file into struct host_plan (structure, VF lists,
 * duplicates; a fuzz target); the values of per-VF settings and domains
 * are the long options of `sriov vf` and `vm set`, checked through their
 * option tables by plan_check.c. */
#ifndef HOST_PLAN_H
#define HOST_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/cmd.h"
#include "host/sriov_sysfs.h"

#define PLAN_ERR_LEN 512
#define PLAN_MAX_ITEMS 64 /* PFs, domains, settings of one entry */

/* One setting as written: key (a long option), value, line. */
struct plan_kv {
	char key[32];
	char val[128];
	int line;
};

struct plan_vf_cfg {
	uint32_t vf;
	int line;
	struct plan_kv kv[PLAN_MAX_ITEMS];
	size_t n;
};

struct plan_pf {
	char name[SRIOV_NAME_LEN];
	int line;
	bool has_numvfs;
	uint32_t numvfs;
	int autoprobe; /* -1: not given */
	uint32_t vfio[SRIOV_MAX_VFS], kernel[SRIOV_MAX_VFS];
	size_t nvfio, nkernel;
	int vfio_line, kernel_line;
	struct plan_vf_cfg *vfs; /* per-VF settings */
	size_t nvfs;
};

struct plan_domain {
	char name[128];
	int line;
	struct plan_kv kv[PLAN_MAX_ITEMS];
	size_t n;
};

struct host_plan {
	char file[256]; /* for messages */
	char host[128]; /* optional, informational */
	struct plan_pf *pfs;
	size_t npfs;
	struct plan_domain *doms;
	size_t ndoms;
};

/* Parses a plan's text (len bytes, NUL not needed). 0, or -EINVAL with
 * "FILE:LINE: where: what" in err (-ENOMEM: out of memory). *p is filled
 * either way; plan_free() it. */
int plan_parse(const char *text, size_t len, const char *file,
	       struct host_plan *p, char *err, size_t err_len);
/* plan_parse() of a file (-EINVAL also when it can't be read). */
int plan_load(const char *path, struct host_plan *p, char *err, size_t err_len);
void plan_free(struct host_plan *p);

/* The per-VF keys and the domain keys a plan accepts: the long options of
 * `sriov vf` and of `vm set` (without --config/--live: a plan edits the
 * persistent definition). */
bool plan_vf_key_ok(const char *key);
bool plan_domain_key_ok(const char *key);

#endif
