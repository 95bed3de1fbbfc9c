// SPDX-License-Identifier: GPL-2.0
/*
 * pktsink: an independent receiver for tests and benchmarks. Counts the
 * UDP/IPv4 frames to one destination port seen on an interface (AF_PACKET,
 * so it sees exactly what the kernel received) and, when the sender put a
 * CLOCK_MONOTONIC timestamp at the start of the UDP payload (afxdp-agent
 * txgen --timestamp), the one-way latency. Prints one JSON line.
 *
 *   pktsink -i IF -p PORT [-n FRAMES] [-t SECONDS] [-r READY_FILE]
 *           [-L LATENCY_FILE]
 *
 * -L writes each frame's latency (ns) in arrival order, one per line:
 * whether a tail is a few slow moments or one frame in a hundred.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>

#define MAX_SAMPLES (1 << 22)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *ready = NULL, *lat_file = NULL;
	unsigned long want = 0, port = 0;
	double timeout = 10, idle = 0;
	uint64_t frames = 0, bytes = 0, nlat = 0, *lat, deadline, last = 0,
		 prev = 0, gap_max = 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, opt, rcvbuf = 64 << 20;

	while ((opt = getopt(argc, argv, "i:p:n:t:r:I:L:")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			want = strtoul(optarg, NULL, 0);
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'I':
			idle = atof(optarg);
			break;
		case 'r':
			ready = optarg;
			break;
		case 'L':
			lat_file = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: pktsink -i IF -p PORT [-n N] [-t S] [-I IDLE_S] [-r FILE] [-L FILE]\n");
			return 2;
		}
	}
	if (!ifname || !port || port > 65535) {
		fprintf(stderr,
			"pktsink: -i IF and -p PORT (1-65535) are required\n");
		return 2;
	}
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "pktsink: no interface %s\n", ifname);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("pktsink: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	lat = calloc(MAX_SAMPLES, sizeof(*lat));
	if (!lat)
		return 1;
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	deadline = now_ns() + (uint64_t)(timeout * 1e9);
	while ((!want || frames < want) && now_ns() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint8_t buf[2048];
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (idle && last && now_ns() - last > (uint64_t)(idle * 1e9))
			break;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < (ssize_t)(ETH_HLEN + sizeof(struct iphdr) +
				  sizeof(struct udphdr)))
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN);
		struct udphdr *udp =
			(struct udphdr *)((uint8_t *)ip + ip->ihl * 4);

		if (ip->protocol != IPPROTO_UDP || ntohs(udp->dest) != port)
			continue;
		frames++;
		bytes += (uint64_t)n;
		prev = last;
		last = now_ns();
		/* The longest silence between two counted frames: what a
		 * restart costs the stream, seen from the receiver. */
		if (prev && last - prev > gap_max)
			gap_max = last - prev;
		if ((uint8_t *)(udp + 1) + 8 <= buf + n && nlat < MAX_SAMPLES) {
			uint64_t ts;

			memcpy(&ts, udp + 1, sizeof(ts));
			if (ts && ts <= last && last - ts < 10000000000ULL)
				lat[nlat++] = last - ts;
		}
	}
	if (lat_file) {
		FILE *f = fopen(lat_file, "w");

		if (!f) {
			perror("pktsink: latency file");
			return 1;
		}
		for (uint64_t i = 0; i < nlat; i++)
			fprintf(f, "%llu\n", (unsigned long long)lat[i]);
		fclose(f);
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("{\"frames\":%llu,\"bytes\":%llu,\"gap_max_us\":%.1f,"
	       "\"latency_samples\":%llu",
	       (unsigned long long)frames, (unsigned long long)bytes,
	       gap_max / 1e3, (unsigned long long)nlat);
	if (nlat)
		printf(",\"lat_min_us\":%.1f,\"lat_p50_us\":%.1f,\"lat_p99_us\":%.1f,\"lat_max_us\":%.1f",
		       lat[0] / 1e3, lat[nlat / 2] / 1e3,
		       lat[(nlat * 99) / 100] / 1e3, lat[nlat - 1] / 1e3);
	printf("}\n");
	free(lat);
	close(fd);
	return 0;
}
