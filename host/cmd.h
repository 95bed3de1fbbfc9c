/* SPDX-License-Identifier: GPL-2.0 */
/*
 * afxdp-host's command layer (after xdp-tools' prog_option tables): every
 * verb declares its options once, in a table, and this layer generates the
 * getopt_long parser, the --help text and the value checks from it. The
 * global options (-j, -n, -c, --sysfs-root, --proc-root, -v) are accepted
 * in any position, before or after the verb. Verbs return 0 or -errno and
 * say what went wrong with cmd_fail(); cmd_exit_code() is the one place
 * that turns that into the exit status (0 ok, 1 failed, 2 bad usage or
 * refused with nothing changed).
 */
#ifndef HOST_CMD_H
#define HOST_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/cmds.h"

enum cmd_opt_type {
	CMD_FLAG, /* bool, no argument */
	CMD_STR, /* const char *, the argument as given (non-empty) */
	CMD_U32, /* uint32_t in [min, max] */
	CMD_ENUM, /* int: the index of the argument in names[] */
	CMD_LIST, /* const char *[max], repeatable; count at count_off */
	CMD_FN, /* parse(): anything else (MACs, on/off, ranges) */
};

struct cmd_option {
	const char *name; /* long option, without "--"; NULL ends a table */
	int short_opt; /* 'd', or 0 for none */
	enum cmd_opt_type type;
	size_t off; /* offsetof() the field in the verb's options struct */
	const char *metavar; /* "N", "IFNAME"; NULL for CMD_FLAG */
	const char *help; /* one line */
	uint32_t min, max; /* CMD_U32 range; CMD_LIST capacity (max) */
	const char *const *names; /* CMD_ENUM: NULL-terminated */
	size_t count_off; /* CMD_LIST: offsetof() its size_t count */
	size_t set_off; /* != 0: offsetof() a bool set when given */
	bool required; /* the verb needs it: checked, and shown in usage */
	/* CMD_FN: 0, or -EINVAL with a message in err naming the value. */
	int (*parse)(const char *arg, void *opts, char *err, size_t err_len);
	/* CMD_FN alternative to parse: gets the field at off and its entry,
	 * so one parser serves many options (cmd_parse_onoff, ..._mac). */
	int (*parse_field)(const struct cmd_option *o, const char *arg,
			   void *field, char *err, size_t err_len);
};

/* parse_field parsers. "on"/"off" (or yes/no, true/false, 1/0) into an
 * int 1/0: "bad --NAME 'x' (on|off)". */
int cmd_parse_onoff(const struct cmd_option *o, const char *arg, void *field,
		    char *err, size_t err_len);
/* A MAC address into uint8_t[6]: "bad --NAME 'x'". */
int cmd_parse_mac(const struct cmd_option *o, const char *arg, void *field,
		  char *err, size_t err_len);

/* What a verb's run() gets besides its parsed options. */
struct cmd_ctx {
	const struct host_global_opts *g;
	const char *verb; /* "probe", "vm set": for messages */
	char err[1024]; /* cmd_fail()'s message */
	int status; /* cmd_fail_status()'s exit status; 0: from the errno */
};

struct cmd_verb {
	const char *name; /* NULL ends a table */
	const char *args; /* positional arguments for usage: "DOMAIN" */
	const char *summary; /* one line for the parent's list */
	const char *description; /* a paragraph for --help; may be NULL */
	const struct cmd_option *options; /* may be NULL */
	size_t opts_size; /* sizeof the verb's options struct */
	int min_args, max_args; /* positional count; max < 0: any */
	/* Fill defaults before parsing; may be NULL (all zero). */
	void (*init)(void *opts);
	/* Cross-option checks after parsing: 0 or -EINVAL + message. */
	int (*check)(struct cmd_ctx *c, void *opts);
	/* The verb: returns its exit status (cmd_exit_code()). */
	int (*run)(struct cmd_ctx *c, void *opts, int argc, char **argv);
	/* A group (vm, sriov): its verbs, NULL-terminated. */
	const struct cmd_verb *const *subs;
	/* A verb that parses its own command line (argv[0] is its name),
	 * with the global options given before it. */
	int (*legacy)(const struct host_global_opts *g, int argc, char **argv);
	/* Called (for a verb, or inherited from its group) when its command
	 * line is refused before run(), with the message in c->err: verbs
	 * that answer --json with an error object print it here. */
	void (*usage_error)(struct cmd_ctx *c, void *opts);
};

/* Parse the global options, find the verb (and sub-verb) in verbs, parse
 * its options (global ones allowed among them), check them and run it.
 * Returns the process exit status. */
int cmd_main(const char *prog, const struct cmd_verb *const *verbs, int argc,
	     char **argv);

/* cmd_main() for one verb (or group) with the global options already
 * set: argv[0] is the verb's name. For tests and callers that build g. */
int cmd_run(const char *prog, const struct cmd_verb *v,
	    const struct host_global_opts *g, int argc, char **argv);

/* Record why the verb failed (shown on stderr by the caller of run, and in
 * JSON by verbs that print an error object); returns err. */
int cmd_fail(struct cmd_ctx *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* cmd_fail() with the exit status given where the errno's class is not
 * the failure's: a write the kernel refused with EINVAL after the verb
 * started changing things is HOST_EXIT_FAIL, not a usage error. */
int cmd_fail_status(struct cmd_ctx *c, int status, int err, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

/* The exit status of a verb that ends with err: c->status when
 * cmd_fail_status() set one, else cmd_exit_code(err). */
int cmd_status(const struct cmd_ctx *c, int err);

/* Sets the option called name (long name) of table as if given on the
 * command line: replaying a saved command (a config file). 0, -ENOENT (no
 * such option) or -EINVAL with a message in err. */
int cmd_set_option(const struct cmd_option *table, const char *name,
		   const char *arg, void *opts, char *err, size_t err_len);

/* 0 -> 0; refusals before any change (-EINVAL, -ERANGE, -ENOTSUP, -EPERM,
 * -ENODEV) -> 2; anything else (-EEXIST included) -> 1. */
int cmd_exit_code(int err);

/* The global options' table (-j, -n, --sysfs-root, --proc-root, -c). */
extern const struct cmd_option cmd_global_options[];
/* Entries in an option table (up to its NULL name). */
size_t cmd_nr_options(const struct cmd_option *t);

/* The generated --help of a verb (also used for usage errors), in
 * cmd_usage.c. */
void cmd_usage(FILE *out, const char *prog, const struct cmd_verb *path[],
	       int depth);

#endif
