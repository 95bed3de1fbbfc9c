// SPDX-License-Identifier: GPL-2.0
/*
 * livegen: the benchmark's traffic generator. Runs redirect.bpf.o with
 * BPF_PROG_RUN + BPF_F_TEST_XDP_LIVE_FRAMES, which sends one 64-byte
 * UDP/IPv4 frame template out of IF (through a DEVMAP) as fast as the
 * kernel can: no skb, no socket, no copy to user space. One thread per
 * CPU in the list, each pinned. Prints one JSON line when it stops.
 *
 *   livegen -o redirect.bpf.o -i IF [-d SECONDS] [-C CPUS] [-D DST_MAC]
 *           [-S SRC_MAC] [-p DST_PORT] [-l LEN]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_THREADS 8
/* Frames per BPF_PROG_RUN call: ~50-100 ms at the rates seen here, so a
 * stop request is noticed quickly. */
#define REPEAT (1U << 20)

struct gen_opts {
	int prog_fd;
	int cpu;
	const uint8_t *frame;
	uint32_t len;
	uint64_t sent;
	int err;
};

static atomic_bool stop;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, true);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ?
		       0 :
		       -EINVAL;
}

static uint16_t ip_csum(const void *p, size_t len)
{
	const uint16_t *w = p;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A UDP/IPv4 frame 10.77.0.1:9 -> 10.78.0.1:PORT, LEN bytes (no FCS). */
static void build_frame(uint8_t *buf, uint32_t len, const uint8_t *dst,
			const uint8_t *src, uint16_t port)
{
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(buf, 0, len);
	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(len - ETH_HLEN));
	ip->saddr = htonl(0x0a4d0001);
	ip->daddr = htonl(0x0a4e0001);
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(9);
	udp->dest = htons(port);
	udp->len = htons((uint16_t)(len - ETH_HLEN - sizeof(*ip)));
}

static void *gen_thread(void *arg)
{
	struct gen_opts *g = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(g->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		g->err = -errno;
		return NULL;
	}
	while (!atomic_load(&stop)) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = g->frame,
			    .data_size_in = g->len, .repeat = REPEAT,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(g->prog_fd, &o)) {
			g->err = -errno;
			break;
		}
		g->sent += REPEAT;
	}
	return NULL;
}

static int parse_cpus(const char *s, int *cpus)
{
	int n = 0;
	char *end;

	while (*s && n < MAX_THREADS) {
		long c = strtol(s, &end, 10);

		if (end == s || c < 0 || c >= CPU_SETSIZE)
			return -EINVAL;
		cpus[n++] = (int)c;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -EINVAL;
	}
	return n;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: livegen -o OBJ -i IF [-d SECONDS] [-C CPU,CPU] [-D DST_MAC] [-S SRC_MAC] [-p PORT] [-l LEN]\n");
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *ifname = NULL, *cpu_list = "0";
	uint8_t dst[ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };
	uint8_t src[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
	uint8_t frame[1514];
	struct gen_opts g[MAX_THREADS] = {};
	pthread_t th[MAX_THREADS];
	double duration = 10, t0, t1;
	unsigned long port = 4000, len = 64;
	uint64_t sent = 0;
	int cpus[MAX_THREADS], ncpu, opt, err = 0, map_fd;
	uint32_t key = 0, ifindex;
	struct bpf_object *obj;
	struct bpf_program *prog;

	while ((opt = getopt(argc, argv, "o:i:d:C:D:S:p:l:h")) != -1) {
		switch (opt) {
		case 'o':
			obj_path = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'C':
			cpu_list = optarg;
			break;
		case 'D':
			if (parse_mac(optarg, dst))
				return usage(), 2;
			break;
		case 'S':
			if (parse_mac(optarg, src))
				return usage(), 2;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			len = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	ncpu = parse_cpus(cpu_list, cpus);
	if (!obj_path || !ifname || ncpu <= 0 || !port || port > 65535 ||
	    len < 60 || len > sizeof(frame) || duration <= 0) {
		usage();
		return 2;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "livegen: no interface %s\n", ifname);
		return 2;
	}
	build_frame(frame, (uint32_t)len, dst, src, (uint16_t)port);

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "livegen: cannot load %s: %s\n", obj_path,
			strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "redirect");
	map_fd = bpf_object__find_map_fd_by_name(obj, "tx_port");
	if (!prog || map_fd < 0 ||
	    bpf_map_update_elem(map_fd, &key, &ifindex, BPF_ANY)) {
		fprintf(stderr, "livegen: devmap setup: %s\n", strerror(errno));
		bpf_object__close(obj);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_s();
	for (int i = 0; i < ncpu; i++) {
		g[i] = (struct gen_opts){ .prog_fd = bpf_program__fd(prog),
					  .cpu = cpus[i],
					  .frame = frame,
					  .len = (uint32_t)len };
		if (pthread_create(&th[i], NULL, gen_thread, &g[i])) {
			atomic_store(&stop, true);
			ncpu = i;
			err = 1;
			break;
		}
	}
	while (!atomic_load(&stop) && now_s() - t0 < duration)
		usleep(10000);
	atomic_store(&stop, true);
	for (int i = 0; i < ncpu; i++) {
		pthread_join(th[i], NULL);
		sent += g[i].sent;
		if (g[i].err) {
			fprintf(stderr, "livegen: thread on CPU %d: %s\n",
				g[i].cpu, strerror(-g[i].err));
			err = 1;
		}
	}
	t1 = now_s();
	printf("{\"offered\":%llu,\"seconds\":%.3f,\"mpps\":%.3f,\"threads\":%d}\n",
	       (unsigned long long)sent, t1 - t0,
	       (double)sent / (t1 - t0) / 1e6, ncpu);
	bpf_object__close(obj);
	return err;
}
