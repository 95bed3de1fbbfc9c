/* SPDX-License-Identifier: GPL-2.0 */
/* The answer of a changing verb (sriov, later vm): the changes it made or,
 * with --dry-run, would make, each as a JSON object and a line for humans,
 * and one result printed at the end: JSON {<extra keys>, error, command,
 * changed, dry_run, changes}, or "no change" / "made N change(s):" and the
 * lines. */
#ifndef HOST_REPORT_H
#define HOST_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct report {
	bool json, dry_run;
	json_object *changes; /* [{kind, ...}] */
	json_object *lines; /* the same, as text for humans */
	json_object *result; /* extra keys for the JSON answer */
};

/* 0 or -ENOMEM (nothing to free then). */
int report_init(struct report *r, bool json, bool dry_run);
void report_free(struct report *r);

/* Adds change c (taken over) and its line for humans. */
void report_change(struct report *r, json_object *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t report_count(const struct report *r);

/* A key of the JSON answer (before the standard ones), v taken over. */
void report_set(struct report *r, const char *key, json_object *v);

/* A JSON string, or null for NULL or "". */
json_object *report_str(const char *s);

/* Prints the answer of command: with --json always (error: the failure's
 * message, or NULL when it succeeded); otherwise the summary of the
 * changes, only on success and when summary is true. 0 or -EIO. */
int report_print(struct report *r, const char *command, const char *error,
		 bool summary);

#endif
