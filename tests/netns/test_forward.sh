#!/bin/bash
# afxdp-agent forwards real frames over AF_XDP on veth pairs in network
# namespaces: gen --veth--> [in0 agent out0] --veth--> sink.
# Counters are reconciled exactly against an independent AF_PACKET sink.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxf$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "forwarding suite"

# 1. 100,000 frames through the agent, counts reconciled exactly.
topo_up 1
start_agent fwd "$FWD_NS" -m fwd -i in0 -i out0 --interval 500
assert_eq "agent started (fwd in0 <-> out0)" 0 $?
sink_start s1 4000 -n 100000 -t 60 -I 5
# 20 kpps: a veth XDP ring holds 256 frames, and on 2 shared cores a late
# NAPI run must not overflow it before the agent is even involved.
gen=$(txgen "$GEN_NS" gen0 --count 100000 --rate 20000 --batch 8 --dst-port 4000)
assert_eq "generator sent 100000 frames" 100000 "$(echo "$gen" | jq .totals.tx_packets)"
sink=$(sink_result s1 .frames)
stop_agent
assert_eq "agent exits 0 on SIGTERM" 0 "$AGENT_RC"
rx=$(final fwd .totals.rx_packets); tx=$(final fwd .totals.tx_packets)
drops=$(final fwd .totals.drops)
assert_eq "agent received all 100000 frames" 100000 "$rx" ||
	diag "in0 veth drops: $(ip -n "$FWD_NS" -s -j link show in0 | jq -c '.[0].stats64.rx')"
assert_eq "agent counters reconcile: rx = tx + drops" "$rx" "$((tx + drops))"
assert_eq "sink received exactly what the agent sent" "$tx" "$sink"
assert_eq "XDP program redirected every frame" 100000 \
	"$(final fwd '.ports[0].prog.redirected')"
assert_eq "agent reports native XDP" native "$(final fwd '.ports[0].xdp_mode')"
assert_eq "agent reports the socket mode it got (copy on veth)" copy \
	"$(final fwd '.queues[0].socket_mode')"
assert_match "agent says why the dispatcher was not used" \
	"dispatcher|as the only program" "$(cat "$WORK/fwd.log")"
assert_match "copy mode: one UMEM per port by default, and says why" \
	"UMEM: one per port \(copy mode" "$(cat "$WORK/fwd.log")"
# XDP_MAX_TX_SKB_BUDGET came with Linux 6.17: where the kernel has it,
# one kick sends up to the TX ring; where not, the agent says so.
if printf '%s\n' 6.17 "$(uname -r)" | sort -V -C; then
	budget="up to 2048 frames per kick"
else
	budget="32 frames per kick \(the kernel has no XDP_MAX_TX_SKB_BUDGET"
fi
assert_match "copy-mode TX budget reported ($(uname -r))" "$budget" \
	"$(cat "$WORK/fwd.log")"

# 2. One single frame is forwarded within 10 ms (no waiting for a batch).
start_agent one "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
sleep 0.5 # let the worker go idle in poll()
sink_start s2 4001 -n 1 -t 10 -L "$WORK/s2.lat"
txgen "$GEN_NS" gen0 --count 1 --dst-port 4001 --timestamp >/dev/null
assert_eq "the single frame arrived" 1 "$(sink_result s2 .frames)"
lat=$(jq -r '.lat_max_us // 999999' "$WORK/s2.out")
assert_le "single frame latency in us (< 10 ms)" 10000 "${lat%.*}"
assert_eq "pktsink -L: that frame's latency, one line in ns" "1 $lat" \
	"$(awk '{n++; v = $1} END {printf "%d %.1f", n, v / 1e3}' "$WORK/s2.lat")"
stop_agent

# 3. Non-matching traffic reaches the kernel while matching UDP is forwarded.
start_agent filt "$FWD_NS" -m fwd -i in0 -i out0 -f "udp dport 4002" --interval 0
"$NSRUN" "$FWD_NS" socat -T 5 TCP-LISTEN:8080,bind=10.77.0.2,reuseaddr \
	SYSTEM:'echo pong-from-kernel' >/dev/null 2>&1 &
LISTENER=$!
sleep 0.3
sink_start s3 4002 -n 1000 -t 30 -I 3
txgen "$GEN_NS" gen0 --count 1000 --rate 20000 --dst-port 4002 >/dev/null
reply=$(nsrun "$GEN_NS" socat -T 3 - TCP:10.77.0.2:8080 </dev/null 2>&1)
assert_eq "TCP to a listener in the agent's namespace is answered" \
	pong-from-kernel "$reply"
assert_eq "matching UDP forwarded meanwhile" 1000 "$(sink_result s3 .frames)"
kill "$LISTENER" 2>/dev/null
stop_agent
assert_ge "non-matching frames (ARP, TCP) were passed to the kernel" 2 \
	"$(final filt '.ports[0].prog.passed')"
assert_eq "only matching frames were redirected" 1000 \
	"$(final filt '.ports[0].prog.redirected')"

# 4. Two queues on one port both carry traffic.
topo_up 2
start_agent mq "$FWD_NS" -m fwd -i in0 -i out0 -q all --interval 0
assert_eq "agent started on 2 queues" 0 $?
sink_start s4 4003 -n 20000 -t 60 -I 5
gen=$(txgen "$GEN_NS" gen0 -q all --count 20000 --rate 20000 --dst-port 4003)
assert_eq "generator used 2 queues" 2 "$(echo "$gen" | jq '.queues | length')"
sink=$(sink_result s4 .frames)
stop_agent
q0=$(final mq '[.queues[] | select(.ifname=="in0" and .queue==0)][0].rx_packets')
q1=$(final mq '[.queues[] | select(.ifname=="in0" and .queue==1)][0].rx_packets')
assert_ge "in0 queue 0 carried traffic" 1 "$q0"
assert_ge "in0 queue 1 carried traffic" 1 "$q1"
assert_eq "both queues together: all 20000 frames" 20000 "$((q0 + q1))"
assert_eq "sink count matches the agent's tx" "$(final mq .totals.tx_packets)" "$sink"

# 5. Lifecycle: SIGTERM leaves nothing of ours; SIGKILL then restart works;
#    link down/up while running.
topo_up 1
start_agent life "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "XDP program attached while running" afxdp_steer "$(xdp_prog_on "$FWD_NS" in0)"
stop_agent
assert_eq "SIGTERM: exit 0" 0 "$AGENT_RC"
assert_eq "SIGTERM: no XDP program left on in0" none "$(xdp_prog_on "$FWD_NS" in0)"
assert_eq "SIGTERM: no XDP program left on out0" none "$(xdp_prog_on "$FWD_NS" out0)"

start_agent killed "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
assert_eq "SIGKILL leaves the program behind" afxdp_steer "$(xdp_prog_on "$FWD_NS" in0)"
start_agent restarted "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "restart after SIGKILL succeeds" 0 $?
assert_match "restart reports replacing the stale program" "stale" \
	"$(cat "$WORK/restarted.log")"
sink_start s5 4004 -n 500 -t 20 -I 3
txgen "$GEN_NS" gen0 --count 500 --rate 10000 --dst-port 4004 >/dev/null
assert_eq "restarted agent forwards" 500 "$(sink_result s5 .frames)"

ip -n "$FWD_NS" link set in0 down
sleep 0.5
ip -n "$FWD_NS" link set in0 up
# The kernel's linkwatch reports the carrier (IFF_RUNNING, which the
# agent's link_up reads) up to a second after a flap: wait for it, or the
# final report below races it.
for _ in $(seq 30); do
	[ "$(ip -n "$FWD_NS" -j link show dev in0 | jq -r '.[0].operstate')" = UP ] && break
	sleep 0.1
done
kill -0 "$AGENT_PID" 2>/dev/null
assert_eq "agent survives link down/up" 0 $?
sink_start s6 4005 -n 500 -t 20 -I 3
txgen "$GEN_NS" gen0 --count 500 --rate 10000 --dst-port 4005 >/dev/null
assert_eq "forwarding resumes after link up" 500 "$(sink_result s6 .frames)"
stop_agent
assert_eq "exit 0 after link flap" 0 "$AGENT_RC"
assert_eq "link down counted in stats, no crash" "true" \
	"$(final restarted '.ports[0].link_up')"

tap_done
