// SPDX-License-Identifier: GPL-2.0
/*
 * afxdp-app: a native AF_XDP application that runs unprivileged on a NIC
 * that afxdp-agent prepared. The agent owns the XDP program; this program
 * only gets the program's XSKMAP (from the device-plugin socket, or a pin
 * in a bpffs), opens one AF_XDP socket per queue with the program load
 * inhibited, inserts each socket into the map at key = its queue id, and
 * drops (rxdrop) or reflects (macswap) what arrives. It needs CAP_NET_RAW
 * and RLIMIT_MEMLOCK for its UMEM, nothing else (README.md says why).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "examples/afxdp-app/dp_client.h"
#include "util/parse.h"

#define MAX_QUEUES 64
#define FRAME_SIZE 2048
/*
 * Every ring has RING_SIZE entries and a queue owns exactly that many
 * frames, so a frame is always in one place (fill, rx, tx, completion or
 * the kernel) and putting it on the next ring can never find that ring
 * full: no frame is ever lost or held back by the application.
 */
#define RING_SIZE 1024
#define NUM_FRAMES RING_SIZE
#define BATCH 64
/* How long to wait for the kernel to send what macswap queued at exit. */
#define DRAIN_NS 1000000000ULL

enum mode { MODE_RXDROP, MODE_MACSWAP };

struct queue {
	uint32_t id;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	uint64_t rx_frames, tx_frames;
	uint32_t tx_pending; /* submitted, not completed yet */
};

struct app {
	const char *socket, *pinned, *ifname;
	enum mode mode;
	uint32_t duration_s;
	uint64_t count; /* 0: no limit */
	bool json;
	size_t nr;
	struct queue q[MAX_QUEUES];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: afxdp-app [--socket PATH | --pinned PATH] --ifname IF [OPTIONS]\n"
		"Receive on AF_XDP sockets in an XSKMAP that afxdp-agent hands out.\n"
		"\n"
		"  -s, --socket PATH    device-plugin socket (default: %s/IF/afxdp.sock)\n"
		"  -p, --pinned PATH    the map pinned in a bpffs instead\n"
		"  -i, --ifname IF      interface (required)\n"
		"  -q, --queue LIST     queues, e.g. 0 or 0,2-3; repeatable (default 0)\n"
		"  -m, --mode MODE      rxdrop (count, recycle) or macswap (swap the\n"
		"                       MAC addresses, send back out of the queue)\n"
		"  -d, --duration S     stop after S seconds (0: when signalled)\n"
		"  -c, --count N        stop after N received frames\n"
		"  -j, --json           final counters as one JSON line\n"
		"  -h, --help           this text\n"
		"\n"
		"Needs CAP_NET_RAW and an RLIMIT_MEMLOCK of %u KiB per queue (or\n"
		"CAP_IPC_LOCK). Exit status: 0 ok, 1 failure, 2 bad usage.\n",
		DP_DEFAULT_DIR, NUM_FRAMES * FRAME_SIZE / 1024);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "afxdp-app: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'afxdp-app --help'.\n");
	return 2;
}

static int add_queues(struct app *a, const char *list)
{
	uint32_t ids[MAX_QUEUES];
	size_t n, i, j;

	if (parse_u32_list(list, MAX_QUEUES - 1, ids, MAX_QUEUES, &n))
		return bad_usage("--queue: '%s' is not a list of queues 0-63",
				 list);
	for (i = 0; i < n; i++) {
		for (j = 0; j < a->nr; j++) {
			char id[16];

			if (a->q[j].id != ids[i])
				continue;
			snprintf(id, sizeof(id), "%u", ids[i]);
			return bad_usage("--queue: queue %s given twice", id);
		}
		if (a->nr == MAX_QUEUES)
			return bad_usage("--queue: more than 64 queues%s", "");
		a->q[a->nr++].id = ids[i];
	}
	return 0;
}

static int parse_args(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "pinned", required_argument, NULL, 'p' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "mode", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt, err;

	while ((opt = getopt_long(argc, argv, "s:p:i:q:m:d:c:jh", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			a->socket = optarg;
			break;
		case 'p':
			a->pinned = optarg;
			break;
		case 'i':
			a->ifname = optarg;
			break;
		case 'q':
			err = add_queues(a, optarg);
			if (err)
				return err;
			break;
		case 'm':
			if (!strcmp(optarg, "rxdrop"))
				a->mode = MODE_RXDROP;
			else if (!strcmp(optarg, "macswap"))
				a->mode = MODE_MACSWAP;
			else
				return bad_usage(
					"--mode: '%s' is not rxdrop or macswap",
					optarg);
			break;
		case 'd':
			if (parse_u32(optarg, 0, 86400 * 365, &a->duration_s))
				return bad_usage(
					"--duration: '%s' is not a number of seconds",
					optarg);
			break;
		case 'c':
			if (parse_u64(optarg, 1, UINT64_MAX, &a->count))
				return bad_usage(
					"--count: '%s' is not a positive number",
					optarg);
			break;
		case 'j':
			a->json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return bad_usage("bad option%s", "");
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (!a->ifname)
		return bad_usage("--ifname is required%s", "");
	if (a->socket && a->pinned)
		return bad_usage("--socket and --pinned exclude each other%s",
				 "");
	if (!if_nametoindex(a->ifname))
		return bad_usage("--ifname: no interface '%s'", a->ifname);
	if (!a->nr)
		a->nr = 1; /* queue 0 */
	return 0;
}

/* AF_XDP sockets need CAP_NET_RAW: find out before anything is set up, so
 * that the message names the cause. */
static int probe_af_xdp(void)
{
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), err = errno;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fprintf(stderr, "afxdp-app: cannot create an AF_XDP socket: %s%s\n",
		strerror(err),
		err == EPERM || err == EACCES ? ": needs CAP_NET_RAW" :
		err == EAFNOSUPPORT	      ? " (no CONFIG_XDP_SOCKETS)" :
						"");
	return -err;
}

/* Why a step of open_queue() failed, for the errors that have a fix. */
static const char *hint(int err, bool umem)
{
	if (umem)
		return err == -ENOBUFS || err == -EPERM ?
			       ": raise RLIMIT_MEMLOCK (prlimit --memlock, ulimit -l) or grant CAP_IPC_LOCK" :
			       "";
	switch (err) {
	case -EINVAL:
		return " (does the interface have this queue?)";
	case -EBUSY:
		return " (another socket is bound to this queue)";
	case -EPERM:
		return " (needs CAP_NET_RAW)";
	default:
		return "";
	}
}

static int get_map(const struct app *a)
{
	char path[108];

	if (a->pinned)
		return dp_get_map_pinned(a->pinned);
	if (a->socket)
		return dp_get_map_uds(a->socket, a->ifname);
	snprintf(path, sizeof(path), "%s/%s/afxdp.sock", DP_DEFAULT_DIR,
		 a->ifname);
	return dp_get_map_uds(path, a->ifname);
}

static int open_queue(const struct app *a, struct queue *q, int map_fd)
{
	const struct xsk_umem_config ucfg = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = FRAME_SIZE,
	};
	/* The agent owns the XDP program: libxdp must neither load one nor
	 * look for one (which would need CAP_BPF/CAP_NET_ADMIN). Copy mode,
	 * which every driver has; need_wakeup so that an idle socket costs
	 * no syscalls. */
	const struct xsk_socket_config scfg = {
		.rx_size = RING_SIZE,
		.tx_size = a->mode == MODE_MACSWAP ? RING_SIZE : 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	size_t size = (size_t)NUM_FRAMES * FRAME_SIZE;
	uint32_t i, idx;
	int err;

	q->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->area == MAP_FAILED) {
		err = -errno;
		q->area = NULL;
		fprintf(stderr, "afxdp-app: queue %u: UMEM memory: %s\n", q->id,
			strerror(-err));
		return err;
	}
	/* The kernel pins the UMEM and charges it to the user's locked
	 * memory (all its processes together): ENOBUFS past RLIMIT_MEMLOCK. */
	err = xsk_umem__create(&q->umem, q->area, size, &q->fill, &q->comp,
			       &ucfg);
	if (err) {
		fprintf(stderr,
			"afxdp-app: queue %u: UMEM registration: %s%s; this user needs %zu KiB of locked memory for %zu queue(s)\n",
			q->id, strerror(-err), hint(err, true),
			a->nr * size / 1024, a->nr);
		return err;
	}
	/* rxdrop has no tx ring: the kernel then never looks for frames to
	 * send on this socket. */
	err = xsk_socket__create(&q->xsk, a->ifname, q->id, q->umem, &q->rx,
				 a->mode == MODE_MACSWAP ? &q->tx : NULL,
				 &scfg);
	if (err) {
		fprintf(stderr, "afxdp-app: %s queue %u: AF_XDP socket: %s%s\n",
			a->ifname, q->id, strerror(-err), hint(err, false));
		return err;
	}
	if (xsk_ring_prod__reserve(&q->fill, NUM_FRAMES, &idx) != NUM_FRAMES)
		return -ENOSPC;
	for (i = 0; i < NUM_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) =
			(uint64_t)i * FRAME_SIZE;
	xsk_ring_prod__submit(&q->fill, NUM_FRAMES);
	/* Last: from here on the agent's program steers this queue's frames
	 * here instead of to the kernel. Closing the socket takes it out of
	 * the map again (the kernel does it), also when we crash. */
	err = xsk_socket__update_xskmap(q->xsk, map_fd);
	/* EPERM: a kernel before 5.19 with unprivileged_bpf_disabled
	 * refuses every bpf() call without CAP_BPF (README.md). */
	if (err)
		fprintf(stderr,
			"afxdp-app: queue %u: inserting the socket into the XSKMAP: %s%s\n",
			q->id, strerror(-err),
			err == -EPERM ?
				" (this kernel wants CAP_BPF for bpf())" :
				"");
	return err;
}

static void close_queue(struct queue *q)
{
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area)
		munmap(q->area, (size_t)NUM_FRAMES * FRAME_SIZE);
}

/* Copy mode sends only from sendmsg(); the kernel sets need_wakeup on the
 * tx ring when it wants one. Errors are transient (EAGAIN, ENOBUFS) and
 * the next kick retries. */
static void kick_tx(struct queue *q)
{
	if (q->tx_pending && xsk_ring_prod__needs_wakeup(&q->tx))
		sendto(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
}

/* Sent frames go back to the fill ring, to receive into again. */
static void complete_tx(struct queue *q)
{
	uint32_t n, i, ci, fi;

	n = xsk_ring_cons__peek(&q->comp, BATCH, &ci);
	if (!n)
		return;
	if (xsk_ring_prod__reserve(&q->fill, n, &fi) != n) {
		xsk_ring_cons__cancel(&q->comp, n);
		return;
	}
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&q->fill, fi + i) =
			*xsk_ring_cons__comp_addr(&q->comp, ci + i);
	xsk_ring_prod__submit(&q->fill, n);
	xsk_ring_cons__release(&q->comp, n);
	q->tx_frames += n;
	q->tx_pending -= n;
}

static void swap_macs(uint8_t *frame)
{
	uint8_t tmp[ETH_ALEN];

	memcpy(tmp, frame, ETH_ALEN);
	memcpy(frame, frame + ETH_ALEN, ETH_ALEN);
	memcpy(frame + ETH_ALEN, tmp, ETH_ALEN);
}

/* One batch of at most max frames; how many were received. */
static uint32_t service(struct queue *q, enum mode mode, uint32_t max)
{
	uint32_t n, i, ri, oi;
	struct xsk_ring_prod *out = mode == MODE_MACSWAP ? &q->tx : &q->fill;

	if (mode == MODE_MACSWAP)
		complete_tx(q);
	n = xsk_ring_cons__peek(&q->rx, max < BATCH ? max : BATCH, &ri);
	if (!n)
		return 0;
	/* Cannot happen with one frame per ring entry (see RING_SIZE), but
	 * if it did the frames stay on the rx ring for the next round. */
	if (xsk_ring_prod__reserve(out, n, &oi) != n) {
		xsk_ring_cons__cancel(&q->rx, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&q->rx, ri + i);

		if (mode == MODE_RXDROP) {
			*xsk_ring_prod__fill_addr(out, oi + i) = d->addr;
			continue;
		}
		if (d->len >= 2 * ETH_ALEN)
			swap_macs(xsk_umem__get_data(q->area, d->addr));
		*xsk_ring_prod__tx_desc(out, oi + i) = *d;
	}
	xsk_ring_prod__submit(out, n);
	xsk_ring_cons__release(&q->rx, n);
	q->rx_frames += n;
	if (mode == MODE_MACSWAP) {
		q->tx_pending += n;
		kick_tx(q);
	}
	return n;
}

static void run(struct app *a)
{
	uint64_t end =
		a->duration_s ? now_ns() + a->duration_s * 1000000000ULL : 0;
	uint64_t left = a->count ? a->count : UINT64_MAX;
	struct pollfd pfd[MAX_QUEUES];
	size_t i;

	for (i = 0; i < a->nr; i++)
		pfd[i] = (struct pollfd){ .fd = xsk_socket__fd(a->q[i].xsk),
					  .events = POLLIN };
	while (!stop && left && (!end || now_ns() < end)) {
		uint32_t got = 0;

		for (i = 0; i < a->nr && left; i++) {
			uint32_t n =
				service(&a->q[i], a->mode,
					left < BATCH ? (uint32_t)left : BATCH);

			got += n;
			left -= n;
		}
		/* Sleep only when idle; poll() also wakes the kernel up
		 * when the fill ring asks for it. */
		if (!got)
			poll(pfd, a->nr, 100);
	}
	/* Reflected frames still on the tx ring: let the kernel send them,
	 * so that what we report as sent has left. */
	for (uint64_t t = now_ns() + DRAIN_NS; now_ns() < t;) {
		uint32_t pending = 0;

		for (i = 0; i < a->nr; i++) {
			complete_tx(&a->q[i]);
			kick_tx(&a->q[i]);
			pending += a->q[i].tx_pending;
		}
		if (!pending)
			break;
		usleep(1000);
	}
}

static void report(const struct app *a)
{
	struct xdp_statistics sum = { 0 };
	uint64_t rx = 0, tx = 0;
	size_t i;

	for (i = 0; i < a->nr; i++) {
		struct xdp_statistics st = { 0 };
		socklen_t len = sizeof(st);

		rx += a->q[i].rx_frames;
		tx += a->q[i].tx_frames;
		if (getsockopt(xsk_socket__fd(a->q[i].xsk), SOL_XDP,
			       XDP_STATISTICS, &st, &len))
			continue;
		sum.rx_dropped += st.rx_dropped;
		sum.rx_invalid_descs += st.rx_invalid_descs;
		sum.tx_invalid_descs += st.tx_invalid_descs;
		sum.rx_ring_full += st.rx_ring_full;
		sum.rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
		sum.tx_ring_empty_descs += st.tx_ring_empty_descs;
	}
	if (a->json) {
		printf("{\"ifname\":\"%s\",\"mode\":\"%s\",\"rx\":%llu,\"tx\":%llu,\"queues\":[",
		       a->ifname, a->mode == MODE_RXDROP ? "rxdrop" : "macswap",
		       (unsigned long long)rx, (unsigned long long)tx);
		for (i = 0; i < a->nr; i++)
			printf("%s{\"queue\":%u,\"rx\":%llu,\"tx\":%llu}",
			       i ? "," : "", a->q[i].id,
			       (unsigned long long)a->q[i].rx_frames,
			       (unsigned long long)a->q[i].tx_frames);
		printf("],\"xdp_stats\":{\"rx_dropped\":%llu,\"rx_invalid_descs\":%llu,"
		       "\"tx_invalid_descs\":%llu,\"rx_ring_full\":%llu,"
		       "\"rx_fill_ring_empty_descs\":%llu,\"tx_ring_empty_descs\":%llu}}\n",
		       (unsigned long long)sum.rx_dropped,
		       (unsigned long long)sum.rx_invalid_descs,
		       (unsigned long long)sum.tx_invalid_descs,
		       (unsigned long long)sum.rx_ring_full,
		       (unsigned long long)sum.rx_fill_ring_empty_descs,
		       (unsigned long long)sum.tx_ring_empty_descs);
		return;
	}
	printf("%s %s: rx %llu tx %llu\n", a->ifname,
	       a->mode == MODE_RXDROP ? "rxdrop" : "macswap",
	       (unsigned long long)rx, (unsigned long long)tx);
	for (i = 0; i < a->nr; i++)
		printf("  queue %u: rx %llu tx %llu\n", a->q[i].id,
		       (unsigned long long)a->q[i].rx_frames,
		       (unsigned long long)a->q[i].tx_frames);
	printf("  XDP_STATISTICS: rx_dropped %llu rx_invalid_descs %llu "
	       "tx_invalid_descs %llu rx_ring_full %llu "
	       "rx_fill_ring_empty_descs %llu tx_ring_empty_descs %llu\n",
	       (unsigned long long)sum.rx_dropped,
	       (unsigned long long)sum.rx_invalid_descs,
	       (unsigned long long)sum.tx_invalid_descs,
	       (unsigned long long)sum.rx_ring_full,
	       (unsigned long long)sum.rx_fill_ring_empty_descs,
	       (unsigned long long)sum.tx_ring_empty_descs);
}

int main(int argc, char **argv)
{
	static struct app a;
	struct sigaction sa = { .sa_handler = on_signal };
	uint32_t max_entries;
	int map_fd, err = 0, ret = 1;
	size_t i;

	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret;
	ret = 1;
	if (probe_af_xdp())
		return 1;
	map_fd = get_map(&a);
	if (map_fd < 0)
		return 1;
	err = dp_check_xskmap(map_fd, &max_entries);
	if (err) {
		fprintf(stderr, "afxdp-app: the map we were given: %s\n",
			err == -EBADF ? "not an XSKMAP" : strerror(-err));
		goto out;
	}
	for (i = 0; i < a.nr; i++) {
		if (a.q[i].id >= max_entries) {
			fprintf(stderr,
				"afxdp-app: queue %u: the XSKMAP has only %u entries\n",
				a.q[i].id, max_entries);
			goto out;
		}
	}
	/* No SA_RESTART: the signal must end poll() at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (i = 0; i < a.nr && !err; i++)
		err = open_queue(&a, &a.q[i], map_fd);
	if (err)
		goto out;
	fprintf(stderr, "afxdp-app: %s: %zu socket(s) in the map, %s\n",
		a.ifname, a.nr, a.mode == MODE_RXDROP ? "rxdrop" : "macswap");
	run(&a);
	report(&a);
	ret = 0;
out:
	for (i = 0; i < a.nr; i++)
		close_queue(&a.q[i]);
	close(map_fd);
	return ret;
}
