// SPDX-License-Identifier: GPL-2.0
/* afxdp-host: the verbs, each declared in its own file (host/cmds.h), run
 * through the command layer (host/cmd.c). */
#include "host/cmd.h"
#include "util/log.h"

static const struct cmd_verb *const verbs[] = {
	&probe_verb, &vm_verb, &sriov_verb, &publish_verb, &plan_verb, NULL,
};

int main(int argc, char **argv)
{
	struct log_opts lo = { .prog = "afxdp-host", .level = LOG_WARNING };
	int rc;

	log_init(&lo);
	rc = cmd_main("afxdp-host", verbs, argc, argv);
	log_close();
	return rc;
}
