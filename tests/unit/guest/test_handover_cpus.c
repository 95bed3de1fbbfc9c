// SPDX-License-Identifier: GPL-2.0
/* guest/handover_cpus.c: the main thread spends the handover's gap on the
 * workers' CPUs and comes back. The union of the pinned workers' CPUs,
 * nothing when none is pinned, the thread's affinity moved and restored
 * exactly (checked with the kernel's own view, sched_getaffinity), and
 * leave without enter is harmless. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/agent.h"
#include "guest/handover_cpus.h"

static void agent_with(struct agent *a, struct agent_worker *w, const int *cpus,
		       uint32_t n)
{
	memset(a, 0, sizeof(*a));
	memset(w, 0, n * sizeof(*w));
	for (uint32_t i = 0; i < n; i++)
		w[i].cpu = cpus[i];
	a->workers = w;
	a->nr_workers = n;
}

static void test_union(void **state)
{
	struct agent_worker w[4];
	struct agent a;
	cpu_set_t set;
	const int cpus[] = { 3, -1, 1, 3 };

	(void)state;
	agent_with(&a, w, cpus, 4);
	assert_int_equal(handover_cpus_of(&a, &set), 0);
	assert_int_equal(CPU_COUNT(&set), 2);
	assert_true(CPU_ISSET(1, &set));
	assert_true(CPU_ISSET(3, &set));
}

static void test_none_pinned(void **state)
{
	struct agent_worker w[2];
	struct agent a;
	cpu_set_t set;
	const int cpus[] = { -1, -1 };
	struct handover_cpus h;

	(void)state;
	agent_with(&a, w, cpus, 2);
	assert_int_equal(handover_cpus_of(&a, &set), -ENOENT);
	handover_cpus_enter(&h, &a);
	assert_false(h.moved);
	agent_with(&a, w, cpus, 0);
	assert_int_equal(handover_cpus_of(&a, &set), -ENOENT);
}

/* The last CPU this thread may run on: a real move on any machine with
 * two or more CPUs (on one, the move is to where it already runs). */
static int last_allowed_cpu(const cpu_set_t *set)
{
	for (int c = CPU_SETSIZE - 1; c >= 0; c--)
		if (CPU_ISSET(c, set))
			return c;
	return -1;
}

static void test_enter_leave(void **state)
{
	struct agent_worker w[1];
	struct agent a;
	cpu_set_t before, during, after;
	struct handover_cpus h;
	int cpu;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	cpu = last_allowed_cpu(&before);
	assert_true(cpu >= 0);
	agent_with(&a, w, &cpu, 1);
	handover_cpus_enter(&h, &a);
	assert_true(h.moved);
	assert_int_equal(sched_getaffinity(0, sizeof(during), &during), 0);
	assert_int_equal(CPU_COUNT(&during), 1);
	assert_true(CPU_ISSET(cpu, &during));
	assert_int_equal(sched_getcpu(), cpu);
	handover_cpus_leave(&h);
	assert_false(h.moved);
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
	/* A second leave changes nothing. */
	handover_cpus_leave(&h);
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
}

/* A CPU the thread may not use (outside its cpuset, or beyond the
 * machine): no move, the affinity untouched. */
static void test_refused(void **state)
{
	struct agent_worker w[1];
	struct agent a;
	cpu_set_t before, after;
	struct handover_cpus h;
	int cpu = CPU_SETSIZE - 1;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	if (CPU_ISSET(cpu, &before))
		skip();
	agent_with(&a, w, &cpu, 1);
	handover_cpus_enter(&h, &a);
	assert_false(h.moved);
	assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
	assert_true(CPU_EQUAL(&before, &after));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_union),
		cmocka_unit_test(test_none_pinned),
		cmocka_unit_test(test_enter_leave),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
