/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handover restart (afxdp-agent(8), HANDOVER): a new agent started with
 * --takeover receives the running agent's data path and carries on
 * without losing a frame. Over the control socket (guest/ctl_proto.h):
 *
 *   1. "handover prepare <version>": the running agent answers
 *      with its layout (text, below) and, by SCM_RIGHTS, its UMEM memfds,
 *      its AF_XDP sockets and its port locks. It keeps forwarding. The new
 *      agent adopts the attached XDP program, checks that its own
 *      configuration gives the same layout, maps the UMEMs and the rings.
 *   2. "handover commit": the running agent stops its workers at a batch
 *      boundary (no drain: what is on the rings stays there), answers with
 *      a memfd holding the state (each worker's free frames, each socket's
 *      frames in flight to the TX completion ring, each port's NIC state
 *      to restore at the very end), and exits without touching the data
 *      path. The new agent rebuilds its pools and starts its workers: the
 *      only gap is that exchange, during which frames wait in the rings.
 *   "handover abort" (or a prepare that is never committed) leaves the
 *   running agent as it was.
 *
 * Versions must agree: the version in "prepare" and the layout (which
 * names the size of every structure passed as bytes) must be equal, or
 * the new agent falls back to a plain stop/start and says so. A running
 * agent speaks every version from HANDOVER_VERSION_MIN up to its own; a
 * new agent asks for its own and, refused with EPROTO, for the one below,
 * so an upgrade from the previous release is a handover too:
 *   1: the data path (UMEMs, sockets, frames, NIC state);
 *   2: also the statistics: the sockets' counters, the number of
 *      handovers so far and when the first agent set the data path up, so
 *      counters keep counting across restarts (Prometheus sees no reset).
 */
#ifndef AGENT_HANDOVER_H
#define AGENT_HANDOVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/config.h"
#include "guest/fd_pass.h"
#include "guest/nic_prep.h"
#include "guest/stats.h"

#define HANDOVER_VERSION 2
#define HANDOVER_VERSION_MIN 1
#define HANDOVER_LAYOUT_MAX 4096
/* A prepare not committed within this long is forgotten. */
#define HANDOVER_PREPARE_TIMEOUT_MS 10000

struct agent;

/*
 * The layout: what must be equal for the data path to be taken over, one
 * "key value" line each (ports, queues in socket order, workers, UMEMs,
 * frame and ring sizes, mode, sizes of the raw structures). Built by both
 * agents from their own state once queues, workers and UMEMs are known
 * (before the sockets: it says how they are made). Its length or -ENOSPC.
 */
int handover_layout(const struct agent *a, uint32_t version, char *buf,
		    size_t len);
/* The first line that differs, "mine" vs "theirs", as a message; 0 when
 * equal, -ESTALE otherwise. */
int handover_layout_compare(const char *mine, const char *theirs, char *msg,
			    size_t msg_len);

/* The fds of "prepare", in this order: UMEM memfds, sockets, port locks. */
static inline size_t handover_nr_fds(uint32_t umems, uint32_t socks,
				     uint32_t ports)
{
	return (size_t)umems + socks + ports;
}

/* The state of "commit", in a memfd. */
struct handover_state {
	uint32_t version; /* the one agreed at prepare */
	uint32_t nr_workers, nr_umems, nr_socks, nr_ports;
	uint32_t nr_frames, frame_size;
	struct nic_state nic[CFG_MAX_PORTS];
	/* per socket, in a->socks order */
	uint32_t outstanding[CFG_MAX_PORTS * CFG_MAX_QUEUES];
	/* version 2 on (0 before): */
	uint32_t handovers; /* before this one */
	uint64_t dp_since_ns; /* CLOCK_MONOTONIC: the first agent's set-up */
	struct xsk_counters counters[CFG_MAX_PORTS * CFG_MAX_QUEUES];
	/* pools[w * nr_umems + u]: worker w's free frames of UMEM u; their
	 * addresses stay where they are in the parsed buffer (nr_free
	 * native-endian 64-bit words, unaligned): no copy and no fresh
	 * pages inside the handover's gap. handover_pool_addr() reads one. */
	struct handover_pool {
		uint32_t nr_free;
		const unsigned char *addrs;
	} * pools;
};

static inline uint64_t handover_pool_addr(const struct handover_pool *p,
					  uint32_t i)
{
	uint64_t a;

	__builtin_memcpy(&a, p->addrs + (size_t)i * sizeof(a), sizeof(a));
	return a;
}

/* A memfd for the state, its pages allocated (fallocate) for the largest
 * state a's shape can have, so that writing it at commit only copies:
 * made at prepare. fd or -errno. */
int handover_state_memfd(const struct agent *a);
/* The running agent's state (workers stopped) in the given version into
 * fd (from handover_state_memfd) from its start, the file cut to the
 * state's size: 0 or -errno. */
int handover_state_write(const struct agent *a, uint32_t version, int fd);
/*
 * A state of len bytes (from a memfd, i.e. from another process: checked
 * like any outside input) for an agent of the given shape (version
 * included): every count equal, every address a frame of the worker's own
 * range, no frame twice, no more than a worker has; counters as they
 * come. 0 or -EBADMSG with a message. The pools' addresses point into
 * buf, which must outlive st.
 */
int handover_state_parse(const void *buf, size_t len,
			 const struct handover_state *shape,
			 struct handover_state *st, char *err, size_t err_len);
void handover_state_free(struct handover_state *st);

/* What a new agent received (guest/handover_take.c). */
struct handover_in {
	pid_t pid; /* the running agent */
	uint32_t version; /* agreed at prepare */
	char ctl_path[108];
	char layout[HANDOVER_LAYOUT_MAX];
	int fds[FD_PASS_MAX];
	size_t nr_fds;
	struct handover_state st; /* after commit */
	/* When the running agent's answer to commit arrived (its workers
	 * stopped, the state written): splits the gap in the log. */
	uint64_t t_answer_ns;
	/* The state's mapping, kept until the workers run. */
	void *state_map;
	size_t state_len;
};

#endif
