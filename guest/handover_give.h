/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running agent's side of a handover (guest/handover.h): the
 * control socket's "handover" command, served from the main loop.
 */
#ifndef AGENT_HANDOVER_GIVE_H
#define AGENT_HANDOVER_GIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/fd_pass.h"
#include "guest/handover_cpus.h"

struct agent;
struct ctl_server;
struct ctl_request;
struct ctl_peer;

struct handover_give {
	struct agent *a;
	struct ctl_server *ctl;
	pid_t pid; /* the agent that prepared; 0: none */
	uint32_t version; /* it asked for */
	uint64_t deadline_ns;
	int fds[FD_PASS_MAX];
	int state_fd;
	/* The main thread on the workers' CPUs from commit to reply. */
	struct handover_cpus cpus;
	/* Handed over: the loop exits, teardown leaves the data path. */
	bool done;
};

void handover_give_init(struct handover_give *g, struct agent *a,
			struct ctl_server *ctl);
/* The command (req->args: "prepare N", "commit", "abort"): 0 with the
 * reply's body in *body (may stay NULL), or -errno with msg. */
int handover_give(struct handover_give *g, const struct ctl_request *req,
		  const struct ctl_peer *peer, char **body, char *msg,
		  size_t msg_len);

#endif
