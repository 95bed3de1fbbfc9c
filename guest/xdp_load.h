/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching afxdp_steer to a port through libxdp: the dispatcher where the
 * kernel allows it, libxdp's single-program fallback where it refuses;
 * native mode with skb fallback. Never touches another program: a foreign
 * non-multiprog program makes the attach fail with -EEXIST.
 */
#ifndef AGENT_XDP_LOAD_H
#define AGENT_XDP_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/afxdp_steer.h"
#include "guest/config.h"

struct xdp_program;

struct xdp_port {
	int ifindex;
	struct xdp_program *prog;
	int attach_mode; /* libxdp enum xdp_attach_mode obtained */
	bool multiprog; /* through the dispatcher */
	char why[512]; /* why a fallback happened, "" if none */
	bool adopted; /* found attached (xdp_adopt): the map fds are ours */
	uint32_t prog_id; /* adopted: the program's id */
	int xsks_map_fd, filter_map_fd, counters_map_fd;
	int fwd_map_fd; /* -1: the object has no fwd_map (unmatched forward) */
	/* Applications' queues (guest/xdp_owners.c); -1: the object has no
	 * queue_owner_map / app_xsks_N, so it takes no application claims. */
	int owner_map_fd;
	int app_xsks_fd[AFXDP_MAX_APPS + 1]; /* index: owner; [0] unused */
};

struct xdp_attach_opts {
	const char *ifname;
	int ifindex;
	const char *object_path; /* afxdp_steer.bpf.o */
	enum cfg_xdp_mode mode;
	/* When the kernel refuses native mode over the MTU: the largest MTU
	 * to advise (xdp_mtu_advised) for the driver, 0 for no advice. */
	uint32_t mtu_advice;
	const char *driver;
	/* Loaded with XDP frags (BPF_F_XDP_HAS_FRAGS): it sees frames over
	 * several buffers, as socket.multi_buffer needs. */
	bool frags;
};

/* An empty port for ifindex: no program, every map fd -1. */
void xdp_port_reset(struct xdp_port *p, int ifindex);

/* Finds afxdp_steer.bpf.o: the configured path, $AFXDP_BPF_DIR, ../bpf
 * next to the executable (build tree), then the install dir. */
int xdp_find_object(const char *configured, char *path, size_t len);

/* Removes an afxdp_steer left by a previous run that died (the caller holds
 * the port lock, so no live agent owns it). Sets *removed. */
int xdp_remove_stale(int ifindex, bool *removed, char *err, size_t err_len);
/* Refuses when a foreign program is attached without the dispatcher. */
int xdp_check_foreign(int ifindex, const char *ifname, char *err,
		      size_t err_len);
int xdp_attach(const struct xdp_attach_opts *o, struct xdp_port *p, char *err,
	       size_t err_len);
/* xdp_adopt, else xdp_remove_stale (logged) then xdp_attach: how a port
 * or an application's interface gets the program. The caller holds the
 * lock. */
int xdp_attach_port(const struct xdp_attach_opts *o, struct xdp_port *p,
		    char *err, size_t err_len);
/* Takes over our program where it is attached (guest/xdp_adopt.c): its
 * maps found by name and checked against this build's layout, the
 * applications' queue owners and filters reset, the counters zeroed; the
 * agent's filter, fwd_map and sockets are the caller's to write. 1 when
 * adopted, 0 when there is nothing to adopt or it cannot be (why says
 * why, "" for nothing attached). */
int xdp_adopt(const struct xdp_attach_opts *o, struct xdp_port *p, char *why,
	      size_t why_len);
/* Detaches only our program; the dispatcher keeps the others. */
int xdp_detach(struct xdp_port *p);
/* Forgets the program without detaching it (xdp.fail_open forward, a
 * handover): it keeps running on its maps for the next agent. */
void xdp_release(struct xdp_port *p);

int xdp_set_filter(const struct xdp_port *p, const struct afxdp_filter *f);
/* xsk_fd -1: the queue's entry removed (none is not an error). */
int xdp_set_socket(const struct xdp_port *p, uint32_t queue, int xsk_fd);
/* Where unmatched frames go with unmatched forward: the paired port; 0
 * empties fwd_map. */
int xdp_set_forward(const struct xdp_port *p, int ifindex);
int xdp_read_counters(const struct xdp_port *p, uint64_t out[AFXDP_CNT_MAX]);

/* Queue ownership (guest/xdp_owners.c). owner 0 is the agent, 1 ..
 * AFXDP_MAX_APPS an application slot. -EOPNOTSUPP when the object has no
 * application maps, -ERANGE for a bad queue or owner. */
int xdp_owners_supported(const struct xdp_port *p);
int xdp_set_owner(const struct xdp_port *p, uint32_t queue, uint32_t owner);
int xdp_set_owner_filter(const struct xdp_port *p, uint32_t owner,
			 const struct afxdp_filter *f);
/* The application's XSKMAP (the program's fd: dup it to hand it out). */
int xdp_app_map_fd(const struct xdp_port *p, uint32_t owner);
/* Empties the owner's XSKMAP and zeroes its counters, for a slot that
 * changes hands. */
int xdp_reset_owner(const struct xdp_port *p, uint32_t owner);
int xdp_read_owner_counters(const struct xdp_port *p, uint32_t owner,
			    uint64_t out[AFXDP_CNT_MAX]);
const char *xdp_mode_name(int attach_mode);

#endif
