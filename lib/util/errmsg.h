/* SPDX-License-Identifier: GPL-2.0 */
/* One error message into a caller's buffer (NULL/0: none), returning the
 * error code, so a check reads "return errmsg(err, len, -EINVAL, ...)". */
#ifndef UTIL_ERRMSG_H
#define UTIL_ERRMSG_H

#include <stddef.h>

int errmsg(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
