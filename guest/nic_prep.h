/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NIC preparation before XDP attach: channels, MTU against the frame size,
 * LRO / GRO_HW, virtio-net queue pairs. Checks come first and change
 * nothing; what is changed is recorded so teardown can restore it.
 */
#ifndef AGENT_NIC_PREP_H
#define AGENT_NIC_PREP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ethtool.h"

struct nic_prep_opts {
	const char *ifname;
	uint32_t frame_size; /* UMEM frame size */
	uint32_t channels; /* 0: leave */
	uint32_t mtu; /* 0: leave */
	bool disable_lro;
	/* fwd: frames addressed to the hosts behind the other port must
	 * pass the NIC's MAC filter (virtio-net's is in QEMU). */
	bool promisc;
	uint32_t nr_cpus; /* online CPUs (vCPUs in a guest) */
	/* socket.multi_buffer: frames may exceed a UMEM frame, the driver
	 * must offer XDP multi-buffer (nic_check_multi_buffer). */
	bool multi_buffer;
	bool native_only; /* xdp.mode native */
	bool zero_copy_on; /* socket.zero_copy on */
};

struct nic_state {
	char ifname[IF_NAMESIZE];
	char driver[32];
	uint32_t mtu, orig_mtu;
	struct nic_channels ch;
	uint32_t orig_combined;
	bool channels_changed, mtu_changed;
	bool lro_disabled, gro_hw_disabled; /* turned off by us */
	bool promisc_set; /* turned on by us */
	bool virtio_few_queues; /* warned: queues < 2 x vCPUs */
};

/* The MTU part of nic_check, for an interface with this driver (ethtool's
 * name) and MTU: -EMSGSIZE when it does not fit the frame
 * (xdp_mtu_max_for_frame) or exceeds virtio-net's XDP limit, with the
 * largest workable MTU (xdp_mtu_advised) in the message. */
int nic_check_mtu(const char *ifname, const char *driver, uint32_t mtu,
		  uint32_t frame_size, char *err, size_t err_len);
/* socket.multi_buffer on ifindex: -EOPNOTSUPP with the reason when the
 * kernel is too old for it (no netdev family: < 6.3; multi-buffer AF_XDP
 * is 6.6), in native mode when the driver has no XDP rx-sg, and with
 * zero-copy on when its zero-copy takes one buffer per frame
 * (xdp_zc_max_segs 1). */
int nic_check_multi_buffer(const char *ifname, int ifindex, bool native_only,
			   bool zero_copy_on, char *err, size_t err_len);
/* Checks only: -ENODEV, -EMSGSIZE (MTU), -EOPNOTSUPP (offloads the guest
 * cannot turn off) with an actionable message. */
int nic_check(const struct nic_prep_opts *o, char *err, size_t err_len);
/* Applies channels / MTU / LRO settings and fills st; logs each change and
 * warning. On error nothing stays changed. */
int nic_prepare(const struct nic_prep_opts *o, struct nic_state *st, char *err,
		size_t err_len);
/* Real TX queues (/sys/class/net/IF/queues/tx-*): AF_XDP can send only
 * on queue ids below it. 1 when unknown. */
uint32_t nic_tx_queue_count(const char *ifname);
/* Number of rx queues an AF_XDP socket can bind to. */
uint32_t nic_queue_count(const struct nic_state *st);
void nic_restore(struct nic_state *st);

#endif
