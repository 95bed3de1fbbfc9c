// SPDX-License-Identifier: GPL-2.0
/*
 * Agent set-up and teardown: checks first (nothing changed), then NIC
 * preparation, XDP attach, UMEMs, sockets and workers. Any failure undoes
 * what was done, so a refused start leaves the host as it was.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "guest/agent.h"
#include "guest/agent_takeover.h"
#include "guest/filter.h"
#include "guest/fwd_mb.h"
#include "guest/port_lock.h"
#include "util/busy_poll.h"
#include "util/log.h"
#include "util/netdev_genl.h"
#include "util/xdp_mtu.h"

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9 /* Linux >= 6.17 */
#endif

/* A socket can only send on a queue below the device's real TX queue
 * count: virtio-net with XDP keeps the extra queue pairs' TX side for
 * XDP_TX. Queues that can send go first, so every worker's first socket
 * on a port (its sending socket) can send. */
static void order_tx_first(struct agent_port *p)
{
	uint32_t txq = nic_tx_queue_count(p->ifname), out[CFG_MAX_QUEUES],
		 n = 0;

	for (uint32_t i = 0; i < p->nr_queues; i++)
		if (p->queues[i] < txq)
			out[n++] = p->queues[i];
	p->nr_tx_queues = n;
	for (uint32_t i = 0; i < p->nr_queues; i++)
		if (p->queues[i] >= txq)
			out[n++] = p->queues[i];
	memcpy(p->queues, out, n * sizeof(out[0]));
}

/* Queues to bind on a port: the configured list, or every queue. */
int agent_resolve_queues(struct agent_port *p, uint32_t channels, char *err,
			 size_t err_len)
{
	struct nic_channels ch = { 0 };
	uint32_t avail;

	if (channels) {
		avail = channels;
	} else if (!ethtool_get_channels(p->ifname, &ch)) {
		avail = ch.combined > ch.rx ? ch.combined : ch.rx;
		if (!avail)
			avail = 1;
	} else {
		avail = 1; /* no ethtool channels: a single-queue device */
	}
	if (!p->cfg->nr_queues) {
		p->nr_queues = avail < CFG_MAX_QUEUES ? avail : CFG_MAX_QUEUES;
		for (uint32_t i = 0; i < p->nr_queues; i++)
			p->queues[i] = i;
		order_tx_first(p);
		return 0;
	}
	for (size_t i = 0; i < p->cfg->nr_queues; i++) {
		if (p->cfg->queues[i] >= avail) {
			snprintf(
				err, err_len,
				"%s: queue %u does not exist (the device has %u queue%s: 0-%u)",
				p->ifname, p->cfg->queues[i], avail,
				avail == 1 ? "" : "s", avail - 1);
			return -EINVAL;
		}
		p->queues[i] = p->cfg->queues[i];
	}
	p->nr_queues = (uint32_t)p->cfg->nr_queues;
	order_tx_first(p);
	return 0;
}

static struct nic_prep_opts nic_opts(const struct agent *a,
				     const struct agent_port *p)
{
	const struct agent_config *cfg = a->cfg;

	return (struct nic_prep_opts){
		.ifname = p->ifname,
		.frame_size = cfg->frame_size,
		.channels = cfg->channels,
		.mtu = cfg->mtu,
		.disable_lro = cfg->disable_lro,
		.promisc = cfg->promisc == PROMISC_ON ||
			   (cfg->promisc == PROMISC_AUTO && cfg->mode == MODE_FWD),
		.nr_cpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN),
		.multi_buffer = cfg->multi_buffer,
		.native_only = cfg->xdp_mode == XDP_ATTACH_NATIVE,
		.zero_copy_on = cfg->zero_copy == ZC_ON,
	};
}

/* Phase 1: everything that can refuse the start, before any change. */
static int check_ports(struct agent *a, char *err, size_t err_len)
{
	struct agent_config *cfg = a->cfg;
	int ret;

	for (uint32_t i = 0; i < a->nr_ports; i++) {
		struct agent_port *p = &a->ports[i];
		struct nic_prep_opts o = nic_opts(a, p);

		p->ifindex = (int)if_nametoindex(p->ifname);
		if (!p->ifindex) {
			snprintf(err, err_len, "interface %s not found",
				 p->ifname);
			return -ENODEV;
		}
		ret = nic_check(&o, err, err_len);
		if (ret)
			return ret;
		ret = agent_resolve_queues(p, cfg->channels, err, err_len);
		if (ret)
			return ret;
		/* A takeover receives the running agent's lock. */
		p->lock_fd = a->takeover ? -1 :
					   port_lock_acquire(p->ifindex, p->ifname,
							     err, err_len);
		if (p->lock_fd < 0 && !a->takeover)
			return p->lock_fd;
		ret = xdp_check_foreign(p->ifindex, p->ifname, err, err_len);
		if (ret)
			return ret;
		netdev_get_mac(p->ifname, p->mac);
	}
	return 0;
}

static int attach_ports(struct agent *a, const char *obj,
			const struct afxdp_filter *filter, char *err,
			size_t err_len)
{
	struct agent_config *cfg = a->cfg;
	int ret;

	for (uint32_t i = 0; i < a->nr_ports; i++) {
		struct agent_port *p = &a->ports[i];
		struct nic_prep_opts o = nic_opts(a, p);
		struct xdp_attach_opts xo = {
			.ifname = p->ifname,
			.ifindex = p->ifindex,
			.object_path = obj,
			.mode = cfg->xdp_mode,
			.frags = cfg->multi_buffer,
		};

		/* A takeover changes nothing on the NIC: the running agent
		 * prepared it, and its state to restore arrives at commit. */
		ret = a->takeover ? takeover_nic(p) :
				    nic_prepare(&o, &p->nic, err, err_len);
		if (ret)
			return ret;
		xo.driver = p->nic.driver;
		if (xdp_mtu_driver_max(p->nic.driver))
			xo.mtu_advice =
				xdp_mtu_advised(cfg->frame_size, p->nic.driver);
		ret = xdp_attach_port(&xo, &p->xdp, err, err_len);
		if (ret)
			return ret;
		/* virtio-net adds a queue pair per CPU for XDP when it can, and
		 * the host spreads flows over all of them: "all" means the
		 * queues that exist now. */
		if (!p->cfg->nr_queues) {
			uint32_t before = p->nr_queues;

			agent_resolve_queues(p, 0, err, err_len);
			if (p->nr_queues != before)
				pr_info("%s: %u rx queues after XDP attach (was %u): binding all",
					p->ifname, p->nr_queues, before);
		}
		if (cfg->unmatched == AFXDP_UNMATCHED_FORWARD ||
		    cfg->fail_open == AFXDP_UNMATCHED_FORWARD) {
			int peer = a->ports[1 - i].ifindex;

			ret = xdp_set_forward(&p->xdp, peer);
			if (ret) {
				snprintf(err, err_len,
					 "%s: cannot forward unmatched frames to %s: %s",
					 p->ifname, a->ports[1 - i].ifname,
					 ret == -EOPNOTSUPP ?
						 "the XDP object has no fwd_map" :
						 strerror(-ret));
				return ret;
			}
			/* Frames forwarded inside XDP never reach the agent,
			 * so it cannot complete their checksums, and a veth
			 * takes XDP-redirected frames only when its peer runs
			 * NAPI. Neither is visible from here: say it. */
			if (!strcmp(p->nic.driver, "veth"))
				pr_warn("%s: unmatched frames are forwarded inside XDP: the veth endpoint behind %s must have GRO on (or an XDP program) to receive them, and senders must not leave checksums to the NIC (on each endpoint: ethtool -K DEV tx off gro on)",
					p->ifname, a->ports[1 - i].ifname);
		} else if (p->xdp.adopted) {
			/* An adopted program may still forward to a pair. */
			xdp_set_forward(&p->xdp, 0);
		}
		ret = xdp_set_filter(&p->xdp, filter);
		if (ret) {
			snprintf(err, err_len, "%s: cannot set the filter: %s",
				 p->ifname, strerror(-ret));
			return ret;
		}
		pr_info("%s: XDP program %s in %s mode, %s%s%s%s",
			p->ifname, p->xdp.adopted ? "adopted" : "attached",
			xdp_mode_name(p->xdp.attach_mode),
			p->xdp.multiprog ? "through the libxdp dispatcher" :
					   "as the only program",
			p->xdp.why[0] ? " (" : "", p->xdp.why,
			p->xdp.why[0] ? ")" : "");
	}
	return 0;
}

struct zc_scan {
	const struct agent *a;
	uint32_t with_zc; /* ports whose driver offers AF_XDP zero-copy */
};

static int count_zc_port(const struct netdev_xdp_info *info, void *data)
{
	struct zc_scan *scan = data;

	for (uint32_t i = 0; i < scan->a->nr_ports; i++)
		if ((uint32_t)scan->a->ports[i].ifindex == info->ifindex &&
		    info->xdp_features & XDP_ACT_XSK_ZEROCOPY)
			scan->with_zc++;
	return 0;
}

/* One UMEM for all ports lets zero-copy forward without touching the
 * frame. In copy mode the kernel copies every frame anyway, and its copy
 * out of a frame that the receive path wrote on another CPU misses the
 * cache; a UMEM per port makes our own copy take that miss once and the
 * kernel's copy then hit (bench/README.md has the numbers). */
static bool want_shared_umem(const struct agent *a, const char **why)
{
	const struct agent_config *cfg = a->cfg;
	struct zc_scan scan = { .a = a };
	int ret;

	if (a->nr_ports == 1) {
		*why = "one port";
		return true;
	}
	if (cfg->umem != UMEM_AUTO) {
		*why = "socket.umem";
		return cfg->umem == UMEM_SHARED;
	}
	if (cfg->zero_copy == ZC_OFF) {
		*why = "copy mode";
		return false;
	}
	if (cfg->zero_copy == ZC_ON) {
		*why = "zero-copy";
		return true;
	}
	ret = netdev_genl_dump(count_zc_port, &scan);
	if (ret) {
		*why = "xdp-features unknown, copy mode assumed";
		return false;
	}
	if (scan.with_zc < a->nr_ports) {
		*why = "copy mode (no zero-copy on every port)";
		return false;
	}
	*why = "zero-copy on every port";
	return true;
}

static int create_umems(struct agent *a, char *err, size_t err_len)
{
	struct agent_config *cfg = a->cfg;
	struct xsk_umem_config ucfg = {
		.fill_size = cfg->fill_size,
		.comp_size = cfg->comp_size,
		.frame_size = cfg->frame_size,
		.frame_headroom = 0,
	};
	const char *why = "";
	bool one = want_shared_umem(a, &why);
	int ret;

	a->nr_umems = one ? 1 : a->nr_ports;
	for (uint32_t u = 0; u < a->nr_umems; u++)
		a->umems[u].memfd = -1;
	for (uint32_t i = 0; i < a->nr_ports; i++)
		a->ports[i].umem = &a->umems[one ? 0 : i];
	/* A takeover checks the layout before it maps anything. */
	if (a->takeover) {
		ret = takeover_check_layout(a, err, err_len);
		if (ret)
			return ret;
	}
	pr_info("UMEM: %s (%s)", one ? "shared" : "one per port", why);
	for (uint32_t u = 0; u < a->nr_umems; u++) {
		struct agent_umem *um = &a->umems[u];

		um->size = (uint64_t)a->nr_workers * cfg->nr_frames *
			   cfg->frame_size;
		if (a->takeover) {
			ret = takeover_umem(a, um, u, err, err_len);
			if (ret)
				return ret;
			continue; /* registered with the first socket already */
		} else {
			um->memfd = memfd_create("afxdp-umem", MFD_CLOEXEC);
			if (um->memfd >= 0 &&
			    ftruncate(um->memfd, (off_t)um->size))
				um->area = MAP_FAILED;
			else
				um->area = mmap(NULL, um->size,
						PROT_READ | PROT_WRITE,
						MAP_SHARED | MAP_POPULATE,
						um->memfd, 0);
		}
		if (um->memfd < 0 || um->area == MAP_FAILED) {
			um->area = NULL;
			ret = -errno;
			snprintf(err, err_len,
				 "cannot map %llu bytes of UMEM: %s",
				 (unsigned long long)um->size, strerror(errno));
			return ret;
		}
		ret = xsk_umem__create(&um->umem, um->area, um->size, &um->fill,
				       &um->comp, &ucfg);
		if (ret) {
			snprintf(err, err_len, "cannot register UMEM: %s",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Copy-mode transmit sends at most this many frames per kick (the kernel
 * default is 32); one kick per batch instead of several costs less. */
static void set_tx_budget(const struct agent_config *cfg,
			  const struct agent_socket *s)
{
	static bool told;
	int budget = (int)(cfg->tx_budget ? cfg->tx_budget : cfg->tx_size);

	if (!setsockopt(s->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
			sizeof(budget))) {
		if (!told)
			pr_info("copy-mode transmit: up to %d frames per kick",
				budget);
	} else if (cfg->tx_budget) {
		pr_warn("%s queue %u: socket.tx_budget %d not applied: %s%s",
			s->port->ifname, s->queue_id, budget, strerror(errno),
			errno == ENOPROTOOPT ? " (needs Linux >= 6.17)" : "");
	} else if (!told) {
		pr_info("copy-mode transmit: %d frames per kick (%s)",
			CFG_MIN_TX_BUDGET,
			errno == ENOPROTOOPT ?
				"the kernel has no XDP_MAX_TX_SKB_BUDGET, Linux >= 6.17" :
				strerror(errno));
	}
	told = true;
}

static int bind_socket(struct agent *a, struct agent_socket *s, char *err,
		       size_t err_len)
{
	struct agent_config *cfg = a->cfg;
	struct agent_port *p = s->port;
	struct agent_umem *um = p->umem;
	struct xsk_socket_config xcfg = {
		.rx_size = cfg->rx_size,
		.tx_size = cfg->tx_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = p->xdp.attach_mode == 2 /* XDP_MODE_SKB */ ?
				     XDP_FLAGS_SKB_MODE :
				     XDP_FLAGS_DRV_MODE,
	};
	bool first = !um->rings_taken;
	bool try_zc = cfg->zero_copy != ZC_OFF;
	struct xdp_options opts = { 0 };
	socklen_t optlen = sizeof(opts);
	uint32_t delay_ms = 50;
	int ret;

	s->fill = first ? &um->fill : &s->fill_own;
	s->comp = first ? &um->comp : &s->comp_own;
	for (uint32_t attempt = 0;; attempt++) {
		xcfg.bind_flags = XDP_USE_NEED_WAKEUP |
				  (try_zc ? XDP_ZEROCOPY : XDP_COPY) |
				  (cfg->multi_buffer ? XDP_USE_SG : 0);
		ret = xsk_socket__create_shared(&s->xsk, p->ifname, s->queue_id,
						um->umem, &s->rx, &s->tx,
						s->fill, s->comp, &xcfg);
		if (!ret)
			break;
		if (ret == -EBUSY && attempt < cfg->bind_retries) {
			/* The previous owner's socket is still being torn
			 * down (restart after a crash): back off. */
			pr_info("%s queue %u busy, retrying in %u ms",
				p->ifname, s->queue_id, delay_ms);
			poll(NULL, 0, (int)delay_ms);
			delay_ms *= 2;
			continue;
		}
		if (try_zc && cfg->zero_copy == ZC_AUTO && ret != -EBUSY) {
			pr_info("%s queue %u: zero-copy not available (%s), using copy mode",
				p->ifname, s->queue_id, strerror(-ret));
			try_zc = false;
			continue;
		}
		snprintf(
			err, err_len,
			"%s queue %u: cannot create the AF_XDP socket (%s mode%s): %s%s",
			p->ifname, s->queue_id, try_zc ? "zero-copy" : "copy",
			cfg->multi_buffer ? ", multi-buffer" : "",
			strerror(-ret),
			ret == -EBUSY ?
				" (another AF_XDP socket is bound to this queue)" :
			ret == -EOPNOTSUPP && try_zc && cfg->multi_buffer ?
				" (the driver has no zero-copy multi-buffer: use socket.zero_copy: auto or off, or no socket.multi_buffer)" :
			ret == -EOPNOTSUPP && try_zc ?
				" (the driver has no zero-copy: use socket.zero_copy: auto or off)" :
			ret == -EINVAL && cfg->multi_buffer ?
				" (socket.multi_buffer: the kernel does not know XDP_USE_SG, Linux >= 6.6 needed)" :
				"");
		s->xsk = NULL;
		return ret;
	}
	um->rings_taken = true;
	s->multi_buffer = cfg->multi_buffer;
	s->fd = xsk_socket__fd(s->xsk);
	if (!getsockopt(s->fd, SOL_XDP, XDP_OPTIONS, &opts, &optlen))
		s->zero_copy = opts.flags & XDP_OPTIONS_ZEROCOPY;
	if (!s->zero_copy)
		set_tx_budget(cfg, s);
	if (cfg->busy_poll) {
		int one = 1, usecs = (int)cfg->busy_poll_usecs,
		    budget = (int)cfg->busy_poll_budget;

		if (setsockopt(s->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one,
			       sizeof(one)) ||
		    setsockopt(s->fd, SOL_SOCKET, SO_BUSY_POLL, &usecs,
			       sizeof(usecs)) ||
		    setsockopt(s->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
			       sizeof(budget)))
			pr_warn("%s queue %u: busy poll not available: %s",
				p->ifname, s->queue_id, strerror(errno));
	}
	pr_info("%s queue %u: AF_XDP socket in %s mode%s", p->ifname,
		s->queue_id, s->zero_copy ? "zero-copy" : "copy",
		s->multi_buffer ? ", multi-buffer" : "");
	return 0;
}

static uint32_t umem_index(const struct agent *a, const struct agent_umem *u)
{
	return (uint32_t)(u - a->umems);
}

/* Sockets: port p queue index i belongs to worker i % nr_workers. */
static int create_sockets(struct agent *a, char *err, size_t err_len)
{
	struct agent_config *cfg = a->cfg;
	int ret;

	for (uint32_t pi = 0; pi < a->nr_ports; pi++) {
		struct agent_port *p = &a->ports[pi];

		for (uint32_t qi = 0; qi < p->nr_queues; qi++) {
			struct agent_worker *w =
				&a->workers[qi % a->nr_workers];
			struct agent_socket *s = &a->socks[a->nr_socks];

			s->port = p;
			s->queue_id = p->queues[qi];
			s->umem = p->umem;
			s->pool = &w->pools[umem_index(a, p->umem)];
			s->can_send = qi < p->nr_tx_queues;
			s->fd = -1;
			a->nr_socks++;
			ret = a->takeover ? takeover_socket(a, s, err, err_len) :
					    bind_socket(a, s, err, err_len);
			if (ret)
				return ret;
			w->socks[w->nr_socks++] = s;
		}
	}
	/* Peers: fwd sends to the worker's first socket on the other port;
	 * macswap reflects on the same socket. */
	for (uint32_t wi = 0; wi < a->nr_workers; wi++) {
		struct agent_worker *w = &a->workers[wi];
		struct agent_socket *first[2] = { NULL, NULL };

		for (uint32_t i = 0; i < w->nr_socks; i++) {
			uint32_t port =
				(uint32_t)(w->socks[i]->port - a->ports);

			if (port < 2 && !first[port])
				first[port] = w->socks[i];
		}
		for (uint32_t i = 0; i < w->nr_socks; i++) {
			struct agent_socket *s = w->socks[i];
			uint32_t port = (uint32_t)(s->port - a->ports);

			/* fwd: out of the other port; macswap: back out of
			 * this port, through its sending socket. */
			s->peer = cfg->mode == MODE_FWD	    ? first[!port] :
				  cfg->mode == MODE_MACSWAP ? first[port] :
							      s;
		}
	}
	return 0;
}

static bool bound_here(const struct agent_port *p, uint32_t q)
{
	for (uint32_t i = 0; i < p->nr_queues; i++)
		if (p->queues[i] == q)
			return true;
	return false;
}

/* Sockets into xsks_map, from this moment frames reach them. An adopted
 * program may name sockets of queues this agent does not bind (a closed
 * socket leaves the map by itself, a handed-over one does not): removed. */
int agent_publish_sockets(struct agent *a, char *err, size_t err_len)
{
	int ret;

	for (uint32_t i = 0; i < a->nr_socks; i++) {
		struct agent_socket *s = &a->socks[i];

		/* Taken over: the socket is in xsks_map already. */
		if (s->taken)
			continue;
		ret = xdp_set_socket(&s->port->xdp, s->queue_id, s->fd);
		if (ret) {
			snprintf(err, err_len,
				 "%s queue %u: cannot add the socket to xsks_map: %s",
				 s->port->ifname, s->queue_id, strerror(-ret));
			return ret;
		}
	}
	for (uint32_t pi = 0; pi < a->nr_ports; pi++) {
		struct agent_port *p = &a->ports[pi];

		if (!p->xdp.adopted)
			continue;
		for (uint32_t q = 0; q < AFXDP_MAX_QUEUES; q++)
			if (!bound_here(p, q))
				xdp_set_socket(&p->xdp, q, -1);
	}
	return 0;
}

static int create_workers(struct agent *a, char *err, size_t err_len)
{
	struct agent_config *cfg = a->cfg;
	uint32_t w, lo = UINT32_MAX, hi = 0;
	int ret;

	for (uint32_t i = 0; i < a->nr_ports; i++) {
		struct agent_port *p = &a->ports[i];

		if (cfg->mode != MODE_RXDROP && !p->nr_tx_queues) {
			snprintf(
				err, err_len,
				"%s: none of the bound queues can transmit (the device has %u TX queues)",
				p->ifname, nic_tx_queue_count(p->ifname));
			return -EINVAL;
		}
		if (p->nr_tx_queues < lo)
			lo = p->nr_tx_queues;
		if (p->nr_queues > hi)
			hi = p->nr_queues;
	}
	/* Every worker that sends needs a socket that can send on each port
	 * it sends to; rxdrop only receives. */
	w = cfg->mode == MODE_RXDROP ? hi : lo;
	if (cfg->nr_workers && cfg->nr_workers < w)
		w = cfg->nr_workers;
	a->nr_workers = w;
	a->workers = calloc(w, sizeof(*a->workers));
	if (!a->workers)
		return -ENOMEM;
	ret = create_umems(a, err, err_len);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < w; i++) {
		struct agent_worker *wk = &a->workers[i];

		wk->agent = a;
		wk->id = i;
		wk->cpu = cfg->nr_cpus ? (int)cfg->cpus[i % cfg->nr_cpus] : -1;
		for (uint32_t u = 0; u < a->nr_umems; u++) {
			ret = frame_pool_init(&wk->pools[u],
					      (uint64_t)i * cfg->nr_frames,
					      cfg->nr_frames, cfg->frame_size);
			if (ret) {
				snprintf(err, err_len,
					 "cannot allocate frame pools");
				return ret;
			}
		}
	}
	if (cfg->mode == MODE_TXGEN && cfg->txgen.count) {
		for (uint32_t i = 0; i < w; i++)
			a->workers[i].txgen_quota =
				cfg->txgen.count / w +
				(i < cfg->txgen.count % w ? 1 : 0);
	}
	return 0;
}

static int setup(struct agent *a, struct agent_config *cfg,
		 struct handover_in *in, char *err, size_t err_len)
{
	struct afxdp_filter filter;
	char obj[512];
	int ret;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->takeover = in;
	a->nr_ports = (uint32_t)cfg->nr_ports;
	for (uint32_t i = 0; i < a->nr_ports; i++) {
		a->ports[i].cfg = &cfg->ports[i];
		a->ports[i].lock_fd = -1;
		snprintf(a->ports[i].ifname, sizeof(a->ports[i].ifname), "%s",
			 cfg->ports[i].ifname);
	}
	if (cfg->mode == MODE_NONE)
		return 0; /* only applications (guest/apps.c) */
	/* txgen steers nothing unless asked: its sockets only send. */
	if (cfg->mode == MODE_TXGEN && !cfg->nr_filter_rules) {
		memset(&filter, 0, sizeof(filter));
	} else {
		ret = filter_compile(cfg->filter_rules, cfg->nr_filter_rules,
				     &filter, err, err_len);
		if (ret)
			return ret;
	}
	filter.unmatched = cfg->unmatched;
	filter.fail_open = cfg->fail_open;
	ret = xdp_find_object(cfg->bpf_object, obj, sizeof(obj));
	if (ret) {
		snprintf(
			err, err_len,
			"BPF object %s not found (set xdp.object or AFXDP_BPF_DIR)",
			cfg->bpf_object[0] ? cfg->bpf_object :
					     "afxdp_steer.bpf.o");
		return -ENOENT;
	}
	ret = check_ports(a, err, err_len);
	if (!ret)
		ret = attach_ports(a, obj, &filter, err, err_len);
	if (!ret)
		ret = create_workers(a, err, err_len);
	if (!ret)
		ret = create_sockets(a, err, err_len);
	if (ret) {
		a->setup_failed = true;
		(void)agent_teardown(a);
	}
	return ret;
}

int agent_setup(struct agent *a, struct agent_config *cfg, char *err,
		size_t err_len)
{
	return setup(a, cfg, NULL, err, err_len);
}

int agent_setup_takeover(struct agent *a, struct agent_config *cfg,
			 struct handover_in *in, char *err, size_t err_len)
{
	return setup(a, cfg, in, err, err_len);
}

/* The CPU in the thread's attributes: it starts there, never first on
 * the creating thread's CPU (which a handover's restart would wait for). */
static void pin_attr(const struct agent_worker *w, pthread_attr_t *attr)
{
	cpu_set_t set;

	if (w->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (pthread_attr_setaffinity_np(attr, sizeof(set), &set))
		pr_warn("worker %u: cannot pin to CPU %d", w->id, w->cpu);
}

/* The sockets go into xsks_map once every worker runs and has filled its
 * fill rings: a frame redirected to a socket from then on finds a buffer
 * and a worker, however long the start took (a restart under a steady
 * stream lost frames while the sockets waited, published, for workers
 * that were not started yet). txgen only sends: published first. */
static int publish_when_ready(struct agent *a)
{
	char err[256];
	int ret;

	for (int ms = 0; ms < 2000; ms++) {
		uint32_t ready = 0;

		for (uint32_t i = 0; i < a->nr_workers; i++)
			ready += atomic_load(&a->workers[i].ready);
		if (ready == a->nr_workers)
			break;
		poll(NULL, 0, 1);
	}
	ret = agent_publish_sockets(a, err, sizeof(err));
	if (ret)
		pr_err("%s", err);
	return ret;
}

int agent_spawn_workers(struct agent *a)
{
	void *(*fn)(void *) = a->cfg->mode == MODE_TXGEN ? worker_txgen_main :
							   worker_fwd_main;
	int ret;

	if (a->cfg->mode == MODE_TXGEN && a->nr_socks) {
		char err[256];

		ret = agent_publish_sockets(a, err, sizeof(err));
		if (ret) {
			pr_err("%s", err);
			return ret;
		}
	}
	if (a->nr_workers && !a->has_stop_fd) {
		a->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (a->stop_fd < 0)
			return -errno;
		a->has_stop_fd = true;
	} else if (a->has_stop_fd) {
		eventfd_t v;

		(void)eventfd_read(a->stop_fd, &v); /* a stop before resuming */
	}
	for (uint32_t i = 0; i < a->nr_workers; i++) {
		struct agent_worker *w = &a->workers[i];

		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pin_attr(w, &attr);
		ret = pthread_create(&w->thread, &attr, fn, w);
		pthread_attr_destroy(&attr);
		if (ret == EINVAL && w->cpu >= 0) {
			/* A CPU outside our cpuset: unpinned, as before. */
			pr_warn("worker %u: cannot pin to CPU %d", w->id,
				w->cpu);
			ret = pthread_create(&w->thread, NULL, fn, w);
		}
		if (ret) {
			agent_stop_workers(a);
			return -ret;
		}
		w->started = true;
	}
	return 0;
}

int agent_publish_when_ready(struct agent *a)
{
	int ret;

	if (a->cfg->mode == MODE_TXGEN || !a->nr_socks)
		return 0;
	ret = publish_when_ready(a);
	if (ret)
		agent_stop_workers(a);
	return ret;
}

int agent_start_workers(struct agent *a)
{
	int ret = agent_spawn_workers(a);

	return ret ? ret : agent_publish_when_ready(a);
}

bool agent_workers_done(const struct agent *a)
{
	for (uint32_t i = 0; i < a->nr_workers; i++)
		if (!atomic_load(&a->workers[i].done))
			return false;
	return a->nr_workers > 0;
}

void agent_stop_workers(struct agent *a)
{
	atomic_store(&a->stop, true);
	if (a->has_stop_fd)
		(void)eventfd_write(a->stop_fd, 1);
	for (uint32_t i = 0; i < a->nr_workers; i++) {
		if (a->workers[i].started)
			pthread_join(a->workers[i].thread, NULL);
		a->workers[i].started = false;
		atomic_store(&a->workers[i].ready, false);
	}
}

/* After the last zero-copy socket of a queue closes, the kernel releases
 * the queue's buffer pool from a work item (xp_release_deferred), and the
 * driver can only drop a queue's pool while the queue exists. virtio-net
 * removes the extra XDP queue pairs when the program is detached: detach
 * before the pools are gone and those queues keep pointers to freed pools,
 * which the next XDP attach dereferences (a NULL-pointer oops in
 * xp_alloc_batch, seen with 7.3 in a TCG guest). So: sockets first, then
 * time for the deferred release, then the program. */
#define ZC_RELEASE_GRACE_MS 200

int agent_teardown(struct agent *a)
{
	bool zero_copy = false;
	int ret = 0;

	agent_stop_workers(a);
	/* Closing a socket removes it from xsks_map first, so frames that
	 * still match are passed to the kernel, never to a closed socket. */
	for (uint32_t i = 0; i < a->nr_socks; i++) {
		struct agent_socket *s = &a->socks[i];

		zero_copy |= s->zero_copy;
		if (s->xsk)
			xsk_socket__delete(s->xsk);
		if (s->taken) {
			xsk_rings_unmap(&s->rings);
			close(s->fd);
		}
		s->xsk = NULL;
		s->taken = false;
		s->fd = -1;
	}
	for (uint32_t u = 0; u < a->nr_umems; u++) {
		struct agent_umem *um = &a->umems[u];

		if (um->umem)
			xsk_umem__delete(um->umem);
		if (um->area)
			munmap(um->area, um->size);
		if (um->memfd >= 0)
			close(um->memfd);
		um->umem = NULL;
		um->area = NULL;
		um->memfd = -1;
	}
	/* Handed over: the sockets live on in the next agent; the program,
	 * the NIC settings and the lock files are its to keep. */
	if (a->handed_over)
		a->keep_program = true;
	if (zero_copy && !a->keep_program) {
		struct timespec grace = { 0, ZC_RELEASE_GRACE_MS * 1000000L };

		nanosleep(&grace, NULL);
	}
	for (uint32_t i = 0; i < a->nr_ports; i++) {
		struct agent_port *p = &a->ports[i];
		int err;

		if (p->xdp.prog && (a->keep_program ||
				    (a->setup_failed && p->xdp.adopted))) {
			if (a->handed_over)
				pr_info("%s: handed over: the XDP program (id %u) stays with the next agent",
					p->ifname, xdp_program__id(p->xdp.prog));
			else if (a->keep_program)
				pr_info("%s: xdp.fail_open forward: the XDP program stays attached (id %u), frames it would give the agent go to the paired port inside the kernel until the next agent adopts it; NIC settings left as they are",
					p->ifname, xdp_program__id(p->xdp.prog));
			else
				pr_info("%s: the adopted XDP program stays attached as it was found",
					p->ifname);
			p->kept = true;
			xdp_release(&p->xdp);
			continue;
		}
		err = xdp_detach(&p->xdp);
		if (err) {
			pr_err("%s: cannot detach our XDP program: %s",
			       p->ifname, strerror(-err));
			ret = ret ? ret : err;
		}
	}
	for (uint32_t i = 0; i < a->nr_workers; i++)
		for (uint32_t u = 0; u < AGENT_MAX_UMEMS; u++)
			frame_pool_free_all(&a->workers[i].pools[u]);
	free(a->workers);
	a->workers = NULL;
	a->nr_workers = 0;
	if (a->has_stop_fd)
		close(a->stop_fd);
	a->has_stop_fd = false;
	for (uint32_t i = 0; i < a->nr_ports; i++) {
		if (!a->ports[i].kept)
			nic_restore(&a->ports[i].nic);
		port_lock_release(a->ports[i].lock_fd, a->ports[i].ifindex);
		a->ports[i].lock_fd = -1;
	}
	return ret;
}

/* fail_open forward: the sockets leave xsks_map first, so new frames take
 * the fail-open path from now on; what the kernel already queued for them
 * (within the NAPI run in progress) arrives in a moment, and the workers'
 * drain forwards it before they stop. Nothing in between is lost. */
#define UNPUBLISH_SETTLE_MS 10

void agent_stop_serving(struct agent *a)
{
	if (a->keep_program) {
		struct timespec settle = { 0, UNPUBLISH_SETTLE_MS * 1000000L };

		for (uint32_t i = 0; i < a->nr_socks; i++)
			xdp_set_socket(&a->socks[i].port->xdp,
				       a->socks[i].queue_id, -1);
		nanosleep(&settle, NULL);
	}
	agent_stop_workers(a);
}

void agent_snapshot(const struct agent *a, struct port_snapshot *ports,
		    struct queue_snapshot *queues)
{
	for (uint32_t i = 0; i < a->nr_ports; i++) {
		const struct agent_port *p = &a->ports[i];
		struct port_snapshot *ps = &ports[i];
		bool up = false, running = false;

		memset(ps, 0, sizeof(*ps));
		snprintf(ps->ifname, sizeof(ps->ifname), "%s", p->ifname);
		ps->xdp_mode = xdp_mode_name(p->xdp.attach_mode);
		ps->multiprog = p->xdp.multiprog;
		if (p->xdp.prog)
			xdp_read_counters(&p->xdp, ps->prog);
		netdev_is_up(p->ifname, &up, &running);
		ps->link_up = up && running;
	}
	for (uint32_t i = 0; i < a->nr_socks; i++) {
		const struct agent_socket *s = &a->socks[i];
		struct queue_snapshot *q = &queues[i];
		socklen_t len = sizeof(q->xs);
		const uint64_t *src = (const uint64_t *)&s->c;
		uint64_t *dst = (uint64_t *)&q->c;

		memset(q, 0, sizeof(*q));
		snprintf(q->ifname, sizeof(q->ifname), "%s", s->port->ifname);
		q->queue = s->queue_id;
		q->zero_copy = s->zero_copy;
		for (size_t k = 0; k < sizeof(s->c) / sizeof(uint64_t); k++)
			dst[k] = load_relaxed(&src[k]);
		q->xs_valid =
			s->fd >= 0 && !getsockopt(s->fd, SOL_XDP, XDP_STATISTICS,
					      &q->xs, &len);
	}
}
