/* SPDX-License-Identifier: GPL-2.0 */
/* Small json-c helpers for the tools' --json output: add members whose value
 * may be absent (NULL becomes JSON null) and print. */
#ifndef UTIL_JSON_H
#define UTIL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* All adders ignore a NULL object, so callers can chain without checks. */
void json_add_str(struct json_object *obj, const char *key, const char *val);
void json_add_bool(struct json_object *obj, const char *key, bool val);
void json_add_int(struct json_object *obj, const char *key, int64_t val);
void json_add_u64(struct json_object *obj, const char *key, uint64_t val);
void json_add_null(struct json_object *obj, const char *key);
/* Takes ownership of val (NULL adds JSON null). */
void json_add_obj(struct json_object *obj, const char *key,
		  struct json_object *val);
void json_array_add_str(struct json_object *arr, const char *val);
/* Pretty (two spaces) or compact, with a trailing newline. 0 or -errno. */
int json_print(struct json_object *obj, FILE *out, bool pretty);

#endif
