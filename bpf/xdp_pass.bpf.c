// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * xdp_pass: passes every frame. A veth only accepts XDP_REDIRECTed frames
 * (ndo_xdp_xmit) when its peer has an XDP program; this is that program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
