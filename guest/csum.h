/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Completing TCP/UDP checksums that a sender left to "the NIC".
 *
 * A Linux sender with TX checksum offload (a veth's default, a container's
 * eth0) hands its peer CHECKSUM_PARTIAL skbs: the L4 checksum field holds
 * only the folded pseudo-header sum, and the NIC is expected to finish it.
 * XDP and AF_XDP see the bare frame without that flag, so a frame forwarded
 * as is arrives corrupt (the receiver counts TcpInCsumErrors). A partial
 * field has exactly one value for a given header, so it can be recognised
 * cheaply (a pseudo-header sum, no payload read) and completed; a frame
 * whose checksum is already complete is left untouched.
 */
#ifndef AFXDP_GUEST_CSUM_H
#define AFXDP_GUEST_CSUM_H

#include <stdbool.h>
#include <stdint.h>

enum csum_result {
	CSUM_NOT_L4,	/* not IPv4/IPv6 TCP/UDP, a fragment, or truncated */
	CSUM_COMPLETE,	/* the field did not hold a partial sum: untouched */
	CSUM_FIXED,	/* a partial sum, completed in place */
};

/* Ones' complement sum of len bytes (16-bit words as they lie in memory)
 * added to sum; fold it with csum_fold. Unaligned data is fine. */
uint32_t csum_partial_sum(const void *data, uint32_t len, uint32_t sum);

/* Fold a 32-bit ones' complement sum to 16 bits (not complemented). */
static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Look at one Ethernet frame (up to two VLAN tags) of len bytes and, if its
 * TCP or UDP checksum field holds a partial (pseudo-header) sum, complete
 * it in place.
 */
enum csum_result csum_complete_partial(uint8_t *frame, uint32_t len);

/* One buffer of a frame spread over several (AF_XDP multi-buffer). */
struct csum_seg {
	uint8_t *data;
	uint32_t len;
};

/* The same for a frame in nr buffers, in order; its headers up to the
 * checksum field must lie in the first. */
enum csum_result csum_complete_partial_sg(const struct csum_seg *seg,
					  uint32_t nr);

#endif
