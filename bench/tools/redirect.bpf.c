// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * redirect: sends every frame to the device in slot 0 of a DEVMAP. Two
 * uses in the benchmark: the live-frames generator (BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, the fastest sender on this kernel) and the
 * in-kernel forwarding limit (attached on in0, slot 0 = out0).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

SEC("xdp")
int redirect(struct xdp_md *ctx)
{
	(void)ctx;
	return bpf_redirect_map(&tx_port, 0, XDP_ABORTED);
}

char _license[] SEC("license") = "Dual BSD/GPL";
