// SPDX-License-Identifier: GPL-2.0
/* afxdp-host plan FILE: one file says how a host serves DPDK guests and
 * AF_XDP guests side by side (VFs per PF, which go to vfio-pci and which
 * stay on the kernel VF driver, per-VF settings, the domains whose virtio
 * interfaces get the AF_XDP preparation); this verb checks it all, then
 * applies it with the steps of sriov set/bind/vf and vm set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/plan_run.h"

struct plan_cli {
	bool force;
};

static const struct cmd_option plan_options[] = {
	{ .name = "force",
	  .type = CMD_FLAG,
	  .off = offsetof(struct plan_cli, force),
	  .help = "change numvfs with VFs on vfio-pci, move VFs whose vfio group is open (never a running domain's hostdev)" },
	{ .name = NULL },
};

static int plan_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	const struct plan_cli *cli = opts;
	struct plan_run pr = { .sr = { .c = c, .g = c->g },
			       .force = cli->force };
	char msg[PLAN_ERR_LEN];
	int err;

	(void)argc;
	if (report_init(&pr.sr.rep, c->g->json, c->g->dry_run))
		return cmd_status(c, cmd_fail(c, -ENOMEM, "out of memory"));
	if (sriov_sysfs_init(&pr.sr.s, c->g->sysfs_root, c->g->procfs_root))
		err = cmd_fail(c, -EINVAL, "bad --sysfs-root");
	else if ((err = plan_load(argv[0], &pr.plan, msg, sizeof(msg))))
		err = cmd_fail_status(c, HOST_EXIT_USAGE, err, "%s", msg);
	if (!err && pr.plan.host[0])
		report_set(&pr.sr.rep, "host",
			   json_object_new_string(pr.plan.host));
	if (!err)
		err = plan_check_values(&pr);
	if (!err)
		err = plan_check_host(&pr);
	if (!err)
		err = plan_apply(&pr);
	if (report_print(&pr.sr.rep, "plan", err ? c->err : NULL, true) && !err)
		err = cmd_fail(c, -EIO, "cannot write the answer");
	report_free(&pr.sr.rep);
	plan_run_free(&pr);
	return cmd_status(c, err);
}

const struct cmd_verb plan_verb = {
	.name = "plan",
	.args = "FILE",
	.summary = "apply a host plan: VFs for DPDK and AF_XDP guests, domains",
	.description =
		"Reads a YAML plan (per PF: numvfs, the VFs for vfio-pci and for the\n"
		"kernel VF driver, per-VF settings; the domains to make XDP-ready),\n"
		"checks all of it before any write, then applies it with the steps of\n"
		"sriov set/bind/vf and vm set, undone in reverse when one fails.\n"
		"Exit: 0 ok, 1 failed, 2 refused (nothing changed). See\n"
		"afxdp-host-plan(8).",
	.options = plan_options,
	.opts_size = sizeof(struct plan_cli),
	.min_args = 1,
	.max_args = 1,
	.run = plan_cmd,
	.usage_error = sriov_usage_error,
};
