// SPDX-License-Identifier: GPL-2.0
/* guest/idle.c: when a forwarding worker keeps polling after its last
 * frame and when it sleeps. Driven with synthetic timestamps: dense
 * traffic spins until a silence as long as the budget, sparse traffic
 * (1 kpps, 10 kpps with the default budget) never spins, the switch
 * between them takes a bounded number of passes, and the limits (0,
 * the old fixed spin) keep their meaning. Between spinning and sleeping
 * in poll(), with socket.coalesce_us 200, 5-20 kpps nap on a timer; the
 * default (0) never naps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/config.h"
#include "guest/idle.h"

#define US 1000ULL
#define T0 (1000000 * US) /* an arbitrary start of the clock */

/* n passes of one frame each, gap_us apart, from *t; returns nothing,
 * leaves *t at the last frame. */
static void frames_every(struct idle_policy *p, uint64_t *t, uint64_t gap_us,
			 int n)
{
	for (int i = 0; i < n; i++) {
		*t += gap_us * US;
		idle_frames(p, 1, *t);
	}
}

/* The longest silence after the last frame at t for which the worker
 * still spins, in us (0: sleeps at once); probed every us up to 1 s. */
static uint64_t spin_window_us(const struct idle_policy *p, uint64_t t)
{
	uint64_t us;

	for (us = 0; us <= 1000000; us++)
		if (!idle_should_spin(p, t + us * US))
			return us;
	return us;
}

static void test_starts_asleep(void **state)
{
	struct idle_policy p;

	(void)state;
	idle_init(&p, CFG_DEFAULT_IDLE_SPIN_US, CFG_DEFAULT_SPIN_GAP_US,
		  CFG_DEFAULT_COALESCE_US, T0);
	/* No frame yet: no reason to believe one is due. */
	assert_int_equal(spin_window_us(&p, T0), 0);
	assert_false(idle_should_spin(&p, T0 + 1));
}

static void test_dense_spins_for_the_budget(void **state)
{
	struct idle_policy p;
	uint64_t t = T0;

	(void)state;
	idle_init(&p, 2000, 50, 0, t);
	frames_every(&p, &t, 10, 100); /* 100 kpps */
	assert_true(p.avg_gap_ns < 50 * US);
	/* Spins through a silence shorter than the budget, not longer. */
	assert_int_equal(spin_window_us(&p, t), 50);
	assert_true(idle_should_spin(&p, t));
	assert_true(idle_should_spin(&p, t + 49 * US));
	assert_false(idle_should_spin(&p, t + 50 * US));
	assert_false(idle_should_spin(&p, t + 1000 * US));
}

static void test_sparse_never_spins(void **state)
{
	struct idle_policy p;
	uint64_t t = T0;

	(void)state;
	idle_init(&p, CFG_DEFAULT_IDLE_SPIN_US, CFG_DEFAULT_SPIN_GAP_US,
		  CFG_DEFAULT_COALESCE_US, t);
	for (int i = 0; i < 1000; i++) { /* 1 kpps */
		frames_every(&p, &t, 1000, 1);
		assert_false(idle_should_spin(&p, t));
	}
	/* 10 kpps: gaps of 100 us, twice the default budget of 50 us. */
	for (int i = 0; i < 1000; i++) {
		frames_every(&p, &t, 100, 1);
		assert_false(idle_should_spin(&p, t));
	}
	/* Just above the budget, steadily: still asleep. */
	for (int i = 0; i < 1000; i++) {
		frames_every(&p, &t, CFG_DEFAULT_SPIN_GAP_US + 1, 1);
		assert_false(idle_should_spin(&p, t));
	}
}

static void test_batches_count_as_frames(void **state)
{
	struct idle_policy p;
	uint64_t t = T0;

	(void)state;
	idle_init(&p, 2000, 50, 0, t);
	/* Woken every 200 us with 8 frames queued: 25 us apart, dense. */
	for (int i = 0; i < 50; i++) {
		t += 200 * US;
		idle_frames(&p, 8, t);
	}
	assert_true(idle_should_spin(&p, t + 10 * US));
	/* The same wake-ups with one frame each: 200 us apart, sparse. */
	for (int i = 0; i < 50; i++) {
		t += 200 * US;
		idle_frames(&p, 1, t);
	}
	assert_false(idle_should_spin(&p, t));
}

static void test_switches_in_few_passes(void **state)
{
	struct idle_policy p;
	uint64_t t = T0;
	int n;

	(void)state;
	idle_init(&p, 2000, 50, 0, t);
	/* From the start (sparse) to dense at 10 us gaps: the estimate
	 * starts at the clamp, 4 budgets, and falls by 1/8 per pass. */
	for (n = 0; n < 100 && !idle_should_spin(&p, t); n++)
		frames_every(&p, &t, 10, 1);
	assert_in_range(n, 8, 16);
	frames_every(&p, &t, 10, 100);
	/* Dense to stopped, once a long silence: one 100 ms gap (clamped)
	 * leaves the worker still spinning for the budget, the second
	 * sends it to sleep. */
	frames_every(&p, &t, 100000, 1);
	assert_true(idle_should_spin(&p, t));
	frames_every(&p, &t, 100000, 1);
	assert_false(idle_should_spin(&p, t));
	/* ... and back to dense within the same bound. */
	for (n = 0; n < 100 && !idle_should_spin(&p, t); n++)
		frames_every(&p, &t, 10, 1);
	assert_in_range(n, 1, 16);
}

static void test_limits(void **state)
{
	struct idle_policy p;
	uint64_t t = T0;

	(void)state;
	/* idle_spin 0: sleeps at once, whatever the traffic. */
	idle_init(&p, 0, 50, 0, t);
	frames_every(&p, &t, 1, 1000);
	assert_false(idle_should_spin(&p, t));
	/* spin_gap 0: never spins either. */
	t = T0;
	idle_init(&p, 2000, 0, 0, t);
	frames_every(&p, &t, 1, 1000);
	assert_false(idle_should_spin(&p, t));
	/* A budget above idle_spin: the fixed spin of old, even at 1 kpps:
	 * polls 2 ms after every frame, idle_spin being the cap. */
	t = T0;
	idle_init(&p, 2000, 1000000, 0, t);
	frames_every(&p, &t, 1000, 20);
	assert_int_equal(spin_window_us(&p, t), 2000);
	/* Both large: the smaller bounds the silence. */
	t = T0;
	idle_init(&p, 300, 500, 0, t);
	frames_every(&p, &t, 100, 100);
	assert_int_equal(spin_window_us(&p, t), 300);
}

static void test_naps_in_between(void **state)
{
	const uint64_t nap = 200 * US;
	struct idle_policy p;
	uint64_t t = T0;

	(void)state;
	idle_init(&p, CFG_DEFAULT_IDLE_SPIN_US, CFG_DEFAULT_SPIN_GAP_US, 200,
		  t);
	/* Nothing seen yet: wait in poll() for the first frame. */
	assert_int_equal(idle_nap_ns(&p, t), 0);
	/* 10 kpps: too sparse to spin, dense enough to nap. */
	frames_every(&p, &t, 100, 100);
	assert_false(idle_should_spin(&p, t + US));
	assert_int_equal(idle_nap_ns(&p, t + US), nap);
	/* Napping: each wake-up (a nap plus 20 us late) finds the two or
	 * three frames of the nap, which keeps the estimate in the band. */
	for (int i = 0; i < 1000; i++) {
		t += nap + 20 * US;
		idle_frames(&p, i % 2 ? 2 : 3, t);
		assert_false(idle_should_spin(&p, t + US));
		assert_int_equal(idle_nap_ns(&p, t + US), nap);
	}
	/* The traffic stops: a nap that found nothing ends the naps. */
	assert_int_equal(idle_nap_ns(&p, t + nap), 0);
	assert_int_equal(idle_nap_ns(&p, t + 10 * nap), 0);
	/* 4 kpps (250 us, above a nap): a wake-up per frame is cheaper
	 * than naps that find nothing. */
	frames_every(&p, &t, 250, 100);
	assert_int_equal(idle_nap_ns(&p, t + US), 0);
	/* 1 kpps: poll(), where a frame waits only for its own wake-up. */
	frames_every(&p, &t, 1000, 100);
	assert_int_equal(idle_nap_ns(&p, t + US), 0);
	/* Back to 10 kpps within a bounded number of frames. */
	for (int n = 0; n < 100 && !idle_nap_ns(&p, t + US); n++)
		frames_every(&p, &t, 100, 1);
	assert_int_equal(idle_nap_ns(&p, t + US), nap);
	/* A stamp before the last frame is a silence of 0, not of ages. */
	assert_int_equal(idle_nap_ns(&p, t - US), nap);
	/* coalesce 0, the default: never naps. */
	t = T0;
	idle_init(&p, CFG_DEFAULT_IDLE_SPIN_US, CFG_DEFAULT_SPIN_GAP_US,
		  CFG_DEFAULT_COALESCE_US, t);
	frames_every(&p, &t, 100, 100);
	assert_int_equal(idle_nap_ns(&p, t + US), 0);
}

static void test_clock_never_runs_back(void **state)
{
	struct idle_policy p;
	uint64_t t = T0, before;

	(void)state;
	idle_init(&p, 2000, 50, 0, t);
	frames_every(&p, &t, 10, 100);
	before = p.avg_gap_ns;
	/* A stamp before the last one (another CPU's clock): a zero gap,
	 * not a wrapped huge one. */
	idle_frames(&p, 1, t - 5 * US);
	assert_true(p.avg_gap_ns <= before);
	/* n = 0 is not a pass with frames, but must not divide by zero. */
	idle_frames(&p, 0, t + 10 * US);
	assert_true(p.avg_gap_ns < 50 * US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_asleep),
		cmocka_unit_test(test_dense_spins_for_the_budget),
		cmocka_unit_test(test_sparse_never_spins),
		cmocka_unit_test(test_batches_count_as_frames),
		cmocka_unit_test(test_switches_in_few_passes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_naps_in_between),
		cmocka_unit_test(test_clock_never_runs_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
