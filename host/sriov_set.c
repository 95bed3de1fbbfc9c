// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov set PF: the VF count (sriov_numvfs) and autoprobe. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/sriov_cmd.h"

const struct cmd_option sriov_set_options[] = {
	{ .name = "numvfs",
	  .type = CMD_U32,
	  .off = offsetof(struct sriov_set_cli, numvfs),
	  .set_off = offsetof(struct sriov_set_cli, has_numvfs),
	  .max = 65535,
	  .metavar = "N",
	  .help = "the number of VFs" },
	{ .name = "autoprobe",
	  .type = CMD_FN,
	  .off = offsetof(struct sriov_set_cli, autoprobe),
	  .parse_field = cmd_parse_onoff,
	  .metavar = "on|off",
	  .help = "bind new VFs to their driver (sriov_drivers_autoprobe)" },
	{ .name = "force",
	  .type = CMD_FLAG,
	  .off = offsetof(struct sriov_set_cli, force),
	  .help = "change numvfs even with VFs on vfio-pci" },
	SRIOV_COMMON_OPTIONS(struct sriov_set_cli),
	{ .name = NULL },
};

static void set_init(void *opts)
{
	struct sriov_set_cli *o = opts;

	sriov_init(o);
	o->autoprobe = -1;
}

static int set_check(struct cmd_ctx *c, void *opts)
{
	const struct sriov_set_cli *o = opts;

	if (!o->has_numvfs && o->autoprobe < 0)
		return cmd_fail(
			c, -EINVAL,
			"set: nothing to do (--numvfs and/or --autoprobe)");
	return 0;
}

/* --persist: numvfs (dropping the settings of VFs that go) and autoprobe. */
static int set_edit(struct sriov_conf *c, void *data)
{
	const struct sriov_numvfs_opts *o = data;
	char v[16];
	int err;

	snprintf(v, sizeof(v), "%u", o->numvfs);
	err = sriov_conf_set(c, "numvfs", v);
	sriov_conf_drop_vfs_from(c, o->numvfs);
	if (!err && o->autoprobe >= 0)
		err = sriov_conf_set(c, "autoprobe",
				     o->autoprobe ? "on" : "off");
	return err;
}

static int set_edit_autoprobe(struct sriov_conf *c, void *data)
{
	const struct sriov_numvfs_opts *o = data;

	return sriov_conf_set(c, "autoprobe", o->autoprobe ? "on" : "off");
}

/* Which VFs a numvfs change would destroy: "0,1(in use),2". */
static void vfio_list(const struct sriov_pf *pf, char *list, size_t len)
{
	list[0] = '\0';
	for (size_t i = 0; i < pf->nvfs; i++)
		if (pf->vfs[i].group == SRIOV_GROUP_VFIO)
			snprintf(list + strlen(list), len - strlen(list),
				 "%s%zu%s", list[0] ? "," : "", i,
				 pf->vfs[i].in_use ? "(in use)" : "");
}

static int plan_error(struct sriov_run *r, const struct sriov_pf *pf,
		      const struct sriov_numvfs_opts *o, int err)
{
	char list[256];

	if (err == -ERANGE)
		return cmd_fail(r->c, err,
				"%s: --numvfs %u exceeds sriov_totalvfs %u",
				pf->name, o->numvfs, pf->totalvfs);
	if (err == -EBUSY) {
		vfio_list(pf, list, sizeof(list));
		return cmd_fail(
			r->c, err,
			"%s: refusing to change numvfs %u -> %u: VFs %s are bound to vfio-pci (DPDK/assigned); changing numvfs destroys every VF; use --force",
			pf->name, pf->numvfs, o->numvfs, list);
	}
	if (err == -EOPNOTSUPP)
		return cmd_fail_status(
			r->c, HOST_EXIT_FAIL, err,
			"%s: no sriov_drivers_autoprobe in sysfs", pf->name);
	return cmd_fail_status(r->c, HOST_EXIT_FAIL, err, "%s: %s", pf->name,
			       strerror(-err));
}

int sriov_set(struct sriov_run *r, const struct sriov_set_cli *cli,
	      const char *name)
{
	struct sriov_numvfs_opts o = { .numvfs = cli->numvfs,
				       .autoprobe = cli->autoprobe,
				       .force = cli->force };
	struct sriov_plan plan = { 0 };
	struct sriov_pf *pf = NULL;
	int err;

	err = sriov_load_pf(r, name, &pf);
	if (err)
		goto out;
	if (!cli->has_numvfs)
		o.numvfs = pf->numvfs;
	err = sriov_plan_numvfs(pf, &o, &plan);
	if (err) {
		err = plan_error(r, pf, &o, err);
		goto out;
	}
	err = sriov_commit(r, pf->name, &plan,
			   cli->has_numvfs ? set_edit : set_edit_autoprobe, &o);
out:
	sriov_plan_free(&plan);
	free(pf);
	return err;
}

static int set_run(struct sriov_run *r, void *opts, int argc, char **argv)
{
	(void)argc;
	return sriov_set(r, opts, argv[0]);
}

static int set_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	return sriov_run(c, opts, argc, argv, set_run, true);
}

const struct cmd_verb sriov_set_verb = {
	.name = "set",
	.args = "PF",
	.summary = "create or remove VFs, set autoprobe",
	.description =
		"Sets the PF's VF count and driver autoprobe. N -> M goes through 0\n"
		"(the kernel answers EBUSY otherwise); refused while VFs are on\n"
		"vfio-pci unless --force.",
	.options = sriov_set_options,
	.opts_size = sizeof(struct sriov_set_cli),
	.min_args = 1,
	.max_args = 1,
	.init = set_init,
	.check = set_check,
	.run = set_cmd,
};
