// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov bind PF --vfs LIST --driver D: moves VFs between
 * vfio-pci (DPDK guests) and the kernel VF driver (AF_XDP guests). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/sriov_cmd.h"
#include "util/parse.h"

static const struct cmd_option bind_options[] = {
	{ .name = "vfs",
	  .type = CMD_STR,
	  .off = offsetof(struct sriov_bind_cli, vfs),
	  .required = true,
	  .metavar = "LIST",
	  .help = "the VFs to move: 0-3 or 0,2,5" },
	{ .name = "driver",
	  .type = CMD_STR,
	  .off = offsetof(struct sriov_bind_cli, driver),
	  .required = true,
	  .metavar = "DRIVER",
	  .help = "vfio-pci, kernel (the VF's own driver) or a driver name" },
	{ .name = "force",
	  .type = CMD_FLAG,
	  .off = offsetof(struct sriov_bind_cli, force),
	  .help = "move VFs whose vfio group is open (a running domain)" },
	SRIOV_COMMON_OPTIONS(struct sriov_bind_cli),
	{ .name = NULL },
};

/* --persist: vf.N.driver for each VF moved. */
static int bind_edit(struct sriov_conf *c, void *data)
{
	const struct sriov_bind_opts *o = data;
	char key[48];
	int err = 0;

	for (size_t i = 0; i < o->nvfs && !err; i++) {
		snprintf(key, sizeof(key), "vf.%u.driver", o->vfs[i]);
		err = sriov_conf_set(c, key, o->driver);
	}
	return err;
}

static int plan_error(struct sriov_run *r, const struct sriov_pf *pf,
		      const char *list, int err)
{
	if (err == -ERANGE)
		return cmd_fail(
			r->c, err,
			"%s: VF index out of range in '%s' (the PF has %u VFs)",
			pf->name, list, pf->numvfs);
	if (err == -ENOENT)
		return cmd_fail(
			r->c, err,
			"%s: a VF of '%s' has no virtfn link in sysfs (not created?)",
			pf->name, list);
	if (err == -EBUSY)
		return cmd_fail(
			r->c, err,
			"%s: a VF of '%s' is in use (its /dev/vfio group is open, e.g. by a running domain); use --force",
			pf->name, list);
	return cmd_fail_status(r->c, HOST_EXIT_FAIL, err, "%s: %s", pf->name,
			       strerror(-err));
}

int sriov_bind(struct sriov_run *r, const struct sriov_bind_cli *cli,
	       const char *name)
{
	static uint32_t vfs[SRIOV_MAX_VFS];
	struct sriov_bind_opts o = { .vfs = vfs,
				     .driver = cli->driver,
				     .force = cli->force };
	struct sriov_plan plan = { 0 };
	struct sriov_pf *pf = NULL;
	int err;

	if (!*cli->driver || strchr(cli->driver, '/') ||
	    strlen(cli->driver) >= SRIOV_NAME_LEN)
		return cmd_fail(r->c, -EINVAL, "bad --driver '%s'",
				cli->driver);
	if (parse_u32_list(cli->vfs, SRIOV_MAX_VFS - 1, vfs, SRIOV_MAX_VFS,
			   &o.nvfs))
		return cmd_fail(r->c, -EINVAL,
				"bad --vfs '%s' (e.g. 0-3 or 0,2,5)", cli->vfs);
	err = sriov_load_pf(r, name, &pf);
	if (err)
		goto out;
	err = sriov_plan_bind(pf, &o, &plan);
	if (err) {
		err = plan_error(r, pf, cli->vfs, err);
		goto out;
	}
	err = sriov_commit(r, pf->name, &plan, bind_edit, &o);
out:
	sriov_plan_free(&plan);
	free(pf);
	return err;
}

static int bind_run(struct sriov_run *r, void *opts, int argc, char **argv)
{
	(void)argc;
	return sriov_bind(r, opts, argv[0]);
}

static int bind_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	return sriov_run(c, opts, argc, argv, bind_run, true);
}

const struct cmd_verb sriov_bind_verb = {
	.name = "bind",
	.args = "PF",
	.summary = "move VFs to vfio-pci (DPDK) or the kernel driver (AF_XDP)",
	.description =
		"Binds the VFs in --vfs to --driver: unbind, driver_override, probe.\n"
		"Only those VFs are written to; a VF in use (its /dev/vfio group is\n"
		"open) is refused unless --force.",
	.options = bind_options,
	.opts_size = sizeof(struct sriov_bind_cli),
	.min_args = 1,
	.max_args = 1,
	.init = sriov_init,
	.run = bind_cmd,
};
