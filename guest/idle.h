/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When a forwarding worker that found no frame keeps polling and when it
 * sleeps in poll(). Pure logic on timestamps, so it is tested without
 * sockets (tests/unit/guest/test_idle.c).
 *
 * Sleeping costs the next frame a thread wake-up (100s of us in a VM);
 * spinning costs a core. The worker keeps an average of the gap between
 * frames and spins only while that gap is short (traffic dense enough that
 * the next frame is due soon) and the current silence is still within the
 * budget; sparse or stopped traffic sleeps at once, so CPU use follows
 * the load. In between (gaps a little longer than the budget: one
 * wake-up per frame would cost more than the frames), it naps on a timer
 * and takes whatever arrived in one pass.
 */
#ifndef AGENT_IDLE_H
#define AGENT_IDLE_H

#include <stdbool.h>
#include <stdint.h>

/* An EWMA with weight 1/8: a few passes move it, one outlier does not. */
#define IDLE_EWMA_SHIFT 3
/* Gap samples are clamped to this many budgets: a long silence says
 * "sparse", but must not take hundreds of passes of dense traffic to
 * forget. */
#define IDLE_SAMPLE_CLAMP 4

struct idle_policy {
	uint64_t spin_cap_ns; /* socket.idle_spin_us: never spin longer */
	uint64_t gap_ns; /* socket.spin_gap_us: the latency budget */
	uint64_t nap_ns; /* socket.coalesce_us: the timed nap, 0 none */
	uint64_t avg_gap_ns; /* EWMA of the gap between frames */
	uint64_t last_ns; /* the last pass that found frames */
};

void idle_init(struct idle_policy *p, uint32_t idle_spin_us,
	       uint32_t spin_gap_us, uint32_t coalesce_us, uint64_t now_ns);
/* A pass found n > 0 frames at now_ns. */
void idle_frames(struct idle_policy *p, uint32_t n, uint64_t now_ns);
/* A pass found nothing at now_ns: true to poll again, false to sleep. */
bool idle_should_spin(const struct idle_policy *p, uint64_t now_ns);
/* A pass found nothing and the worker does not spin: how long to nap on
 * a timer before the next pass (frames arriving meanwhile wait for it,
 * and are taken together), or 0 to sleep in poll() until a frame. */
uint64_t idle_nap_ns(const struct idle_policy *p, uint64_t now_ns);

#endif
