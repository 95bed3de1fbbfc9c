// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * sink_count: the receiving end of tests and benchmarks. Counts every frame
 * (packets, bytes; per CPU, so no atomics on the hot path) and drops it, so
 * the count is taken at the earliest point and the stack does no work; and
 * keeps the longest silence between two frames (per CPU).
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

/* The longest gap between two frames: what a handover or a restart cost
 * the stream, seen by the receiver (the first frame has no gap). */
static __always_inline void gap(void)
{
	__u32 k_last = AFXDP_SINK_LAST_NS, k_gap = AFXDP_SINK_MAX_GAP_NS;
	__u64 *last = bpf_map_lookup_elem(&sink_counters, &k_last);
	__u64 *max = bpf_map_lookup_elem(&sink_counters, &k_gap);
	__u64 now = bpf_ktime_get_ns();

	if (!last || !max)
		return;
	if (*last && now - *last > *max)
		*max = now - *last;
	*last = now;
}

SEC("xdp")
int sink_count(struct xdp_md *ctx)
{
	add(AFXDP_SINK_PACKETS, 1);
	add(AFXDP_SINK_BYTES, ctx->data_end - ctx->data);
	gap();
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
