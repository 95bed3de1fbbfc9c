/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "ctl upgrade": the running agent starts the binary now installed at the
 * path it was started from (a package upgrade replaced it) with its own
 * arguments and --takeover. The child takes the data path over through the
 * handover (guest/handover.h); under systemd the old agent then names the
 * child the unit's main process (MAINPID=, acknowledged with a barrier)
 * before it exits, so the unit stays active and keeps the child. The child
 * knows it was started so (AFXDP_UPGRADE_FROM in its environment): it
 * never falls back to stopping its parent; if it cannot take over it
 * exits and the old agent carries on.
 */
#ifndef AGENT_UPGRADE_H
#define AGENT_UPGRADE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define UPGRADE_ENV "AFXDP_UPGRADE_FROM"

struct upgrade {
	char exe[PATH_MAX]; /* the path this agent was started from */
	char **argv; /* its arguments, --takeover appended; NULL-ended */
	pid_t child; /* started and not reaped yet; 0: none */
};

/* Records the executable's path and the arguments. 0 or -errno. */
int upgrade_init(struct upgrade *u, int argc, char **argv);
void upgrade_free(struct upgrade *u);
/* Starts the child. 0 (u->child set) or -errno with msg. */
int upgrade_spawn(struct upgrade *u, char *msg, size_t msg_len);
/* Reaps a child that exited before taking over (logged); call each tick. */
void upgrade_reap(struct upgrade *u);
/* The data path went to pid: under systemd, it becomes the main PID. */
void upgrade_handed_over(const struct upgrade *u, pid_t pid);
/* This agent is an upgrade's child: the pid of the agent it replaces,
 * else 0. */
pid_t upgrade_parent(void);

#endif
