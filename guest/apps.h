/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent as the guest's AF_XDP broker (docs/adoption.md): for each
 * application claim it prepares the interface (or shares the agent port's
 * program when the interface is one), gives the application an owner slot
 * in afxdp_steer (its own XSKMAP, filter and counters), steers the claimed
 * queues to it and opens its endpoint. Claims come and go on reload
 * without touching the others. Runs on the main thread only.
 */
#ifndef AGENT_APPS_H
#define AGENT_APPS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/agent.h"
#include "guest/app_endpoint.h"

struct app_iface {
	char ifname[IF_NAMESIZE];
	int ifindex;
	struct xdp_port *xdp; /* &own, or the agent port's */
	struct xdp_port own;
	struct nic_state nic;
	int lock_fd;
	bool owned; /* prepared and attached by the broker */
	uint32_t nr_queues; /* rx queues the device has */
	unsigned int users; /* active claims */
	/* A slot stays with the application (by name) that had it until the
	 * agent restarts: a removed application may still hold its map fd,
	 * so the map must not start steering someone else's traffic. */
	char slot_name[AFXDP_MAX_OWNERS][CFG_APP_NAME_LEN];
	bool slot_busy[AFXDP_MAX_OWNERS];
};

struct app {
	struct app_config cfg; /* a copy; filter_rules not kept */
	struct afxdp_filter filter; /* compiled, unmatched kernel */
	struct app_iface *iface;
	uint32_t owner;
	uint32_t queues[CFG_MAX_QUEUES];
	uint32_t nr_queues;
	struct app_ep ep;
};

struct apps {
	struct agent *agent; /* its ports may carry claims too */
	const struct agent_config *cfg; /* XDP, NIC and object settings */
	char object[512]; /* afxdp_steer.bpf.o */
	struct app_iface ifaces[CFG_MAX_APPS];
	struct app *apps[CFG_MAX_APPS];
	size_t nr_apps;
	bool running; /* endpoints serve; claims added later serve at once */
};


/* Every claim of cfg (validated: config_check_claims). On error nothing of
 * the broker's stays (already started claims are stopped) and err says
 * which claim failed. */
int apps_start(struct apps *s, struct agent *a, const struct agent_config *cfg,
	       char *err, size_t err_len);
/* Endpoints start serving: called once privileges are dropped. */
int apps_run(struct apps *s, char *err, size_t err_len);
/* Moves to fresh's claims (validated together with the running ports):
 * removed or changed claims stop, new or changed ones start, the others
 * are not touched. Returns 0 or the first failure (err); the claims that
 * could be applied are. *added / *removed count what happened. */
int apps_reload(struct apps *s, const struct agent_config *fresh,
		unsigned int *added, unsigned int *removed, char *err,
		size_t err_len);
size_t apps_snapshot(struct apps *s, struct app_snapshot *out, size_t max);
void apps_stop(struct apps *s);

#endif
