// SPDX-License-Identifier: GPL-2.0
/* The handover's gap on the workers' CPUs (guest/handover_cpus.h). */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "guest/agent.h"
#include "guest/handover_cpus.h"
#include "util/log.h"

int handover_cpus_of(const struct agent *a, cpu_set_t *set)
{
	int n = 0;

	CPU_ZERO(set);
	for (uint32_t i = 0; i < a->nr_workers; i++) {
		int cpu = a->workers[i].cpu;

		if (cpu >= 0 && cpu < CPU_SETSIZE) {
			CPU_SET(cpu, set);
			n++;
		}
	}
	return n ? 0 : -ENOENT;
}

void handover_cpus_enter(struct handover_cpus *h, const struct agent *a)
{
	cpu_set_t to;
	int ret;

	h->moved = false;
	if (handover_cpus_of(a, &to))
		return;
	ret = pthread_getaffinity_np(pthread_self(), sizeof(h->saved),
				     &h->saved);
	if (!ret)
		ret = pthread_setaffinity_np(pthread_self(), sizeof(to), &to);
	if (ret) {
		/* Another cpuset, say: the gap is only longer. */
		pr_warn("handover: cannot run on the workers' CPUs: %s",
			strerror(ret));
		return;
	}
	h->moved = true;
}

void handover_cpus_leave(struct handover_cpus *h)
{
	int ret;

	if (!h->moved)
		return;
	h->moved = false;
	ret = pthread_setaffinity_np(pthread_self(), sizeof(h->saved),
				     &h->saved);
	if (ret)
		pr_warn("handover: cannot return to the main thread's CPUs: %s",
			strerror(ret));
}
