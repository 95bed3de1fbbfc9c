// SPDX-License-Identifier: GPL-2.0
/*
 * floor_fwd: the bench's floor, the smallest honest AF_XDP forwarder one
 * writes with libxdp from its documentation: one thread, one shared UMEM,
 * one socket per port on queue 0, frames moved between the ports by
 * descriptor (no copy in user space), need_wakeup, busy polling, no
 * filter, no stats, no checksum work. The agent must beat it (issue 19:
 * >= 1.2x) for its extra machinery to be worth anything.
 *
 *   floor_fwd -i IN -o OUT [-b BATCH]
 *
 * Both directions are forwarded (IN -> OUT and OUT -> IN), so real TCP
 * runs through it too. A frame received on port P and sent on port Q comes
 * back on Q's completion ring and goes into P's fill ring; a frame that
 * finds Q's TX ring full goes straight back to P's fill ring (a drop).
 * Prints "ready" once both sockets are bound; SIGINT/SIGTERM stop it and
 * it prints its counters on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <xdp/xsk.h>

#define NUM_FRAMES 4096 /* 2048 per port: each port's fill ring holds all of its own */
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define RING_SIZE 2048

struct port {
	const char *ifname;
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx, comp;
	struct xsk_ring_prod tx, fill;
	unsigned long long rx_pkts, tx_pkts, drops;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: floor_fwd -i IN -o OUT [-b BATCH 1-%d]\n",
		RING_SIZE);
}

/* Give n frame addresses back to a port's fill ring. The ring holds every
 * frame of its port, so the reservation cannot fail. */
static void fill_put(struct port *p, const __u64 *addr, unsigned int n)
{
	__u32 idx;
	unsigned int i;

	if (!n)
		return;
	while (xsk_ring_prod__reserve(&p->fill, n, &idx) != n)
		;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&p->fill, idx + i) = addr[i];
	xsk_ring_prod__submit(&p->fill, n);
}

/* Frames sent on q are done: back to the fill ring of p, where they came
 * from (two ports: every frame sent on q was received on p). */
static void reap(struct port *q, struct port *p, unsigned int batch)
{
	__u64 addr[RING_SIZE];
	unsigned int n, i;
	__u32 idx;

	n = xsk_ring_cons__peek(&q->comp, batch, &idx);
	for (i = 0; i < n; i++)
		addr[i] = *xsk_ring_cons__comp_addr(&q->comp, idx + i);
	xsk_ring_cons__release(&q->comp, n);
	fill_put(p, addr, n);
}

static void forward(struct port *p, struct port *q, unsigned int batch)
{
	__u64 drop[RING_SIZE];
	unsigned int n, sent, i;
	__u32 rx_idx, tx_idx = 0;

	reap(q, p, batch);
	n = xsk_ring_cons__peek(&p->rx, batch, &rx_idx);
	if (!n) {
		if (xsk_ring_prod__needs_wakeup(&p->fill))
			recvfrom(xsk_socket__fd(p->xsk), NULL, 0, MSG_DONTWAIT,
				 NULL, NULL);
		return;
	}
	sent = xsk_ring_prod__reserve(&q->tx, n, &tx_idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&p->rx, rx_idx + i);

		if (i < sent) {
			struct xdp_desc *t =
				xsk_ring_prod__tx_desc(&q->tx, tx_idx + i);

			t->addr = d->addr;
			t->len = d->len;
			t->options = 0;
		} else {
			drop[i - sent] = xsk_umem__extract_addr(d->addr);
		}
	}
	xsk_ring_cons__release(&p->rx, n);
	xsk_ring_prod__submit(&q->tx, sent);
	fill_put(p, drop, n - sent);
	p->rx_pkts += n;
	q->tx_pkts += sent;
	p->drops += n - sent;
	/* Copy mode transmits only in sendto(); zero-copy asks by the flag. */
	if (sent && xsk_ring_prod__needs_wakeup(&q->tx))
		sendto(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
}

static int port_open(struct port *p, struct xsk_umem *umem, __u64 first_frame)
{
	struct xsk_socket_config cfg = {
		.rx_size = RING_SIZE,
		.tx_size = RING_SIZE,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	__u64 addr[NUM_FRAMES / 2];
	unsigned int i;
	int err;

	err = xsk_socket__create_shared(&p->xsk, p->ifname, 0, umem, &p->rx,
					&p->tx, &p->fill, &p->comp, &cfg);
	if (err) {
		fprintf(stderr, "floor_fwd: %s: AF_XDP socket: %s\n", p->ifname,
			strerror(-err));
		return err;
	}
	for (i = 0; i < NUM_FRAMES / 2; i++)
		addr[i] = (first_frame + i) * FRAME_SIZE;
	fill_put(p, addr, NUM_FRAMES / 2);
	return 0;
}

int main(int argc, char **argv)
{
	struct xsk_umem_config ucfg = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = FRAME_SIZE,
		.frame_headroom = 0,
	};
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct port port[2] = { 0 };
	struct xsk_umem *umem;
	unsigned int batch = 64;
	int opt, err, i;
	void *buf;

	while ((opt = getopt(argc, argv, "i:o:b:")) != -1) {
		switch (opt) {
		case 'i':
			port[0].ifname = optarg;
			break;
		case 'o':
			port[1].ifname = optarg;
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!port[0].ifname || !port[1].ifname || !batch ||
	    batch > RING_SIZE) {
		usage();
		return 2;
	}
	setrlimit(RLIMIT_MEMLOCK, &rl);
	buf = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("floor_fwd: mmap");
		return 1;
	}
	err = xsk_umem__create(&umem, buf, (__u64)NUM_FRAMES * FRAME_SIZE,
			       &port[0].fill, &port[0].comp, &ucfg);
	if (err) {
		fprintf(stderr, "floor_fwd: UMEM: %s\n", strerror(-err));
		return 1;
	}
	/* Port 0 uses the UMEM's own fill/completion pair, port 1 gets its
	 * own from libxdp (a shared UMEM across devices). */
	if (port_open(&port[0], umem, 0) ||
	    port_open(&port[1], umem, NUM_FRAMES / 2))
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		forward(&port[0], &port[1], batch);
		forward(&port[1], &port[0], batch);
	}
	for (i = 0; i < 2; i++) {
		fprintf(stderr, "floor_fwd: %s: rx %llu tx %llu drops %llu\n",
			port[i].ifname, port[i].rx_pkts, port[i].tx_pkts,
			port[i].drops);
		xsk_socket__delete(port[i].xsk);
	}
	xsk_umem__delete(umem);
	munmap(buf, (size_t)NUM_FRAMES * FRAME_SIZE);
	return 0;
}
