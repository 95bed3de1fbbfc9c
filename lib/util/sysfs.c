// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/parse.h"
#include "util/sysfs.h"

int sysfs_init(struct sysfs *fs, const char *root)
{
	size_t n;

	if (!root)
		root = "/sys";
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n >= sizeof(fs->root))
		return -ENAMETOOLONG;
	memcpy(fs->root, root, n);
	fs->root[n] = '\0';
	return 0;
}

int sysfs_path(const struct sysfs *fs, char *buf, size_t len, const char *fmt,
	       ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/%s", fs->root, rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

bool sysfs_exists(const struct sysfs *fs, const char *rel)
{
	char path[PATH_MAX];

	return !sysfs_path(fs, path, sizeof(path), "%s", rel) &&
	       !access(path, F_OK);
}

int sysfs_read_str(const struct sysfs *fs, const char *rel, char *buf,
		   size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	if (!len)
		return -EINVAL;
	err = sysfs_path(fs, path, sizeof(path), "%s", rel);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int sysfs_read_u32(const struct sysfs *fs, const char *rel, uint32_t *out)
{
	char buf[32];
	int err = sysfs_read_str(fs, rel, buf, sizeof(buf));

	return err ? err : parse_u32(buf, 0, UINT32_MAX, out);
}

int sysfs_write_str(const struct sysfs *fs, const char *rel, const char *val)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	err = sysfs_path(fs, path, sizeof(path), "%s", rel);
	if (err)
		return err;
	/* O_TRUNC so a fake tree (regular files) behaves like sysfs. */
	fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int sysfs_write_u32(const struct sysfs *fs, const char *rel, uint32_t val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", val);
	return sysfs_write_str(fs, rel, buf);
}

int sysfs_link_basename(const struct sysfs *fs, const char *rel, char *buf,
			size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int err;

	err = sysfs_path(fs, path, sizeof(path), "%s", rel);
	if (err)
		return err;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}
