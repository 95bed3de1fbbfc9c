#!/bin/bash
# Soak: the agent forwards at half its measured capacity for SOAK_SECONDS
# (30 in `make test`, 600 in `make soak`). At the end every counter
# reconciles exactly (generator -> agent -> counting XDP sink) and the
# agent's resident memory has not grown (VmRSS printed at start and end).
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxs$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "soak suite"
SOAK_SECONDS=${SOAK_SECONDS:-30}
# Resident memory may move by a few pages (stdio, malloc arenas): 1 MiB.
RSS_SLACK_KB=${RSS_SLACK_KB:-1024}

rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' /proc/"$1"/status; }

topo_up 1
link_drops() {
	ip -n "$1" -s -j link show dev "$2" | jq ".[0].stats64.$3.dropped"
}
# The independent sink: bpf/sink_count.bpf.o counts and drops on sink0
# (an AF_PACKET sink would itself drop at these rates on 2 shared cores).
sink_attach "$SINK_NS" sink0

# 1. Capacity: an unpaced burst; the best per-interval forwarding rate the
#    agent reports. The generator shares the 2 cores, so this is the
#    capacity of the whole setup, which is what the soak loads.
start_agent cap "$FWD_NS" -m fwd -i in0 -i out0 --interval 250
assert_eq "capacity: agent started" 0 $?
txgen "$GEN_NS" gen0 --count 300000 --dst-port 4300 >/dev/null
sleep 0.5
stop_agent
# The median of the intervals the burst filled (one late interval would
# make the peak an overestimate).
cap=$(grep '"type":"stats"' "$WORK/cap.json" | jq -s '
	map(.totals.tx_pps) | (max / 10) as $low | map(select(. > $low)) |
	sort | .[length / 2 | floor] | floor')
assert_ge "capacity: measured forwarding rate (pps)" 10000 "$cap"
rate=$((cap / 2))
count=$((rate * SOAK_SECONDS))
diag "capacity ${cap} pps: soaking at ${rate} pps for ${SOAK_SECONDS} s (${count} frames)"
sink_before=$(sink_packets "$SINK_NS" sink0)
veth_before=$(($(link_drops "$GEN_NS" gen0 tx) + $(link_drops "$FWD_NS" in0 rx)))

# 2. The soak.
start_agent soak "$FWD_NS" -m fwd -i in0 -i out0 --interval 5000
assert_eq "soak: agent started" 0 $?
txgen "$GEN_NS" gen0 --count "$count" --rate "$rate" --dst-port 4301 \
	>"$WORK/gen.out" &
GEN=$!
# UMEM pages become resident as frames cycle: take the baseline after a
# warm-up, then sample every 5 s until the generator is done.
warm=$((SOAK_SECONDS / 6 > 10 ? 10 : SOAK_SECONDS / 6 + 1))
sleep "$warm"
rss_start=$(rss_kb "$AGENT_PID")
rss_max=$rss_start rss_end=$rss_start
while alive "$GEN"; do
	sleep 5
	r=$(rss_kb "$AGENT_PID")
	[ -n "$r" ] || break
	rss_end=$r
	[ "$r" -gt "$rss_max" ] && rss_max=$r
done
wait "$GEN"
sleep 1
alive "$AGENT_PID"
assert_eq "soak: agent ran through the whole soak" 0 $?
stop_agent
assert_eq "soak: exit 0" 0 "$AGENT_RC"
sent=$(jq .totals.tx_packets "$WORK/gen.out")
assert_eq "soak: generator sent all $count frames" "$count" "$sent"

rx=$(final soak .totals.rx_packets)
tx=$(final soak .totals.tx_packets)
drops=$(final soak .totals.drops)
# Socket drops: no fill frame (rx_dropped) or RX ring full.
sock_drop=$(final soak '.totals.xdp_stats.rx_dropped + .totals.xdp_stats.rx_ring_full')
redir=$(final soak '.ports[0].prog.redirected')
sink=$(($(sink_packets "$SINK_NS" sink0) - sink_before))
diag "generator $sent, XDP redirected $redir, socket dropped $sock_drop, agent rx $rx tx $tx drops $drops, sink $sink"
assert_eq "soak: agent rx = tx + drops" "$rx" "$((tx + drops))"
assert_eq "soak: XDP redirected = agent rx + socket drops" "$redir" "$((rx + sock_drop))"
assert_eq "soak: the sink counted exactly what the agent sent" "$tx" "$sink"
assert_eq "soak: every transmitted frame completed" "$tx" "$(final soak .totals.tx_completed)"
# The veth's drop counters (gen0 tx, in0 rx) count both the frames it
# dropped before XDP saw them (its ring holds 256 frames: NAPI late on a
# shared box) and the frames XDP redirected to a socket that had no room.
veth=$(($(link_drops "$GEN_NS" gen0 tx) + $(link_drops "$FWD_NS" in0 rx) - veth_before))
pre=$((veth - sock_drop))
assert_eq "soak: generator = XDP redirected + dropped before XDP" "$sent" "$((redir + pre))"
lost=$((sent - sink))
diag "lost end to end: $lost of $sent ($(printf '%d.%02d' $((lost * 10000 / sent / 100)) $((lost * 10000 / sent % 100)))%): before XDP $pre, socket $sock_drop, agent $drops"
assert_eq "soak: every frame is at the sink or in exactly one drop counter" \
	"$sent" "$((sink + pre + sock_drop + drops))"

diag "VmRSS: start ${rss_start} kB (after ${warm} s), end ${rss_end} kB, max ${rss_max} kB"
assert_le "soak: VmRSS flat (end <= start + ${RSS_SLACK_KB} kB)" \
	$((rss_start + RSS_SLACK_KB)) "$rss_end"

tap_done
