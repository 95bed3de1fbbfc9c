/* SPDX-License-Identifier: GPL-2.0 */
/* Busy-polling socket options newer than Debian 12's libc headers
 * (Linux 5.11 uAPI values). */
#ifndef UTIL_BUSY_POLL_H
#define UTIL_BUSY_POLL_H

#include <sys/socket.h>

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

#endif
