// SPDX-License-Identifier: GPL-2.0
/*
 * Who owns an interface's rx queues in afxdp_steer (bpf/afxdp_steer.h):
 * the agent (owner 0) or an application slot (1..AFXDP_MAX_APPS) with its
 * own XSKMAP, filter and counters. The broker (guest/apps.c) decides; this
 * file only writes the program's maps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guest/xdp_load.h"

int xdp_owners_supported(const struct xdp_port *p)
{
	return p->prog && p->owner_map_fd >= 0 ? 0 : -EOPNOTSUPP;
}

static int check(const struct xdp_port *p, uint32_t owner)
{
	if (xdp_owners_supported(p))
		return -EOPNOTSUPP;
	return owner > AFXDP_MAX_APPS ? -ERANGE : 0;
}

int xdp_set_owner(const struct xdp_port *p, uint32_t queue, uint32_t owner)
{
	int ret = check(p, owner);

	if (ret)
		return ret;
	if (queue >= AFXDP_MAX_QUEUES)
		return -ERANGE;
	return bpf_map_update_elem(p->owner_map_fd, &queue, &owner, BPF_ANY) ?
		       -errno :
		       0;
}

int xdp_set_owner_filter(const struct xdp_port *p, uint32_t owner,
			 const struct afxdp_filter *f)
{
	int ret = owner ? check(p, owner) : 0;

	if (ret)
		return ret;
	return bpf_map_update_elem(p->filter_map_fd, &owner, f, BPF_ANY) ?
		       -errno :
		       0;
}

int xdp_set_filter(const struct xdp_port *p, const struct afxdp_filter *f)
{
	return xdp_set_owner_filter(p, 0, f);
}

int xdp_app_map_fd(const struct xdp_port *p, uint32_t owner)
{
	int ret = check(p, owner);

	if (ret)
		return ret;
	return owner ? p->app_xsks_fd[owner] : -ERANGE;
}

int xdp_reset_owner(const struct xdp_port *p, uint32_t owner)
{
	int ncpus = libbpf_num_possible_cpus(), fd = xdp_app_map_fd(p, owner);
	uint64_t *zeros;
	int ret = 0;

	if (fd < 0)
		return fd;
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	/* An XSKMAP cannot be iterated from user space: delete every key;
	 * -ENOENT is the common case (no socket there). */
	for (uint32_t q = 0; q < AFXDP_MAX_QUEUES; q++)
		if (bpf_map_delete_elem(fd, &q) && errno != ENOENT && !ret)
			ret = -errno;
	zeros = calloc((size_t)ncpus, sizeof(*zeros));
	if (!zeros)
		return -ENOMEM;
	for (uint32_t k = 0; k < AFXDP_CNT_MAX; k++) {
		uint32_t key = owner * AFXDP_CNT_MAX + k;

		if (bpf_map_update_elem(p->counters_map_fd, &key, zeros,
					BPF_ANY) &&
		    !ret)
			ret = -errno;
	}
	free(zeros);
	return ret;
}
