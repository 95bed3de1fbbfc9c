// SPDX-License-Identifier: GPL-2.0
/* lib/util/json.c: the adders (NULL object or value), and json_print's
 * exact bytes, which the tools' --json output and its byte-identical
 * comparisons depend on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/json.h"

/* json_print into a string (caller frees). */
static char *print(struct json_object *o, bool pretty)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	assert_int_equal(json_print(o, f, pretty), 0);
	assert_int_equal(fclose(f), 0);
	return s;
}

static void test_adders(void **state)
{
	struct json_object *o = json_object_new_object();
	struct json_object *v;
	char *s;

	(void)state;
	json_add_str(o, "name", "eth0");
	json_add_str(o, "driver", NULL);
	json_add_bool(o, "up", true);
	json_add_int(o, "delta", -3);
	json_add_int(o, "min", INT64_MIN);
	json_add_u64(o, "max", UINT64_MAX);
	json_add_null(o, "vf");
	json_add_obj(o, "queues", json_object_new_array());

	assert_true(json_object_object_get_ex(o, "driver", &v));
	assert_null(v); /* present, as JSON null */
	assert_true(json_object_object_get_ex(o, "vf", &v));
	assert_null(v);
	assert_false(json_object_object_get_ex(o, "absent", &v));
	/* members in insertion order; the whole 64-bit ranges */
	s = print(o, false);
	assert_string_equal(s, "{\"name\":\"eth0\",\"driver\":null,\"up\":true,"
			       "\"delta\":-3,\"min\":-9223372036854775808,"
			       "\"max\":18446744073709551615,\"vf\":null,"
			       "\"queues\":[]}\n");
	free(s);
	/* a key added again replaces the value */
	json_add_int(o, "delta", 4);
	assert_true(json_object_object_get_ex(o, "delta", &v));
	assert_int_equal(json_object_get_int64(v), 4);
	json_object_put(o);
}

static void test_null_object(void **state)
{
	(void)state;
	/* every adder ignores a NULL object; json_add_obj still frees the
	 * value it was given (ASan's leak check holds this) */
	json_add_str(NULL, "k", "v");
	json_add_bool(NULL, "k", true);
	json_add_int(NULL, "k", 1);
	json_add_u64(NULL, "k", 1);
	json_add_null(NULL, "k");
	json_add_obj(NULL, "k", json_object_new_string("owned"));
	json_add_obj(NULL, "k", NULL);
	json_array_add_str(NULL, "v");
}

static void test_array(void **state)
{
	struct json_object *a = json_object_new_array();
	char *s;

	(void)state;
	json_array_add_str(a, "0000:3b:02.0");
	json_array_add_str(a, NULL); /* skipped, not null */
	json_array_add_str(a, "b");
	assert_int_equal(json_object_array_length(a), 2);
	s = print(a, false);
	assert_string_equal(s, "[\"0000:3b:02.0\",\"b\"]\n");
	free(s);
	json_object_put(a);
}

static void test_print(void **state)
{
	struct json_object *o = json_object_new_object();
	struct json_object *in = json_object_new_object();
	FILE *ro;
	char *s;

	(void)state;
	/* slashes are not escaped: paths and URIs read as written */
	json_add_str(o, "uri", "qemu:///system");
	json_add_str(o, "quote", "a\"b");
	json_add_int(in, "n", 1);
	json_add_obj(o, "in", in);
	s = print(o, false);
	assert_string_equal(
		s,
		"{\"uri\":\"qemu:///system\",\"quote\":\"a\\\"b\",\"in\":{\"n\":1}}\n");
	free(s);
	/* pretty: two spaces, ": " after keys, a trailing newline */
	s = print(o, true);
	assert_string_equal(s, "{\n"
			       "  \"uri\": \"qemu:///system\",\n"
			       "  \"quote\": \"a\\\"b\",\n"
			       "  \"in\": {\n"
			       "    \"n\": 1\n"
			       "  }\n"
			       "}\n");
	free(s);
	/* a stream that cannot be written: -EIO, not a silent success */
	ro = fopen("/dev/null", "r");
	assert_non_null(ro);
	assert_int_equal(json_print(o, ro, false), -EIO);
	fclose(ro);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adders),
		cmocka_unit_test(test_null_object),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
