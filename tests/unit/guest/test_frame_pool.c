// SPDX-License-Identifier: GPL-2.0
/* Frame allocator bookkeeping and the txgen frame template. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "guest/agent.h"

static void test_pool_init_rejects(void **state)
{
	struct frame_pool p;

	(void)state;
	assert_int_equal(frame_pool_init(&p, 0, 0, 4096), -EINVAL);
	assert_int_equal(frame_pool_init(&p, 0, 16, 3000), -EINVAL);
	assert_int_equal(frame_pool_init(&p, 0, 16, 0), -EINVAL);
}

static void test_pool_get_put(void **state)
{
	struct frame_pool p;
	uint64_t a, b;

	(void)state;
	assert_int_equal(frame_pool_init(&p, 4, 4, 2048), 0);
	assert_int_equal(p.nr_free, 4);
	/* Frames 4..7 of 2048 bytes; lowest address first. */
	assert_int_equal(frame_pool_get(&p, &a), 0);
	assert_int_equal(a, 4 * 2048);
	assert_int_equal(frame_pool_get(&p, &b), 0);
	assert_int_equal(b, 5 * 2048);
	/* A descriptor address carries the headroom offset: masked back. */
	assert_int_equal(frame_pool_put(&p, b + 256), 0);
	assert_int_equal(frame_pool_get(&p, &a), 0);
	assert_int_equal(a, 5 * 2048);
	assert_int_equal(frame_pool_put(&p, a), 0);
	assert_int_equal(frame_pool_put(&p, 4 * 2048), 0);
	assert_int_equal(p.nr_free, 4);
	frame_pool_free_all(&p);
	assert_null(p.addrs);
}

static void test_pool_exhaust_and_overflow(void **state)
{
	struct frame_pool p;
	uint64_t seen[8], a;

	(void)state;
	assert_int_equal(frame_pool_init(&p, 0, 8, 4096), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(frame_pool_get(&p, &seen[i]), 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
	assert_int_equal(frame_pool_get(&p, &a), -ENOBUFS);
	for (int i = 0; i < 8; i++)
		assert_int_equal(frame_pool_put(&p, seen[i]), 0);
	/* A ninth put means a frame was returned twice. */
	assert_int_equal(frame_pool_put(&p, seen[0]), -EOVERFLOW);
	assert_int_equal(p.nr_free, 8);
	frame_pool_free_all(&p);
}

static struct txgen_config tmpl(void)
{
	struct txgen_config t = {
		.frame_size = 64,
		.src_mac = { 2, 0, 0, 0, 0, 1 },
		.dst_mac = { 2, 0, 0, 0, 0, 2 },
		.src_ip = "10.0.0.1",
		.dst_ip = "10.0.0.2",
		.src_port = 1024,
		.dst_port = 4000,
		.flows = 4,
	};
	return t;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_txgen_frame(void **state)
{
	struct txgen_config t = tmpl();
	uint8_t buf[256];
	struct ethhdr e, *eth = &e;
	struct iphdr i, *ip = &i;
	struct udphdr u, *udp = &u;

	(void)state;
	assert_int_equal(txgen_build_frame(&t, 5, buf, sizeof(buf)), 64);
	/* Copies: in the frame the IP header is not 4-byte aligned. */
	memcpy(&e, buf, sizeof(e));
	memcpy(&i, buf + sizeof(e), sizeof(i));
	memcpy(&u, buf + sizeof(e) + sizeof(i), sizeof(u));
	assert_memory_equal(eth->h_dest, t.dst_mac, 6);
	assert_memory_equal(eth->h_source, t.src_mac, 6);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_IP);
	assert_int_equal(ip->version, 4);
	assert_int_equal(ntohs(ip->tot_len), 64 - 14);
	assert_int_equal(ip->protocol, IPPROTO_UDP);
	/* A valid header checksum sums to 0xffff. */
	assert_int_equal(csum(ip, sizeof(*ip)), 0xffff);
	assert_int_equal(ntohs(udp->dest), 4000);
	/* Flow 5 of 4 cycles to source port 1024 + 1. */
	assert_int_equal(ntohs(udp->source), 1025);
	assert_int_equal(ntohs(udp->len), 64 - 14 - 20);
}

static void test_txgen_frame_rejects(void **state)
{
	struct txgen_config t = tmpl();
	uint8_t buf[64];

	(void)state;
	t.frame_size = 40; /* shorter than the headers */
	assert_int_equal(txgen_build_frame(&t, 0, buf, sizeof(buf)), -EINVAL);
	t = tmpl();
	t.frame_size = 128; /* larger than the buffer */
	assert_int_equal(txgen_build_frame(&t, 0, buf, sizeof(buf)), -EINVAL);
	t = tmpl();
	strcpy(t.dst_ip, "10.0.0");
	assert_int_equal(txgen_build_frame(&t, 0, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_init_rejects),
		cmocka_unit_test(test_pool_get_put),
		cmocka_unit_test(test_pool_exhaust_and_overflow),
		cmocka_unit_test(test_txgen_frame),
		cmocka_unit_test(test_txgen_frame_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
