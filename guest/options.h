/* SPDX-License-Identifier: GPL-2.0 */
/*
 * afxdp-agent's command line, generated. The options that set one
 * configuration key are declared in config.c's key table (config_option());
 * the few that are not keys (-c, -i, -q, --set, --check, -h, -V) and -v in
 * a small table here. From both come the getopt_long table, the mapping
 * from getopt's return value to a row, and the --help text, so adding an
 * option is one row.
 */
#ifndef AGENT_OPTIONS_H
#define AGENT_OPTIONS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#define OPTIONS_MAX 64
/* getopt_long's value for a long-only option: OPTIONS_LONG + its row. */
#define OPTIONS_LONG 256

/* What main.c does with an option. */
enum cli_action {
	CLI_KEY = 0, /* config_set(key, the argument, or value if none) */
	CLI_CONFIG, /* -c FILE: loaded before every other option */
	CLI_INTERFACE, /* -i IF: first replaces the ports, later ones add */
	CLI_QUEUES, /* -q LIST: ports.*.queues once all ports are known */
	CLI_SET, /* --set KEY=VALUE */
	CLI_CHECK,
	CLI_TAKEOVER,
	CLI_HELP,
	CLI_VERSION,
};

struct cli_option {
	const char *name; /* long option, without "--" */
	int short_opt; /* 'c', or 0 for none */
	const char *metavar; /* NULL: takes no argument */
	const char *help; /* one line */
	enum cli_action action;
	const char *key; /* CLI_KEY: the configuration key */
	const char *value; /* CLI_KEY without an argument: the value set */
	const char *const *choices; /* enum keys: NULL-terminated */
};

struct options {
	struct cli_option rows[OPTIONS_MAX];
	size_t nr;
	struct option longopts[OPTIONS_MAX + 1];
	char shortopts[2 * OPTIONS_MAX + 1];
};

/* Builds the table: 0, or -E2BIG when the rows do not fit. */
int options_init(struct options *o);
/* The row of a getopt_long return value; NULL for '?' and the like. */
const struct cli_option *options_find(const struct options *o, int val);
/* One entry per option, wrapped at 80 columns. */
void options_help(const struct options *o, FILE *out);

#endif
