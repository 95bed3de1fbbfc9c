// SPDX-License-Identifier: GPL-2.0
/* guest/options.c: the agent's command line generated from config.c's key
 * table and its own few options. Every key with an option is in the getopt
 * table and the --help text, no two options share a name or short letter,
 * and every option the agent ever had is still there, doing the same. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest/config.h"
#include "guest/options.h"

static struct options o;

static int setup(void **state)
{
	(void)state;
	return options_init(&o);
}

static const struct option *long_opt(const char *name)
{
	for (size_t i = 0; o.longopts[i].name; i++)
		if (!strcmp(o.longopts[i].name, name))
			return &o.longopts[i];
	return NULL;
}

/* The --help text, with a '\n' in front so every entry starts "\n  ". */
static char *help_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fputc('\n', f);
	options_help(&o, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The entry of row r: "\n  -m, --mode MODE" then padding or a newline. */
static void assert_help_entry(const char *help, const struct cli_option *r)
{
	char left[128];
	const char *p;
	size_t n;

	if (r->short_opt)
		snprintf(left, sizeof(left), "\n  -%c, --%s", r->short_opt,
			 r->name);
	else
		snprintf(left, sizeof(left), "\n      --%s", r->name);
	if (r->metavar) {
		n = strlen(left);
		snprintf(left + n, sizeof(left) - n, " %s", r->metavar);
	}
	p = strstr(help, left);
	if (!p)
		fail_msg("--help has no entry '%s'", left + 1);
	n = strlen(left);
	if (p[n] != ' ' && p[n] != '\n')
		fail_msg("--help entry '%s' runs on: '%.20s'", left + 1, p);
}

static void test_every_key_has_its_option(void **state)
{
	struct config_option k;
	char *help = help_text();
	size_t i;

	(void)state;
	for (i = 0; !config_option(i, &k); i++) {
		const struct option *lo = long_opt(k.name);
		const struct cli_option *r;
		char needle[128];

		if (!lo)
			fail_msg("key %s: no --%s in the getopt table", k.key,
				 k.name);
		assert_int_equal(lo->has_arg,
				 k.metavar ? required_argument : no_argument);
		assert_null(lo->flag);
		r = options_find(&o, lo->val);
		assert_non_null(r);
		assert_int_equal(r->action, CLI_KEY);
		assert_string_equal(r->key, k.key);
		assert_string_equal(r->name, k.name);
		assert_int_equal(r->short_opt, k.short_opt);
		if (k.short_opt) {
			const char *s = strchr(o.shortopts, k.short_opt);

			assert_int_equal(lo->val, k.short_opt);
			assert_non_null(s);
			assert_int_equal(s[1] == ':', k.metavar != NULL);
		} else {
			assert_true(lo->val >= OPTIONS_LONG);
		}
		assert_non_null(k.help);
		assert_true(*k.help);
		assert_help_entry(help, r);
		snprintf(needle, sizeof(needle), "(%s", k.key);
		if (!strstr(help, needle))
			fail_msg("--help does not name the key %s", k.key);
	}
	/* 33 keys had options when this test was written. */
	assert_true(i >= 33);
	assert_int_equal(config_option(i, &k), -ENOENT);
	assert_int_equal(config_option(1000, &k), -ENOENT);
	free(help);
}

/* The option's key exists and takes the option's value. */
static void test_keys_accept_their_options(void **state)
{
	char err[CFG_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < o.nr; i++) {
		const struct cli_option *r = &o.rows[i];
		struct agent_config cfg;
		int ret;

		if (r->action != CLI_KEY)
			continue;
		assert_non_null(r->key);
		config_init(&cfg);
		err[0] = '\0';
		if (r->metavar) {
			/* Every key rejects or takes "", but knows it. */
			ret = config_set(&cfg, r->key, "", err, sizeof(err));
			if (ret && (strstr(err, "unknown key") ||
				    strstr(err, "is a section")))
				fail_msg("--%s: %s", r->name, err);
		} else {
			/* A flag: its fixed value must be valid. */
			assert_non_null(r->value);
			ret = config_set(&cfg, r->key, r->value, err,
					 sizeof(err));
			if (ret)
				fail_msg("--%s: %s", r->name, err);
		}
		config_free(&cfg);
	}
}

static void test_no_two_options_alike(void **state)
{
	size_t shorts = 0;

	(void)state;
	assert_true(o.nr > 0 && o.nr <= OPTIONS_MAX);
	assert_null(o.longopts[o.nr].name);
	for (size_t i = 0; i < o.nr; i++) {
		const struct cli_option *a = &o.rows[i];

		assert_non_null(a->name);
		assert_true(strlen(a->name) > 1);
		assert_true(a->name[0] != '-' && !strchr(a->name, '='));
		assert_non_null(a->help);
		assert_true(*a->help);
		assert_string_equal(o.longopts[i].name, a->name);
		assert_ptr_equal(options_find(&o, o.longopts[i].val), a);
		if (a->short_opt) {
			assert_true(isalnum(a->short_opt));
			shorts++;
		}
		for (size_t j = 0; j < i; j++) {
			const struct cli_option *b = &o.rows[j];

			if (!strcmp(a->name, b->name))
				fail_msg("two options --%s", a->name);
			if (a->short_opt && a->short_opt == b->short_opt)
				fail_msg("--%s and --%s share -%c", a->name,
					 b->name, a->short_opt);
		}
	}
	/* Each short letter once in the short options string. */
	for (const char *s = o.shortopts; *s; s++) {
		if (*s == ':')
			continue;
		assert_ptr_equal(strchr(o.shortopts, *s), s);
		shorts--;
	}
	assert_int_equal(shorts, 0);
	assert_null(options_find(&o, '?'));
	assert_null(options_find(&o, ':'));
	assert_null(options_find(&o, 0));
	assert_null(options_find(&o, OPTIONS_LONG + (int)o.nr));
}

/* Every option the agent had before the table, with its letter, argument
 * and what it does; scripts, tests and images use them. */
static const struct {
	const char *name;
	int short_opt;
	int has_arg;
	enum cli_action action;
	const char *key;
} known[] = {
	{ "config", 'c', 1, CLI_CONFIG, NULL },
	{ "mode", 'm', 1, CLI_KEY, "mode" },
	{ "interface", 'i', 1, CLI_INTERFACE, NULL },
	{ "queues", 'q', 1, CLI_QUEUES, NULL },
	{ "filter", 'f', 1, CLI_KEY, "xdp.filter" },
	{ "stats", 's', 1, CLI_KEY, "stats.format" },
	{ "duration", 'd', 1, CLI_KEY, "run.duration_s" },
	{ "log-file", 'l', 1, CLI_KEY, "log.file" },
	{ "verbose", 'v', 0, CLI_KEY, "log.level" },
	{ "help", 'h', 0, CLI_HELP, NULL },
	{ "version", 'V', 0, CLI_VERSION, NULL },
	{ "xdp-mode", 0, 1, CLI_KEY, "xdp.mode" },
	{ "zero-copy", 0, 1, CLI_KEY, "socket.zero_copy" },
	{ "frame-size", 0, 1, CLI_KEY, "socket.frame_size" },
	{ "frames", 0, 1, CLI_KEY, "socket.frames" },
	{ "ring-size", 0, 1, CLI_KEY, "socket.ring_size" },
	{ "batch", 0, 1, CLI_KEY, "socket.batch" },
	{ "umem", 0, 1, CLI_KEY, "socket.umem" },
	{ "busy-poll", 0, 0, CLI_KEY, "socket.busy_poll" },
	{ "multi-buffer", 0, 0, CLI_KEY, "socket.multi_buffer" },
	{ "poll-timeout", 0, 1, CLI_KEY, "socket.poll_timeout_ms" },
	{ "idle-spin", 0, 1, CLI_KEY, "socket.idle_spin_us" },
	{ "cpus", 0, 1, CLI_KEY, "workers.cpus" },
	{ "workers", 0, 1, CLI_KEY, "workers.count" },
	{ "channels", 0, 1, CLI_KEY, "nic.channels" },
	{ "mtu", 0, 1, CLI_KEY, "nic.mtu" },
	{ "interval", 0, 1, CLI_KEY, "stats.interval_ms" },
	{ "prometheus", 0, 1, CLI_KEY, "stats.prometheus" },
	{ "size", 0, 1, CLI_KEY, "txgen.size" },
	{ "rate", 0, 1, CLI_KEY, "txgen.rate_pps" },
	{ "count", 0, 1, CLI_KEY, "txgen.count" },
	{ "src-mac", 0, 1, CLI_KEY, "txgen.src_mac" },
	{ "dst-mac", 0, 1, CLI_KEY, "txgen.dst_mac" },
	{ "src-ip", 0, 1, CLI_KEY, "txgen.src_ip" },
	{ "dst-ip", 0, 1, CLI_KEY, "txgen.dst_ip" },
	{ "src-port", 0, 1, CLI_KEY, "txgen.src_port" },
	{ "dst-port", 0, 1, CLI_KEY, "txgen.dst_port" },
	{ "flows", 0, 1, CLI_KEY, "txgen.flows" },
	{ "timestamp", 0, 0, CLI_KEY, "txgen.timestamp" },
	{ "set", 0, 1, CLI_SET, NULL },
	{ "log-level", 0, 1, CLI_KEY, "log.level" },
	{ "check", 0, 0, CLI_CHECK, NULL },
	{ "takeover", 0, 0, CLI_TAKEOVER, NULL },
	{ "unmatched", 0, 1, CLI_KEY, "xdp.unmatched" },
	{ "fail-open", 0, 1, CLI_KEY, "xdp.fail_open" },
};

static void test_existing_options_kept(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct option *lo = long_opt(known[i].name);
		const struct cli_option *r;

		if (!lo)
			fail_msg("--%s is gone", known[i].name);
		assert_int_equal(lo->has_arg, known[i].has_arg ?
						      required_argument :
						      no_argument);
		r = options_find(&o, lo->val);
		assert_non_null(r);
		assert_int_equal(r->short_opt, known[i].short_opt);
		assert_int_equal(r->action, known[i].action);
		if (known[i].key)
			assert_string_equal(r->key, known[i].key);
		else
			assert_null(r->key);
		if (known[i].short_opt)
			assert_ptr_equal(options_find(&o, known[i].short_opt),
					 r);
	}
	assert_int_equal(o.nr, sizeof(known) / sizeof(known[0]));
	assert_string_equal(options_find(&o, 'v')->value, "debug");
	assert_string_equal(options_find(&o, long_opt("busy-poll")->val)->value,
			    "true");
}

static void test_help_lists_every_option(void **state)
{
	char *help = help_text();
	const char *line = help + 1;

	(void)state;
	for (size_t i = 0; i < o.nr; i++)
		assert_help_entry(help, &o.rows[i]);
	/* Lines fit a terminal; continuation lines are indented. */
	while (*line) {
		size_t len = strcspn(line, "\n");

		if (len > 79)
			fail_msg("--help line of %zu columns: %.*s", len,
				 (int)len, line);
		assert_true(len > 2 && !strncmp(line, "  ", 2));
		line += len;
		if (*line)
			line++;
	}
	/* Enum keys list their values. */
	assert_non_null(strstr(help, "(xdp.mode: auto | native | skb)"));
	assert_non_null(strstr(help, "(log.level=debug)"));
	free(help);
}

/* getopt_long with the generated tables: each option reaches its row. */
static void test_getopt_parses(void **state)
{
	char *argv[] = { "afxdp-agent",	 "-m",	      "txgen",
			 "--frame-size", "2048",      "--busy-poll",
			 "-ffoo",	 "--set=a=b", "-v",
			 "--dst-port=9", "-q",	      "0-1",
			 "--timestamp",	 NULL };
	char *bad[] = { "afxdp-agent", "--bogus", "--frames", NULL };
	const struct {
		enum cli_action action;
		const char *key;
		const char *arg;
	} want[] = {
		{ CLI_KEY, "mode", "txgen" },
		{ CLI_KEY, "socket.frame_size", "2048" },
		{ CLI_KEY, "socket.busy_poll", NULL },
		{ CLI_KEY, "xdp.filter", "foo" },
		{ CLI_SET, NULL, "a=b" },
		{ CLI_KEY, "log.level", NULL },
		{ CLI_KEY, "txgen.dst_port", "9" },
		{ CLI_QUEUES, NULL, "0-1" },
		{ CLI_KEY, "txgen.timestamp", NULL },
	};
	size_t n = 0;
	int opt;

	(void)state;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(13, argv, o.shortopts, o.longopts, NULL)) !=
	       -1) {
		const struct cli_option *r = options_find(&o, opt);

		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_non_null(r);
		assert_int_equal(r->action, want[n].action);
		if (want[n].key)
			assert_string_equal(r->key, want[n].key);
		if (want[n].arg)
			assert_string_equal(optarg, want[n].arg);
		else
			assert_null(optarg);
		n++;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_int_equal(optind, 13);

	/* An unknown option, a missing argument: '?' and no row. */
	optind = 0;
	assert_int_equal(getopt_long(3, bad, o.shortopts, o.longopts, NULL),
			 '?');
	assert_int_equal(getopt_long(3, bad, o.shortopts, o.longopts, NULL),
			 '?');
	assert_int_equal(optopt, long_opt("frames")->val);
	optind = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_has_its_option),
		cmocka_unit_test(test_keys_accept_their_options),
		cmocka_unit_test(test_no_two_options_alike),
		cmocka_unit_test(test_existing_options_kept),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_getopt_parses),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
