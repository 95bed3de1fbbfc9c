// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarding worker's idle policy (see guest/idle.h).
 *
 * Spin after the last frame while both hold:
 *  - the average gap between frames is below the budget (spin_gap): at
 *    rates below 1/spin_gap a worker that spun after each frame would burn
 *    the whole gap for every frame, a busy core for a trickle of traffic;
 *  - the silence since the last frame is below min(budget, idle_spin):
 *    a silence longer than the budget means the dense traffic has paused.
 * Otherwise sleep in poll(): the frames that arrive meanwhile wait for
 * the wake-up, and at higher rates one wake-up serves several frames, so
 * the wake-ups per second stay bounded while the CPU per frame falls.
 *
 * Between spinning and sleeping until a frame, when socket.coalesce_us is
 * set (default off, see guest/config.h for what it cost): while frames come less
 * than a nap (coalesce) apart on average and the last one is less than a
 * nap ago, nap on a timer for that long and take the frames that came
 * meanwhile in one pass. A poll() that wakes for each frame costs a
 * thread wake-up per frame (about 19 us of CPU in a VM, 19% of a core at
 * 10 kpps); naps bound the wake-ups to 1/coalesce per second whatever
 * the rate, for at most one nap of added latency. Sparser traffic (1
 * kpps) still sleeps in poll(), where a frame waits only for its wake-up.
 *
 * spin_gap = 0 never spins; spin_gap >= idle_spin spins idle_spin after
 * every frame when traffic is dense, as the agent did before; idle_spin
 * 0 never spins.
 */
#include "guest/idle.h"

/* Gap samples are clamped to a few times the longest window the policy
 * tells apart (budget or nap). */
static uint64_t sample_max(const struct idle_policy *p)
{
	return (p->gap_ns > p->nap_ns ? p->gap_ns : p->nap_ns) *
	       IDLE_SAMPLE_CLAMP;
}

void idle_init(struct idle_policy *p, uint32_t idle_spin_us,
	       uint32_t spin_gap_us, uint32_t coalesce_us, uint64_t now_ns)
{
	p->spin_cap_ns = (uint64_t)idle_spin_us * 1000;
	p->gap_ns = (uint64_t)spin_gap_us * 1000;
	p->nap_ns = (uint64_t)coalesce_us * 1000;
	/* No traffic seen yet: sparse until frames prove otherwise. */
	p->avg_gap_ns = sample_max(p);
	p->last_ns = now_ns;
}

void idle_frames(struct idle_policy *p, uint32_t n, uint64_t now_ns)
{
	uint64_t gap = now_ns > p->last_ns ? now_ns - p->last_ns : 0;
	uint64_t max = sample_max(p);

	/* n frames arrived over this gap: their mean spacing. After a
	 * sleep, the frames that queued up during the wake-up count as
	 * dense traffic, which is what they are. */
	gap /= n ? n : 1;
	if (gap > max)
		gap = max;
	p->avg_gap_ns +=
		(gap >> IDLE_EWMA_SHIFT) - (p->avg_gap_ns >> IDLE_EWMA_SHIFT);
	p->last_ns = now_ns;
}

bool idle_should_spin(const struct idle_policy *p, uint64_t now_ns)
{
	uint64_t limit =
		p->gap_ns < p->spin_cap_ns ? p->gap_ns : p->spin_cap_ns;

	if (!limit || p->avg_gap_ns >= p->gap_ns)
		return false;
	return now_ns - p->last_ns < limit;
}

uint64_t idle_nap_ns(const struct idle_policy *p, uint64_t now_ns)
{
	if (!p->nap_ns || p->avg_gap_ns >= p->nap_ns)
		return 0;
	/* A silence of a nap or more: the traffic stopped, wait for it. */
	if (now_ns > p->last_ns && now_ns - p->last_ns >= p->nap_ns)
		return 0;
	return p->nap_ns;
}
