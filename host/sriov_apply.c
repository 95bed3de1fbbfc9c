// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov apply PF: what the boot unit (afxdp-sriov@PF.service)
 * runs. Replays the PF's --persist config in the order a boot needs:
 * numvfs/autoprobe, then the drivers, then each VF's settings, each one
 * through the option table of the verb that saved it. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/sriov_cmd.h"
#include "util/log.h"

struct apply_cli {
	struct sriov_common co;
	const char *file;
};

static const struct cmd_option apply_options[] = {
	{ .name = "config-file",
	  .type = CMD_STR,
	  .off = offsetof(struct apply_cli, file),
	  .metavar = "FILE",
	  .help = "the config (default: PERSIST-ROOT/etc/afxdp-kit/sriov/PF.conf)" },
	SRIOV_COMMON_OPTIONS(struct apply_cli),
	{ .name = NULL },
};

/* Sets option key of table from the config's value; 0 when absent. */
static int replay_opt(struct sriov_run *r, const struct cmd_option *table,
		      const struct sriov_conf *conf, const char *conf_key,
		      const char *key, void *cli, bool *given)
{
	const char *val = sriov_conf_get(conf, conf_key);
	char msg[256];

	if (!val)
		return 0;
	*given = true;
	if (cmd_set_option(table, key, val, cli, msg, sizeof(msg)))
		return cmd_fail(r->c, -EINVAL, "%s", msg);
	return 0;
}

static int replay_set(struct sriov_run *r, const struct sriov_conf *conf,
		      const char *pf)
{
	struct sriov_set_cli cli = { .autoprobe = -1 };
	bool given = false;
	int err;

	err = replay_opt(r, sriov_set_options, conf, "numvfs", "numvfs", &cli,
			 &given);
	if (!err)
		err = replay_opt(r, sriov_set_options, conf, "autoprobe",
				 "autoprobe", &cli, &given);
	if (err || !given)
		return err;
	return sriov_set(r, &cli, pf);
}

static int replay_bind(struct sriov_run *r, const struct sriov_conf *conf,
		       const char *pf)
{
	int err = 0;

	for (size_t i = 0; !err && i < conf->n; i++) {
		struct sriov_bind_cli cli = { .driver = conf->kv[i].val };
		unsigned int vf;
		char field[32], num[16];

		if (sscanf(conf->kv[i].key, "vf.%u.%31s", &vf, field) != 2 ||
		    strcmp(field, "driver"))
			continue;
		snprintf(num, sizeof(num), "%u", vf);
		cli.vfs = num;
		err = sriov_bind(r, &cli, pf);
	}
	return err;
}

static int replay_vf(struct sriov_run *r, const struct sriov_conf *conf,
		     const char *pf, uint32_t vf)
{
	static const char *const keys[] = {
		"mac",	    "vlan",	  "qos",      "vlan-proto", "trust",
		"spoofchk", "link-state", "min-rate", "max-rate"
	};
	struct sriov_vf_cli cli;
	char num[16], key[48];
	bool given = false;
	int err = 0;

	sriov_vf_init(&cli);
	for (size_t k = 0; !err && k < sizeof(keys) / sizeof(keys[0]); k++) {
		snprintf(key, sizeof(key), "vf.%u.%s", vf, keys[k]);
		err = replay_opt(r, sriov_vf_options, conf, key, keys[k], &cli,
				 &given);
	}
	if (err || !given)
		return err;
	err = sriov_vf_check(r->c, &cli);
	snprintf(num, sizeof(num), "%u", vf);
	return err ? err : sriov_vf(r, &cli, pf, num);
}

static int load_conf(struct sriov_run *r, const struct apply_cli *cli,
		     const char *pf, struct sriov_conf *conf)
{
	char path[PATH_MAX];
	const char *file = cli->file;
	int err;

	if (!file) {
		sriov_conf_path(r->persist_root, pf, path, sizeof(path));
		file = path;
	}
	if (access(file, R_OK))
		return cmd_fail_status(r->c, HOST_EXIT_USAGE, -errno,
				       "apply: cannot read %s: %m", file);
	err = sriov_conf_load(file, conf);
	if (err)
		return cmd_fail_status(r->c, HOST_EXIT_USAGE, err,
				       "apply: %s: bad config (%s)", file,
				       strerror(-err));
	return 0;
}

static int apply_run(struct sriov_run *r, void *opts, int argc, char **argv)
{
	static const char note[] =
		"the driver and VF steps are planned once numvfs is applied";
	struct sriov_conf conf = { 0 };
	const char *pf = argv[0];
	int err;

	(void)argc;
	if (strlen(pf) > IFNAMSIZ)
		return cmd_fail(r->c, -EINVAL, "apply: expected one PF");
	err = load_conf(r, opts, pf, &conf);
	r->persist = false; /* replaying the config must not rewrite it */
	if (!err)
		err = replay_set(r, &conf, pf);
	/* The VFs to bind and configure exist only once numvfs is written:
	 * a dry run cannot plan further than that. */
	if (!err && r->g->dry_run && report_count(&r->rep)) {
		if (!r->g->json)
			pr_warn("note: %s", note);
		report_set(&r->rep, "note", json_object_new_string(note));
		goto out;
	}
	if (!err)
		err = replay_bind(r, &conf, pf);
	for (uint32_t vf = 0; !err && vf < SRIOV_MAX_VFS; vf++)
		err = replay_vf(r, &conf, pf, vf);
out:
	sriov_conf_free(&conf);
	return err;
}

static int apply_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	return sriov_run(c, opts, argc, argv, apply_run, true);
}

const struct cmd_verb sriov_apply_verb = {
	.name = "apply",
	.args = "PF",
	.summary = "replay the PF's --persist config (what the boot unit runs)",
	.options = apply_options,
	.opts_size = sizeof(struct apply_cli),
	.min_args = 1,
	.max_args = 1,
	.init = sriov_init,
	.run = apply_cmd,
};
