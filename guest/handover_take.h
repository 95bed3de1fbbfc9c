/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The new agent's side of a handover (guest/handover.h): asks the agent
 * serving the control socket at path for its data path.
 */
#ifndef AGENT_HANDOVER_TAKE_H
#define AGENT_HANDOVER_TAKE_H

#include <stddef.h>
#include <sys/types.h>

#include "guest/handover.h"

struct agent;

/* A reply within this long, or the running agent is taken as hung. */
#define HANDOVER_REPLY_TIMEOUT_MS 5000

/*
 * prepare: in gets the running agent's pid, layout and fds. 0, or -errno
 * with a message: -ENOENT/-ECONNREFUSED nobody to take over from, the
 * agent's refusal (-EOPNOTSUPP, -EPROTO, ...), -ETIMEDOUT.
 */
int handover_take_prepare(const char *path, struct handover_in *in, char *err,
			  size_t err_len);
/* commit: the state into a's pools (agent_takeover_state). After 0 the
 * data path is ours; on error the running agent has it back unless the
 * error came after its reply (then -EBADMSG: the state was unusable). */
int handover_take_commit(struct handover_in *in, struct agent *a, char *err,
			 size_t err_len);
/* The state's mapping, kept by commit (its pages were read inside the
 * gap; unmapping can wait until the workers run). Safe to repeat. */
void handover_take_release(struct handover_in *in);
/* Tell the running agent to forget the prepare; best effort. */
void handover_take_abort(struct handover_in *in);
/* Closes the received fds that were not taken (agent_takeover.c marks
 * taken ones -1). */
void handover_in_close(struct handover_in *in);
/* Waits for pid to exit: 0, or -ETIMEDOUT. */
int handover_wait_exit(pid_t pid, int timeout_ms);

#endif
