/* SPDX-License-Identifier: GPL-2.0 */
/* afxdp-host sriov: what its verbs share (one file each: sriov_set.c,
 * sriov_vf.c, sriov_bind.c, sriov_show.c, sriov_vmcmd.c, sriov_apply.c;
 * the group and the helpers in sriov_cmd.c). Every changing verb plans
 * first (sysfs writes, netlink settings, files), reports the plan (the
 * answer for --dry-run), and undoes what it applied when a later step
 * fails. Functions return 0 or -errno, with the message in the cmd_ctx. */
#ifndef HOST_SRIOV_CMD_H
#define HOST_SRIOV_CMD_H

#include <stddef.h>

#include "host/cmd.h"
#include "host/report.h"
#include "host/sriov_netlink.h"
#include "host/sriov_persist.h"
#include "host/sriov_sysfs.h"

/* Options every sriov verb takes: first in each verb's options struct. */
struct sriov_common {
	bool persist;
	const char *persist_root; /* default "/" */
};

#define SRIOV_COMMON_OPTIONS(T)                                             \
	{ .name = "persist",                                                \
	  .type = CMD_FLAG,                                                 \
	  .off = offsetof(T, co.persist),                                   \
	  .help = "also write the boot config and unit (afxdp-sriov@PF)" }, \
	{                                                                   \
		.name = "persist-root", .type = CMD_STR,                    \
		.off = offsetof(T, co.persist_root), .metavar = "DIR",      \
		.help = "place the --persist files under DIR (default /)"   \
	}

/* One run of an sriov verb. */
struct sriov_run {
	struct cmd_ctx *c;
	const struct host_global_opts *g;
	bool persist;
	const char *persist_root;
	struct sriov_sysfs s;
	struct report rep;
};

typedef int (*sriov_fn)(struct sriov_run *r, void *opts, int argc, char **argv);

/* A verb's run(): sets up r, calls fn, prints the answer of verb (with a
 * summary for humans when summary), returns the exit status. */
int sriov_run(struct cmd_ctx *c, void *opts, int argc, char **argv, sriov_fn fn,
	      bool summary);
/* Every verb's init() and usage_error(). */
void sriov_init(void *opts);
void sriov_usage_error(struct cmd_ctx *c, void *opts);

/* The PF's state read afresh from sysfs into *out (malloc'd; the caller
 * frees it, also on error). -ENODEV: unknown; -EOPNOTSUPP: not SR-IOV. */
int sriov_load_pf(struct sriov_run *r, const char *name, struct sriov_pf **out);
int sriov_pf_error(struct sriov_run *r, const char *pf, int err);
int sriov_check_vf_index(struct sriov_run *r, const struct sriov_pf *pf,
			 uint32_t vf);

/* A value as shown: the kernel's "\n" (clear an override) as "(null)". */
const char *sriov_shown(const char *v);
/* Reports each step of a plan as a sysfs change. */
void sriov_report_plan(struct sriov_run *r, const struct sriov_plan *p);
/* Reports the plan and the --persist files (edit: the config change);
 * unless a dry run, applies the plan (rolled back when a step fails) and
 * writes the files (the plan undone when they fail). */
int sriov_commit(struct sriov_run *r, const char *pf,
		 const struct sriov_plan *p,
		 int (*edit)(struct sriov_conf *c, void *data), void *data);

/* --persist: load the PF's config, edit it, plan the files and report
 * them; nothing when --persist was not given. */
int sriov_plan_files(struct sriov_run *r, const char *pf,
		     int (*edit)(struct sriov_conf *c, void *data), void *data,
		     struct sriov_persist *p);
int sriov_write_files(struct sriov_run *r, const struct sriov_persist *p);

/* The verbs' work, also replayed by apply. */
struct sriov_set_cli {
	struct sriov_common co;
	uint32_t numvfs;
	bool has_numvfs;
	int autoprobe; /* -1: leave */
	bool force;
};
extern const struct cmd_option sriov_set_options[];
int sriov_set(struct sriov_run *r, const struct sriov_set_cli *o,
	      const char *pf);

struct sriov_bind_cli {
	struct sriov_common co;
	const char *vfs;
	const char *driver;
	bool force;
};
int sriov_bind(struct sriov_run *r, const struct sriov_bind_cli *o,
	       const char *pf);

struct sriov_vf_cli {
	struct sriov_common co;
	struct sriov_vf_cfg want; /* mac and rates; check() does the rest */
	uint32_t vlan, qos;
	bool has_mac, has_vlan, has_qos, has_min, has_max;
	int trust, spoofchk; /* -1: not given */
	const char *vlan_proto, *link_state;
};
extern const struct cmd_option sriov_vf_options[];
void sriov_vf_init(void *opts);
int sriov_vf_check(struct cmd_ctx *c, void *opts);
int sriov_vf(struct sriov_run *r, struct sriov_vf_cli *o, const char *pf,
	     const char *vf);

/* A VF's settings in steps, for verbs that undo them when a later step
 * fails (plan): prepare reads the VF over netlink and reports the fields
 * that differ; commit sets them (rolling its own back on a refusal);
 * revert sets the committed ones back. */
struct sriov_vf_job {
	char pf[SRIOV_NAME_LEN];
	struct nl_handle nl;
	int ifindex;
	struct sriov_vf_cfg *vfs; /* SRIOV_MAX_VFS */
	struct sriov_vf_cfg *cur; /* the VF's, in vfs */
	struct sriov_vf_cfg delta;
	uint32_t applied; /* the fields set */
};
int sriov_vf_prepare(struct sriov_run *r, const struct sriov_pf *pf,
		     struct sriov_vf_cli *o, struct sriov_vf_job *j);
int sriov_vf_commit(struct sriov_run *r, struct sriov_vf_job *j);
void sriov_vf_revert(struct sriov_vf_job *j);
void sriov_vf_job_free(struct sriov_vf_job *j);

extern const struct cmd_verb sriov_set_verb, sriov_vf_verb, sriov_bind_verb,
	sriov_show_verb, sriov_vm_verb, sriov_apply_verb;

#endif
