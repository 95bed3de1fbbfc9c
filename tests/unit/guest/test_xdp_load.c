// SPDX-License-Identifier: GPL-2.0
/* guest/xdp_load.c without a program to attach: finding the BPF object
 * (configured path, $AFXDP_BPF_DIR, the fallbacks), an attach that must
 * fail (object or interface missing) and leave nothing, and the map
 * helpers on a port that has no maps. The attach itself is the netns and
 * bpf suites' (root). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xdp/libxdp.h>

#include <cmocka.h>

#include "guest/xdp_load.h"
#include "tests/unit/guest/setup_util.h"
#include "tests/unit/tmptree.h"

#define OBJ "afxdp_steer.bpf.o"

static char err[512];

struct env_save {
	char *bpf_dir; /* strdup of $AFXDP_BPF_DIR, NULL if unset */
};

static int save_env(void **state)
{
	struct env_save *s = calloc(1, sizeof(*s));
	const char *v = getenv("AFXDP_BPF_DIR");

	if (!s)
		return -1;
	s->bpf_dir = v ? strdup(v) : NULL;
	*state = s;
	return 0;
}

static int restore_env(void **state)
{
	struct env_save *s = *state;

	if (s->bpf_dir)
		setenv("AFXDP_BPF_DIR", s->bpf_dir, 1);
	else
		unsetenv("AFXDP_BPF_DIR");
	free(s->bpf_dir);
	free(s);
	return 0;
}

static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/afxdp-xdpload-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_string_equal(xdp_mode_name(XDP_MODE_NATIVE), "native");
	assert_string_equal(xdp_mode_name(XDP_MODE_SKB), "skb");
	assert_string_equal(xdp_mode_name(XDP_MODE_HW), "hw");
	assert_string_equal(xdp_mode_name(XDP_MODE_UNSPEC), "none");
	assert_string_equal(xdp_mode_name(-1), "none");
	assert_string_equal(xdp_mode_name(99), "none");
}

/* A configured path is used as given when readable. */
static void test_find_configured(void **state)
{
	char dir[64], file[128], path[256];

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/my.bpf.o", dir);
	make_file(file, 0644);
	assert_int_equal(xdp_find_object(file, path, sizeof(path)), 0);
	assert_string_equal(path, file);
	assert_int_equal(tmptree_remove(dir), 0);
}

/* A configured path that is missing is an error, even when
 * $AFXDP_BPF_DIR has the object: no silent fallback to another file. */
static void test_find_configured_missing(void **state)
{
	char dir[64], file[128], cfgd[160], path[256];

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/%s", dir, OBJ);
	make_file(file, 0644);
	assert_int_equal(setenv("AFXDP_BPF_DIR", dir, 1), 0);
	snprintf(cfgd, sizeof(cfgd), "%s/missing/%s", dir, OBJ);
	assert_int_equal(xdp_find_object(cfgd, path, sizeof(path)), -ENOENT);
	assert_string_equal(path, cfgd);
	assert_int_equal(tmptree_remove(dir), 0);
}

/* Unreadable: -EACCES, except for root, who reads any file. */
static void test_find_configured_unreadable(void **state)
{
	char dir[64], file[128], path[256];

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/%s", dir, OBJ);
	make_file(file, 0);
	assert_int_equal(xdp_find_object(file, path, sizeof(path)),
			 getuid() == 0 ? 0 : -EACCES);
	assert_string_equal(path, file);
	assert_int_equal(tmptree_remove(dir), 0);
}

/* Not configured (NULL or ""): $AFXDP_BPF_DIR/afxdp_steer.bpf.o. */
static void test_find_env_dir(void **state)
{
	char dir[64], file[128], path[256];

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/%s", dir, OBJ);
	make_file(file, 0644);
	assert_int_equal(setenv("AFXDP_BPF_DIR", dir, 1), 0);
	memset(path, 0, sizeof(path));
	assert_int_equal(xdp_find_object(NULL, path, sizeof(path)), 0);
	assert_string_equal(path, file);
	memset(path, 0, sizeof(path));
	assert_int_equal(xdp_find_object("", path, sizeof(path)), 0);
	assert_string_equal(path, file);
	assert_int_equal(tmptree_remove(dir), 0);
}

/* What the fallbacks (next to the executable, then the install dir)
 * answer: a readable afxdp_steer.bpf.o, or -ENOENT naming the install
 * dir's path, the last one tried. */
static void expect_fallback(const char *not_this)
{
	char path[256];
	size_t n = strlen(OBJ);
	int ret;

	memset(path, 0, sizeof(path));
	ret = xdp_find_object(NULL, path, sizeof(path));
	if (not_this)
		assert_string_not_equal(path, not_this);
	if (ret == 0) {
		assert_true(strlen(path) > n);
		assert_string_equal(path + strlen(path) - n, OBJ);
		assert_int_equal(access(path, R_OK), 0);
	} else {
		assert_int_equal(ret, -ENOENT);
		assert_string_equal(path, AFXDP_BPF_DIR "/" OBJ);
	}
}

/* $AFXDP_BPF_DIR without the object is passed over, not an error. */
static void test_find_env_dir_without_object(void **state)
{
	char dir[64], skipped[128];

	(void)state;
	make_dir(dir, sizeof(dir));
	assert_int_equal(setenv("AFXDP_BPF_DIR", dir, 1), 0);
	snprintf(skipped, sizeof(skipped), "%s/%s", dir, OBJ);
	expect_fallback(skipped);
	assert_int_equal(tmptree_remove(dir), 0);
}

static void test_find_default(void **state)
{
	(void)state;
	assert_int_equal(unsetenv("AFXDP_BPF_DIR"), 0);
	expect_fallback(NULL);
	assert_int_equal(setenv("AFXDP_BPF_DIR", "", 1), 0);
	expect_fallback(NULL);
}

static void expect_port_empty(const struct xdp_port *p, int ifindex)
{
	assert_null(p->prog);
	assert_int_equal(p->ifindex, ifindex);
	assert_int_equal(p->attach_mode, 0);
	assert_false(p->multiprog);
	assert_int_equal(p->xsks_map_fd, -1);
	assert_int_equal(p->filter_map_fd, -1);
	assert_int_equal(p->counters_map_fd, -1);
	assert_int_equal(p->fwd_map_fd, -1);
}

static void test_attach_missing_object(void **state)
{
	struct xdp_attach_opts o = {
		.ifname = "lo",
		.ifindex = (int)if_nametoindex("lo"),
		.object_path = "/nonexistent/" OBJ,
		.mode = XDP_ATTACH_AUTO,
	};
	struct xdp_port p;
	int fds = proc_self_count("fd");

	(void)state;
	assert_true(o.ifindex > 0);
	memset(&p, 0xa5, sizeof(p));
	err[0] = '\0';
	assert_int_equal(xdp_attach(&o, &p, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot open BPF object /nonexistent/" OBJ
				 ": No such file or directory");
	expect_port_empty(&p, o.ifindex);
	assert_int_equal(xdp_detach(&p), 0);
	assert_int_equal(proc_self_count("fd"), fds);
}

/* No dispatcher of libxdp pinned for the index (dispatch-IFINDEX-ID). */
static int dispatcher_pins(int ifindex)
{
	const char *fs = getenv("LIBXDP_BPFFS");
	char dir[256], prefix[32];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/xdp", fs && *fs ? fs : "/sys/fs/bpf");
	snprintf(prefix, sizeof(prefix), "dispatch-%d-", ifindex);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* An interface that does not exist: an error naming it and the modes
 * tried and the reason, no crash, nothing attached or pinned, no fd left
 * open. Without root the kernel refuses the program load first (EPERM):
 * the same contract holds. */
static void attach_missing_ifindex(enum cfg_xdp_mode mode, const char *what)
{
	char obj[512], prefix[128];
	struct xdp_attach_opts o = {
		.ifname = MISSING_IFNAME,
		.ifindex = missing_ifindex(),
		.object_path = obj,
		.mode = mode,
		.driver = "veth",
		.mtu_advice = 3506,
	};
	struct xdp_port p;
	/* root: the kernel has no such device; others may not load BPF. */
	int expect = geteuid() == 0 ? -ENODEV : -EPERM;
	int fds = proc_self_count("fd"), ret;

	assert_int_equal(steer_object(obj, sizeof(obj)), 0);
	memset(&p, 0xa5, sizeof(p));
	err[0] = '\0';
	ret = xdp_attach(&o, &p, err, sizeof(err));
	snprintf(prefix, sizeof(prefix),
		 MISSING_IFNAME ": cannot attach XDP program (%s mode): %s",
		 what, strerror(-expect));
	if (ret != expect || strncmp(err, prefix, strlen(prefix)))
		print_error("uid %d, expected %d \"%s...\", got %d \"%s\"\n",
			    (int)getuid(), expect, prefix, ret, err);
	assert_int_equal(ret, expect);
	assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
	expect_port_empty(&p, o.ifindex);
	assert_int_equal(dispatcher_pins(o.ifindex), 0);
	assert_int_equal(xdp_detach(&p), 0);
	assert_int_equal(proc_self_count("fd"), fds);
}

static void test_attach_missing_ifindex_auto(void **state)
{
	(void)state;
	attach_missing_ifindex(XDP_ATTACH_AUTO, "native and skb");
}

static void test_attach_missing_ifindex_native(void **state)
{
	(void)state;
	attach_missing_ifindex(XDP_ATTACH_NATIVE, "native");
}

static void test_attach_missing_ifindex_skb(void **state)
{
	(void)state;
	attach_missing_ifindex(XDP_ATTACH_SKB, "skb");
}

static void test_detach_zeroed(void **state)
{
	struct xdp_port p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(xdp_detach(&p), 0);
	assert_null(p.prog);
	/* No program: the mode alone does not make it detach anything. */
	p.attach_mode = XDP_MODE_NATIVE;
	p.ifindex = missing_ifindex();
	assert_int_equal(xdp_detach(&p), 0);
	assert_null(p.prog);
}

/* A port whose maps are not there (fds -1, as xdp_attach leaves a failed
 * port): -errno from the kernel, no crash. */
static void test_no_maps(void **state)
{
	struct xdp_port p = {
		.ifindex = 1,
		.xsks_map_fd = -1,
		.filter_map_fd = -1,
		.counters_map_fd = -1,
		.fwd_map_fd = -1,
	};
	struct afxdp_filter f;
	uint64_t cnt[AFXDP_CNT_MAX];

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(xdp_set_filter(&p, &f), -EBADF);
	assert_int_equal(xdp_set_socket(&p, 0, 0), -EBADF);
	assert_int_equal(xdp_set_socket(&p, AFXDP_MAX_QUEUES - 1, 0), -EBADF);
	/* Past the XSKMAP: refused before the kernel is asked. */
	assert_int_equal(xdp_set_socket(&p, AFXDP_MAX_QUEUES, 0), -ERANGE);
	assert_int_equal(xdp_set_socket(&p, UINT32_MAX, 0), -ERANGE);
	/* An object without fwd_map cannot forward unmatched frames. */
	assert_int_equal(xdp_set_forward(&p, 2), -EOPNOTSUPP);
	/* A counter that cannot be read counts 0 (stats never fail). */
	memset(cnt, 0xff, sizeof(cnt));
	assert_int_equal(xdp_read_counters(&p, cnt), 0);
	for (int k = 0; k < AFXDP_CNT_MAX; k++)
		assert_int_equal(cnt[k], 0);
	/* Any negative fd (find_map_fd's -ENOENT) means no fwd_map. */
	p.fwd_map_fd = -ENOENT;
	assert_int_equal(xdp_set_forward(&p, 2), -EOPNOTSUPP);
	/* An fd that is not a map: the kernel's error comes back. */
	p.fwd_map_fd = p.xsks_map_fd = p.filter_map_fd =
		open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(p.fwd_map_fd >= 0);
	assert_int_equal(xdp_set_forward(&p, 2), -EINVAL);
	assert_int_equal(xdp_set_socket(&p, 0, 0), -EINVAL);
	assert_int_equal(xdp_set_filter(&p, &f), -EINVAL);
	assert_int_equal(close(p.fwd_map_fd), 0);
}

/* Reading what is attached to an interface that does not exist: nothing
 * found, nothing removed. */
static void test_foreign_and_stale_missing(void **state)
{
	int ifindex = missing_ifindex(), ret;
	bool removed = true;

	(void)state;
	err[0] = '\0';
	ret = xdp_check_foreign(ifindex, MISSING_IFNAME, err, sizeof(err));
	assert_int_equal(ret, 0);
	assert_string_equal(err, "");
	ret = xdp_remove_stale(ifindex, &removed, err, sizeof(err));
	assert_int_equal(ret, 0);
	assert_false(removed);
	assert_string_equal(err, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test_setup_teardown(test_find_configured, save_env,
						restore_env),
		cmocka_unit_test_setup_teardown(test_find_configured_missing,
						save_env, restore_env),
		cmocka_unit_test_setup_teardown(test_find_configured_unreadable,
						save_env, restore_env),
		cmocka_unit_test_setup_teardown(test_find_env_dir, save_env,
						restore_env),
		cmocka_unit_test_setup_teardown(
			test_find_env_dir_without_object, save_env,
			restore_env),
		cmocka_unit_test_setup_teardown(test_find_default, save_env,
						restore_env),
		cmocka_unit_test(test_attach_missing_object),
		cmocka_unit_test(test_attach_missing_ifindex_auto),
		cmocka_unit_test(test_attach_missing_ifindex_native),
		cmocka_unit_test(test_attach_missing_ifindex_skb),
		cmocka_unit_test(test_detach_zeroed),
		cmocka_unit_test(test_no_maps),
		cmocka_unit_test(test_foreign_and_stale_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
