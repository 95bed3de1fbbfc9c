// SPDX-License-Identifier: GPL-2.0
/*
 * afxdp-agent's command line: config.c's key options between the few
 * options of the program itself (see options.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "guest/config.h"
#include "guest/options.h"

#define HELP_COL 26 /* where the text of an entry starts */
#define HELP_WIDTH 80

/* Before the key options in --help: where the configuration comes from. */
static const struct cli_option lead[] = {
	{ "config", 'c', "FILE", "YAML configuration (see afxdp-agent(8))",
	  CLI_CONFIG },
	{ "interface", 'i', "IF",
	  "a port; repeat for more, fwd takes two (in, then out); replaces the file's ports",
	  CLI_INTERFACE },
	{ "queues", 'q', "LIST",
	  "receive queues on every port: all | 0,2-3 (ports.*.queues)",
	  CLI_QUEUES },
};

static const struct cli_option tail[] = {
	{ "set", 0, "KEY=VALUE",
	  "any configuration key, e.g. socket.busy_poll_usecs=50", CLI_SET },
	{ "verbose", 'v', NULL, "same as --log-level debug", CLI_KEY,
	  "log.level", "debug" },
	{ "check", 0, NULL, "validate the configuration and exit", CLI_CHECK },
	{ "takeover", 0, NULL,
	  "take the data path over from the agent serving ctl.socket, without losing a frame (falls back to stop/start)",
	  CLI_TAKEOVER },
	{ "help", 'h', NULL, "this text", CLI_HELP },
	{ "version", 'V', NULL, "print the version", CLI_VERSION },
};

static int add(struct options *o, const struct cli_option *row)
{
	size_t len = strlen(o->shortopts);
	struct option *lo;

	if (o->nr == OPTIONS_MAX)
		return -E2BIG;
	lo = &o->longopts[o->nr];
	o->rows[o->nr] = *row;
	lo->name = row->name;
	lo->has_arg = row->metavar ? required_argument : no_argument;
	lo->flag = NULL;
	lo->val = row->short_opt ? row->short_opt : OPTIONS_LONG + (int)o->nr;
	if (row->short_opt) {
		o->shortopts[len++] = (char)row->short_opt;
		if (row->metavar)
			o->shortopts[len++] = ':';
		o->shortopts[len] = '\0';
	}
	o->nr++;
	return 0;
}

static int add_all(struct options *o, const struct cli_option *rows, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = add(o, &rows[i]);
	return err;
}

int options_init(struct options *o)
{
	struct config_option k;
	int err;

	memset(o, 0, sizeof(*o));
	err = add_all(o, lead, sizeof(lead) / sizeof(lead[0]));
	for (size_t i = 0; !err && !config_option(i, &k); i++) {
		struct cli_option row = {
			.name = k.name,
			.short_opt = k.short_opt,
			.metavar = k.metavar,
			.help = k.help,
			.action = CLI_KEY,
			.key = k.key,
			.value = k.metavar ? NULL : "true",
			.choices = k.choices,
		};

		err = add(o, &row);
	}
	if (!err)
		err = add_all(o, tail, sizeof(tail) / sizeof(tail[0]));
	return err;
}

const struct cli_option *options_find(const struct options *o, int val)
{
	if (val >= OPTIONS_LONG)
		return (size_t)(val - OPTIONS_LONG) < o->nr ?
			       &o->rows[val - OPTIONS_LONG] :
			       NULL;
	for (size_t i = 0; i < o->nr; i++)
		if (o->rows[i].short_opt && o->rows[i].short_opt == val)
			return &o->rows[i];
	return NULL;
}

/* text from column col on, wrapped at word boundaries before HELP_WIDTH. */
static void put_wrapped(FILE *out, const char *text, size_t col)
{
	size_t at = col;
	bool line_start = true;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (!line_start && at + 1 + len >= HELP_WIDTH) {
			fprintf(out, "\n%*s", (int)col, "");
			at = col;
			line_start = true;
		}
		if (!line_start) {
			fputc(' ', out);
			at++;
		}
		fwrite(text, 1, len, out);
		at += len;
		line_start = false;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/* The help text, then the key it sets: "(log.level=debug)" for a flag,
 * "(mode: fwd | macswap | ...)" for an enum. */
static void entry_text(const struct cli_option *r, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", r->help);
	if (r->action != CLI_KEY)
		return;
	n = strlen(buf);
	snprintf(buf + n, len - n, " (%s%s%s", r->key, r->value ? "=" : "",
		 r->value ? r->value : "");
	for (size_t i = 0; r->choices && r->choices[i]; i++) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", i ? " | " : ": ",
			 r->choices[i]);
	}
	n = strlen(buf);
	snprintf(buf + n, len - n, ")");
}

void options_help(const struct options *o, FILE *out)
{
	for (size_t i = 0; i < o->nr; i++) {
		const struct cli_option *r = &o->rows[i];
		char left[64], text[512];

		snprintf(left, sizeof(left), "%c%c%c --%s%s%s",
			 r->short_opt ? '-' : ' ',
			 r->short_opt ? r->short_opt : ' ',
			 r->short_opt ? ',' : ' ', r->name,
			 r->metavar ? " " : "", r->metavar ? r->metavar : "");
		if (strlen(left) + 3 > HELP_COL)
			fprintf(out, "  %s\n%*s", left, HELP_COL, "");
		else
			fprintf(out, "  %-*s", HELP_COL - 2, left);
		entry_text(r, text, sizeof(text));
		put_wrapped(out, text, HELP_COL);
	}
}
