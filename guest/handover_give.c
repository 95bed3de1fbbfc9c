// SPDX-License-Identifier: GPL-2.0
/*
 * Handing the data path over (guest/handover.h). prepare passes copies of
 * the fds and changes nothing; commit stops the workers and passes the
 * state; only when that reply has gone out is the agent "done". If it
 * could not be sent, the workers start again where they stopped: the
 * rings and pools are exactly as they were left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/agent.h"
#include "guest/ctl_server.h"
#include "guest/handover_give.h"
#include "util/clock.h"
#include "util/log.h"

void handover_give_init(struct handover_give *g, struct agent *a,
			struct ctl_server *ctl)
{
	memset(g, 0, sizeof(*g));
	g->a = a;
	g->ctl = ctl;
	g->state_fd = -1;
}

static int refuse(char *msg, size_t len, int err, const char *why)
{
	snprintf(msg, len, "%s", why);
	return err;
}

static int prepare(struct handover_give *g, const char *ver,
		   const struct ctl_peer *peer, char **body, char *msg,
		   size_t len)
{
	struct agent *a = g->a;
	struct ctl_fds att = { .fds = g->fds };
	char layout[HANDOVER_LAYOUT_MAX], *end;
	unsigned long v = strtoul(ver, &end, 10);
	size_t n = 0;

	if (!*ver || *end || v < HANDOVER_VERSION_MIN || v > HANDOVER_VERSION) {
		snprintf(
			msg, len,
			"handover version %.16s not supported (this agent speaks %d to %d)",
			ver, HANDOVER_VERSION_MIN, HANDOVER_VERSION);
		return -EPROTO;
	}
	if (a->cfg->mode == MODE_TXGEN || a->cfg->mode == MODE_NONE)
		return refuse(
			msg, len, -EOPNOTSUPP,
			"this agent's mode has no data path to hand over");
	if (a->cfg->nr_apps)
		return refuse(
			msg, len, -EOPNOTSUPP,
			"application claims are not handed over (their applications hold the sockets)");
	if (handover_nr_fds(a->nr_umems, a->nr_socks, a->nr_ports) >
	    FD_PASS_MAX)
		return refuse(msg, len, -E2BIG,
			      "more sockets than one message can pass");
	if (handover_layout(a, (uint32_t)v, layout, sizeof(layout)) < 0)
		return refuse(msg, len, -E2BIG, "layout too large");
	for (uint32_t u = 0; u < a->nr_umems; u++) {
		if (a->umems[u].memfd < 0)
			return refuse(msg, len, -EOPNOTSUPP,
				      "UMEM not in a memfd");
		g->fds[n++] = a->umems[u].memfd;
	}
	for (uint32_t i = 0; i < a->nr_socks; i++)
		g->fds[n++] = a->socks[i].fd;
	for (uint32_t i = 0; i < a->nr_ports; i++)
		g->fds[n++] = a->ports[i].lock_fd;
	*body = strdup(layout);
	if (!*body)
		return -ENOMEM;
	/* Its pages now, while the workers run: at commit only a copy. */
	if (g->state_fd >= 0)
		close(g->state_fd);
	g->state_fd = handover_state_memfd(a);
	att.nr = n;
	ctl_server_attach(g->ctl, &att);
	g->pid = peer->pid;
	g->version = (uint32_t)v;
	g->deadline_ns = now_ns() + HANDOVER_PREPARE_TIMEOUT_MS * 1000000ULL;
	pr_info("handover: prepared for pid %d (version %lu, %zu file descriptors)",
		(int)peer->pid, v, n);
	return 0;
}

static void committed(void *ctx, int err)
{
	struct handover_give *g = ctx;
	int ret;

	close(g->state_fd);
	g->state_fd = -1;
	/* The teardown that follows is no part of the gap. */
	handover_cpus_leave(&g->cpus);
	if (!err) {
		g->done = true;
		g->a->handed_over = true;
		pr_info("handover: data path handed over to pid %d; exiting",
			(int)g->pid);
		return;
	}
	pr_warn("handover: the state could not be sent to pid %d: carrying on",
		(int)g->pid);
	g->pid = 0;
	ret = agent_resume_workers(g->a);
	if (ret)
		pr_err("handover: cannot restart the workers: %s",
		       strerror(-ret));
}

static int commit(struct handover_give *g, const struct ctl_peer *peer,
		  char *msg, size_t len)
{
	struct ctl_fds att = {
		.fds = &g->state_fd, .nr = 1, .sent = committed, .ctx = g
	};
	uint64_t t0;
	int ret;

	if (!g->pid || g->pid != peer->pid || now_ns() > g->deadline_ns) {
		g->pid = 0; /* whatever was prepared is forgotten */
		if (g->state_fd >= 0)
			close(g->state_fd);
		g->state_fd = -1;
		return refuse(
			msg, len, -ENOENT,
			"no handover prepared by this process (or it expired)");
	}
	t0 = now_ns();
	/* The workers' CPUs are idle once they stop: write the state there
	 * rather than wait on this thread's CPU, whoever keeps it busy. */
	handover_cpus_enter(&g->cpus, g->a);
	agent_stop_for_handover(g->a);
	if (g->state_fd < 0) /* prepare could not make it */
		g->state_fd = handover_state_memfd(g->a);
	ret = g->state_fd;
	if (ret >= 0)
		ret = handover_state_write(g->a, g->version, g->state_fd);
	pr_info("handover: workers stopped and state written in %llu us",
		(unsigned long long)(now_ns() - t0) / 1000);
	if (ret) {
		snprintf(msg, len, "cannot write the state: %s",
			 strerror(-ret));
		committed(g, ret);
		return ret;
	}
	ctl_server_attach(g->ctl, &att);
	return 0;
}

int handover_give(struct handover_give *g, const struct ctl_request *req,
		  const struct ctl_peer *peer, char **body, char *msg,
		  size_t msg_len)
{
	const char *args = req->args;

	if (g->done)
		return refuse(msg, msg_len, -EALREADY, "already handed over");
	if (!strncmp(args, "prepare ", 8))
		return prepare(g, args + 8, peer, body, msg, msg_len);
	if (!strcmp(args, "commit"))
		return commit(g, peer, msg, msg_len);
	if (!strcmp(args, "abort")) {
		if (g->pid == peer->pid) {
			g->pid = 0;
			if (g->state_fd >= 0)
				close(g->state_fd);
			g->state_fd = -1;
		}
		return 0;
	}
	snprintf(msg, msg_len,
		 "unknown handover step '%.32s' (prepare N, commit, abort)",
		 args);
	return -EINVAL;
}
