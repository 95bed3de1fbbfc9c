/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handover's gap on the workers' CPUs. From the old workers' stop to
 * the new workers' start, frames wait in the RX rings, and the only work
 * on the data path is that of the two agents' main threads: the old one
 * writes the state, the new one reads it and starts its workers. On their
 * usual CPUs those threads wait behind whatever keeps the housekeeping
 * cores busy (measured: 3-15 ms, now and then 60 ms, behind a traffic
 * generator); the workers' CPUs are idle exactly then, so both move there
 * for the gap and back afterwards.
 */
#ifndef AGENT_HANDOVER_CPUS_H
#define AGENT_HANDOVER_CPUS_H

#include <sched.h>
#include <stdbool.h>

struct agent;

struct handover_cpus {
	cpu_set_t saved; /* the thread's affinity before */
	bool moved;
};

/* Sets the union of a's workers' CPUs from their configuration
 * (workers.cpus). 0, or -ENOENT when no worker is pinned. */
int handover_cpus_of(const struct agent *a, cpu_set_t *set);
/* The calling thread onto the workers' CPUs; remembers where it ran.
 * Nothing happens (h->moved false) when the workers are not pinned or
 * the move is refused: the handover works as before, only slower. */
void handover_cpus_enter(struct handover_cpus *h, const struct agent *a);
/* Back to the remembered CPUs; nothing if it did not move. */
void handover_cpus_leave(struct handover_cpus *h);

#endif
