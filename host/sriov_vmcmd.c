// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov vm DOMAIN --pf PF --vf N: hands a kernel-group VF to a
 * libvirt domain as a hostdev interface (host/sriov_vm.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/sriov_cmd.h"
#include "host/sriov_vm.h"

struct vm_cli {
	struct sriov_common co;
	const char *pf;
	uint32_t vf, vlan;
	bool has_vlan, has_mac, config, live;
	uint8_t mac[6];
};

static const struct cmd_option vm_options[] = {
	{ .name = "pf",
	  .type = CMD_STR,
	  .off = offsetof(struct vm_cli, pf),
	  .required = true,
	  .metavar = "PF",
	  .help = "the VF's PF" },
	{ .name = "vf",
	  .type = CMD_U32,
	  .off = offsetof(struct vm_cli, vf),
	  .required = true,
	  .max = SRIOV_MAX_VFS - 1,
	  .metavar = "N",
	  .help = "the VF's index" },
	{ .name = "mac",
	  .type = CMD_FN,
	  .off = offsetof(struct vm_cli, mac),
	  .set_off = offsetof(struct vm_cli, has_mac),
	  .parse_field = cmd_parse_mac,
	  .metavar = "MAC",
	  .help = "the guest's MAC address" },
	{ .name = "vlan",
	  .type = CMD_U32,
	  .off = offsetof(struct vm_cli, vlan),
	  .set_off = offsetof(struct vm_cli, has_vlan),
	  .min = 1,
	  .max = 4094,
	  .metavar = "1-4094",
	  .help = "VLAN tag of the interface" },
	{ .name = "config",
	  .type = CMD_FLAG,
	  .off = offsetof(struct vm_cli, config),
	  .help = "change the persistent definition" },
	{ .name = "live",
	  .type = CMD_FLAG,
	  .off = offsetof(struct vm_cli, live),
	  .help = "change the running domain" },
	SRIOV_COMMON_OPTIONS(struct vm_cli),
	{ .name = NULL },
};

static int vm_check(struct cmd_ctx *c, void *opts)
{
	const struct vm_cli *o = opts;

	if (o->co.persist)
		return cmd_fail(c, -EINVAL,
				"vm: use --config to make it persistent");
	return 0;
}

static int attach_error(struct sriov_run *r, const struct sriov_vm_opts *o,
			int err, const char *msg)
{
	if (err == -EINVAL) /* domain.c's message names the domain */
		return cmd_fail(r->c, err, "%s", msg);
	if (err == -ENOENT) /* as afxdp-host vm: a lookup that fails */
		return cmd_fail(r->c, err, "domain '%s' not found: %s",
				o->domain, msg);
	return cmd_fail_status(r->c, HOST_EXIT_FAIL, err, "libvirt%s%s: %s",
			       o->uri ? " " : "", o->uri ? o->uri : "", msg);
}

static int vm_attach(struct sriov_run *r, struct sriov_vm_opts *o)
{
	char xml[1024], msg[512];
	bool changed;
	json_object *jc;
	int err;

	sriov_vm_xml(o, xml, sizeof(xml));
	err = sriov_vm_attach(o, &changed, msg, sizeof(msg));
	if (err)
		return attach_error(r, o, err, msg);
	report_set(&r->rep, "xml", json_object_new_string(xml));
	if (changed) {
		jc = json_object_new_object();
		json_object_object_add(jc, "kind",
				       json_object_new_string("domain"));
		json_object_object_add(jc, "domain",
				       json_object_new_string(o->domain));
		json_object_object_add(jc, "attach",
				       json_object_new_string(xml));
		report_change(&r->rep, jc, "domain %s: attach\n%s", o->domain,
			      xml);
	}
	return 0;
}

static int vm_run(struct sriov_run *r, void *opts, int argc, char **argv)
{
	const struct vm_cli *cli = opts;
	struct sriov_vm_opts o = { .uri = r->g->connect_uri,
				   .domain = argv[0],
				   .has_mac = cli->has_mac,
				   .vlan = cli->has_vlan ? (int)cli->vlan : -1,
				   .config = cli->config,
				   .live = cli->live,
				   .dry_run = r->g->dry_run };
	struct sriov_pf *pf = NULL;
	int err;

	(void)argc;
	memcpy(o.mac, cli->mac, sizeof(o.mac));
	err = sriov_load_pf(r, cli->pf, &pf);
	if (!err)
		err = sriov_check_vf_index(r, pf, cli->vf);
	if (!err && (cli->vf >= pf->nvfs || !pf->vfs[cli->vf].pci[0]))
		err = cmd_fail_status(r->c, HOST_EXIT_FAIL, -ENOENT,
				      "%s: VF %u has no virtfn link", pf->name,
				      cli->vf);
	if (!err) {
		o.pci = pf->vfs[cli->vf].pci;
		err = vm_attach(r, &o);
	}
	free(pf);
	return err;
}

static int vm_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	return sriov_run(c, opts, argc, argv, vm_run, true);
}

const struct cmd_verb sriov_vm_verb = {
	.name = "vm",
	.args = "DOMAIN",
	.summary = "hand a VF to a libvirt domain (hostdev interface)",
	.description =
		"Attaches VF N of PF to DOMAIN as <interface type='hostdev'\n"
		"managed='yes'> (config/live as virsh); no change when the domain\n"
		"already has it.",
	.options = vm_options,
	.opts_size = sizeof(struct vm_cli),
	.min_args = 1,
	.max_args = 1,
	.init = sriov_init,
	.check = vm_check,
	.run = vm_cmd,
};
