// SPDX-License-Identifier: GPL-2.0
/* guest/csum.c: partial TCP/UDP checksums (what a sender with TX checksum
 * offload leaves in the frame) are completed to the value an independent
 * reference computes; complete, absent and non-L4 checksums are left
 * byte for byte as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/csum.h"

#define CFG_SPLIT_MAX 18

/* The reference: RFC 1071 over big-endian 16-bit values, byte by byte. */
static uint32_t ref_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

struct frame {
	uint8_t b[2048];
	uint32_t len, l4_off, l4_len, field_off, addr_off, addr_len;
	uint8_t proto;
};

static uint32_t ref_pseudo(const struct frame *f)
{
	uint32_t sum = ref_add(0, f->b + f->addr_off, f->addr_len);

	return sum + (f->l4_len >> 16) + (f->l4_len & 0xffff) + f->proto;
}

/* The correct checksum and the partial one a CHECKSUM_PARTIAL sender
 * leaves (the folded pseudo-header sum, not complemented). */
static uint16_t ref_full(struct frame *f)
{
	uint8_t save[2];
	uint16_t c;

	memcpy(save, f->b + f->field_off, 2);
	memset(f->b + f->field_off, 0, 2);
	c = (uint16_t)~ref_fold(ref_add(ref_pseudo(f), f->b + f->l4_off, f->l4_len));
	memcpy(f->b + f->field_off, save, 2);
	if (f->proto == 17 && !c)
		c = 0xffff;
	return c;
}

static uint16_t ref_partial(const struct frame *f)
{
	return ref_fold(ref_pseudo(f));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ethernet [+ vlans] + IPv4/IPv6 + TCP/UDP with payload bytes. */
static void build(struct frame *f, int ipver, uint8_t proto, int vlans,
		  uint32_t payload)
{
	uint32_t off = 12, l4hdr = proto == 6 ? 20 : 8;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 12; i++)
		f->b[i] = (uint8_t)(0x02 + i);
	for (int v = 0; v < vlans; v++) {
		put16(f->b + off, v ? 0x8100 : (vlans == 2 ? 0x88a8 : 0x8100));
		put16(f->b + off + 2, (uint16_t)(100 + v));
		off += 4;
	}
	put16(f->b + off, ipver == 4 ? 0x0800 : 0x86dd);
	off += 2;
	f->proto = proto;
	f->l4_len = l4hdr + payload;
	if (ipver == 4) {
		uint8_t *ip = f->b + off;

		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + f->l4_len));
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, "\x0a\x4d\x00\x01\x0a\x4d\x00\x02", 8);
		f->addr_off = off + 12;
		f->addr_len = 8;
		f->l4_off = off + 20;
	} else {
		uint8_t *ip6 = f->b + off;

		ip6[0] = 0x60;
		put16(ip6 + 4, (uint16_t)f->l4_len);
		ip6[6] = proto;
		ip6[7] = 64;
		for (int i = 0; i < 32; i++)
			ip6[8 + i] = (uint8_t)(0xfd + i * 7);
		f->addr_off = off + 8;
		f->addr_len = 32;
		f->l4_off = off + 40;
	}
	put16(f->b + f->l4_off, 40000);
	put16(f->b + f->l4_off + 2, 5201);
	if (proto == 6) {
		f->b[f->l4_off + 12] = 0x50;
		f->b[f->l4_off + 13] = 0x18;
		f->field_off = f->l4_off + 16;
	} else {
		put16(f->b + f->l4_off + 4, (uint16_t)f->l4_len);
		f->field_off = f->l4_off + 6;
	}
	for (uint32_t i = 0; i < payload; i++)
		f->b[f->l4_off + l4hdr + i] = (uint8_t)(i * 31 + 7);
	f->len = f->l4_off + f->l4_len;
}

static void check_fixes(int ipver, uint8_t proto, int vlans, uint32_t payload)
{
	struct frame f;
	uint16_t want;

	build(&f, ipver, proto, vlans, payload);
	want = ref_full(&f);
	put16(f.b + f.field_off, ref_partial(&f));
	assert_int_equal(csum_complete_partial(f.b, f.len), CSUM_FIXED);
	assert_int_equal(get16(f.b + f.field_off), want);
	/* Done once, a second pass sees a complete checksum. */
	assert_int_equal(csum_complete_partial(f.b, f.len), CSUM_COMPLETE);
	assert_int_equal(get16(f.b + f.field_off), want);
}

static void test_partial_completed(void **state)
{
	(void)state;
	for (int ipver = 4; ipver <= 6; ipver += 2)
		for (int vlans = 0; vlans <= 2; vlans++) {
			check_fixes(ipver, 6, vlans, 1448);
			check_fixes(ipver, 6, vlans, 0);
			check_fixes(ipver, 17, vlans, 1472);
			check_fixes(ipver, 17, vlans, 33); /* odd length */
		}
}

/* A frame longer than its IP packet (Ethernet padding) is summed only
 * over the IP payload. */
static void test_padding_ignored(void **state)
{
	struct frame f;
	uint16_t want;

	(void)state;
	build(&f, 4, 6, 0, 0);
	want = ref_full(&f);
	put16(f.b + f.field_off, ref_partial(&f));
	memset(f.b + f.len, 0xee, 6);
	assert_int_equal(csum_complete_partial(f.b, f.len + 6), CSUM_FIXED);
	assert_int_equal(get16(f.b + f.field_off), want);
}

static void assert_untouched(struct frame *f, enum csum_result want)
{
	uint8_t copy[sizeof(f->b)];

	memcpy(copy, f->b, sizeof(copy));
	assert_int_equal(csum_complete_partial(f->b, f->len), want);
	assert_memory_equal(copy, f->b, sizeof(copy));
}

static void test_complete_untouched(void **state)
{
	struct frame f;

	(void)state;
	build(&f, 4, 6, 1, 100);
	put16(f.b + f.field_off, ref_full(&f));
	assert_untouched(&f, CSUM_COMPLETE);
	build(&f, 6, 17, 0, 100);
	put16(f.b + f.field_off, ref_full(&f));
	assert_untouched(&f, CSUM_COMPLETE);
	/* A wrong checksum that is not the partial value stays wrong: the
	 * receiver must see the corruption. */
	build(&f, 4, 6, 0, 100);
	put16(f.b + f.field_off, (uint16_t)(ref_full(&f) ^ 0x0101));
	assert_untouched(&f, CSUM_COMPLETE);
	/* UDP over IPv4 without a checksum (the agent's own generator). */
	build(&f, 4, 17, 0, 18);
	assert_untouched(&f, CSUM_COMPLETE);
}

static void test_not_l4(void **state)
{
	struct frame f;

	(void)state;
	/* Truncated: the IP header says more than the frame holds. */
	build(&f, 4, 6, 0, 100);
	put16(f.b + f.field_off, ref_partial(&f));
	f.len -= 1;
	assert_untouched(&f, CSUM_NOT_L4);
	/* A fragment (MF set). */
	build(&f, 4, 17, 0, 100);
	put16(f.b + f.field_off, ref_partial(&f));
	put16(f.b + f.addr_off - 6, 0x2000);
	assert_untouched(&f, CSUM_NOT_L4);
	/* ICMP, ARP, a runt, a bad IHL, an IPv6 extension header. */
	build(&f, 4, 1, 0, 20);
	f.b[f.addr_off - 3] = 1;
	assert_untouched(&f, CSUM_NOT_L4);
	build(&f, 4, 6, 0, 10);
	put16(f.b + 12, 0x0806);
	assert_untouched(&f, CSUM_NOT_L4);
	f.len = 10;
	assert_untouched(&f, CSUM_NOT_L4);
	build(&f, 4, 6, 0, 10);
	f.b[14] = 0x44;
	assert_untouched(&f, CSUM_NOT_L4);
	build(&f, 6, 6, 0, 10);
	f.b[14 + 6] = 0; /* hop-by-hop */
	assert_untouched(&f, CSUM_NOT_L4);
	/* A TCP segment shorter than a TCP header. */
	build(&f, 4, 6, 0, 0);
	put16(f.b + 16, 20 + 12);
	f.len = 14 + 20 + 12;
	assert_untouched(&f, CSUM_NOT_L4);
}

/* The shared sum helper matches the reference on odd lengths and offsets. */
/* The same frame cut into buffers at every kind of boundary (odd, even,
 * one byte long) as AF_XDP multi-buffer delivers it: the completed value
 * is the reference's, and the bytes of every buffer but the field are
 * unchanged. */
static void check_split(int ipver, uint8_t proto, uint32_t payload,
			uint32_t seed)
{
	static uint8_t bufs[CFG_SPLIT_MAX][2048];
	struct csum_seg seg[CFG_SPLIT_MAX];
	struct frame f;
	uint32_t nr = 0, pos = 0;
	uint16_t want;

	build(&f, ipver, proto, 1, payload);
	want = ref_full(&f);
	put16(f.b + f.field_off, ref_partial(&f));
	while (pos < f.len) {
		uint32_t take;

		seed = seed * 1103515245u + 12345u;
		/* The first buffer holds the headers, the others 1..400. */
		take = nr ? 1 + (seed >> 16) % 400 :
			    f.field_off + 2 + (seed >> 16) % 64;
		if (nr == CFG_SPLIT_MAX - 1 || pos + take > f.len)
			take = f.len - pos;
		memcpy(bufs[nr], f.b + pos, take);
		seg[nr].data = bufs[nr];
		seg[nr].len = take;
		pos += take;
		nr++;
	}
	assert_int_equal(csum_complete_partial_sg(seg, nr), CSUM_FIXED);
	assert_int_equal(get16(seg[0].data + f.field_off), want);
	put16(f.b + f.field_off, want);
	pos = 0;
	for (uint32_t i = 0; i < nr; pos += seg[i].len, i++)
		assert_memory_equal(seg[i].data, f.b + pos, seg[i].len);
	assert_int_equal(csum_complete_partial_sg(seg, nr), CSUM_COMPLETE);
}

static void test_multi_buffer(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 200; seed++)
		for (int ipver = 4; ipver <= 6; ipver += 2) {
			check_split(ipver, 6, 1900 - seed, seed);
			check_split(ipver, 17, 1900 - 2 * seed, seed * 7);
			check_split(ipver, 17, seed, seed * 3);
		}
}

/* Headers cut before the checksum field: not looked at, not changed. */
static void test_multi_buffer_short_head(void **state)
{
	struct frame f, orig;
	struct csum_seg seg[2];

	(void)state;
	build(&f, 4, 17, 0, 100);
	put16(f.b + f.field_off, ref_partial(&f));
	orig = f;
	seg[0] = (struct csum_seg){ f.b, f.field_off + 1 };
	seg[1] = (struct csum_seg){ f.b + f.field_off + 1,
				    f.len - f.field_off - 1 };
	assert_int_equal(csum_complete_partial_sg(seg, 2), CSUM_NOT_L4);
	assert_memory_equal(f.b, orig.b, f.len);
}

static void test_sum_helper(void **state)
{
	uint8_t buf[301];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	for (uint32_t off = 0; off < 3; off++)
		for (uint32_t len = 0; len < 298; len += 37) {
			uint16_t mine = csum_fold(csum_partial_sum(buf + off, len, 0));
			uint16_t ref = ref_fold(ref_add(0, buf + off, len));
			uint8_t m[2];

			/* mine is in memory order, ref in host order. */
			memcpy(m, &mine, 2);
			assert_int_equal(get16(m), ref);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partial_completed),
		cmocka_unit_test(test_padding_ignored),
		cmocka_unit_test(test_complete_untouched),
		cmocka_unit_test(test_not_l4),
		cmocka_unit_test(test_sum_helper),
		cmocka_unit_test(test_multi_buffer),
		cmocka_unit_test(test_multi_buffer_short_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
