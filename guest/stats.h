/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stats: per port and queue counters, the XDP program's counters and the
 * modes obtained, rendered as text, JSON (json-c) or Prometheus text.
 * The data path only increments struct xsk_counters (owned by one worker,
 * read with relaxed loads by the stats thread); everything here runs off
 * the hot path.
 */
#ifndef AGENT_STATS_H
#define AGENT_STATS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_xdp.h>

#include "bpf/afxdp_steer.h"
#include "guest/config.h"
#include "guest/uds_server.h"

struct json_object;

/* Written only by the worker that owns the socket. */
struct xsk_counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes; /* submitted to the TX ring */
	uint64_t tx_completed; /* came back on the completion ring */
	uint64_t drop_tx_ring_full; /* received, no room to send: recycled */
	uint64_t drop_no_frame; /* copy mode between UMEMs found no frame */
	uint64_t drop_teardown; /* submitted (in tx_packets), never completed */
	uint64_t fill_starved; /* times the fill ring could not be topped up */
	uint64_t kicks; /* sendto() wakeups */
	uint64_t csum_fixed; /* partial TCP/UDP checksums completed (csum.h) */
};

struct queue_snapshot {
	char ifname[IF_NAMESIZE];
	uint32_t queue;
	bool zero_copy;
	struct xsk_counters c;
	struct xdp_statistics xs; /* XDP_STATISTICS getsockopt */
	bool xs_valid;
};

struct port_snapshot {
	char ifname[IF_NAMESIZE];
	const char *xdp_mode; /* "native", "skb", "none" */
	bool multiprog; /* attached through the libxdp dispatcher */
	uint64_t prog[AFXDP_CNT_MAX]; /* summed over CPUs */
	bool link_up;
};

/* One application claim (guest/apps.c): its frames in afxdp_steer and how
 * its endpoint's exchanges ended. */
struct app_snapshot {
	char name[CFG_APP_NAME_LEN];
	char ifname[IF_NAMESIZE];
	const char *endpoint; /* "cni", "pinned" */
	char path[CFG_APP_PATH_LEN];
	uint32_t queues[CFG_MAX_QUEUES];
	uint32_t nr_queues;
	uint64_t prog[AFXDP_CNT_MAX];
	struct uds_server_stats ex;
};

struct stats_report {
	double uptime_s;
	/* Since the first agent set the data path up: uptime_s unless it
	 * was handed over (then counters count from there too). */
	double data_path_s;
	uint32_t handovers; /* this data path went through */
	double interval_s; /* time since the previous report; 0 on the first */
	const char *mode; /* "fwd", "macswap", ... */
	bool final; /* the report printed at exit */
	struct port_snapshot *ports;
	size_t nr_ports;
	struct queue_snapshot *queues; /* current */
	struct queue_snapshot
		*prev; /* previous report's, same order, or NULL */
	size_t nr_queues;
	const struct app_snapshot *apps;
	size_t nr_apps;
};

/* Totals over all queues. */
void stats_sum(const struct stats_report *r, struct xsk_counters *sum);
/* Received but never submitted (TX ring full, no frame): rx == tx + drops
 * is the invariant the tests reconcile; tx - tx_completed (drop_teardown
 * at exit) were submitted and never confirmed by the kernel. */
uint64_t stats_drops(const struct xsk_counters *c);
/* XDP_STATISTICS summed over the sockets that have them. */
void stats_xs_sum(const struct stats_report *r, struct xdp_statistics *sum);

/* Frames lost on the agent's sockets, the agent's drops beside the
 * kernel's. The kernel counts a frame it redirected to a socket and could
 * not deliver in rx_dropped (no fill frame, or too large for one) or
 * rx_ring_full (no room in the RX ring), and a TX descriptor it refused in
 * tx_invalid_descs; these are disjoint from each other and from the
 * agent's drops, so they add up. rx_fill_ring_empty_descs counts failed
 * fill-ring reads, which in copy mode are the rx_dropped frames again and
 * in zero-copy mode are driver allocation attempts, not frames: shown
 * beside (fill_empty), never added. drop_teardown (submitted, never
 * confirmed) may have been sent and is not counted as lost. */
struct stats_loss {
	uint64_t agent; /* stats_drops() */
	uint64_t rx_dropped, rx_ring_full, tx_invalid;
	uint64_t fill_empty;
	uint64_t lost; /* agent + rx_dropped + rx_ring_full + tx_invalid */
};
/* xs may be NULL (socket without XDP_STATISTICS). */
void stats_loss(const struct xsk_counters *c, const struct xdp_statistics *xs,
		struct stats_loss *out);

/* Human text: a block per report, one line per queue. The text and
 * Prometheus renderers return the length written, or -ENOSPC when buf is
 * too small (buf then holds only whole lines). */
int stats_format_text(const struct stats_report *r, char *buf, size_t len);
/* One JSON object (the caller puts it on one line). */
struct json_object *stats_to_json(const struct stats_report *r);
/* Prometheus text exposition format 0.0.4. */
int stats_format_prometheus(const struct stats_report *r, char *buf,
			    size_t len);

/* Prometheus endpoint: a thread serving the latest rendering on
 * GET /metrics. listen is "host:port"; default host 127.0.0.1. Port 0 binds
 * an ephemeral port (tests); prom_server_port() tells which. */
struct prom_server;
int prom_server_start(const char *listen, struct prom_server **out);
int prom_server_port(const struct prom_server *srv);
void prom_server_publish(struct prom_server *srv, const char *text);
void prom_server_stop(struct prom_server *srv);

#endif
