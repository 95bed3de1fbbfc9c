// SPDX-License-Identifier: GPL-2.0
/*
 * Set-up from a handed-over data path (guest/agent_takeover.h). Which fd
 * is which follows from the layout, which both agents build the same way
 * (handover_layout()): UMEMs in index order, then sockets in a->socks
 * order, then one lock per port.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_xdp.h>

#include "guest/agent.h"
#include "guest/agent_takeover.h"
#include "util/clock.h"
#include "util/ethtool.h"
#include "util/log.h"

int takeover_nic(struct agent_port *p)
{
	struct nic_driver drv;

	memset(&p->nic, 0, sizeof(p->nic));
	snprintf(p->nic.ifname, sizeof(p->nic.ifname), "%s", p->ifname);
	if (!ethtool_get_driver(p->ifname, &drv))
		snprintf(p->nic.driver, sizeof(p->nic.driver), "%s",
			 drv.driver);
	return 0;
}

int takeover_fd(struct agent *a, size_t i)
{
	struct handover_in *in = a->takeover;
	int fd;

	if (i >= in->nr_fds)
		return -1;
	fd = in->fds[i];
	in->fds[i] = -1; /* ours now: closed by teardown */
	return fd;
}

int takeover_umem(struct agent *a, struct agent_umem *um, uint32_t u, char *err,
		  size_t err_len)
{
	struct stat st;

	um->memfd = takeover_fd(a, u);
	if (um->memfd < 0 || fstat(um->memfd, &st) ||
	    (uint64_t)st.st_size != um->size) {
		snprintf(
			err, err_len,
			"handover: UMEM %u is not the %llu bytes this configuration needs",
			u, (unsigned long long)um->size);
		return -ESTALE;
	}
	/* MAP_POPULATE: the page tables now, in the preparation (at low
	 * priority, guest/main.c), not as faults in the first moments of
	 * our workers, which would fall behind the rings (measured: ~5000
	 * frames lost per handover at 390 kpps without it). */
	um->area = mmap(NULL, um->size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_POPULATE, um->memfd, 0);
	if (um->area == MAP_FAILED) {
		um->area = NULL;
		snprintf(err, err_len, "cannot map the handed-over UMEM: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int takeover_check_layout(struct agent *a, char *err, size_t err_len)
{
	char mine[HANDOVER_LAYOUT_MAX];
	size_t want;
	int ret;

	ret = handover_layout(a, a->takeover->version, mine, sizeof(mine));
	if (ret < 0) {
		snprintf(err, err_len, "handover: layout too large");
		return -ESTALE;
	}
	ret = handover_layout_compare(mine, a->takeover->layout, err, err_len);
	if (ret)
		return ret;
	want = handover_nr_fds(a->nr_umems, 0, 0);
	for (uint32_t i = 0; i < a->nr_ports; i++)
		want += a->ports[i].nr_queues;
	want += a->nr_ports;
	if (a->takeover->nr_fds != want) {
		snprintf(
			err, err_len,
			"handover: %zu file descriptors received, %zu expected",
			a->takeover->nr_fds, want);
		return -EPROTO;
	}
	for (uint32_t i = 0; i < a->nr_ports; i++)
		a->ports[i].lock_fd = takeover_fd(a, want - a->nr_ports + i);
	return 0;
}

int takeover_socket(struct agent *a, struct agent_socket *s, char *err,
		    size_t err_len)
{
	const struct agent_config *cfg = a->cfg;
	struct xsk_rings_sizes sz = { cfg->rx_size, cfg->tx_size,
				      cfg->fill_size, cfg->comp_size };
	struct xdp_options opts = { 0 };
	socklen_t optlen = sizeof(opts);
	int ret;

	s->fd = takeover_fd(a, a->nr_umems + (size_t)(s - a->socks));
	if (s->fd < 0) {
		snprintf(err, err_len, "handover: no socket for %s queue %u",
			 s->port->ifname, s->queue_id);
		return -EPROTO;
	}
	ret = xsk_rings_map(s->fd, &sz, &s->rings);
	if (ret) {
		snprintf(
			err, err_len,
			"%s queue %u: cannot map the rings of the handed-over socket: %s%s",
			s->port->ifname, s->queue_id, strerror(-ret),
			ret == -EBUSY ?
				" (this kernel maps the rings of unbound sockets only)" :
				"");
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	s->taken = true;
	s->rx = s->rings.rx;
	s->tx = s->rings.tx;
	s->fill_own = s->rings.fill;
	s->comp_own = s->rings.comp;
	s->fill = &s->fill_own;
	s->comp = &s->comp_own;
	if (!getsockopt(s->fd, SOL_XDP, XDP_OPTIONS, &opts, &optlen))
		s->zero_copy = opts.flags & XDP_OPTIONS_ZEROCOPY;
	pr_info("%s queue %u: AF_XDP socket taken over in %s mode",
		s->port->ifname, s->queue_id,
		s->zero_copy ? "zero-copy" : "copy");
	return 0;
}

int agent_takeover_state(struct agent *a, const void *buf, size_t len,
			 char *err, size_t err_len)
{
	struct handover_state shape = {
		.version = a->takeover->version,
		.nr_workers = a->nr_workers,
		.nr_umems = a->nr_umems,
		.nr_socks = a->nr_socks,
		.nr_ports = a->nr_ports,
		.nr_frames = a->cfg->nr_frames,
		.frame_size = a->cfg->frame_size,
	};
	struct handover_state st;
	int ret;

	ret = handover_state_parse(buf, len, &shape, &st, err, err_len);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < a->nr_ports; i++)
		a->ports[i].nic = st.nic[i];
	/* Version 1 says nothing of the past: counted from here. */
	a->handovers = st.handovers + 1;
	a->dp_since_ns = st.version >= 2 && st.dp_since_ns &&
					 st.dp_since_ns <= now_ns() ?
				 st.dp_since_ns :
				 now_ns();
	/* The rings were mapped at prepare; the previous agent forwarded
	 * until commit: where it stopped is in the shared indices. */
	for (uint32_t i = 0; i < a->nr_socks; i++) {
		struct agent_socket *s = &a->socks[i];

		s->outstanding_tx = st.outstanding[i];
		if (st.version >= 2)
			s->c = st.counters[i];
		xsk_ring_cons_sync(&s->rx);
		xsk_ring_prod_sync(&s->tx);
		xsk_ring_prod_sync(s->fill);
		xsk_ring_cons_sync(s->comp);
	}
	for (uint32_t w = 0; w < a->nr_workers; w++)
		for (uint32_t u = 0; u < a->nr_umems; u++) {
			struct frame_pool *p = &a->workers[w].pools[u];
			const struct handover_pool *h =
				&st.pools[w * a->nr_umems + u];

			memcpy(p->addrs, h->addrs,
			       h->nr_free * sizeof(uint64_t));
			p->nr_free = h->nr_free;
		}
	handover_state_free(&st);
	return 0;
}

uint32_t agent_rx_waiting(const struct agent *a, uint32_t *fullest_pct)
{
	uint32_t total = 0, pct = 0;

	for (uint32_t i = 0; i < a->nr_socks; i++) {
		const struct xsk_ring_cons *r = &a->socks[i].rx;
		uint32_t n, p;

		if (!r->producer || !r->size)
			continue;
		n = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE) -
		    __atomic_load_n(r->consumer, __ATOMIC_RELAXED);
		p = (uint32_t)((uint64_t)n * 100 / r->size);
		total += n;
		if (p > pct)
			pct = p;
	}
	*fullest_pct = pct;
	return total;
}

void agent_stop_for_handover(struct agent *a)
{
	atomic_store(&a->no_drain, true);
	agent_stop_workers(a);
}

int agent_resume_workers(struct agent *a)
{
	atomic_store(&a->no_drain, false);
	atomic_store(&a->stop, false);
	return agent_start_workers(a);
}
