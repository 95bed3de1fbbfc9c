/* SPDX-License-Identifier: GPL-2.0 */
/* What the probe_*.c files share and nothing else uses. */
#ifndef HOST_PROBE_INTERNAL_H
#define HOST_PROBE_INTERNAL_H

#include <dirent.h>
#include <stddef.h>

#include "host/probe.h"
#include "util/sysfs.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

/* Bounded copy that truncates on purpose (names and messages for display). */
static inline void set_str(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* The evidence, one area each (probe_kernel.c, probe_netdev.c,
 * probe_libvirt.c). */
void probe_kernel(const struct probe_opts *o, struct probe_report *rep);
void probe_syscalls(const struct probe_opts *o, struct probe_report *rep);
int probe_netdevs(const struct probe_opts *o, const struct sysfs *fs,
		  struct probe_report *rep);
void probe_host(const struct probe_opts *o, const struct sysfs *fs,
		struct probe_report *rep);

/* Sorted entries of a sysfs directory, without dot entries; -errno. */
int probe_list_dir(const struct sysfs *fs, const char *rel,
		   struct dirent ***names);
void probe_free_list(struct dirent **names, int n);

#endif
