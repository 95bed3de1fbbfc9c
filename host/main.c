// SPDX-License-Identifier: GPL-2.0
/* afxdp-host: global options, then one subcommand (like ip(8)). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cmds.h"
#include "util/log.h"

static const struct {
	const char *name;
	int (*fn)(const struct host_global_opts *g, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "probe", cmd_probe, "report capability e.cap.025 (AF_XDP)" },
	{ "vm", cmd_vm, "make a libvirt domain's virtio-net XDP-ready" },
	{ "sriov", cmd_sriov, "create, configure and show SR-IOV VFs" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: afxdp-host [OPTIONS] COMMAND [ARGS]...\n"
		     "Prepares a compute host for AF_XDP guests.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\nOptions:\n"
		"  -j, --json           machine-readable JSON output\n"
		"  -n, --dry-run        print the changes, change nothing\n"
		"      --sysfs-root DIR sysfs location (default /sys)\n"
		"      --proc-root DIR  procfs location (default /proc)\n"
		"  -c, --connect URI    libvirt connection URI\n"
		"  -v, --verbose        more messages (repeat for debug)\n"
		"  -h, --help           this help\n"
		"  -V, --version        print the version\n\n"
		"'afxdp-host COMMAND --help' describes a command; see "
		"afxdp-host(8).\n");
}

static void usage_hint(void)
{
	fprintf(stderr, "Try 'afxdp-host --help'.\n");
}

int main(int argc, char **argv)
{
	enum { OPT_SYSFS = 256, OPT_PROC };
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "sysfs-root", required_argument, NULL, OPT_SYSFS },
		{ "proc-root", required_argument, NULL, OPT_PROC },
		{ "connect", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct host_global_opts g = {
		.sysfs_root = "/sys",
		.procfs_root = "/proc",
	};
	struct log_opts lo = { .prog = "afxdp-host", .level = LOG_WARNING };
	int c, rc;

	log_init(&lo);
	/* '+': stop at the command, its options are its own. */
	while ((c = getopt_long(argc, argv, "+jnc:vhV", long_opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'j':
			g.json = true;
			break;
		case 'n':
			g.dry_run = true;
			break;
		case OPT_SYSFS:
			g.sysfs_root = optarg;
			break;
		case OPT_PROC:
			g.procfs_root = optarg;
			break;
		case 'c':
			g.connect_uri = optarg;
			break;
		case 'v':
			g.verbose++;
			break;
		case 'h':
			usage(stdout);
			return HOST_EXIT_OK;
		case 'V':
			printf("afxdp-host %s\n", AFXDP_VERSION);
			return HOST_EXIT_OK;
		default: /* getopt printed what was wrong */
			usage_hint();
			return HOST_EXIT_USAGE;
		}
	}
	if (!g.sysfs_root[0] || !g.procfs_root[0]) {
		pr_err("--sysfs-root and --proc-root need a directory");
		return HOST_EXIT_USAGE;
	}
	log_set_level(g.verbose >= 2 ? LOG_DEBUG :
		      g.verbose	     ? LOG_INFO :
				       LOG_WARNING);
	if (optind >= argc) {
		pr_err("no command given");
		usage_hint();
		return HOST_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		/* The command sees argv[0] = its name; reset getopt fully. */
		argc -= optind;
		argv += optind;
		optind = 0;
		rc = commands[i].fn(&g, argc, argv);
		log_close();
		return rc;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return HOST_EXIT_OK;
	}
	pr_err("unknown command '%s'", argv[optind]);
	usage_hint();
	return HOST_EXIT_USAGE;
}
