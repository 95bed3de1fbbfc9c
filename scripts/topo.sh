# shellcheck shell=bash
# Veth/netns topology shared by the demo, the netns tests and the benchmarks:
#
#   ${P}gen: gen0 ==veth== in0 :${P}fwd: out0 ==veth== sink0 :${P}sink
#
# P is a prefix so several topologies can coexist. Every namespace gets its
# own bpffs inside `nsrun` (ip netns exec remounts /sys).

topo_prefix=${TOPO_PREFIX:-afx}
GEN_NS=${topo_prefix}gen
FWD_NS=${topo_prefix}fwd
SINK_NS=${topo_prefix}sink
GEN_MAC=02:00:00:00:00:01
IN_MAC=02:00:00:00:00:02
OUT_MAC=02:00:00:00:00:03
SINK_MAC=02:00:00:00:00:04

TOPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# nsrun NS CMD...: run in NS with bpffs mounted (libxdp pins there). A
# script, not a function, so "nsrun ... &" gives the command's own pid.
nsrun() { "$TOPO_DIR/nsrun" "$@"; }
NSRUN=$TOPO_DIR/nsrun

# topo_up [QUEUES]: veths with QUEUES rx/tx queues each (default 1).
topo_up() {
	local q=${1:-1}
	topo_down
	for ns in "$GEN_NS" "$FWD_NS" "$SINK_NS"; do ip netns add "$ns"; done
	ip -n "$GEN_NS" link add gen0 numtxqueues "$q" numrxqueues "$q" \
		address $GEN_MAC type veth peer name in0 numtxqueues "$q" \
		numrxqueues "$q" address $IN_MAC netns "$FWD_NS"
	ip -n "$FWD_NS" link add out0 numtxqueues "$q" numrxqueues "$q" \
		address $OUT_MAC type veth peer name sink0 numtxqueues "$q" \
		numrxqueues "$q" address $SINK_MAC netns "$SINK_NS"
	# No IPv6 autoconf/MLD chatter: the counters must see only test frames.
	for ns in "$GEN_NS" "$FWD_NS" "$SINK_NS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n "$GEN_NS" addr add 10.77.0.1/24 dev gen0
	ip -n "$FWD_NS" addr add 10.77.0.2/24 dev in0
	ip -n "$FWD_NS" addr add 10.78.0.2/24 dev out0
	ip -n "$SINK_NS" addr add 10.78.0.1/24 dev sink0
	for l in "$GEN_NS gen0" "$FWD_NS in0" "$FWD_NS out0" "$SINK_NS sink0"; do
		set -- $l
		ip -n "$1" link set "$2" up
		ip -n "$1" link set lo up
	done
}

topo_down() {
	for ns in "$GEN_NS" "$FWD_NS" "$SINK_NS"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	return 0
}

# link_rx_packets NS DEV: the kernel's rx packet counter of DEV.
link_rx_packets() {
	ip -n "$1" -s -j link show dev "$2" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
link_tx_packets() {
	ip -n "$1" -s -j link show dev "$2" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["packets"])'
}

# sink_attach NS DEV: the counting XDP sink (bpf/sink_count.bpf.o).
sink_attach() {
	ip -n "$1" link set dev "$2" xdpdrv obj "$TOPO_DIR/../bpf/sink_count.bpf.o" sec xdp
}
# sink_map NS DEV: the counting sink's map (JSON dump), read from the
# program on DEV.
sink_map() {
	local prog map
	prog=$(ip -n "$1" -j link show dev "$2" | jq '.[0].xdp.prog.id')
	map=$(bpftool -j prog show id "$prog" | jq '.map_ids[0]')
	bpftool -j map dump id "$map"
}
# sink_max_gap_us NS DEV: the longest silence between two frames the sink
# received, in us (kept per CPU that received them: the largest).
sink_max_gap_us() {
	sink_map "$1" "$2" |
		jq '[.[] | select(.formatted.key==3) | .formatted.values[].value] | max / 1000 | floor'
}
# sink_packets NS DEV [KEY]: sum over CPUs of the sink's counter KEY
# (0 packets, 1 bytes).
sink_packets() {
	sink_map "$1" "$2" |
		jq "[.[] | select(.formatted.key==${3:-0}) | .formatted.values[].value] | add"
}
