// SPDX-License-Identifier: GPL-2.0
/* afxdp-host plan: report the change and apply it in phases, with the
 * steps of the verbs that own them: numvfs/autoprobe (sriov set's plan),
 * the drivers (sriov bind's plan; made only after numvfs when it
 * changes, since the VFs are new then), the domains (vm set) and the VF
 * settings (sriov vf). A failed step undoes every applied one, newest
 * first: VF settings, domain definitions, drivers, numvfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/plan_run.h"

static const char pending_note[] =
	"a PF's numvfs changes: its VFs are made new, so their driver and settings are planned once numvfs is applied";

/* A dry run with a numvfs change: what the new VFs will get. */
static void report_pending(struct plan_run *pr, const struct plan_pf_state *st)
{
	const struct plan_pf *pp = st->pp;

	for (size_t i = 0; i < pp->nvfio + pp->nkernel; i++) {
		bool vfio = i < pp->nvfio;
		uint32_t vf = vfio ? pp->vfio[i] : pp->kernel[i - pp->nvfio];
		const char *drv = vfio ? "vfio-pci" : "kernel";
		json_object *c = json_object_new_object();

		json_object_object_add(c, "kind",
				       json_object_new_string("vf-driver"));
		json_object_object_add(c, "pf",
				       json_object_new_string(pp->name));
		json_object_object_add(c, "vf", json_object_new_int((int)vf));
		json_object_object_add(c, "driver",
				       json_object_new_string(drv));
		json_object_object_add(c, "after",
				       json_object_new_string("numvfs"));
		report_change(
			&pr->sr.rep, c,
			"%s vf %u: driver %s (planned once numvfs is applied)",
			pp->name, vf, drv);
	}
	for (size_t i = 0; i < pp->nvfs; i++) {
		json_object *c = json_object_new_object(),
			    *set = json_object_new_object();
		char line[512] = "";

		for (size_t k = 0; k < pp->vfs[i].n; k++) {
			const struct plan_kv *kv = &pp->vfs[i].kv[k];

			json_object_object_add(set, kv->key,
					       json_object_new_string(kv->val));
			snprintf(line + strlen(line),
				 sizeof(line) - strlen(line), "%s%s %s",
				 k ? ", " : "", kv->key, kv->val);
		}
		json_object_object_add(c, "kind",
				       json_object_new_string("vf-settings"));
		json_object_object_add(c, "pf",
				       json_object_new_string(pp->name));
		json_object_object_add(c, "vf",
				       json_object_new_int((int)pp->vfs[i].vf));
		json_object_object_add(c, "settings", set);
		json_object_object_add(c, "after",
				       json_object_new_string("numvfs"));
		report_change(&pr->sr.rep, c,
			      "%s vf %u: %s (set once numvfs is applied)",
			      pp->name, pp->vfs[i].vf, line);
	}
	report_set(&pr->sr.rep, "note", json_object_new_string(pending_note));
}

/* One change per domain whose definition vm set changes. */
static void report_domain(struct plan_run *pr, const struct plan_dom_state *st)
{
	json_object *ifs = NULL, *c;
	char line[768] = "";

	if (!st->res.changed)
		return;
	json_object_object_get_ex(st->res.json, "interfaces", &ifs);
	for (size_t i = 0; ifs && i < json_object_array_length(ifs); i++) {
		json_object *j = json_object_array_get_idx(ifs, i), *ch = NULL,
			    *mac = NULL;

		json_object_object_get_ex(j, "mac", &mac);
		if (!json_object_object_get_ex(j, "changes", &ch) ||
		    !json_object_array_length(ch))
			continue;
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "%s%s:", line[0] ? "; " : "",
			 mac ? json_object_get_string(mac) : "?");
		for (size_t k = 0; k < json_object_array_length(ch); k++)
			snprintf(line + strlen(line),
				 sizeof(line) - strlen(line), " %s%s",
				 json_object_get_string(
					 json_object_array_get_idx(ch, k)),
				 k + 1 < json_object_array_length(ch) ? "," :
									"");
	}
	c = json_object_new_object();
	json_object_object_add(c, "kind", json_object_new_string("libvirt"));
	json_object_object_add(c, "domain",
			       json_object_new_string(st->pd->name));
	json_object_object_add(c, "scope", json_object_new_string("config"));
	json_object_object_add(c, "interfaces", json_object_get(ifs));
	json_object_object_add(c, "diff", json_object_new_string(st->res.diff));
	report_change(&pr->sr.rep, c, "libvirt domain %s (config): %s",
		      st->pd->name, line);
}

/* The VF settings of a PF: read over netlink and report (no write). */
static int prepare_vfs(struct plan_run *pr, struct plan_pf_state *st)
{
	int err = 0;

	for (size_t j = 0; !err && j < st->pp->nvfs; j++)
		err = sriov_vf_prepare(&pr->sr, st->pf, &st->vf_cli[j],
				       &st->vf_jobs[j]);
	return err;
}

/* Everything that can be known before the first write. */
static int report_all(struct plan_run *pr)
{
	int err = 0;

	for (size_t i = 0; !err && i < pr->plan.npfs; i++) {
		struct plan_pf_state *st = &pr->pfs[i];

		sriov_report_plan(&pr->sr, &st->numvfs);
		if (st->reshape && pr->sr.g->dry_run)
			report_pending(pr, st);
		if (st->reshape)
			continue;
		sriov_report_plan(&pr->sr, &st->bind);
		err = prepare_vfs(pr, st);
	}
	for (size_t i = 0; !err && i < pr->plan.ndoms; i++)
		report_domain(pr, &pr->doms[i]);
	return err;
}

/* Undo every applied step, newest first; the number of steps undone. */
static size_t undo_all(struct plan_run *pr)
{
	const struct sriov_sysfs *s = &pr->sr.s;
	size_t n = 0;

	for (size_t i = pr->plan.npfs; i-- > 0;) {
		struct plan_pf_state *st = &pr->pfs[i];

		while (st->vf_done > 0) {
			sriov_vf_revert(&st->vf_jobs[--st->vf_done]);
			n++;
		}
	}
	for (size_t i = pr->plan.ndoms; i-- > 0;) {
		struct plan_dom_state *st = &pr->doms[i];
		virDomainPtr d;

		if (!st->done)
			continue;
		d = virDomainDefineXML(pr->conn, st->saved_xml);
		if (d)
			virDomainFree(d);
		st->done = false;
		n++;
	}
	for (size_t i = pr->plan.npfs; i-- > 0;) {
		struct plan_pf_state *st = &pr->pfs[i];

		if (st->bind_done)
			sriov_plan_undo(s, &st->bind, st->bind.n);
		n += st->bind_done ? st->bind.n : 0;
		st->bind_done = false;
	}
	for (size_t i = pr->plan.npfs; i-- > 0;) {
		struct plan_pf_state *st = &pr->pfs[i];

		if (st->numvfs_done)
			sriov_plan_undo(s, &st->numvfs, st->numvfs.n);
		n += st->numvfs_done ? st->numvfs.n : 0;
		st->numvfs_done = false;
	}
	return n;
}

static int apply_sysfs(struct plan_run *pr, const char *pf,
		       const struct sriov_plan *p, bool *done)
{
	char path[PATH_MAX];
	size_t failed = 0;
	int err;

	if (!p->n)
		return 0;
	err = sriov_plan_apply(&pr->sr.s, p, &failed);
	if (!err) {
		*done = true;
		return 0;
	}
	sysfs_path(&pr->sr.s.fs, path, sizeof(path), "%s",
		   p->steps[failed].rel);
	return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err,
			       "%s: writing %s to %s failed: %s", pf,
			       sriov_shown(p->steps[failed].val), path,
			       strerror(-err));
}

/* After numvfs: the new VFs as sysfs shows them, then their drivers. */
static int rebind_new(struct plan_run *pr, struct plan_pf_state *st)
{
	int err = sriov_pf_read(&pr->sr.s, st->pp->name, st->pf);

	if (err)
		return sriov_pf_error(&pr->sr, st->pp->name, err);
	err = plan_binds(pr, st);
	if (err) { /* a refusal now is a failure: numvfs was written */
		char msg[sizeof(pr->sr.c->err)];

		memcpy(msg, pr->sr.c->err, sizeof(msg));
		return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err, "%s",
				       msg);
	}
	sriov_report_plan(&pr->sr, &st->bind);
	return apply_sysfs(pr, st->pp->name, &st->bind, &st->bind_done);
}

static int apply_domain(struct plan_run *pr, struct plan_dom_state *st)
{
	struct vm_result r = { 0 };
	virDomainPtr dom = NULL;
	char msg[512];
	int err;

	if (!st->res.changed)
		return 0;
	err = domain_lookup(pr->conn, st->pd->name, &dom, msg, sizeof(msg));
	if (!err)
		err = domain_get_xml(dom, st->pd->name, DOMAIN_CONFIG,
				     &st->saved_xml, msg, sizeof(msg));
	if (dom)
		virDomainFree(dom);
	if (err)
		return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err, "%s",
				       msg);
	st->cli.o.dry_run = false;
	err = vm_set(pr->conn, &st->cli.o, &r);
	if (err)
		cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err, "%s", r.error);
	else
		st->done = true;
	vm_result_free(&r);
	return err;
}

static int apply_vfs(struct plan_run *pr, struct plan_pf_state *st)
{
	int err = 0;

	if (st->reshape)
		err = prepare_vfs(pr, st);
	for (size_t j = 0; !err && j < st->pp->nvfs; j++) {
		err = sriov_vf_commit(&pr->sr, &st->vf_jobs[j]);
		if (!err)
			st->vf_done = j + 1;
	}
	return err;
}

int plan_apply(struct plan_run *pr)
{
	size_t n;
	int err = report_all(pr);

	if (err || pr->sr.g->dry_run)
		return err;
	for (size_t i = 0; !err && i < pr->plan.npfs; i++)
		err = apply_sysfs(pr, pr->pfs[i].pp->name, &pr->pfs[i].numvfs,
				  &pr->pfs[i].numvfs_done);
	for (size_t i = 0; !err && i < pr->plan.npfs; i++) {
		struct plan_pf_state *st = &pr->pfs[i];

		if (st->reshape)
			err = rebind_new(pr, st);
		else
			err = apply_sysfs(pr, st->pp->name, &st->bind,
					  &st->bind_done);
	}
	for (size_t i = 0; !err && i < pr->plan.ndoms; i++)
		err = apply_domain(pr, &pr->doms[i]);
	for (size_t i = 0; !err && i < pr->plan.npfs; i++)
		err = apply_vfs(pr, &pr->pfs[i]);
	if (!err)
		return 0;
	n = undo_all(pr);
	snprintf(pr->sr.c->err + strlen(pr->sr.c->err),
		 sizeof(pr->sr.c->err) - strlen(pr->sr.c->err),
		 "; rolled back %zu earlier step(s) of the plan", n);
	return err;
}

void plan_run_free(struct plan_run *pr)
{
	for (size_t i = 0; pr->pfs && i < pr->plan.npfs; i++) {
		struct plan_pf_state *st = &pr->pfs[i];

		free(st->pf);
		sriov_plan_free(&st->numvfs);
		sriov_plan_free(&st->bind);
		for (size_t j = 0; st->vf_jobs && j < st->pp->nvfs; j++)
			sriov_vf_job_free(&st->vf_jobs[j]);
		free(st->vf_jobs);
		free(st->vf_cli);
	}
	for (size_t i = 0; pr->doms && i < pr->plan.ndoms; i++) {
		vm_result_free(&pr->doms[i].res);
		free(pr->doms[i].saved_xml);
	}
	free(pr->pfs);
	free(pr->doms);
	if (pr->conn)
		virConnectClose(pr->conn);
	plan_free(&pr->plan);
}
