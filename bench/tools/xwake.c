// SPDX-License-Identifier: GPL-2.0
/*
 * xwake: how long this machine takes to wake a thread sleeping in poll()
 * on one CPU from another CPU, the wake-up a forwarder that sleeps
 * between frames pays for each frame: the receive path runs on the CPU
 * the frame came in on, the forwarder's thread sleeps on its own, and
 * its transmit wakes the receiver back on the first CPU. cyclictest
 * measures a thread woken by its own CPU's timer, with no
 * inter-processor interrupt.
 *
 * Three threads, the forwarding path with nothing forwarded: a sender
 * pinned on FROM wakes every 1/RATE s on an absolute timer and writes
 * the time (CLOCK_MONOTONIC) into pipe A; a relay pinned on TO sleeps in
 * poll() on A, records how late it ran (one way) and writes the same
 * time into pipe B; a receiver on FROM sleeps in poll() on B and records
 * the whole trip (relay). The relay's trip less a same-CPU wake-up is
 * what a forwarder that sleeps between frames adds at the least. 1 us
 * buckets up to 20 ms; prints one JSON line.
 *
 *   xwake [-r RATE] [-d SECONDS] [-f FROM_CPU] [-t TO_CPU]
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HIST_US 20000

struct hist {
	uint64_t count[HIST_US + 1];
	uint64_t samples, max_ns;
};

struct hop {
	int cpu;
	int in_fd; /* sleep in poll() on this pipe */
	int out_fd; /* pass the time stamp on, or -1 */
	struct hist *h;
	int err;
};

static struct hist oneway, relay;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void hist_add(struct hist *h, uint64_t d)
{
	if (d > h->max_ns)
		h->max_ns = d;
	h->count[d / 1000 < HIST_US ? d / 1000 : HIST_US]++;
	h->samples++;
}

static uint64_t percentile(const struct hist *h, double q)
{
	uint64_t want = (uint64_t)((double)h->samples * q), sum = 0;

	for (uint32_t us = 0; us <= HIST_US; us++) {
		sum += h->count[us];
		if (sum && sum >= want)
			return us;
	}
	return HIST_US;
}

/* One hop: poll() until a time stamp arrives, record how old it is when
 * this thread runs, pass it on; end of file ends the hop (and closes its
 * output, which ends the next). A hop that fails closes its input too:
 * the writer before it gets EPIPE instead of blocking on a full pipe. */
static void *hop_main(void *arg)
{
	struct hop *h = arg;
	struct pollfd pfd = { .fd = h->in_fd, .events = POLLIN };
	uint64_t sent;
	ssize_t n;

	h->err = pin(h->cpu);
	while (!h->err) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno != EINTR)
				h->err = -errno;
			continue;
		}
		n = read(h->in_fd, &sent, sizeof(sent));
		if (n == 0)
			break;
		if (n != sizeof(sent)) {
			h->err = -EIO;
			break;
		}
		hist_add(h->h, now_ns() - sent);
		if (h->out_fd >= 0 &&
		    write(h->out_fd, &sent, sizeof(sent)) != sizeof(sent))
			h->err = -errno;
	}
	if (h->out_fd >= 0)
		close(h->out_fd);
	if (h->err)
		close(h->in_fd);
	return NULL;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < min || *out > max ? -1 : 0;
}

static void print_hist(const char *name, const struct hist *h)
{
	printf("\"%s_p50_us\":%llu,\"%s_p99_us\":%llu,\"%s_max_us\":%llu", name,
	       (unsigned long long)percentile(h, 0.5), name,
	       (unsigned long long)percentile(h, 0.99), name,
	       (unsigned long long)(h->max_ns / 1000));
}

int main(int argc, char **argv)
{
	long rate = 1000, seconds = 5, from = 0, to = 1, v;
	int a[2], b[2], c;
	struct hop hops[2];
	pthread_t thr[2];
	struct timespec next;

	while ((c = getopt(argc, argv, "r:d:f:t:")) != -1) {
		if (!optarg || parse_long(optarg, c == 'f' || c == 't' ? 0 : 1,
					  c == 'r' ? 100000 : 3600, &v)) {
			fprintf(stderr,
				"usage: xwake [-r RATE 1-100000] [-d SECONDS] [-f FROM_CPU] [-t TO_CPU]\n");
			return 2;
		}
		if (c == 'r')
			rate = v;
		else if (c == 'd')
			seconds = v;
		else if (c == 'f')
			from = v;
		else
			to = v;
	}
	if (optind != argc || from == to) {
		fprintf(stderr, "xwake: FROM and TO must be two CPUs\n");
		return 2;
	}
	/* A failed hop shows as EPIPE on write, not as a signal. */
	signal(SIGPIPE, SIG_IGN);
	if (pipe(a) || pipe(b) || pin((int)from)) {
		fprintf(stderr, "xwake: pipes or CPU %ld: %s\n", from,
			strerror(errno));
		return 1;
	}
	hops[0] = (struct hop){ .cpu = (int)to, .in_fd = a[0],
				.out_fd = b[1], .h = &oneway };
	hops[1] = (struct hop){ .cpu = (int)from, .in_fd = b[0],
				.out_fd = -1, .h = &relay };
	for (int i = 0; i < 2; i++) {
		if (pthread_create(&thr[i], NULL, hop_main, &hops[i])) {
			fprintf(stderr, "xwake: no thread\n");
			return 1;
		}
	}
	/* Let both reach their poll() before the first wake-up. */
	usleep(100000);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < rate * seconds; i++) {
		uint64_t t;

		next.tv_nsec += 1000000000L / rate;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		t = now_ns();
		if (write(a[1], &t, sizeof(t)) != sizeof(t))
			break;
	}
	close(a[1]);
	for (int i = 0; i < 2; i++)
		pthread_join(thr[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (hops[i].err || !hops[i].h->samples) {
			fprintf(stderr, "xwake: hop %d failed: %s\n", i,
				hops[i].err ? strerror(-hops[i].err) :
					      "no samples");
			return 1;
		}
	}
	printf("{\"samples\":%llu,", (unsigned long long)relay.samples);
	print_hist("oneway", &oneway);
	putchar(',');
	print_hist("relay", &relay);
	printf("}\n");
	return 0;
}
