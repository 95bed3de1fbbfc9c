// SPDX-License-Identifier: GPL-2.0
/* guest/handover_state.c: the layout both agents compare, and the state a
 * handover passes in a memfd, written by one agent and parsed by the next
 * as outside input: every refusal of a state that would corrupt the pools
 * (a frame of another worker, a frame twice, a cut or padded blob), in
 * both versions a running agent speaks (2 adds the statistics). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/agent.h"

#define FRAMES 8
#define FSIZE 2048

struct fix {
	struct agent_config cfg;
	struct agent a;
	struct agent_worker w[2];
	char err[256];
};

/* Two workers, two ports with a UMEM each, a queue each: 2 sockets. */
static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->cfg.mode = MODE_FWD;
	f->cfg.nr_frames = FRAMES;
	f->cfg.frame_size = FSIZE;
	f->cfg.rx_size = f->cfg.tx_size = f->cfg.fill_size = f->cfg.comp_size =
		64;
	f->a.cfg = &f->cfg;
	f->a.nr_ports = 2;
	f->a.nr_umems = 2;
	f->a.nr_workers = 2;
	f->a.workers = f->w;
	for (int i = 0; i < 2; i++) {
		struct agent_port *p = &f->a.ports[i];

		snprintf(p->ifname, sizeof(p->ifname), "eth%d", i);
		p->ifindex = 10 + i;
		p->umem = &f->a.umems[i];
		p->nr_queues = 1;
		p->nic.mtu = 1500 + (uint32_t)i;
		snprintf(p->nic.driver, sizeof(p->nic.driver), "virtio_net");
		f->a.socks[i].port = p;
		f->a.socks[i].outstanding_tx = 3u + (uint32_t)i;
		f->a.socks[i].c.rx_packets = 1000u + (uint64_t)i;
		f->a.socks[i].c.csum_fixed = 7u + (uint64_t)i;
	}
	f->a.handovers = 41;
	f->a.dp_since_ns = 123456789;
	f->a.nr_socks = 2;
	for (uint32_t w = 0; w < 2; w++)
		for (uint32_t u = 0; u < 2; u++)
			assert_int_equal(frame_pool_init(&f->w[w].pools[u],
							 w * FRAMES, FRAMES,
							 FSIZE),
					 0);
	/* Some frames in the kernel's hands: not free. */
	f->w[0].pools[0].nr_free = 5;
	f->w[1].pools[1].nr_free = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	for (int w = 0; w < 2; w++)
		for (int u = 0; u < 2; u++)
			frame_pool_free_all(&f->w[w].pools[u]);
	free(f);
	return 0;
}

static const struct handover_state *shape_v(const struct fix *f, uint32_t v)
{
	static struct handover_state s;

	memset(&s, 0, sizeof(s));
	s.version = v;
	s.nr_workers = f->a.nr_workers;
	s.nr_umems = f->a.nr_umems;
	s.nr_socks = f->a.nr_socks;
	s.nr_ports = f->a.nr_ports;
	s.nr_frames = FRAMES;
	s.frame_size = FSIZE;
	return &s;
}

static const struct handover_state *shape_of(const struct fix *f)
{
	return shape_v(f, HANDOVER_VERSION);
}

/* The written state as bytes (malloc()ed), its length in *len. */
static uint8_t *blob_v(struct fix *f, uint32_t v, size_t *len)
{
	int fd = handover_state_memfd(&f->a);
	struct stat st;
	uint8_t *b;

	assert_true(fd >= 0);
	assert_int_equal(handover_state_write(&f->a, v, fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	b = malloc(*len + 16);
	assert_int_equal(pread(fd, b, *len, 0), (ssize_t)*len);
	close(fd);
	return b;
}

static uint8_t *blob(struct fix *f, size_t *len)
{
	return blob_v(f, HANDOVER_VERSION, len);
}

static void test_round_trip(void **state)
{
	struct fix *f = *state;
	struct handover_state st;
	size_t len;
	uint8_t *b = blob(f, &len);

	assert_int_equal(handover_state_parse(b, len, shape_of(f), &st, f->err,
					      sizeof(f->err)),
			 0);
	assert_int_equal(st.outstanding[0], 3);
	assert_int_equal(st.outstanding[1], 4);
	assert_int_equal(st.nic[1].mtu, 1501);
	assert_string_equal(st.nic[0].driver, "virtio_net");
	assert_int_equal(st.pools[0].nr_free, 5); /* worker 0, UMEM 0 */
	assert_int_equal(st.pools[3].nr_free, 0); /* worker 1, UMEM 1 */
	assert_int_equal(st.pools[2].nr_free, FRAMES);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(handover_pool_addr(&st.pools[0], i),
				 f->w[0].pools[0].addrs[i]);
	/* version 2: the statistics */
	assert_int_equal(st.version, 2);
	assert_int_equal(st.handovers, 41);
	assert_int_equal(st.dp_since_ns, 123456789);
	assert_int_equal(st.counters[0].rx_packets, 1000);
	assert_int_equal(st.counters[1].rx_packets, 1001);
	assert_int_equal(st.counters[1].csum_fixed, 8);
	handover_state_free(&st);
	free(b);
}

/* Version 1 (an agent of the previous release): the same data path, no
 * statistics; each version's blob is refused as the other. */
static void test_version_1(void **state)
{
	struct fix *f = *state;
	struct handover_state st;
	size_t len1, len2;
	uint8_t *b1 = blob_v(f, 1, &len1), *b2 = blob(f, &len2);

	assert_int_equal(len2 - len1,
			 4 + 4 + 8 + 2 * sizeof(struct xsk_counters));
	assert_int_equal(handover_state_parse(b1, len1, shape_v(f, 1), &st,
					      f->err, sizeof(f->err)),
			 0);
	assert_int_equal(st.version, 1);
	assert_int_equal(st.outstanding[1], 4);
	assert_int_equal(st.pools[0].nr_free, 5);
	assert_int_equal(st.handovers, 0);
	assert_int_equal(st.counters[0].rx_packets, 0);
	handover_state_free(&st);
	assert_int_equal(handover_state_parse(b1, len1, shape_v(f, 2), &st,
					      f->err, sizeof(f->err)),
			 -EBADMSG);
	assert_string_equal(f->err, "state: version 1, expected 2");
	assert_int_equal(handover_state_parse(b2, len2, shape_v(f, 1), &st,
					      f->err, sizeof(f->err)),
			 -EBADMSG);
	assert_string_equal(f->err, "state: version 2, expected 1");
	/* a version no agent here speaks */
	assert_int_equal(handover_state_parse(b2, len2, shape_v(f, 3), &st,
					      f->err, sizeof(f->err)),
			 -EBADMSG);
	assert_string_equal(f->err, "state: version 3 not spoken here");
	assert_null(st.pools);
	free(b1);
	free(b2);
}

/* The blob with one change must be refused with a message. */
static void refused(struct fix *f, uint8_t *b, size_t len, const char *msg)
{
	struct handover_state st;

	assert_int_equal(handover_state_parse(b, len, shape_of(f), &st, f->err,
					      sizeof(f->err)),
			 -EBADMSG);
	if (!strstr(f->err, msg))
		fail_msg("'%s' not in '%s'", msg, f->err);
	assert_null(st.pools);
}

static void test_refusals(void **state)
{
	struct fix *f = *state;
	size_t len, stats,
		first; /* offset of worker 0 UMEM 0's first address */
	uint8_t *b = blob(f, &len), *c = malloc(len + 16);
	uint32_t v;
	uint64_t a;

	/* header, ports, outstanding, statistics, worker 0 UMEM 0's count */
	stats = 9 * 4 + 2 * sizeof(struct nic_state) + 2 * 4;
	first = stats + 4 + 4 + 8 + 2 * sizeof(struct xsk_counters) + 4;
	for (size_t cut = 0; cut < len; cut += 7)
		refused(f, b, cut, "state: ");
	memcpy(c, b, len);
	c[len] = 0;
	refused(f, c, len + 1, "bytes after the end");
	memcpy(c, b, len);
	c[0] ^= 1;
	refused(f, c, len, "magic");
	memcpy(c, b, len);
	v = 1;
	memcpy(c + 4, &v, 4);
	refused(f, c, len, "version 1, expected 2");
	/* counters of another size (another build of the agent) */
	memcpy(c, b, len);
	v = sizeof(struct xsk_counters) + 8;
	memcpy(c + stats, &v, 4);
	refused(f, c, len, "counters of 96 bytes, expected 88");
	memcpy(c, b, len);
	v = 3;
	memcpy(c + 8, &v, 4);
	refused(f, c, len, "workers 3, expected 2");
	/* a frame of worker 1 in worker 0's pool */
	memcpy(c, b, len);
	a = (uint64_t)FRAMES * FSIZE;
	memcpy(c + first, &a, 8);
	refused(f, c, len, "is not one of its frames");
	/* not a frame's start */
	memcpy(c, b, len);
	a = FSIZE + 256;
	memcpy(c + first, &a, 8);
	refused(f, c, len, "is not one of its frames");
	/* the same frame twice */
	memcpy(c, b, len);
	memcpy(c + first + 8, c + first, 8);
	refused(f, c, len, "twice");
	/* more free frames than the worker has */
	memcpy(c, b, len);
	v = FRAMES + 1;
	memcpy(c + first - 4, &v, 4);
	refused(f, c, len, "bad free count");
	/* more frames in flight than exist */
	memcpy(c, b, len);
	v = 2 * FRAMES + 1;
	memcpy(c + stats - 4, &v, 4);
	refused(f, c, len, "frames in flight");
	free(b);
	free(c);
}

/* The memfd made at prepare holds the largest state (every frame free)
 * before anything is written; a second, smaller state in the same file
 * (frames went to the kernel meanwhile) cuts it to its own size, and
 * parses. */
static void test_memfd_reuse(void **state)
{
	struct fix *f = *state;
	struct handover_state st;
	struct stat sb;
	size_t big, small;
	uint8_t *b;
	int fd = handover_state_memfd(&f->a);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	f->w[0].pools[0].nr_free = FRAMES;
	f->w[1].pools[1].nr_free = FRAMES;
	assert_int_equal(handover_state_write(&f->a, HANDOVER_VERSION, fd), 0);
	big = (size_t)lseek(fd, 0, SEEK_END);
	assert_int_equal((size_t)sb.st_size, big); /* exactly the largest */
	f->w[0].pools[0].nr_free = 2;
	assert_int_equal(handover_state_write(&f->a, HANDOVER_VERSION, fd), 0);
	assert_int_equal(fstat(fd, &sb), 0);
	small = (size_t)sb.st_size;
	assert_int_equal(small, big - (FRAMES - 2) * sizeof(uint64_t));
	b = malloc(small);
	assert_int_equal(pread(fd, b, small, 0), (ssize_t)small);
	close(fd);
	assert_int_equal(handover_state_parse(b, small, shape_of(f), &st,
					      f->err, sizeof(f->err)),
			 0);
	assert_int_equal(st.pools[0].nr_free, 2);
	assert_int_equal(st.pools[3].nr_free, FRAMES);
	assert_int_equal(handover_pool_addr(&st.pools[3], FRAMES - 1),
			 f->w[1].pools[1].addrs[FRAMES - 1]);
	handover_state_free(&st);
	free(b);
}

static void test_layout(void **state)
{
	struct fix *f = *state;
	char mine[HANDOVER_LAYOUT_MAX], theirs[HANDOVER_LAYOUT_MAX];

	f->a.ports[0].queues[0] = 0;
	f->a.ports[1].queues[0] = 0;
	assert_true(handover_layout(&f->a, 2, mine, sizeof(mine)) > 0);
	assert_non_null(strstr(mine, "handover 2\n"));
	assert_non_null(strstr(mine, "frame_size 2048\n"));
	assert_non_null(strstr(mine, "port 1 eth1 11 umem 1\n"));
	assert_non_null(strstr(mine, "socket 1 port 1 queue 0 worker 0\n"));
	assert_int_equal(
		handover_layout_compare(mine, mine, f->err, sizeof(f->err)), 0);
	f->cfg.rx_size = 128;
	assert_true(handover_layout(&f->a, 2, theirs, sizeof(theirs)) > 0);
	assert_int_equal(
		handover_layout_compare(mine, theirs, f->err, sizeof(f->err)),
		-ESTALE);
	assert_string_equal(
		f->err,
		"layouts differ: this agent has \"rings 64 64 64 64\", the running one \"rings 128 64 64 64\"");
	/* one side longer */
	theirs[0] = '\0';
	assert_int_equal(
		handover_layout_compare(mine, theirs, f->err, sizeof(f->err)),
		-ESTALE);
	assert_int_equal(handover_layout(&f->a, 2, mine, 16), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_version_1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memfd_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
