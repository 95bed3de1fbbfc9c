// SPDX-License-Identifier: GPL-2.0
/*
 * Completing partial TCP/UDP checksums (see csum.h for why). Sums are kept
 * in memory byte order throughout: a ones' complement sum is the same
 * whichever order the bytes of every word are read in, so the folded
 * result can be stored back as is.
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "guest/csum.h"

#define VLAN_HLEN 4
#define IPV4_MIN_HLEN 20
#define IPV6_HLEN 40
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

uint32_t csum_partial_sum(const void *data, uint32_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint16_t w;

	for (; len > 1; len -= 2, p += 2) {
		memcpy(&w, p, 2);
		sum += w;
		/* Fold early: a jumbo frame cannot overflow 32 bits then. */
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len) {
		w = 0;
		memcpy(&w, p, 1);
		sum += w;
	}
	return sum;
}

/* The pseudo-header sum, in memory order, for an L4 length and protocol. */
static uint32_t pseudo_sum(const uint8_t *addrs, uint32_t addr_len,
			   uint32_t l4_len, uint8_t proto)
{
	uint32_t sum = csum_partial_sum(addrs, addr_len, 0);
	uint16_t w;

	w = htons((uint16_t)(l4_len >> 16));
	sum += w;
	w = htons((uint16_t)l4_len);
	sum += w;
	w = htons(proto);
	return sum + w;
}

/* Sum of l4_len bytes from offset off of the segments, added to sum. A
 * segment that starts at an odd offset of the run has its 16-bit words
 * shifted by one byte: its sum is byte-swapped (RFC 1071, 2.(B)). */
static uint32_t sum_segments(const struct csum_seg *seg, uint32_t nr,
			     uint32_t off, uint32_t l4_len, uint32_t sum)
{
	bool odd = false;

	for (uint32_t i = 0; i < nr && l4_len; i++, off = 0) {
		uint32_t take = seg[i].len - off;
		uint16_t part;

		if (take > l4_len)
			take = l4_len;
		part = csum_fold(csum_partial_sum(seg[i].data + off, take, 0));
		if (odd)
			part = (uint16_t)(part << 8 | part >> 8);
		sum += part;
		if (take & 1)
			odd = !odd;
		l4_len -= take;
	}
	return sum;
}

enum csum_result csum_complete_partial(uint8_t *frame, uint32_t len)
{
	struct csum_seg seg = { frame, len };

	return csum_complete_partial_sg(&seg, 1);
}

enum csum_result csum_complete_partial_sg(const struct csum_seg *seg,
					  uint32_t nr)
{
	uint32_t off = ETH_HLEN, l4_off, l4_len, field_off, psum;
	uint16_t proto, field, partial, full;
	uint8_t *frame = seg[0].data;
	/* hlen: what the headers can be read from; len: the whole frame */
	uint32_t hlen = seg[0].len, len = 0;
	const uint8_t *addrs;
	uint32_t addr_len;
	uint8_t l4proto;

	for (uint32_t i = 0; i < nr; i++)
		len += seg[i].len;
	if (hlen < ETH_HLEN)
		return CSUM_NOT_L4;
	memcpy(&proto, frame + 12, 2);
	for (int tags = 0; tags < 2 && (proto == htons(ETH_P_8021Q) ||
					proto == htons(ETH_P_8021AD));
	     tags++) {
		if (hlen < off + VLAN_HLEN)
			return CSUM_NOT_L4;
		memcpy(&proto, frame + off + 2, 2);
		off += VLAN_HLEN;
	}
	if (proto == htons(ETH_P_IP)) {
		const uint8_t *ip = frame + off;
		uint32_t ihl, tot;
		uint16_t frag;

		if (hlen < off + IPV4_MIN_HLEN || (ip[0] >> 4) != 4)
			return CSUM_NOT_L4;
		ihl = (ip[0] & 0xf) * 4u;
		tot = (uint32_t)ip[2] << 8 | ip[3];
		memcpy(&frag, ip + 6, 2);
		/* A fragment carries only part of the segment the sum covers. */
		if (ihl < IPV4_MIN_HLEN || tot < ihl || len < off + tot ||
		    hlen < off + ihl || (ntohs(frag) & 0x3fff))
			return CSUM_NOT_L4;
		l4proto = ip[9];
		l4_off = off + ihl;
		l4_len = tot - ihl;
		addrs = ip + 12;
		addr_len = 8;
	} else if (proto == htons(ETH_P_IPV6)) {
		const uint8_t *ip6 = frame + off;
		uint32_t plen;

		if (hlen < off + IPV6_HLEN || (ip6[0] >> 4) != 6)
			return CSUM_NOT_L4;
		plen = (uint32_t)ip6[4] << 8 | ip6[5];
		/* Extension headers and jumbograms: left alone. */
		l4proto = ip6[6];
		if (!plen || len < off + IPV6_HLEN + plen)
			return CSUM_NOT_L4;
		l4_off = off + IPV6_HLEN;
		l4_len = plen;
		addrs = ip6 + 8;
		addr_len = 32;
	} else {
		return CSUM_NOT_L4;
	}
	if (l4proto == IPPROTO_TCP && l4_len >= 20)
		field_off = l4_off + TCP_CSUM_OFF;
	else if (l4proto == IPPROTO_UDP && l4_len >= 8)
		field_off = l4_off + UDP_CSUM_OFF;
	else
		return CSUM_NOT_L4;
	/* The field must lie in the first buffer (it always does: a
	 * driver's first buffer holds far more than the headers). */
	if (hlen < field_off + 2)
		return CSUM_NOT_L4;

	memcpy(&field, frame + field_off, 2);
	/* UDP over IPv4 without a checksum. */
	if (l4proto == IPPROTO_UDP && !field && addr_len == 8)
		return CSUM_COMPLETE;
	psum = pseudo_sum(addrs, addr_len, l4_len, l4proto);
	partial = csum_fold(psum);
	if (field != partial)
		return CSUM_COMPLETE;
	/* A partial sum: the full one over pseudo-header + segment with the
	 * field counted as zero. Were the field already complete and equal
	 * to the partial value by chance, this computes the same value. */
	memset(frame + field_off, 0, 2);
	full = (uint16_t)~csum_fold(
		sum_segments(seg, nr, l4_off, l4_len, psum));
	if (l4proto == IPPROTO_UDP && !full)
		full = 0xffff;
	memcpy(frame + field_off, &full, 2);
	return CSUM_FIXED;
}
