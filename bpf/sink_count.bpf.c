// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * sink_count: the receiving end of tests and benchmarks. Counts every frame
 * (packets, bytes; per CPU, so no atomics on the hot path) and drops it, so
 * the count is taken at the earliest point and the stack does no work.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "afxdp_steer.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AFXDP_SINK_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sink_counters SEC(".maps");

static __always_inline void add(__u32 idx, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&sink_counters, &idx);

	if (c)
		*c += v;
}

SEC("xdp")
int sink_count(struct xdp_md *ctx)
{
	add(AFXDP_SINK_PACKETS, 1);
	add(AFXDP_SINK_BYTES, ctx->data_end - ctx->data);
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
