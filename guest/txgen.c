// SPDX-License-Identifier: GPL-2.0
/*
 * txgen: a UDP/IPv4 generator on AF_XDP. Every UMEM frame is written once
 * with its flow's template; sending only posts descriptors (plus a
 * timestamp when asked), so the rate is bounded by the kernel, not by us.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "guest/agent.h"
#include "guest/csum.h"
#include "guest/xsk_tx.h"
#include "util/clock.h"
#include "util/log.h"

#define HDRS_LEN (ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr))

int txgen_build_frame(const struct txgen_config *t, uint32_t flow, uint8_t *buf,
		      uint32_t len)
{
	/* Headers are built in aligned locals and copied: in the frame the
	 * IP header sits at offset 14, not 4-byte aligned. */
	struct ethhdr eth = { 0 };
	struct iphdr ip = { 0 };
	struct udphdr udp = { 0 };
	uint32_t size = t->frame_size;
	struct in_addr src, dst;

	if (size < HDRS_LEN || size > len || size > 0xffff)
		return -EINVAL;
	if (inet_pton(AF_INET, t->src_ip, &src) != 1 ||
	    inet_pton(AF_INET, t->dst_ip, &dst) != 1)
		return -EINVAL;
	memcpy(eth.h_dest, t->dst_mac, ETH_ALEN);
	memcpy(eth.h_source, t->src_mac, ETH_ALEN);
	eth.h_proto = htons(ETH_P_IP);
	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons((uint16_t)(size - ETH_HLEN));
	ip.frag_off = htons(0x4000); /* DF */
	ip.ttl = 64;
	ip.protocol = IPPROTO_UDP;
	ip.saddr = src.s_addr;
	ip.daddr = dst.s_addr;
	ip.check = (uint16_t)~csum_fold(csum_partial_sum(&ip, sizeof(ip), 0));
	udp.source = htons(
		(uint16_t)(t->src_port + flow % (t->flows ? t->flows : 1)));
	udp.dest = htons(t->dst_port);
	udp.len = htons((uint16_t)(size - ETH_HLEN - sizeof(ip)));
	udp.check = 0; /* optional for UDP over IPv4 */
	memset(buf, 0, size);
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + ETH_HLEN, &ip, sizeof(ip));
	memcpy(buf + ETH_HLEN + sizeof(ip), &udp, sizeof(udp));
	return (int)size;
}

static uint32_t send_batch(struct agent_socket *s, const struct txgen_config *t,
			   uint32_t want)
{
	uint32_t idx, n, size = t->frame_size;
	uint64_t addr = 0;

	if (want > s->pool->nr_free)
		want = s->pool->nr_free;
	n = xsk_prod_nb_free(&s->tx, want);
	if (n > want)
		n = want;
	if (!n || xsk_ring_prod__reserve(&s->tx, n, &idx) != n)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&s->tx, idx + i);

		frame_pool_get(s->pool, &addr);
		if (t->timestamp) {
			uint64_t ts = now_ns();

			memcpy((uint8_t *)xsk_umem__get_data(s->umem->area,
							     addr) +
				       HDRS_LEN,
			       &ts, sizeof(ts));
		}
		d->addr = addr;
		d->len = size;
		d->options = 0;
	}
	xsk_ring_prod__submit(&s->tx, n);
	s->outstanding_tx += n;
	add_relaxed(&s->c.tx_packets, n);
	add_relaxed(&s->c.tx_bytes, (uint64_t)n * size);
	xsk_tx_kick(s);
	return n;
}

static int write_templates(struct agent_worker *w, const struct txgen_config *t)
{
	uint32_t flow = 0;

	/* One pool per UMEM, shared by the worker's sockets on it: write
	 * each pool once. */
	for (uint32_t u = 0; u < w->agent->nr_umems; u++) {
		struct frame_pool *p = &w->pools[u];
		void *area = w->agent->umems[u].area;

		for (uint32_t j = 0; j < p->nr_free; j++) {
			int ret = txgen_build_frame(
				t, flow++,
				xsk_umem__get_data(area, p->addrs[j]),
				(uint32_t)~p->frame_mask + 1);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

void *worker_txgen_main(void *arg)
{
	struct agent_worker *w = arg;
	struct agent *a = w->agent;
	const struct txgen_config *t = &a->cfg->txgen;
	uint32_t batch = config_batch(a->cfg), next = 0, nr_tx = 0;
	uint64_t rate = t->rate_pps / a->nr_workers, start, sent = 0;
	struct agent_socket *tx[AGENT_MAX_SOCKETS];

	for (uint32_t i = 0; i < w->nr_socks; i++)
		if (w->socks[i]->can_send)
			tx[nr_tx++] = w->socks[i];

	if (t->rate_pps && !rate)
		rate = 1;
	w->error = write_templates(w, t);
	if (w->error) {
		atomic_store(&w->done, true);
		return NULL;
	}
	start = now_ns();
	while (!atomic_load_explicit(&a->stop, memory_order_relaxed) &&
	       (!w->txgen_quota || sent < w->txgen_quota)) {
		uint64_t allowed = batch;
		struct agent_socket *s;

		for (uint32_t i = 0; i < w->nr_socks; i++)
			xsk_tx_reap(w->socks[i]);
		if (rate) {
			uint64_t elapsed = now_ns() - start;
			uint64_t due = elapsed * rate / NSEC_PER_SEC + 1;

			if (due <= sent) {
				/* Sleep to the next slot; spinning would
				 * steal the CPU the forwarder needs. */
				uint64_t slot = sent * NSEC_PER_SEC / rate;
				struct timespec ts;

				if (slot > elapsed) {
					uint64_t gap = slot - elapsed;

					ts.tv_sec =
						(time_t)(gap / NSEC_PER_SEC);
					ts.tv_nsec = (long)(gap % NSEC_PER_SEC);
					nanosleep(&ts, NULL);
				}
				continue;
			}
			allowed = due - sent;
			if (allowed > batch)
				allowed = batch;
		}
		if (w->txgen_quota && allowed > w->txgen_quota - sent)
			allowed = w->txgen_quota - sent;
		s = tx[next++ % nr_tx];
		uint32_t n = send_batch(s, t, (uint32_t)allowed);

		sent += n;
		w->txgen_sent = sent;
		if (!n) {
			xsk_tx_kick(s);
			/* Ring or pool full: let the kernel catch up. */
			struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };

			poll(&pfd, 1, 1);
		}
	}
	/* Wait for the last frames to leave (bounded). */
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t outstanding = 0;

		for (uint32_t i = 0; i < w->nr_socks; i++) {
			xsk_tx_kick(w->socks[i]);
			xsk_tx_reap(w->socks[i]);
			outstanding += w->socks[i]->outstanding_tx;
		}
		if (!outstanding)
			break;
		poll(NULL, 0, 1);
	}
	for (uint32_t i = 0; i < w->nr_socks; i++)
		add_relaxed(&w->socks[i]->c.drop_teardown,
			    w->socks[i]->outstanding_tx);
	atomic_store(&w->done, true);
	return NULL;
}
