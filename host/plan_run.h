/* SPDX-License-Identifier: GPL-2.0 */
/* afxdp-host plan: one run, in the order it happens (plan_cmd.c):
 * plan_check.c reads the host and checks every refusal before any write
 * (exit 2, nothing changed), plan_apply.c reports the change and applies
 * it in phases (numvfs, drivers, domains, VF settings), undoing the
 * applied phases in reverse when a step fails. */
#ifndef HOST_PLAN_RUN_H
#define HOST_PLAN_RUN_H

#include <libvirt/libvirt.h>

#include "host/plan.h"
#include "host/sriov_cmd.h"
#include "host/vm_internal.h"

struct plan_pf_state {
	const struct plan_pf *pp;
	struct sriov_pf *pf; /* as read before the first write */
	struct sriov_plan numvfs; /* numvfs and autoprobe */
	struct sriov_plan bind; /* planned after numvfs when it changes */
	bool reshape; /* numvfs changes: the VFs come new */
	struct sriov_vf_cli *vf_cli; /* pp->nvfs settings */
	struct sriov_vf_job *vf_jobs;
	bool numvfs_done, bind_done;
	size_t vf_done; /* jobs committed */
};

struct plan_dom_state {
	const struct plan_domain *pd;
	struct vm_cli cli;
	struct vm_result res; /* the dry run of vm set: the change */
	char *saved_xml; /* the definition before, for the undo */
	bool done;
};

struct plan_run {
	struct sriov_run sr; /* c, g, sysfs, report */
	struct host_plan plan;
	bool force;
	virConnectPtr conn;
	struct plan_pf_state *pfs;
	struct plan_dom_state *doms;
};

/* plan_check.c: the values of settings and domains through the verbs'
 * option tables (no system access). */
int plan_check_values(struct plan_run *pr);
/* plan_check.c: read every PF, plan what can be planned now, connect to
 * libvirt and check the domains and the running domains' hostdevs. */
int plan_check_host(struct plan_run *pr);
/* plan_apply.c: report and (unless a dry run) apply. */
int plan_apply(struct plan_run *pr);
/* plan_check.c: the drivers of both groups against st->pf as read. */
int plan_binds(struct plan_run *pr, struct plan_pf_state *st);
void plan_run_free(struct plan_run *pr);

#endif
