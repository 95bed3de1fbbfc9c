/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's run-time objects: ports (a netdev with our XDP program),
 * UMEM areas, sockets (one per port and queue) and workers (threads that
 * each own a set of sockets and the frames they circulate).
 */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

#include "guest/config.h"
#include "guest/frame_pool.h"
#include "guest/handover.h"
#include "guest/nic_prep.h"
#include "guest/stats.h"
#include "guest/xdp_load.h"
#include "guest/xsk_rings.h"

#define AGENT_MAX_SOCKETS (CFG_MAX_PORTS * CFG_MAX_QUEUES)
#define AGENT_MAX_UMEMS CFG_MAX_PORTS

struct agent_umem {
	void *area;
	uint64_t size;
	struct xsk_umem *umem;
	struct xsk_ring_prod fill; /* used by the first socket only */
	struct xsk_ring_cons comp;
	bool rings_taken;
	/* The area is a memfd (MAP_SHARED), so that a handover can pass it
	 * to the next agent (guest/handover.h); -1 when none. */
	int memfd;
};

struct agent_port {
	struct port_config *cfg;
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[6];
	uint32_t queues[CFG_MAX_QUEUES];
	uint32_t nr_queues;
	uint32_t nr_tx_queues; /* queues[0..nr_tx_queues) can also send */
	struct xdp_port xdp;
	struct nic_state nic;
	int lock_fd;
	struct agent_umem *umem;
	bool kept; /* teardown left the program attached */
};

struct agent_socket {
	struct agent_port *port;
	uint32_t queue_id;
	struct xsk_socket *xsk;
	int fd;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod *fill; /* own or the UMEM's first rings */
	struct xsk_ring_cons *comp;
	struct xsk_ring_prod fill_own;
	struct xsk_ring_cons comp_own;
	struct agent_umem *umem;
	struct frame_pool *pool; /* the owning worker's pool for this UMEM */
	struct agent_socket *peer; /* where received frames are sent */
	uint32_t outstanding_tx; /* submitted, not yet completed */
	bool zero_copy;
	bool multi_buffer; /* bound with XDP_USE_SG: frames span buffers */
	bool can_send; /* queue below the device's real TX queue count */
	/* Received in a handover: no libxdp socket (xsk NULL), the rings
	 * mapped from fd by guest/xsk_rings.c. */
	bool taken;
	struct xsk_rings rings;
	struct xsk_counters c;
};

struct agent;

struct agent_worker {
	struct agent *agent;
	uint32_t id;
	pthread_t thread;
	bool started;
	int cpu; /* -1: not pinned */
	struct agent_socket *socks[AGENT_MAX_SOCKETS];
	uint32_t nr_socks;
	struct frame_pool pools[AGENT_MAX_UMEMS]; /* index: UMEM index */
	uint64_t txgen_sent; /* txgen: frames submitted by this worker */
	uint64_t txgen_quota; /* txgen: frames this worker must send */
	atomic_bool done; /* txgen: quota sent and completed */
	atomic_bool ready; /* fwd: running, fill rings filled */
	uint64_t ready_ns; /* when it became ready (set before ready) */
	int error; /* -errno when the worker stopped on a fault */
};

struct agent {
	struct agent_config *cfg;
	struct agent_port ports[CFG_MAX_PORTS];
	uint32_t nr_ports;
	struct agent_umem umems[AGENT_MAX_UMEMS];
	uint32_t nr_umems;
	struct agent_socket socks[AGENT_MAX_SOCKETS];
	uint32_t nr_socks;
	struct agent_worker *workers;
	uint32_t nr_workers;
	atomic_bool stop;
	/* An eventfd the workers poll() beside their sockets, written when
	 * stop is set: a worker asleep (no traffic) stops at once instead of
	 * at the end of its poll timeout, which was a handover's whole gap
	 * (up to socket.poll_timeout_ms) when traffic was light. */
	int stop_fd;
	bool has_stop_fd;
	/* Teardown leaves the programs attached (xdp.fail_open forward on a
	 * plain exit); a failed setup leaves adopted ones as they were. */
	bool keep_program, setup_failed;
	/* Set up from a running agent's data path (--takeover), or handed
	 * ours over (teardown then leaves the data path as it is). */
	struct handover_in *takeover;
	bool handed_over;
	/* The data path's history across handovers (handover version 2):
	 * how many it went through, and when (CLOCK_MONOTONIC) the first
	 * agent set it up; 0 until the workers first start. */
	uint32_t handovers;
	uint64_t dp_since_ns;
	atomic_bool no_drain; /* workers stop at a batch boundary, as is */
};

/* Setup (all or nothing: on error everything done is undone), run the
 * workers, tear down. Return 0 or -errno; errors carry one message in err.
 * -EINVAL/-ENODEV/-EEXIST/-EBUSY/-EMSGSIZE mean "refused": exit code 2. */
int agent_setup(struct agent *a, struct agent_config *cfg, char *err,
		size_t err_len);
/* The same from the data path a running agent handed over (prepare step
 * done, guest/handover.h): its program adopted, no NIC change, its UMEMs
 * and sockets used as they are. -ESTALE when this configuration gives
 * another layout (message in err): nothing of the running agent's
 * changed, the caller falls back to a plain restart. */
int agent_setup_takeover(struct agent *a, struct agent_config *cfg,
			 struct handover_in *in, char *err, size_t err_len);
/* The commit's state into the pools and sockets: 0 or -EBADMSG. */
int agent_takeover_state(struct agent *a, const void *buf, size_t len,
			 char *err, size_t err_len);
/* Frames waiting in the RX rings (before the workers take them), and how
 * full the fullest ring is, in percent: after a takeover, the margin the
 * rings had over the gap. */
uint32_t agent_rx_waiting(const struct agent *a, uint32_t *fullest_pct);
/* Handing over: the workers stop at a batch boundary, nothing drained. */
void agent_stop_for_handover(struct agent *a);
/* After a handover that did not happen: the workers again, 0 or -errno. */
int agent_resume_workers(struct agent *a);
/* The rx queues to bind on p (p->ifname, p->cfg set): p->cfg's list, or
 * every queue of `channels` (0: the NIC's channels, 1 without ethtool), up
 * to CFG_MAX_QUEUES; the queues below the device's TX queue count first
 * (p->nr_tx_queues of them). -EINVAL with a message for a queue the device
 * does not have. Exposed for the unit test; agent_setup calls it. */
int agent_resolve_queues(struct agent_port *p, uint32_t channels, char *err,
			 size_t err_len);
/* The workers, then their sockets published once they run: 0 or -errno
 * (the workers stopped again). The two steps apart, for a takeover whose
 * main thread leaves the workers' CPUs in between. */
int agent_start_workers(struct agent *a);
int agent_spawn_workers(struct agent *a);
int agent_publish_when_ready(struct agent *a);
void agent_stop_workers(struct agent *a);
/* The sockets into xsks_map; agent_start_workers does it once every
 * worker runs with its fill rings filled. */
int agent_publish_sockets(struct agent *a, char *err, size_t err_len);
/* At exit: with keep_program the sockets leave xsks_map before the workers
 * drain and stop, so the fail-open path takes every later frame. */
void agent_stop_serving(struct agent *a);
/* 0, or the first error removing something of ours (logged). */
int agent_teardown(struct agent *a);
bool agent_workers_done(const struct agent *a);
/* Snapshot for the stats report; queues has room for a->nr_socks. */
void agent_snapshot(const struct agent *a, struct port_snapshot *ports,
		    struct queue_snapshot *queues);

/* Data path entry points (fwd_loop.c, txgen.c). */
void *worker_fwd_main(void *arg);
void *worker_txgen_main(void *arg);
int txgen_build_frame(const struct txgen_config *t, uint32_t flow, uint8_t *buf,
		      uint32_t len);

static inline uint64_t load_relaxed(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The worker is the only writer: a relaxed store keeps readers tear-free
 * without a locked instruction on the hot path. */
static inline void add_relaxed(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, *p + v, __ATOMIC_RELAXED);
}

#endif
