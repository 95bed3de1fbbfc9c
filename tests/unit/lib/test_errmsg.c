// SPDX-License-Identifier: GPL-2.0
/* lib/util/errmsg.c: the code comes back unchanged, the message goes into
 * the caller's buffer (cut and terminated), and no buffer means none. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "util/errmsg.h"

static void test_message(void **state)
{
	char err[64];

	(void)state;
	assert_int_equal(
		errmsg(err, sizeof(err), -EINVAL, "bad %s '%s'", "--mtu", "x"),
		-EINVAL);
	assert_string_equal(err, "bad --mtu 'x'");
	/* any code, 0 included, comes back as given */
	assert_int_equal(errmsg(err, sizeof(err), 0, "fine"), 0);
	assert_string_equal(err, "fine");
	assert_int_equal(errmsg(err, sizeof(err), -ERANGE, "%u > %u", 5u, 4u),
			 -ERANGE);
	assert_string_equal(err, "5 > 4");
}

static void test_truncated(void **state)
{
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(errmsg(err, 5, -ENOENT, "no such device"), -ENOENT);
	assert_string_equal(err, "no s"); /* cut to len, terminated */
	assert_int_equal(err[5], 'x'); /* nothing past len */
}

static void test_no_buffer(void **state)
{
	char err[8] = "keep";

	(void)state;
	assert_int_equal(errmsg(NULL, 64, -EPERM, "ignored %d", 1), -EPERM);
	assert_int_equal(errmsg(err, 0, -EBUSY, "ignored"), -EBUSY);
	assert_string_equal(err, "keep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_no_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
