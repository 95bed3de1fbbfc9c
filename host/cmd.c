// SPDX-License-Identifier: GPL-2.0
/*
 * The command layer: option tables -> getopt_long, --help and value checks
 * (see cmd.h). One parser per verb, built from the global table followed
 * by the verb's own, so the global options work before and after the verb.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "host/cmd.h"
#include "util/log.h"
#include "util/parse.h"

#define CMD_MAX_OPTS 64
#define CMD_MAX_DEPTH 3

enum { GOPT_SYSFS = 0x1000, GOPT_PROC, GOPT_BASE = 0x2000 };

/* clang-format off */
/* The global options, as one table (they fill host_global_opts). */
const struct cmd_option cmd_global_options[] = {
	{ .name = "json", .short_opt = 'j', .type = CMD_FLAG,
	  .off = offsetof(struct host_global_opts, json),
	  .help = "machine-readable JSON output" },
	{ .name = "dry-run", .short_opt = 'n', .type = CMD_FLAG,
	  .off = offsetof(struct host_global_opts, dry_run),
	  .help = "print the changes, change nothing" },
	{ .name = "sysfs-root", .type = CMD_STR,
	  .off = offsetof(struct host_global_opts, sysfs_root),
	  .metavar = "DIR", .help = "sysfs location (default /sys)" },
	{ .name = "proc-root", .type = CMD_STR,
	  .off = offsetof(struct host_global_opts, procfs_root),
	  .metavar = "DIR", .help = "procfs location (default /proc)" },
	{ .name = "connect", .short_opt = 'c', .type = CMD_STR,
	  .off = offsetof(struct host_global_opts, connect_uri),
	  .metavar = "URI", .help = "libvirt connection URI" },
	{ .name = NULL },
};
/* clang-format on */

int cmd_fail(struct cmd_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}

int cmd_fail_status(struct cmd_ctx *c, int status, int err, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->status = status;
	return err;
}

int cmd_status(const struct cmd_ctx *c, int err)
{
	if (!err)
		return HOST_EXIT_OK;
	return c->status ? c->status : cmd_exit_code(err);
}

int cmd_parse_onoff(const struct cmd_option *o, const char *arg, void *field,
		    char *err, size_t err_len)
{
	bool b;

	if (!strcmp(arg, "on") || !strcmp(arg, "off")) {
		*(int *)field = !strcmp(arg, "on");
		return 0;
	}
	if (parse_bool(arg, &b)) {
		snprintf(err, err_len, "bad --%s '%s' (on|off)", o->name, arg);
		return -EINVAL;
	}
	*(int *)field = b;
	return 0;
}

int cmd_parse_mac(const struct cmd_option *o, const char *arg, void *field,
		  char *err, size_t err_len)
{
	if (parse_mac(arg, field)) {
		snprintf(err, err_len, "bad --%s '%s'", o->name, arg);
		return -EINVAL;
	}
	return 0;
}

int cmd_exit_code(int err)
{
	switch (err) {
	case 0:
		return HOST_EXIT_OK;
	case -EINVAL:
	case -ERANGE:
	case -ENOTSUP:
	case -EPERM:
	case -ENODEV:
		return HOST_EXIT_USAGE;
	default:
		return HOST_EXIT_FAIL;
	}
}

/* One table entry's argument into opts (or the global options). */
static int set_value(const struct cmd_option *o, void *base, const char *arg,
		     char *err, size_t err_len)
{
	char *field = (char *)base + o->off;
	uint32_t v;

	switch (o->type) {
	case CMD_FLAG:
		*(bool *)field = true;
		break;
	case CMD_STR:
		if (!*arg) {
			snprintf(err, err_len, "--%s needs a non-empty value",
				 o->name);
			return -EINVAL;
		}
		*(const char **)field = arg;
		break;
	case CMD_U32:
		if (parse_u32(arg, o->min, o->max, &v)) {
			snprintf(err, err_len,
				 "invalid --%s '%s': want a number in %u..%u",
				 o->name, arg, o->min, o->max);
			return -EINVAL;
		}
		*(uint32_t *)field = v;
		break;
	case CMD_ENUM:
		for (int i = 0; o->names[i]; i++) {
			if (!strcmp(o->names[i], arg)) {
				*(int *)field = i;
				goto done;
			}
		}
		{
			size_t n = (size_t)snprintf(
				err, err_len, "invalid --%s '%s': want one of",
				o->name, arg);

			for (int i = 0; o->names[i] && n < err_len; i++)
				n += (size_t)snprintf(err + n, err_len - n,
						      "%s %s", i ? "," : "",
						      o->names[i]);
		}
		return -EINVAL;
	case CMD_LIST: {
		size_t *count = (size_t *)((char *)base + o->count_off);

		if (*count >= o->max) {
			snprintf(err, err_len, "--%s given more than %u times",
				 o->name, o->max);
			return -EINVAL;
		}
		((const char **)field)[(*count)++] = arg;
		break;
	}
	case CMD_FN: {
		int ret = o->parse_field ?
				  o->parse_field(o, arg, field, err, err_len) :
				  o->parse(arg, base, err, err_len);

		if (ret)
			return ret;
		break;
	}
	}
done:
	if (o->set_off)
		*(bool *)((char *)base + o->set_off) = true;
	return 0;
}

static void add_long(struct option *lo, size_t *n, const struct cmd_option *o,
		     int val)
{
	lo[*n] = (struct option){
		.name = o->name,
		.has_arg =
			o->type == CMD_FLAG ? no_argument : required_argument,
		.val = val,
	};
	(*n)++;
}

static void add_short(char *s, size_t *n, const struct cmd_option *o)
{
	if (!o->short_opt)
		return;
	s[(*n)++] = (char)o->short_opt;
	if (o->type != CMD_FLAG)
		s[(*n)++] = ':';
}

struct parse_state {
	const char *prog;
	struct host_global_opts *g;
	const struct cmd_verb *path[CMD_MAX_DEPTH];
	int depth;
	uint64_t seen; /* the verb's own options given (bit = table index) */
	char err[512]; /* the message of a refused command line */
};

static void refuse(struct parse_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void refuse(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	pr_err("%s", st->err);
}

/* getopt over the global options and level's own options (none for the
 * top level or a group). Stops at the first non-option when the level has
 * sub-verbs. 1: --help printed; 0 ok; -EINVAL: reported. */
static int parse_level(struct parse_state *st, const struct cmd_verb *v,
		       void *opts, int argc, char **argv)
{
	const struct cmd_option *own = v ? v->options : NULL;
	size_t n_own = cmd_nr_options(own),
	       n_glob = cmd_nr_options(cmd_global_options);
	struct option lo[CMD_MAX_OPTS + 8];
	char shorts[2 * CMD_MAX_OPTS + 8];
	size_t nl = 0, ns = 0;
	char err[512];
	int c;

	if (n_own + n_glob + 4 > CMD_MAX_OPTS)
		return -E2BIG;
	/* '+' stops at the verb where one is to come; a verb's own level
	 * lets getopt permute, so options may follow its arguments. */
	if (!v || v->subs)
		shorts[ns++] = '+';
	shorts[ns++] = ':';
	for (size_t i = 0; i < n_glob; i++) {
		add_long(lo, &nl, &cmd_global_options[i], GOPT_BASE + (int)i);
		add_short(shorts, &ns, &cmd_global_options[i]);
	}
	for (size_t i = 0; i < n_own; i++) {
		add_long(lo, &nl, &own[i], GOPT_BASE + 0x100 + (int)i);
		add_short(shorts, &ns, &own[i]);
	}
	lo[nl++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	lo[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	if (!v)
		lo[nl++] = (struct option){ "version", no_argument, NULL, 'V' };
	lo[nl] = (struct option){ 0 };
	memcpy(shorts + ns, v ? "vh" : "vhV", v ? 3 : 4);

	optind = 0; /* glibc: a full re-initialisation per level */
	opterr = 0;
	st->seen = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct cmd_option *o = NULL;
		void *base = opts;
		int ret;

		if (c == 'h') {
			if (v)
				cmd_usage(stdout, st->prog, st->path,
					  st->depth);
			return 1;
		}
		if (c == 'V')
			return 2;
		if (c == 'v') {
			st->g->verbose++;
			continue;
		}
		if (c == '?' || c == ':') {
			if (c == ':')
				refuse(st, "option '%s' needs a value",
				       argv[optind - 1]);
			else if (optopt)
				refuse(st, "unknown option '-%c'", optopt);
			else
				refuse(st, "unknown option '%s'",
				       argv[optind - 1]);
			return -EINVAL;
		}
		/* A short option: find its entry. */
		for (size_t i = 0; !o && i < n_glob; i++)
			if (c == cmd_global_options[i].short_opt ||
			    c == GOPT_BASE + (int)i)
				o = &cmd_global_options[i], base = st->g;
		for (size_t i = 0; !o && i < n_own; i++)
			if (c == own[i].short_opt ||
			    c == GOPT_BASE + 0x100 + (int)i)
				o = &own[i], st->seen |= 1ULL << i;
		if (!o)
			return -EINVAL;
		ret = set_value(o, base, optarg ? optarg : "", err,
				sizeof(err));
		if (ret) {
			refuse(st, "%s", err);
			return ret;
		}
	}
	return 0;
}

static void hint(const struct parse_state *st)
{
	fprintf(stderr, "Try '%s", st->prog);
	for (int i = 0; i < st->depth; i++)
		fprintf(stderr, " %s", st->path[i]->name);
	fprintf(stderr, " --help'.\n");
}

static const struct cmd_verb *find_verb(const struct cmd_verb *const *t,
					const char *name)
{
	for (; t && *t; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}

/* "probe, vm, sriov" */
static const char *list_verbs(const struct cmd_verb *const *t, char *buf,
			      size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct cmd_verb *const *s = t; *s && n < len; s++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      s == t ? "" : ", ", (*s)->name);
	return buf;
}

int cmd_set_option(const struct cmd_option *table, const char *name,
		   const char *arg, void *opts, char *err, size_t err_len)
{
	for (size_t i = 0; table && table[i].name; i++)
		if (!strcmp(table[i].name, name))
			return set_value(&table[i], opts, arg, err, err_len);
	return -ENOENT;
}

/* A command line refused before run() (the message is out): the verb's
 * usage_error hook, or its group's, prints its JSON error object. */
static int refused(struct parse_state *st, struct cmd_ctx *c, void *opts,
		   int status)
{
	if (!c->err[0])
		memcpy(c->err, st->err, sizeof(st->err));
	for (int i = st->depth - 1; i >= 0; i--) {
		if (st->path[i]->usage_error) {
			st->path[i]->usage_error(c, opts);
			break;
		}
	}
	hint(st);
	free(opts);
	return status;
}

static int run_verb(struct parse_state *st, const struct cmd_verb *v, int argc,
		    char **argv)
{
	struct cmd_ctx c = { .g = st->g };
	char verb[64] = "";
	void *opts;
	int ret, nargs;

	for (int i = 0; i < st->depth; i++)
		snprintf(verb + strlen(verb), sizeof(verb) - strlen(verb),
			 "%s%s", i ? " " : "", st->path[i]->name);
	c.verb = verb;
	opts = calloc(1, v->opts_size ? v->opts_size : 1);
	if (!opts)
		return HOST_EXIT_FAIL;
	if (v->init)
		v->init(opts);
	st->err[0] = '\0';
	ret = parse_level(st, v, opts, argc, argv);
	if (ret == 1) {
		free(opts);
		return HOST_EXIT_OK;
	}
	if (ret)
		return refused(st, &c, opts, HOST_EXIT_USAGE);
	nargs = argc - optind;
	if (nargs < v->min_args || (v->max_args >= 0 && nargs > v->max_args)) {
		if (nargs < v->min_args)
			refuse(st, "%s: missing %s", verb,
			       v->args ? v->args : "argument");
		else
			refuse(st, "%s: unexpected argument '%s'", verb,
			       argv[optind + v->max_args]);
		return refused(st, &c, opts, HOST_EXIT_USAGE);
	}
	for (size_t i = 0; v->options && v->options[i].name; i++) {
		if (v->options[i].required && !(st->seen & (1ULL << i))) {
			refuse(st, "%s: missing --%s", verb,
			       v->options[i].name);
			return refused(st, &c, opts, HOST_EXIT_USAGE);
		}
	}
	if (!st->g->sysfs_root[0] || !st->g->procfs_root[0]) {
		pr_err("--sysfs-root and --proc-root need a directory");
		free(opts);
		return HOST_EXIT_USAGE;
	}
	log_set_level(st->g->verbose >= 2 ? LOG_DEBUG :
		      st->g->verbose	  ? LOG_INFO :
					    LOG_WARNING);
	if (v->check && (ret = v->check(&c, opts))) {
		pr_err("%s", c.err);
		return refused(st, &c, opts, cmd_status(&c, ret));
	}
	ret = v->run(&c, opts, nargs, argv + optind);
	if (ret && c.err[0])
		pr_err("%s", c.err);
	free(opts);
	return ret;
}

/* From level (top at depth 0, or a group) down to a verb, and run it. */
static int dispatch(struct parse_state *st, const struct cmd_verb *top,
		    const struct cmd_verb *level, int argc, char **argv)
{
	const char *prog = st->prog;
	int ret;

	/* The top level and each group: global options, then a verb. */
	for (;;) {
		const struct cmd_verb *top_path[1] = { top };
		const struct cmd_verb *next;
		char names[128];

		ret = parse_level(st, st->depth ? level : NULL, NULL, argc,
				  argv);
		if (ret == 2) {
			printf("%s %s\n", prog, AFXDP_VERSION);
			return HOST_EXIT_OK;
		}
		if (ret == 1) { /* --help: a group printed its own */
			if (!st->depth)
				cmd_usage(stdout, prog, top_path, 1);
			return HOST_EXIT_OK;
		}
		if (ret) {
			hint(st);
			return HOST_EXIT_USAGE;
		}
		if (optind >= argc) {
			pr_err("no command given (%s)",
			       list_verbs(level->subs, names, sizeof(names)));
			hint(st);
			return HOST_EXIT_USAGE;
		}
		next = find_verb(level->subs, argv[optind]);
		if (!next && !strcmp(argv[optind], "help")) {
			if (st->depth)
				cmd_usage(stdout, prog, st->path, st->depth);
			else
				cmd_usage(stdout, prog, top_path, 1);
			return HOST_EXIT_OK;
		}
		if (!next) {
			list_verbs(level->subs, names, sizeof(names));
			if (st->depth) /* in a group: "vm: unknown subcommand" */
				pr_err("%s: unknown subcommand '%s' (%s)",
				       level->name, argv[optind], names);
			else
				pr_err("unknown command '%s' (%s)",
				       argv[optind], names);
			hint(st);
			return HOST_EXIT_USAGE;
		}
		if (st->depth >= CMD_MAX_DEPTH)
			return HOST_EXIT_FAIL;
		st->path[st->depth++] = next;
		argc -= optind;
		argv += optind;
		if (next->legacy) {
			log_set_level(st->g->verbose >= 2 ? LOG_DEBUG :
				      st->g->verbose	  ? LOG_INFO :
							    LOG_WARNING);
			optind = 0;
			return next->legacy(st->g, argc, argv);
		}
		if (!next->subs)
			return run_verb(st, next, argc, argv);
		level = next;
	}
}

int cmd_main(const char *prog, const struct cmd_verb *const *verbs, int argc,
	     char **argv)
{
	struct host_global_opts g = { .sysfs_root = "/sys",
				      .procfs_root = "/proc" };
	struct cmd_verb top = {
		.name = prog,
		.subs = verbs,
		.summary = "Prepares a compute host for AF_XDP guests."
	};
	struct parse_state st = { .prog = prog, .g = &g };

	return dispatch(&st, &top, &top, argc, argv);
}

int cmd_run(const char *prog, const struct cmd_verb *v,
	    const struct host_global_opts *g, int argc, char **argv)
{
	struct host_global_opts gl = *g;
	struct parse_state st = {
		.prog = prog, .g = &gl, .path = { v }, .depth = 1
	};

	if (!gl.sysfs_root)
		gl.sysfs_root = "/sys";
	if (!gl.procfs_root)
		gl.procfs_root = "/proc";
	if (v->legacy) {
		optind = 0;
		return v->legacy(&gl, argc, argv);
	}
	if (v->subs)
		return dispatch(&st, NULL, v, argc, argv);
	return run_verb(&st, v, argc, argv);
}
