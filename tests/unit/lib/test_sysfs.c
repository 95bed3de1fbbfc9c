// SPDX-License-Identifier: GPL-2.0
/* lib/util/sysfs.c against a fake tree under a temporary root: what probe,
 * sriov and nic_prep rely on (first line only, no file created by a write,
 * a link's basename) without root or real devices. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/tmptree.h"
#include "util/sysfs.h"

struct tree {
	char root[64];
	struct sysfs fs;
};

/* Writes FILE (relative to the root) with CONTENT, creating no folders. */
static void put(const struct tree *t, const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void mkdir_rel(const struct tree *t, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "/tmp/afxdp-test-sysfs.XXXXXX");
	if (!mkdtemp(t->root) || sysfs_init(&t->fs, t->root)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	int err = tmptree_remove(t->root);

	free(t);
	return err;
}

static void test_init(void **state)
{
	char long_root[300];
	struct sysfs fs;

	(void)state;
	assert_int_equal(sysfs_init(&fs, NULL), 0);
	assert_string_equal(fs.root, "/sys");
	/* trailing slashes go, so paths never hold "//" */
	assert_int_equal(sysfs_init(&fs, "/tmp/fake///"), 0);
	assert_string_equal(fs.root, "/tmp/fake");
	assert_int_equal(sysfs_init(&fs, "/"), 0);
	assert_string_equal(fs.root, "/");
	memset(long_root, 'a', sizeof(long_root) - 1);
	long_root[0] = '/';
	long_root[sizeof(long_root) - 1] = '\0';
	assert_int_equal(sysfs_init(&fs, long_root), -ENAMETOOLONG);
	/* exactly one byte too long (the root holds 255 characters) */
	long_root[sizeof(fs.root)] = '\0';
	assert_int_equal(sysfs_init(&fs, long_root), -ENAMETOOLONG);
	long_root[sizeof(fs.root) - 1] = '\0';
	assert_int_equal(sysfs_init(&fs, long_root), 0);
	assert_int_equal(strlen(fs.root), sizeof(fs.root) - 1);
}

static void test_path(void **state)
{
	char buf[64], small[12], rel[PATH_MAX + 8];
	struct sysfs fs;

	(void)state;
	assert_int_equal(sysfs_init(&fs, "/sys/"), 0);
	assert_int_equal(sysfs_path(&fs, buf, sizeof(buf),
				    "class/net/%s/device/sriov_numvfs", "eth0"),
			 0);
	assert_string_equal(buf, "/sys/class/net/eth0/device/sriov_numvfs");
	/* "/sys/abcdef" is 11 bytes: fits in 12, not in 11 */
	assert_int_equal(sysfs_path(&fs, small, sizeof(small), "abcdef"), 0);
	assert_string_equal(small, "/sys/abcdef");
	assert_int_equal(sysfs_path(&fs, small, sizeof(small) - 1, "abcdef"),
			 -ENAMETOOLONG);
	/* a relative path longer than PATH_MAX is refused, not cut */
	memset(rel, 'x', sizeof(rel) - 1);
	rel[sizeof(rel) - 1] = '\0';
	assert_int_equal(sysfs_path(&fs, buf, sizeof(buf), "%s", rel),
			 -ENAMETOOLONG);
}

static void test_exists(void **state)
{
	struct tree *t = *state;

	mkdir_rel(t, "class");
	put(t, "class/mtu", "1500\n");
	assert_true(sysfs_exists(&t->fs, "class"));
	assert_true(sysfs_exists(&t->fs, "class/mtu"));
	assert_false(sysfs_exists(&t->fs, "class/nope"));
	assert_false(sysfs_exists(&t->fs, "nope/mtu"));
}

static void test_read_str(void **state)
{
	struct tree *t = *state;
	char buf[16], tiny[4];

	put(t, "one", "virtio_net\n");
	assert_int_equal(sysfs_read_str(&t->fs, "one", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "virtio_net");
	/* no newline at all */
	put(t, "bare", "up");
	assert_int_equal(sysfs_read_str(&t->fs, "bare", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "up");
	/* only the first line */
	put(t, "lines", "first\nsecond\n");
	assert_int_equal(sysfs_read_str(&t->fs, "lines", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "first");
	put(t, "empty", "");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(sysfs_read_str(&t->fs, "empty", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* a longer value is cut to the buffer, always terminated */
	assert_int_equal(sysfs_read_str(&t->fs, "one", tiny, sizeof(tiny)), 0);
	assert_string_equal(tiny, "vir");
	assert_int_equal(sysfs_read_str(&t->fs, "one", buf, 0), -EINVAL);
	assert_int_equal(sysfs_read_str(&t->fs, "missing", buf, sizeof(buf)),
			 -ENOENT);
	mkdir_rel(t, "dir");
	assert_int_equal(sysfs_read_str(&t->fs, "dir", buf, sizeof(buf)),
			 -EISDIR);
}

static void test_read_u32(void **state)
{
	struct tree *t = *state;
	uint32_t v = 7;

	put(t, "mtu", "1500\n");
	assert_int_equal(sysfs_read_u32(&t->fs, "mtu", &v), 0);
	assert_int_equal(v, 1500);
	put(t, "max", "4294967295\n");
	assert_int_equal(sysfs_read_u32(&t->fs, "max", &v), 0);
	assert_true(v == UINT32_MAX);
	v = 7;
	put(t, "over", "4294967296\n");
	assert_int_equal(sysfs_read_u32(&t->fs, "over", &v), -ERANGE);
	put(t, "word", "auto\n");
	assert_int_equal(sysfs_read_u32(&t->fs, "word", &v), -EINVAL);
	put(t, "neg", "-1\n");
	assert_int_equal(sysfs_read_u32(&t->fs, "neg", &v), -EINVAL);
	put(t, "empty", "");
	assert_int_equal(sysfs_read_u32(&t->fs, "empty", &v), -EINVAL);
	assert_int_equal(sysfs_read_u32(&t->fs, "missing", &v), -ENOENT);
	assert_int_equal(v, 7); /* untouched on error */
}

static void test_write(void **state)
{
	struct tree *t = *state;
	char buf[32];
	uint32_t v;

	/* truncates like sysfs: a shorter value leaves no tail */
	put(t, "numvfs", "12345\n");
	assert_int_equal(sysfs_write_str(&t->fs, "numvfs", "7"), 0);
	assert_int_equal(sysfs_read_str(&t->fs, "numvfs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7");
	assert_int_equal(sysfs_write_u32(&t->fs, "numvfs", UINT32_MAX), 0);
	assert_int_equal(sysfs_read_u32(&t->fs, "numvfs", &v), 0);
	assert_true(v == UINT32_MAX);
	assert_int_equal(sysfs_write_u32(&t->fs, "numvfs", 0), 0);
	assert_int_equal(sysfs_read_u32(&t->fs, "numvfs", &v), 0);
	assert_int_equal(v, 0);
	/* never creates an attribute that is not there */
	assert_int_equal(sysfs_write_str(&t->fs, "new_attr", "1"), -ENOENT);
	assert_false(sysfs_exists(&t->fs, "new_attr"));
	mkdir_rel(t, "dir");
	assert_int_equal(sysfs_write_u32(&t->fs, "dir", 1), -EISDIR);
}

static void test_link_basename(void **state)
{
	struct tree *t = *state;
	char path[PATH_MAX], buf[16], tiny[5];

	mkdir_rel(t, "dev");
	snprintf(path, sizeof(path), "%s/dev/driver", t->root);
	assert_int_equal(symlink("../../../bus/pci/drivers/vfio-pci", path), 0);
	assert_int_equal(
		sysfs_link_basename(&t->fs, "dev/driver", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "vfio-pci");
	/* a target without a folder is its own basename; a dangling link
	 * still has a name */
	snprintf(path, sizeof(path), "%s/dev/plain", t->root);
	assert_int_equal(symlink("ixgbevf", path), 0);
	assert_int_equal(
		sysfs_link_basename(&t->fs, "dev/plain", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ixgbevf");
	/* "vfio-pci" does not fit in 5 bytes: refused, not cut */
	assert_int_equal(
		sysfs_link_basename(&t->fs, "dev/driver", tiny, sizeof(tiny)),
		-ENAMETOOLONG);
	put(t, "dev/file", "x\n");
	assert_int_equal(
		sysfs_link_basename(&t->fs, "dev/file", buf, sizeof(buf)),
		-EINVAL);
	assert_int_equal(
		sysfs_link_basename(&t->fs, "dev/missing", buf, sizeof(buf)),
		-ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_str, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_u32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_basename, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
