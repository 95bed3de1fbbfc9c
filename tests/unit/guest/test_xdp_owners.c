// SPDX-License-Identifier: GPL-2.0
/* guest/xdp_owners.c without privileges: the checks that come before any
 * map is written. A port with no program, or a program without the
 * application maps, takes no claims (-EOPNOTSUPP); an owner beyond
 * AFXDP_MAX_APPS or a queue beyond the XSKMAP is -ERANGE, and neither
 * touches a map. The program is afxdp_steer.bpf.o opened, never loaded
 * (libxdp needs no privilege for that); the map fds are a pipe's ends, so
 * a write that got through would show. Writing the real maps needs root
 * and XDP: tests/bpf/test_steer_prog.c and tests/netns/test_adopt.sh. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <cmocka.h>

#include "guest/xdp_load.h"
#include "tests/unit/guest/setup_util.h"

struct fix {
	struct xdp_port p;
	struct xdp_program *prog;
	int pipe[2]; /* [1] stands in for every map fd */
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char obj[PATH_MAX];

	if (!f || pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	if (steer_object(obj, sizeof(obj))) {
		print_error("afxdp_steer.bpf.o not found (make builds it)\n");
		return -1;
	}
	f->prog = xdp_program__open_file(obj, NULL, NULL);
	if (libxdp_get_error(f->prog)) {
		print_error("cannot open %s\n", obj);
		return -1;
	}
	f->p.ifindex = missing_ifindex();
	f->p.prog = NULL;
	f->p.xsks_map_fd = f->p.filter_map_fd = f->p.counters_map_fd = -1;
	f->p.fwd_map_fd = f->p.owner_map_fd = -1;
	for (int i = 0; i <= AFXDP_MAX_APPS; i++)
		f->p.app_xsks_fd[i] = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	xdp_program__close(f->prog);
	close(f->pipe[0]);
	close(f->pipe[1]);
	free(f);
	return 0;
}

/* Nothing reached the stand-in "maps". */
static void assert_untouched(const struct fix *f)
{
	char c;

	assert_int_equal(read(f->pipe[0], &c, 1), -1);
	assert_int_equal(errno, EAGAIN);
}

static void all_unsupported(struct fix *f)
{
	struct afxdp_filter flt;

	memset(&flt, 0, sizeof(flt));
	assert_int_equal(xdp_owners_supported(&f->p), -EOPNOTSUPP);
	for (uint32_t owner = 0; owner <= AFXDP_MAX_APPS + 1; owner++) {
		assert_int_equal(xdp_set_owner(&f->p, 0, owner), -EOPNOTSUPP);
		assert_int_equal(xdp_app_map_fd(&f->p, owner), -EOPNOTSUPP);
		assert_int_equal(xdp_reset_owner(&f->p, owner), -EOPNOTSUPP);
		if (owner)
			assert_int_equal(
				xdp_set_owner_filter(&f->p, owner, &flt),
				-EOPNOTSUPP);
	}
	/* unsupported wins over out of range */
	assert_int_equal(xdp_set_owner(&f->p, AFXDP_MAX_QUEUES, 1),
			 -EOPNOTSUPP);
	assert_untouched(f);
}

static void stand_in_maps(struct fix *f)
{
	f->p.xsks_map_fd = f->p.filter_map_fd = f->p.counters_map_fd =
		f->pipe[1];
	f->p.owner_map_fd = f->pipe[1];
	for (int i = 1; i <= AFXDP_MAX_APPS; i++)
		f->p.app_xsks_fd[i] = 100 + i; /* only ever returned */
}

static void test_no_program(void **state)
{
	struct fix *f = *state;

	all_unsupported(f);
	/* the maps still known but the program gone (detached): no claims */
	stand_in_maps(f);
	all_unsupported(f);
}

static void test_program_without_app_maps(void **state)
{
	struct fix *f = *state;

	/* an older afxdp_steer.bpf.o: no queue_owner_map */
	f->p.prog = f->prog;
	f->p.xsks_map_fd = f->p.filter_map_fd = f->p.counters_map_fd =
		f->pipe[1];
	all_unsupported(f);
}

static void test_ranges(void **state)
{
	struct fix *f = *state;
	struct afxdp_filter flt;

	memset(&flt, 0, sizeof(flt));
	f->p.prog = f->prog;
	stand_in_maps(f);
	assert_int_equal(xdp_owners_supported(&f->p), 0);

	/* owners: 0 (the agent) .. AFXDP_MAX_APPS */
	assert_int_equal(xdp_set_owner(&f->p, 0, AFXDP_MAX_APPS + 1), -ERANGE);
	assert_int_equal(xdp_set_owner(&f->p, 0, UINT32_MAX), -ERANGE);
	assert_int_equal(xdp_set_owner_filter(&f->p, AFXDP_MAX_APPS + 1, &flt),
			 -ERANGE);
	assert_int_equal(xdp_reset_owner(&f->p, AFXDP_MAX_APPS + 1), -ERANGE);
	assert_int_equal(xdp_app_map_fd(&f->p, AFXDP_MAX_APPS + 1), -ERANGE);
	/* the agent has no application map, and no slot to reset */
	assert_int_equal(xdp_app_map_fd(&f->p, 0), -ERANGE);
	assert_int_equal(xdp_reset_owner(&f->p, 0), -ERANGE);
	/* queues: the XSKMAP's size */
	assert_int_equal(xdp_set_owner(&f->p, AFXDP_MAX_QUEUES, 1), -ERANGE);
	assert_int_equal(xdp_set_owner(&f->p, UINT32_MAX, 0), -ERANGE);
	assert_untouched(f);

	/* each application slot its own map */
	for (uint32_t owner = 1; owner <= AFXDP_MAX_APPS; owner++)
		assert_int_equal(xdp_app_map_fd(&f->p, owner), 100 + owner);

	/* in range, the update is the kernel's: a pipe is no map, so it
	 * fails with an errno (EINVAL as root, EPERM without BPF rights),
	 * never 0, and nothing is written through it */
	assert_true(xdp_set_owner(&f->p, AFXDP_MAX_QUEUES - 1, AFXDP_MAX_APPS) <
		    0);
	assert_true(xdp_set_owner_filter(&f->p, 1, &flt) < 0);
	assert_untouched(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_program, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_program_without_app_maps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
	};

	/* libbpf's notes on the object's sections are not test output */
	libbpf_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
