// SPDX-License-Identifier: GPL-2.0
/*
 * The command layer's --help: the usage line, a group's commands with what
 * each needs, the verb's options and the global ones, all from the tables
 * (see cmd.h).
 */
#include <stdbool.h>
#include <string.h>

#include "host/cmd.h"

size_t cmd_nr_options(const struct cmd_option *t)
{
	size_t n = 0;

	while (t && t[n].name)
		n++;
	return n;
}

/* " ARGS --required METAVAR ...": what a verb needs after its name. */
static void print_synopsis(FILE *out, const struct cmd_verb *v)
{
	if (v->args)
		fprintf(out, " %s", v->args);
	for (size_t i = 0; v->options && v->options[i].name; i++)
		if (v->options[i].required)
			fprintf(out, " --%s %s", v->options[i].name,
				v->options[i].metavar ? v->options[i].metavar :
							"");
}

static bool has_synopsis(const struct cmd_verb *v)
{
	for (size_t i = 0; v->options && v->options[i].name; i++)
		if (v->options[i].required)
			return true;
	return v->args;
}

static void print_options(FILE *out, const struct cmd_option *t)
{
	for (size_t i = 0; t && t[i].name; i++) {
		char left[64];
		int n = 0;

		if (t[i].short_opt)
			n = snprintf(left, sizeof(left), "-%c, ",
				     t[i].short_opt);
		else
			n = snprintf(left, sizeof(left), "    ");
		snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s",
			 t[i].name, t[i].metavar ? " " : "",
			 t[i].metavar ? t[i].metavar : "");
		fprintf(out, "  %-24s %s\n", left, t[i].help);
	}
}

void cmd_usage(FILE *out, const char *prog, const struct cmd_verb *path[],
	       int depth)
{
	const struct cmd_verb *v = path[depth - 1];

	/* path[0] may be the program itself (the top level). */
	fprintf(out, "Usage: %s [GLOBAL OPTIONS]", prog);
	for (int i = 0; i < depth; i++)
		if (strcmp(path[i]->name, prog))
			fprintf(out, " %s", path[i]->name);
	if (v->subs)
		fprintf(out, " COMMAND ...");
	if (cmd_nr_options(v->options))
		fprintf(out, " [OPTIONS]");
	print_synopsis(out, v);
	fprintf(out, "\n%s\n", v->description ? v->description : v->summary);
	if (v->subs) {
		/* A nested group names its commands in full ("vm set"). */
		const char *group = strcmp(v->name, prog) ? v->name : "";
		int width = 10;

		for (const struct cmd_verb *const *s = v->subs; *s; s++) {
			int w = (int)(strlen(group) + !!*group +
				      strlen((*s)->name));

			if (w > width)
				width = w;
		}
		fprintf(out, "\nCommands:\n");
		for (const struct cmd_verb *const *s = v->subs; *s; s++) {
			char name[64];

			snprintf(name, sizeof(name), "%s%s%s", group,
				 *group ? " " : "", (*s)->name);
			fprintf(out, "  %-*s %s\n", width, name, (*s)->summary);
			/* What a verb needs, under its line. */
			if (has_synopsis(*s)) {
				fprintf(out, "  %-*s %s", width, "", name);
				print_synopsis(out, *s);
				fprintf(out, "\n");
			}
		}
	}
	if (cmd_nr_options(v->options)) {
		fprintf(out, "\nOptions:\n");
		print_options(out, v->options);
	}
	fprintf(out, "\nGlobal options (before or after the command):\n");
	print_options(out, cmd_global_options);
	fprintf(out, "  %-24s %s\n", "-v, --verbose",
		"more messages (repeat for debug)");
	fprintf(out, "  %-24s %s\n", "-h, --help", "this help");
	if (!strcmp(v->name, prog))
		fprintf(out, "  %-24s %s\n", "-V, --version",
			"print the version");
}
