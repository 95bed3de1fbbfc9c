// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/sink_count.bpf.o under BPF_PROG_TEST_RUN: every frame is dropped and
 * counted (packets and bytes, summed over CPUs), and the longest gap
 * between two frames is kept (per CPU; the test runs on one). Needs root.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cmocka.h>

#include "bpf/afxdp_steer.h"

static struct bpf_object *obj;
static int prog_fd = -1, map_fd = -1, ncpus;

static void read_sink(uint64_t out[AFXDP_SINK_MAX])
{
	uint64_t vals[ncpus];

	for (uint32_t k = 0; k < AFXDP_SINK_MAX; k++) {
		assert_int_equal(bpf_map_lookup_elem(map_fd, &k, vals), 0);
		out[k] = 0;
		for (int c = 0; c < ncpus; c++)
			if (k == AFXDP_SINK_PACKETS || k == AFXDP_SINK_BYTES)
				out[k] += vals[c];
			else if (vals[c] > out[k])
				out[k] = vals[c]; /* times: the largest */
	}
}

/* repeat runs of one len-byte frame: all dropped, all counted. */
static void sink_run(uint32_t len, uint32_t repeat)
{
	uint8_t data[1500] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint64_t before[AFXDP_SINK_MAX], after[AFXDP_SINK_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = len, .repeat = repeat);

	read_sink(before);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	read_sink(after);
	assert_int_equal(opts.retval, XDP_DROP);
	assert_int_equal(after[AFXDP_SINK_PACKETS] - before[AFXDP_SINK_PACKETS],
			 repeat ? repeat : 1);
	assert_int_equal(after[AFXDP_SINK_BYTES] - before[AFXDP_SINK_BYTES],
			 (uint64_t)len * (repeat ? repeat : 1));
}

static void test_counts(void **state)
{
	(void)state;
	if (!obj)
		skip();
	sink_run(64, 1);
	sink_run(14, 1);
	sink_run(1500, 1);
	sink_run(60, 1000);
	sink_run(128, 0); /* repeat 0 means once */
}

static void frame(void)
{
	uint8_t data[64] = { 0xff };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = sizeof(data));

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	assert_int_equal(opts.retval, XDP_DROP);
}

static void zero_map(void)
{
	uint64_t vals[ncpus];

	memset(vals, 0, sizeof(vals));
	for (uint32_t k = 0; k < AFXDP_SINK_MAX; k++)
		assert_int_equal(bpf_map_update_elem(map_fd, &k, vals, BPF_ANY),
				 0);
}

/* One frame, a 30 ms silence, one frame: the gap is at least the
 * silence and not much more; a quick burst after it keeps the maximum. */
static void test_gap(void **state)
{
	uint64_t v[AFXDP_SINK_MAX];
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	cpu_set_t one;

	(void)state;
	if (!obj)
		skip();
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	zero_map();
	frame();
	read_sink(v);
	assert_int_equal(v[AFXDP_SINK_MAX_GAP_NS], 0); /* the first: no gap */
	assert_true(v[AFXDP_SINK_LAST_NS] > 0);
	nanosleep(&ts, NULL);
	frame();
	read_sink(v);
	assert_true(v[AFXDP_SINK_MAX_GAP_NS] >= 30 * 1000 * 1000ULL);
	assert_true(v[AFXDP_SINK_MAX_GAP_NS] < 5 * 1000 * 1000 * 1000ULL);
	sink_run(64, 1000);
	{
		uint64_t w[AFXDP_SINK_MAX];

		read_sink(w);
		assert_int_equal(w[AFXDP_SINK_MAX_GAP_NS],
				 v[AFXDP_SINK_MAX_GAP_NS]);
		assert_true(w[AFXDP_SINK_LAST_NS] > v[AFXDP_SINK_LAST_NS]);
	}
}

static void test_layout(void **state)
{
	struct bpf_map *m;

	(void)state;
	if (!obj)
		skip();
	m = bpf_object__find_map_by_name(obj, "sink_counters");
	assert_non_null(m);
	assert_int_equal(bpf_map__type(m), BPF_MAP_TYPE_PERCPU_ARRAY);
	assert_int_equal(bpf_map__max_entries(m), AFXDP_SINK_MAX);
	assert_int_equal(bpf_map__value_size(m), sizeof(uint64_t));
	assert_non_null(
		bpf_object__find_program_by_name(obj, AFXDP_SINK_PROG_NAME));
}

static int setup(void **state)
{
	const char *top = getenv("AFXDP_TOP");
	struct bpf_program *prog;
	char path[4096];

	(void)state;
	if (geteuid() != 0) {
		print_message("# skipped: needs root (BPF_PROG_TEST_RUN)\n");
		return 0;
	}
	ncpus = libbpf_num_possible_cpus();
	snprintf(path, sizeof(path), "%s/bpf/sink_count.bpf.o",
		 top ? top : ".");
	obj = bpf_object__open_file(path, NULL);
	if (libbpf_get_error(obj) || bpf_object__load(obj)) {
		fprintf(stderr, "loading %s failed\n", path);
		obj = NULL;
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, AFXDP_SINK_PROG_NAME);
	map_fd = bpf_object__find_map_fd_by_name(obj, "sink_counters");
	if (!prog || map_fd < 0 || ncpus <= 0)
		return -1;
	prog_fd = bpf_program__fd(prog);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bpf_object__close(obj);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_gap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
