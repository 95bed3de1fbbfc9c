/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an application picks up its XSKMAP: the device-plugin protocol on
 * a UNIX socket served by a thread of its own (cni), or the map pinned in
 * a BPF filesystem (pinned). Either way the application only ever gets its
 * own map, never the program or another application's map.
 */
#ifndef AGENT_APP_ENDPOINT_H
#define AGENT_APP_ENDPOINT_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/config.h"
#include "guest/uds_server.h"

/* Directories an endpoint may create under, at most: /tmp/afxdp_dp/<if>. */
#define APP_EP_MAX_DIRS 4

struct app_ep {
	enum app_endpoint kind;
	char path[CFG_APP_PATH_LEN];
	char ifname[IF_NAMESIZE]; /* the only name /xsk_map_fd may ask for */
	int map_fd; /* the application's XSKMAP (ours; not closed here) */
	/* cni */
	struct uds_server *srv;
	pthread_t thread;
	bool running;
	int stop_fd; /* eventfd: wakes the thread to exit */
	pthread_mutex_t lock; /* st */
	struct uds_server_stats st;
	/* pinned */
	bool pinned;
	bool mounted; /* we mounted a bpffs on the path's directory */
	/* created by us, deepest last: removed at close when empty */
	char dirs[APP_EP_MAX_DIRS][CFG_APP_PATH_LEN];
	int nr_dirs;
};

/* Opens app's endpoint for map_fd: creates the directories, the socket
 * (and its thread) or the pin. 0 or -errno with one message in err:
 * -EPERM a directory on the path is writable by others than root,
 * -EEXIST something that is not ours is at the path, -EADDRINUSE another
 * process serves it. */
int app_ep_open(struct app_ep *ep, const struct app_config *app,
		      int map_fd, char *err, size_t err_len);
/* Starts serving (cni; nothing for pinned). Separate from open because
 * capabilities are per thread: the agent starts it after dropping them. */
int app_ep_run(struct app_ep *ep, char *err, size_t err_len);
/* What the exchanges ended with (cni; zeros for pinned). */
void app_ep_stats(struct app_ep *ep, struct uds_server_stats *st);
/* Stops the thread, removes the socket or the pin, unmounts what we
 * mounted, removes the directories we created if they are empty. */
void app_ep_close(struct app_ep *ep);

#endif
