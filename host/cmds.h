/* SPDX-License-Identifier: GPL-2.0 */
/* afxdp-host subcommands, one file each (like iproute2's ip/ipXXX.c).
 * Each returns the process exit code: 0 ok, 1 failed, 2 bad usage. */
#ifndef HOST_CMDS_H
#define HOST_CMDS_H

#include <stdbool.h>

enum host_exit { HOST_EXIT_OK = 0, HOST_EXIT_FAIL = 1, HOST_EXIT_USAGE = 2 };

/* Options every subcommand accepts, parsed by main.c before dispatch. */
struct host_global_opts {
	bool json;
	bool dry_run;
	const char *sysfs_root; /* default "/sys" */
	const char *procfs_root; /* default "/proc" */
	const char *connect_uri; /* libvirt URI, -c; NULL: libvirt's default */
	int verbose;
};

struct cmd_verb;
/* Verbs through the command layer (host/cmd.h), one file each. */
extern const struct cmd_verb probe_verb;
extern const struct cmd_verb vm_verb; /* host/vm_cmd.c */
extern const struct cmd_verb sriov_verb; /* host/sriov_cmd.c */
extern const struct cmd_verb publish_verb; /* host/publish_cmd.c */
extern const struct cmd_verb plan_verb; /* host/plan_cmd.c */

int cmd_probe(const struct host_global_opts *g, int argc, char **argv);
/* sriov through cmd_run() with g as given (the unit tests). */
int cmd_sriov(const struct host_global_opts *g, int argc, char **argv);

#endif
