// SPDX-License-Identifier: GPL-2.0
/* The change/result reporter (see report.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "host/report.h"

int report_init(struct report *r, bool json, bool dry_run)
{
	*r = (struct report){ .json = json, .dry_run = dry_run };
	r->changes = json_object_new_array();
	r->lines = json_object_new_array();
	r->result = json_object_new_object();
	if (r->changes && r->lines && r->result)
		return 0;
	report_free(r);
	return -ENOMEM;
}

void report_free(struct report *r)
{
	json_object_put(r->changes);
	json_object_put(r->lines);
	json_object_put(r->result);
	r->changes = r->lines = r->result = NULL;
}

void report_change(struct report *r, json_object *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_object_array_add(r->changes, c);
	json_object_array_add(r->lines, json_object_new_string(line));
}

size_t report_count(const struct report *r)
{
	return json_object_array_length(r->changes);
}

void report_set(struct report *r, const char *key, json_object *v)
{
	json_object_object_add(r->result, key, v);
}

json_object *report_str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static void print_json(struct report *r, const char *command, const char *error)
{
	size_t n = report_count(r);

	if (error)
		report_set(r, "error", json_object_new_string(error));
	report_set(r, "command", json_object_new_string(command));
	/* In a dry run: would change (as Ansible's check mode reads it). */
	report_set(r, "changed", json_object_new_boolean(!error && n));
	report_set(r, "dry_run", json_object_new_boolean(r->dry_run));
	report_set(r, "changes", json_object_get(r->changes));
	printf("%s\n",
	       json_object_to_json_string_ext(
		       r->result, JSON_C_TO_STRING_PRETTY |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void print_text(const struct report *r)
{
	size_t n = report_count(r);

	if (!n) {
		printf("no change\n");
		return;
	}
	printf(r->dry_run ?
		       "dry run, nothing changed; would make %zu change(s):\n" :
		       "made %zu change(s):\n",
	       n);
	for (size_t i = 0; i < n; i++)
		printf("  %s\n",
		       json_object_get_string(
			       json_object_array_get_idx(r->lines, i)));
}

int report_print(struct report *r, const char *command, const char *error,
		 bool summary)
{
	if (r->json)
		print_json(r, command, error);
	else if (summary && !error)
		print_text(r);
	return fflush(stdout) ? -EIO : 0;
}
