// SPDX-License-Identifier: GPL-2.0
/* afxdp-host plan: every refusal before the first write (exit 2, nothing
 * changed): the values through the option tables of `sriov vf` and `vm
 * set`, the PFs and VF indices against sysfs, the plans of `sriov set`
 * and `sriov bind` made now, the domains looked up and `vm set` run dry,
 * and no VF that a running domain holds as a hostdev is rebound or
 * destroyed by a numvfs change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "host/plan_run.h"
#include "util/parse.h"

/* "FILE:LINE: what" with exit status 2: a refusal, nothing changed. */
static int refuse(struct plan_run *pr, int line, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct plan_run *pr, int line, int err, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cmd_fail_status(pr->sr.c, HOST_EXIT_USAGE, err, "%s:%d: %s",
			       pr->plan.file, line, msg);
}

static int onoff(const char *v, bool *b)
{
	if (!strcmp(v, "on") || !strcmp(v, "off")) {
		*b = !strcmp(v, "on");
		return 0;
	}
	return parse_bool(v, b);
}

static int check_vf_cfg(struct plan_run *pr, const struct plan_pf *pp,
			const struct plan_vf_cfg *vc, struct sriov_vf_cli *o)
{
	struct cmd_ctx tmp = { .g = pr->sr.g };
	char msg[256];

	sriov_vf_init(o);
	for (size_t k = 0; k < vc->n; k++)
		if (cmd_set_option(sriov_vf_options, vc->kv[k].key,
				   vc->kv[k].val, o, msg, sizeof(msg)))
			return refuse(pr, vc->kv[k].line, -EINVAL,
				      "%s vf %u: %s", pp->name, vc->vf, msg);
	o->want.vf = vc->vf;
	if (sriov_vf_check(&tmp, o))
		return refuse(pr, vc->line, -EINVAL, "%s vf %u: %s", pp->name,
			      vc->vf, tmp.err);
	return 0;
}

static int check_domain(struct plan_run *pr, const struct plan_domain *pd,
			struct vm_cli *cli)
{
	struct cmd_ctx tmp = { .g = pr->sr.g };
	char msg[256];
	bool b;

	memset(cli, 0, sizeof(*cli));
	for (size_t k = 0; k < pd->n; k++) {
		const struct plan_kv *kv = &pd->kv[k];

		if (!strcmp(kv->key, "zero-copy")) {
			if (onoff(kv->val, &b))
				return refuse(
					pr, kv->line, -EINVAL,
					"domain '%s': bad zero-copy '%s' (true|false)",
					pd->name, kv->val);
			cli->o.zero_copy = b;
			continue;
		}
		if (cmd_set_option(vm_set_options, kv->key, kv->val, cli, msg,
				   sizeof(msg)))
			return refuse(pr, kv->line, -EINVAL, "domain '%s': %s",
				      pd->name, msg);
	}
	if (vm_check_tuning(&tmp, cli))
		return refuse(pr, pd->line, -EINVAL, "domain '%s': %s",
			      pd->name, tmp.err);
	cli->o.domain = pd->name;
	cli->o.config = true; /* the persistent definition */
	return 0;
}

int plan_check_values(struct plan_run *pr)
{
	const struct host_plan *p = &pr->plan;
	int err = 0;

	pr->pfs = calloc(p->npfs ? p->npfs : 1, sizeof(*pr->pfs));
	pr->doms = calloc(p->ndoms ? p->ndoms : 1, sizeof(*pr->doms));
	if (!pr->pfs || !pr->doms)
		return cmd_fail(pr->sr.c, -ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < p->npfs; i++) {
		struct plan_pf_state *st = &pr->pfs[i];

		st->pp = &p->pfs[i];
		st->vf_cli = calloc(st->pp->nvfs + 1, sizeof(*st->vf_cli));
		st->vf_jobs = calloc(st->pp->nvfs + 1, sizeof(*st->vf_jobs));
		if (!st->vf_cli || !st->vf_jobs)
			return cmd_fail(pr->sr.c, -ENOMEM, "out of memory");
		for (size_t j = 0; !err && j < st->pp->nvfs; j++)
			err = check_vf_cfg(pr, st->pp, &st->pp->vfs[j],
					   &st->vf_cli[j]);
	}
	for (size_t i = 0; !err && i < p->ndoms; i++) {
		pr->doms[i].pd = &p->doms[i];
		err = check_domain(pr, &p->doms[i], &pr->doms[i].cli);
	}
	return err;
}

/* Every VF index of the plan below the PF's VF count after the plan. */
static int check_indices(struct plan_run *pr, const struct plan_pf_state *st,
			 uint32_t target)
{
	const struct plan_pf *pp = st->pp;

	if (target > st->pf->totalvfs)
		return refuse(pr, pp->line, -ERANGE,
			      "%s: numvfs %u exceeds sriov_totalvfs %u",
			      pp->name, target, st->pf->totalvfs);
	for (size_t i = 0; i < pp->nvfio + pp->nkernel; i++) {
		uint32_t vf =
			i < pp->nvfio ? pp->vfio[i] : pp->kernel[i - pp->nvfio];

		if (vf >= target)
			return refuse(
				pr,
				i < pp->nvfio ? pp->vfio_line : pp->kernel_line,
				-ERANGE,
				"%s: VF %u is beyond numvfs %u (sriov_totalvfs %u)",
				pp->name, vf, target, st->pf->totalvfs);
	}
	for (size_t i = 0; i < pp->nvfs; i++)
		if (pp->vfs[i].vf >= target)
			return refuse(
				pr, pp->vfs[i].line, -ERANGE,
				"%s: settings for VF %u, beyond numvfs %u",
				pp->name, pp->vfs[i].vf, target);
	return 0;
}

/* The binds of both groups, against the PF as it is now (plan_apply.c
 * calls it again after a numvfs change). */
int plan_binds(struct plan_run *pr, struct plan_pf_state *st)
{
	const struct plan_pf *pp = st->pp;
	struct sriov_bind_opts vfio = { .vfs = pp->vfio,
					.nvfs = pp->nvfio,
					.driver = "vfio-pci",
					.force = pr->force };
	struct sriov_bind_opts kern = { .vfs = pp->kernel,
					.nvfs = pp->nkernel,
					.driver = "kernel",
					.force = pr->force };
	int err = 0;

	sriov_plan_free(&st->bind);
	if (vfio.nvfs)
		err = sriov_plan_bind(st->pf, &vfio, &st->bind);
	if (!err && kern.nvfs)
		err = sriov_plan_bind(st->pf, &kern, &st->bind);
	if (err == -ENOENT || err == -ERANGE)
		return refuse(
			pr, pp->line, err,
			"%s: a VF of the plan has no virtfn link in sysfs (not created?)",
			pp->name);
	if (err == -EBUSY)
		return refuse(
			pr, pp->line, err,
			"%s: the plan moves a VF that is in use (its /dev/vfio group is open); use --force",
			pp->name);
	if (err)
		return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err, "%s: %s",
				       pp->name, strerror(-err));
	return 0;
}

static int plan_pf(struct plan_run *pr, struct plan_pf_state *st)
{
	const struct plan_pf *pp = st->pp;
	struct sriov_numvfs_opts o = { .autoprobe = pp->autoprobe,
				       .force = pr->force };
	int err;

	err = sriov_load_pf(&pr->sr, pp->name, &st->pf);
	if (err)
		return err;
	o.numvfs = pp->has_numvfs ? pp->numvfs : st->pf->numvfs;
	err = check_indices(pr, st, o.numvfs);
	if (err)
		return err;
	err = sriov_plan_numvfs(st->pf, &o, &st->numvfs);
	if (err == -EBUSY)
		return refuse(
			pr, pp->line, err,
			"%s: refusing to change numvfs %u -> %u: VFs are bound to vfio-pci (DPDK/assigned) and changing numvfs destroys every VF; use --force",
			pp->name, st->pf->numvfs, o.numvfs);
	if (err == -EOPNOTSUPP)
		return cmd_fail_status(
			pr->sr.c, HOST_EXIT_FAIL, err,
			"%s: no sriov_drivers_autoprobe in sysfs", pp->name);
	if (err)
		return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err, "%s: %s",
				       pp->name, strerror(-err));
	st->reshape = o.numvfs != st->pf->numvfs;
	return st->reshape ? 0 : plan_binds(pr, st);
}

/* The PCI address of one <address domain= bus= slot= function=/>. */
static int node_pci(xmlNodePtr n, char *buf, size_t len)
{
	static const char *const names[] = { "domain", "bus", "slot",
					     "function" };
	unsigned long v[4];

	for (int i = 0; i < 4; i++) {
		xmlChar *a = xmlGetProp(n, (const xmlChar *)names[i]);
		char *end = NULL;

		v[i] = a ? strtoul((const char *)a, &end, 0) : 0;
		if (!a || !end || *end) {
			xmlFree(a);
			return -EINVAL;
		}
		xmlFree(a);
	}
	snprintf(buf, len, "%04lx:%02lx:%02lx.%lx", v[0], v[1], v[2], v[3]);
	return 0;
}

/* Does the running domain hold pci as a PCI hostdev (or a hostdev
 * interface)? */
static bool held_by(virDomainPtr dom, const char *pci)
{
	static const char xp[] =
		"/domain/devices/hostdev[@type='pci']/source/address|"
		"/domain/devices/interface[@type='hostdev']/source/address";
	xmlXPathObjectPtr res = NULL;
	xmlXPathContextPtr ctx = NULL;
	char *xml = virDomainGetXMLDesc(dom, 0), addr[32];
	xmlDocPtr doc = NULL;
	bool found = false;

	if (xml)
		doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
	if (doc)
		ctx = xmlXPathNewContext(doc);
	if (ctx)
		res = xmlXPathEvalExpression((const xmlChar *)xp, ctx);
	for (int i = 0;
	     res && res->nodesetval && i < res->nodesetval->nodeNr && !found;
	     i++)
		found = !node_pci(res->nodesetval->nodeTab[i], addr,
				  sizeof(addr)) &&
			!strcmp(addr, pci);
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	return found;
}

/* The VFs the plan rebinds or destroys (numvfs changes). */
static bool touched(const struct plan_pf_state *st, const struct sriov_vf *vf)
{
	if (!vf->pci[0])
		return false;
	if (st->reshape)
		return true;
	for (size_t i = 0; i < st->bind.n; i++)
		if (!strcmp(st->bind.steps[i].val, vf->pci))
			return true;
	return false;
}

static int check_hostdevs(struct plan_run *pr)
{
	virDomainPtr *doms = NULL;
	int n, err = 0;

	n = virConnectListAllDomains(pr->conn, &doms,
				     VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0)
		return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, -EIO,
				       "cannot list the running domains: %s",
				       virGetLastErrorMessage());
	for (size_t i = 0; !err && i < pr->plan.npfs; i++) {
		const struct plan_pf_state *st = &pr->pfs[i];

		for (size_t v = 0; !err && v < st->pf->nvfs; v++) {
			const struct sriov_vf *vf = &st->pf->vfs[v];

			if (!touched(st, vf))
				continue;
			for (int d = 0; !err && d < n; d++)
				if (held_by(doms[d], vf->pci))
					err = refuse(
						pr, st->pp->line, -EBUSY,
						"%s: VF %zu (%s) is a hostdev of the running domain '%s': the plan would %s",
						st->pp->name, v, vf->pci,
						virDomainGetName(doms[d]),
						st->reshape ?
							"destroy it (numvfs changes)" :
							"rebind it");
		}
	}
	for (int d = 0; d < n; d++)
		virDomainFree(doms[d]);
	free(doms);
	return err;
}

static int check_domains(struct plan_run *pr)
{
	for (size_t i = 0; i < pr->plan.ndoms; i++) {
		struct plan_dom_state *st = &pr->doms[i];
		virDomainPtr dom = NULL;
		char msg[512];
		int err;

		err = domain_lookup(pr->conn, st->pd->name, &dom, msg,
				    sizeof(msg));
		if (dom)
			virDomainFree(dom);
		if (err == -ENOENT)
			return refuse(pr, st->pd->line, err, "%s", msg);
		if (err)
			return cmd_fail_status(pr->sr.c, HOST_EXIT_FAIL, err,
					       "%s", msg);
		st->cli.o.dry_run = true;
		st->cli.o.caps.qemu_version = vm_qemu_version(pr->conn);
		err = vm_set(pr->conn, &st->cli.o, &st->res);
		if (err)
			return cmd_fail_status(pr->sr.c, vm_exit_code(err), err,
					       "%s:%d: %s", pr->plan.file,
					       st->pd->line, st->res.error);
	}
	return 0;
}

static bool needs_libvirt(const struct plan_run *pr)
{
	if (pr->plan.ndoms)
		return true;
	for (size_t i = 0; i < pr->plan.npfs; i++)
		for (size_t v = 0; v < pr->pfs[i].pf->nvfs; v++)
			if (touched(&pr->pfs[i], &pr->pfs[i].pf->vfs[v]))
				return true;
	return false;
}

int plan_check_host(struct plan_run *pr)
{
	char msg[512];
	int err = 0;

	for (size_t i = 0; !err && i < pr->plan.npfs; i++)
		err = plan_pf(pr, &pr->pfs[i]);
	if (err || !needs_libvirt(pr))
		return err;
	domain_errors_silence();
	err = domain_connect(pr->sr.g->connect_uri, pr->sr.g->dry_run,
			     &pr->conn, msg, sizeof(msg));
	if (err)
		return cmd_fail_status(
			pr->sr.c, HOST_EXIT_FAIL, err,
			"%s (the plan checks which VFs running domains hold)",
			msg);
	err = check_hostdevs(pr);
	if (!err)
		err = check_domains(pr);
	return err;
}
