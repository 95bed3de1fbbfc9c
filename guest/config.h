/* SPDX-License-Identifier: GPL-2.0 */
/*
 * afxdp-agent configuration: defaults, the YAML file (libyaml) and the
 * "key=value" overrides that command-line options map onto. One struct,
 * filled in that order, then validated once.
 */
#ifndef AGENT_CONFIG_H
#define AGENT_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/afxdp_steer.h"

/* AF_XDP multi-buffer: at most MAX_SKB_FRAGS (17) + 1 descriptors per
 * frame (the kernel's xdp_zc_max_segs for copy mode). */
#define CFG_MB_MAX_BUFS 18
#define CFG_MAX_PORTS 8
#define CFG_MAX_QUEUES 64
#define CFG_MAX_CPUS 256
#define CFG_ERR_LEN 256
/* Workers keep polling at most this long after their last frame before
 * they sleep in poll(), where the next frame waits for a wake-up (10s to
 * 100s of us in a VM) ... */
#define CFG_DEFAULT_IDLE_SPIN_US 2000
/* ... and only while frames arrive less than this far apart on average
 * (guest/idle.c), i.e. from about 20 kpps. Sparser traffic sleeps at once,
 * so CPU follows the load: on veth in a VM, 1 kpps with a wake-up per
 * frame cost 3-4% of a core and kept the added p99 near 120 us, where
 * polling through the gaps took the whole core (bench/README.md). */
#define CFG_DEFAULT_SPIN_GAP_US 50
/* Off by default: between 1/coalesce and 1/spin_gap frames a second the
 * worker may nap this long on a timer instead of waking for each frame,
 * and take what arrived in one pass, each frame waiting at most a nap.
 * It pays only when the nap is several frame gaps long: on this VM a
 * timer wake-up cost 23-34 us of CPU against 8.5 us for a poll()
 * wake-up, so at 10 kpps naps of 200 us took 11.4% of a core against
 * 8.5% without, naps of 1 ms 3.4% for +590 us of latency (bench/README). */
#define CFG_DEFAULT_COALESCE_US 0
/* socket.batch unset: up to this many descriptors per ring and pass when
 * forwarding, at most the smallest ring. Each pass ends in one TX kick (a
 * sendto() in copy mode), so larger passes spread it over more frames: on
 * veth, 449 ns of CPU per frame at 256 against 522 at 64 in the same
 * rounds (bench/README.md), as VPP's 256-frame vectors. A pass only takes
 * what has arrived, so a larger cap changes nothing below saturation. */
#define CFG_DEFAULT_FWD_BATCH 256
/* ... and per burst in txgen mode, as before: the tests' and the bench's
 * traffic keeps its shape (larger bursts were not measured; a veth peer's
 * XDP ring holds 256 frames for all the sockets sending into it). */
#define CFG_DEFAULT_TXGEN_BATCH 64
/* The kernel's copy-mode TX batch (TX_BATCH_SIZE), the least budget. */
#define CFG_MIN_TX_BUDGET 32

/* none: no workers of its own, only the applications' interfaces (apps). */
enum agent_mode {
	MODE_FWD = 0,
	MODE_MACSWAP,
	MODE_RXDROP,
	MODE_TXGEN,
	MODE_NONE,
};
enum cfg_xdp_mode { XDP_ATTACH_AUTO = 0, XDP_ATTACH_NATIVE, XDP_ATTACH_SKB };
enum zc_mode { ZC_AUTO = 0, ZC_ON, ZC_OFF };
/* auto: shared where every port has zero-copy, per-port otherwise. */
enum umem_mode { UMEM_AUTO = 0, UMEM_SHARED, UMEM_PER_PORT };
enum stats_format { STATS_TEXT = 0, STATS_JSON, STATS_NONE };
/* auto: on in fwd mode, where frames are addressed to other hosts. */
enum promisc_mode { PROMISC_AUTO = 0, PROMISC_ON, PROMISC_OFF };

struct port_config {
	char ifname[IF_NAMESIZE];
	uint32_t queues[CFG_MAX_QUEUES]; /* rx queue ids to bind */
	size_t nr_queues; /* 0: every combined channel the NIC has */
	bool rewrite_src_mac,
		rewrite_dst_mac; /* fwd: on frames sent out here */
	uint8_t src_mac[6], dst_mac[6];
};

/* Applications that adopt AF_XDP on an interface the agent prepared
 * (docs/adoption.md): the agent owns the XDP program and hands each
 * application its own XSKMAP, on its queues, for the frames its filter
 * selects; the rest of those queues' frames go to the kernel. */
#define CFG_MAX_APPS AFXDP_MAX_APPS
#define CFG_APP_NAME_LEN 32 /* [A-Za-z0-9_.-], NUL included */
#define CFG_MAX_APP_IDS 16
#define CFG_APP_PATH_LEN 108 /* sun_path */
/* DPDK 24.11's defaults for use_cni / use_pinned_map without dp_path. */
#define CFG_APP_CNI_PATH_FMT "/tmp/afxdp_dp/%s/afxdp.sock"
#define CFG_APP_PINNED_PATH_FMT "/tmp/afxdp_dp/%s/xsks_map"

/* cni: the device-plugin protocol on a UNIX socket (DPDK use_cni=1,
 * native apps); pinned: the XSKMAP pinned in a BPF filesystem (DPDK
 * use_pinned_map=1). */
enum app_endpoint { APP_ENDPOINT_CNI = 0, APP_ENDPOINT_PINNED };

struct app_config {
	char name[CFG_APP_NAME_LEN];
	char ifname[IF_NAMESIZE];
	uint32_t queues[CFG_MAX_QUEUES];
	size_t nr_queues; /* 0: every combined channel the NIC has */
	char *filter_rules[AFXDP_MAX_RULES]; /* guest/filter.h; owned */
	size_t nr_filter_rules; /* 0: "all" */
	uint32_t uids[CFG_MAX_APP_IDS]; /* SO_PEERCRED uid allowed */
	size_t nr_uids;
	uint32_t gids[CFG_MAX_APP_IDS]; /* or gid allowed */
	size_t nr_gids;
	enum app_endpoint endpoint;
	char path[CFG_APP_PATH_LEN]; /* empty: the DPDK default for ifname */
};

/* Under /run: a tmpfs, so no socket outlives a reboot; the directory of
 * the per-port locks, which the unit's RuntimeDirectory= creates for the
 * agent's user and removes at stop; not /tmp, which the unit makes
 * private (PrivateTmp=) and where any user may create names. */
#define CFG_CTL_SOCKET_DEFAULT "/run/afxdp-agent/afxdp-agent.ctl"

struct txgen_config {
	uint32_t frame_size; /* bytes on the wire without FCS, 60..frame */
	uint64_t rate_pps; /* 0: as fast as possible */
	uint64_t count; /* 0: until stopped */
	uint8_t src_mac[6], dst_mac[6];
	char src_ip[16], dst_ip[16]; /* dotted IPv4 */
	uint16_t src_port, dst_port;
	uint32_t flows; /* source ports cycled: src_port .. src_port+flows-1 */
	bool timestamp; /* write a CLOCK_MONOTONIC ns stamp into the payload */
};

struct agent_config {
	enum agent_mode mode;
	struct port_config ports[CFG_MAX_PORTS];
	size_t nr_ports; /* fwd: exactly 2; other modes: >= 1 */

	/* XDP program */
	enum cfg_xdp_mode xdp_mode;
	char bpf_object[256]; /* empty: afxdp_steer.bpf.o from the BPF dir */
	char *filter_rules[AFXDP_MAX_RULES]; /* strings, see guest/filter.h */
	size_t nr_filter_rules; /* 0 means "all" */
	enum afxdp_unmatched unmatched; /* frames no rule matches */
	/* Matched frames while no agent serves their queue (a restart):
	 * KERNEL, or FORWARD to the paired port; with FORWARD a plain exit
	 * leaves the program attached for the next agent to adopt. */
	enum afxdp_unmatched fail_open;

	/* AF_XDP sockets and UMEM */
	enum zc_mode zero_copy;
	uint32_t frame_size; /* 2048 or 4096 */
	uint32_t nr_frames; /* per worker */
	uint32_t rx_size, tx_size, fill_size, comp_size;
	uint32_t batch_size; /* 0: unset, see config_batch() */
	enum umem_mode umem; /* one UMEM for all ports, or one per port */
	uint32_t tx_budget; /* copy-mode frames sent per kick; 0: tx_size */
	bool busy_poll;
	/* Frames larger than a UMEM frame (jumbo): the program loaded with
	 * XDP frags, the sockets bound with XDP_USE_SG, a frame spread over
	 * several descriptors (guest/fwd_mb.c). */
	bool multi_buffer;
	uint32_t busy_poll_budget;
	uint32_t busy_poll_usecs;
	uint32_t poll_timeout_ms; /* idle wait in poll(); 0: busy spin */
	uint32_t idle_spin_us; /* keep polling this long before sleeping */
	uint32_t spin_gap_us; /* ... only while frames come this close */
	uint32_t coalesce_us; /* nap this long while frames come this close */

	/* Threads */
	uint32_t cpus[CFG_MAX_CPUS]; /* worker i is pinned to cpus[i % n] */
	size_t nr_cpus; /* 0: no pinning */
	uint32_t nr_workers; /* 0: one per queue (pair) */

	/* NIC preparation */
	uint32_t channels; /* 0: leave as is */
	uint32_t mtu; /* 0: leave as is */
	bool disable_lro; /* turn off LRO/GRO_HW when XDP needs it */
	enum promisc_mode promisc;

	/* Stats */
	uint32_t stats_interval_ms; /* 0: only the final report */
	enum stats_format stats_format;
	char prometheus_listen[64]; /* "127.0.0.1:9100"; empty: off */

	/* Process */
	char log_file[256]; /* empty: stderr */
	int log_level;
	uint32_t duration_s; /* 0: until signalled */
	uint32_t bind_retries; /* EBUSY retries with backoff */
	char run_user[32]; /* drop to this user after setup; empty: stay */
	/* Control socket (afxdp-agent ctl); empty: none. */
	char ctl_socket[CFG_APP_PATH_LEN];

	struct txgen_config txgen;

	struct app_config apps[CFG_MAX_APPS];
	size_t nr_apps;
};

void config_init(struct agent_config *cfg);
void config_free(struct agent_config *cfg);
/* Parse a YAML file into cfg (on top of what it holds). On error returns
 * -errno and writes one message naming the file, line and key into err. */
int config_load_file(struct agent_config *cfg, const char *path, char *err,
		     size_t err_len);
int config_load_string(struct agent_config *cfg, const char *yaml, char *err,
		       size_t err_len);
/* One override in the file's key syntax, e.g. "socket.frame_size=2048",
 * "ports=veth0,veth1" or "filter=udp dport 4000". -EINVAL + err on error. */
int config_set(struct agent_config *cfg, const char *key, const char *value,
	       char *err, size_t err_len);
/* Cross-field checks once everything is set. */
int config_validate(const struct agent_config *cfg, char *err, size_t err_len);
/* The descriptors per pass the workers use: socket.batch, or when unset
 * CFG_DEFAULT_FWD_BATCH (CFG_DEFAULT_TXGEN_BATCH in txgen mode) capped at
 * the smallest ring. */
uint32_t config_batch(const struct agent_config *cfg);

const char *config_mode_name(enum agent_mode mode);
/* The name of value v of an enum key ("xdp.unmatched", 0: "kernel"), or
 * "?" when key is not an enum or v not one of its values. */
const char *config_enum_name(const char *key, int v);

/* The endpoint path of an application: its own, or DPDK's default for its
 * endpoint kind and interface. */
void config_app_path(const struct app_config *app, char *buf, size_t len);
/* Claims that cannot live together: the same interface and queue claimed
 * twice (by two applications, or an application and a forwarding port; a
 * queue set "all" overlaps every other claim on its interface), two
 * applications with one name or one endpoint path. 0, or -EINVAL with one
 * message naming both claims. */
int config_check_claims(const struct agent_config *cfg, char *err,
			size_t err_len);

/* A command-line option that sets one key, declared in the key table
 * (guest/options.c builds the agent's command line from these). */
struct config_option {
	const char *key; /* the key it sets */
	const char *name; /* long option, without "--" */
	int short_opt; /* 'm', or 0 for none */
	const char *metavar; /* "N"; NULL: a flag, sets the key to "true" */
	const char *help; /* one line */
	const char *const *choices; /* enum keys: NULL-terminated values */
};

/* The i-th key (from 0, in table order) that has an option: 0, or -ENOENT
 * past the last one. */
int config_option(size_t i, struct config_option *opt);

#endif
