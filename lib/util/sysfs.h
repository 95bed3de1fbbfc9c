/* SPDX-License-Identifier: GPL-2.0 */
/* sysfs access below a configurable root ("/sys" in production, a fake tree
 * in tests). Paths are relative to the root, e.g. "class/net/eth0/mtu".
 * All return 0 or -errno. */
#ifndef UTIL_SYSFS_H
#define UTIL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sysfs {
	char root[256]; /* no trailing slash */
};

int sysfs_init(struct sysfs *fs, const char *root); /* NULL: "/sys" */
int sysfs_path(const struct sysfs *fs, char *buf, size_t len, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
bool sysfs_exists(const struct sysfs *fs, const char *rel);
/* Reads the first line, trailing newline stripped. */
int sysfs_read_str(const struct sysfs *fs, const char *rel, char *buf,
		   size_t len);
int sysfs_read_u32(const struct sysfs *fs, const char *rel, uint32_t *out);
int sysfs_write_str(const struct sysfs *fs, const char *rel, const char *val);
int sysfs_write_u32(const struct sysfs *fs, const char *rel, uint32_t val);
/* Basename of a symlink's target, e.g. the driver of a device. */
int sysfs_link_basename(const struct sysfs *fs, const char *rel, char *buf,
			size_t len);

#endif
