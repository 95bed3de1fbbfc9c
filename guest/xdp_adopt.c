// SPDX-License-Identifier: GPL-2.0
/*
 * Adopting our program where it is already attached: left by an agent that
 * exited with xdp.fail_open forward, that died, or that handed its data
 * path over. Detaching it and attaching a fresh one would leave a moment
 * with no program (frames take the kernel's path, or are lost on a bump in
 * the wire); taking it over leaves none. Its maps are found by name through
 * the program's map ids, since a program read back from the kernel has no
 * BPF object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "guest/xdp_load.h"
#include "util/log.h"

#define MAX_PROG_MAPS 64

static bool is_ours(struct xdp_program *prog)
{
	return prog && !strcmp(xdp_program__name(prog), AFXDP_STEER_PROG_NAME);
}

/* Our program on ifindex: its id and the attach mode, or 0. */
static uint32_t find_ours(int ifindex, enum xdp_attach_mode *mode,
			  bool *multiprog, bool *frags)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *prog = NULL;
	uint32_t id = 0;

	if (!mp || libxdp_get_error(mp))
		return 0;
	*multiprog = !xdp_multiprog__is_legacy(mp);
	*mode = xdp_multiprog__attach_mode(mp);
	if (!*multiprog) {
		prog = xdp_multiprog__main_prog(mp);
		if (!is_ours(prog))
			prog = NULL;
	} else {
		for (prog = xdp_multiprog__next_prog(NULL, mp); prog;
		     prog = xdp_multiprog__next_prog(prog, mp))
			if (is_ours(prog))
				break;
	}
	if (prog) {
		id = xdp_program__id(prog);
		*frags = xdp_program__xdp_frags_support(prog);
	}
	xdp_multiprog__close(mp);
	return id;
}

static int *slot_for(struct xdp_port *p, const char *name)
{
	int n;

	if (!strcmp(name, "xsks_map"))
		return &p->xsks_map_fd;
	if (!strcmp(name, "filter_map"))
		return &p->filter_map_fd;
	if (!strcmp(name, "counters_map"))
		return &p->counters_map_fd;
	if (!strcmp(name, "fwd_map"))
		return &p->fwd_map_fd;
	if (!strcmp(name, "queue_owner_map"))
		return &p->owner_map_fd;
	if (sscanf(name, "app_xsks_%d", &n) == 1 && n >= 1 &&
	    n <= AFXDP_MAX_APPS)
		return &p->app_xsks_fd[n];
	return NULL;
}

/* The maps of the program by name; the layout must be this build's. */
static int take_maps(struct xdp_port *p, char *why, size_t why_len)
{
	/* Zeroed: the kernel fills it through a pointer inside info, which
	 * valgrind cannot follow (it reported the ids as uninitialised). */
	uint32_t ids[MAX_PROG_MAPS] = { 0 };
	struct bpf_prog_info info = {
		.nr_map_ids = MAX_PROG_MAPS,
		.map_ids = (uint64_t)(uintptr_t)ids,
	};
	uint32_t len = sizeof(info);
	int fd = xdp_program__fd(p->prog);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.nr_map_ids > MAX_PROG_MAPS)
		return -E2BIG;
	for (uint32_t i = 0; i < info.nr_map_ids; i++) {
		struct bpf_map_info mi = { 0 };
		uint32_t mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(ids[i]), *slot;

		if (mfd < 0)
			return -errno;
		if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen)) {
			close(mfd);
			return -errno;
		}
		slot = slot_for(p, mi.name);
		if (!slot || *slot >= 0) {
			close(mfd);
			continue;
		}
		if ((!strcmp(mi.name, "filter_map") &&
		     (mi.value_size != sizeof(struct afxdp_filter) ||
		      mi.max_entries != AFXDP_MAX_OWNERS)) ||
		    (!strcmp(mi.name, "counters_map") &&
		     mi.max_entries != AFXDP_CNT_MAX * AFXDP_MAX_OWNERS) ||
		    (!strcmp(mi.name, "xsks_map") &&
		     mi.max_entries != AFXDP_MAX_QUEUES)) {
			snprintf(
				why, why_len,
				"its %s has another layout (another version's program)",
				mi.name);
			close(mfd);
			return -EPROTO;
		}
		*slot = mfd;
	}
	if (p->xsks_map_fd < 0 || p->filter_map_fd < 0 ||
	    p->counters_map_fd < 0) {
		snprintf(why, why_len,
			 "it lacks xsks_map, filter_map or counters_map");
		return -EPROTO;
	}
	if (p->owner_map_fd >= 0)
		for (int i = 1; i <= AFXDP_MAX_APPS; i++)
			if (p->app_xsks_fd[i] < 0) {
				close(p->owner_map_fd);
				p->owner_map_fd = -1; /* all of them or none */
				break;
			}
	return 0;
}

static void close_maps(struct xdp_port *p)
{
	int *fds[] = { &p->xsks_map_fd, &p->filter_map_fd, &p->counters_map_fd,
		       &p->fwd_map_fd, &p->owner_map_fd };

	if (!p->adopted)
		return; /* the BPF object's own fds */
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	for (int i = 1; i <= AFXDP_MAX_APPS; i++) {
		if (p->app_xsks_fd[i] >= 0)
			close(p->app_xsks_fd[i]);
		p->app_xsks_fd[i] = -1;
	}
}

/* A previous agent's applications are gone with it: their queues return
 * to owner 0 and their filters to "nothing", and the counters start from
 * zero for this agent's reports. */
static void reset_state(const struct xdp_port *p)
{
	int ncpus = libbpf_num_possible_cpus();
	struct afxdp_filter none = { .unmatched = AFXDP_UNMATCHED_KERNEL };
	uint64_t *zeros;
	uint32_t zero = 0;

	if (p->owner_map_fd >= 0) {
		for (uint32_t q = 0; q < AFXDP_MAX_QUEUES; q++)
			bpf_map_update_elem(p->owner_map_fd, &q, &zero,
					    BPF_ANY);
		for (uint32_t o = 1; o <= AFXDP_MAX_APPS; o++)
			bpf_map_update_elem(p->filter_map_fd, &o, &none,
					    BPF_ANY);
	}
	if (ncpus <= 0)
		return;
	zeros = calloc((size_t)ncpus, sizeof(*zeros));
	if (!zeros)
		return;
	for (uint32_t k = 0; k < AFXDP_CNT_MAX * AFXDP_MAX_OWNERS; k++)
		bpf_map_update_elem(p->counters_map_fd, &k, zeros, BPF_ANY);
	free(zeros);
}

static bool mode_fits(enum cfg_xdp_mode want, enum xdp_attach_mode got)
{
	switch (want) {
	case XDP_ATTACH_NATIVE:
		return got == XDP_MODE_NATIVE;
	case XDP_ATTACH_SKB:
		return got == XDP_MODE_SKB;
	default:
		return got == XDP_MODE_NATIVE || got == XDP_MODE_SKB;
	}
}

int xdp_adopt(const struct xdp_attach_opts *o, struct xdp_port *p, char *why,
	      size_t why_len)
{
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	bool multiprog = false, frags = false;
	uint32_t id = find_ours(o->ifindex, &mode, &multiprog, &frags);
	int ret;

	why[0] = '\0';
	xdp_port_reset(p, o->ifindex);
	if (!id)
		return 0;
	if (!mode_fits(o->mode, mode)) {
		snprintf(why, why_len,
			 "it runs in %s mode, xdp.mode asks otherwise",
			 xdp_mode_name(mode));
		return 0;
	}
	if (frags != o->frags) {
		snprintf(why, why_len, "it was loaded %s XDP frags, socket.multi_buffer asks otherwise",
			 frags ? "with" : "without");
		return 0;
	}
	p->prog = xdp_program__from_id(id);
	if (libxdp_get_error(p->prog)) {
		ret = (int)libxdp_get_error(p->prog);
		p->prog = NULL;
		snprintf(why, why_len, "cannot open program id %u: %s", id,
			 strerror(-ret));
		return 0;
	}
	p->adopted = true;
	ret = take_maps(p, why, why_len);
	if (ret) {
		if (!why[0])
			snprintf(why, why_len, "cannot read its maps: %s",
				 strerror(-ret));
		xdp_release(p);
		return 0;
	}
	p->attach_mode = mode;
	p->multiprog = multiprog;
	p->prog_id = id;
	reset_state(p);
	snprintf(p->why, sizeof(p->why),
		 "adopted the attached program id %u, no gap", id);
	return 1;
}

void xdp_release(struct xdp_port *p)
{
	close_maps(p);
	if (p->prog)
		xdp_program__close(p->prog);
	p->prog = NULL;
	p->attach_mode = 0;
	p->adopted = false;
}
