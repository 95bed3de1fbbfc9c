// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "util/json.h"

void json_add_obj(struct json_object *obj, const char *key,
		  struct json_object *val)
{
	if (!obj) {
		json_object_put(val);
		return;
	}
	json_object_object_add(obj, key, val);
}

void json_add_str(struct json_object *obj, const char *key, const char *val)
{
	json_add_obj(obj, key, val ? json_object_new_string(val) : NULL);
}

void json_add_bool(struct json_object *obj, const char *key, bool val)
{
	json_add_obj(obj, key, json_object_new_boolean(val));
}

void json_add_int(struct json_object *obj, const char *key, int64_t val)
{
	json_add_obj(obj, key, json_object_new_int64(val));
}

void json_add_u64(struct json_object *obj, const char *key, uint64_t val)
{
	json_add_obj(obj, key, json_object_new_uint64(val));
}

void json_add_null(struct json_object *obj, const char *key)
{
	json_add_obj(obj, key, NULL);
}

void json_array_add_str(struct json_object *arr, const char *val)
{
	if (arr && val)
		json_object_array_add(arr, json_object_new_string(val));
}

int json_print(struct json_object *obj, FILE *out, bool pretty)
{
	int flags = pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			     JSON_C_TO_STRING_PLAIN;
	const char *s;

	flags |= JSON_C_TO_STRING_NOSLASHESCAPE;
	s = json_object_to_json_string_ext(obj, flags);
	if (!s)
		return -ENOMEM;
	if (fputs(s, out) == EOF || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}
