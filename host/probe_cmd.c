// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: the verb (options, output choice, exit status). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "host/cmd.h"
#include "host/probe.h"
#include "util/json.h"
#include "util/log.h"

#define PROBE_MAX_DEVS 256

struct probe_cli {
	const char
		*devs[PROBE_MAX_DEVS + 1]; /* NULL-terminated for probe_opts */
	size_t n_devs;
};

/* clang-format off */
static const struct cmd_option probe_options[] = {
	{ .name = "dev", .short_opt = 'd', .type = CMD_LIST,
	  .off = offsetof(struct probe_cli, devs),
	  .count_off = offsetof(struct probe_cli, n_devs),
	  .max = PROBE_MAX_DEVS, .metavar = "IFNAME",
	  .help = "probe only this device (repeatable; default: all but lo)" },
	{ .name = NULL },
};
/* clang-format on */

static bool is_real_sysfs(const char *root)
{
	char path[PATH_MAX];

	return !root || (realpath(root, path) && !strcmp(path, "/sys"));
}

static int probe_cmd_run(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	struct probe_cli *cli = opts;
	const struct host_global_opts *g = c->g;
	struct probe_opts o = {
		.devs = cli->devs,
		.n_devs = cli->n_devs,
		.sysfs_root = g->sysfs_root,
		.procfs_root = g->procfs_root,
		.connect_uri = g->connect_uri,
		/* Ioctls and netlink describe the running kernel: only trust
		 * them when the sysfs tree is the running kernel's too. */
		.live = is_real_sysfs(g->sysfs_root),
	};
	struct probe_report rep;
	int err, rc = HOST_EXIT_OK;

	(void)argc;
	(void)argv;
	err = probe_run(&o, &rep);
	if (err == -ENODEV) {
		rc = HOST_EXIT_USAGE; /* probe_run named the device */
	} else if (err) {
		pr_err("probe failed: %s", strerror(-err));
		rc = HOST_EXIT_FAIL;
	} else if (g->json) {
		struct json_object *j = probe_report_json(&rep);

		if (json_print(j, stdout, true))
			rc = HOST_EXIT_FAIL;
		json_object_put(j);
	} else {
		probe_print_table(&rep, stdout);
	}
	if (fflush(stdout))
		rc = HOST_EXIT_FAIL;
	probe_report_free(&rep);
	return rc;
}

const struct cmd_verb probe_verb = {
	.name = "probe",
	.summary = "report capability e.cap.025 (AF_XDP)",
	.description =
		"Reports Anuket capability e.cap.025 (AF_XDP) with its evidence.\n"
		"Exit: 0 the probe ran (also when unsupported), 1 it could not run,\n"
		"2 bad usage or an unknown device. See afxdp-host(8).",
	.options = probe_options,
	.opts_size = sizeof(struct probe_cli),
	.max_args = 0,
	.run = probe_cmd_run,
};
