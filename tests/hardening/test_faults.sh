#!/bin/bash
# Fault injection on a forwarding agent (veth/netns topology of
# scripts/topo.sh): link flaps under traffic, TX ring full, fill ring
# starvation, the port deleted and re-created, SIGKILL mid-traffic and a
# second agent on the same queue. Each fault must be survived or refused
# as documented (docs/hardening.md), with counters that still reconcile.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxh$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "fault injection suite"

# 1. Link down/up in a loop on both ports while traffic flows.
topo_up 1
start_agent flap "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "flap: agent started" 0 $?
txgen "$GEN_NS" gen0 --count 40000 --rate 10000 --dst-port 4100 >/dev/null &
GEN=$!
for i in 1 2 3 4 5 6; do
	dev=$([ $((i % 2)) = 1 ] && echo in0 || echo out0)
	ip -n "$FWD_NS" link set "$dev" down
	sleep 0.2
	ip -n "$FWD_NS" link set "$dev" up
	sleep 0.3
done
wait "$GEN"
alive "$AGENT_PID"
assert_eq "flap: agent kept running through 6 link flaps under traffic" 0 $?
sleep 0.5
forwards flap-after 4101 1000
stop_agent
assert_eq "flap: exit 0 after the flaps" 0 "$AGENT_RC"
reconcile flap
assert_ge "flap: frames were forwarded during the flaps" 1001 \
	"$(final flap .totals.tx_packets)"

# 2. TX ring full: out0 down, so the kernel sends nothing from its TX ring
#    (sendto: ENETDOWN) while in0 keeps receiving. The agent counts the
#    overflow as tx_ring_full drops, reports out0 down, and recovers.
start_agent txfull "$FWD_NS" -m fwd -i in0 -i out0 --interval 200 \
	--ring-size 256 --frames 1024
assert_eq "txfull: agent started" 0 $?
ip -n "$FWD_NS" link set out0 down
txgen "$GEN_NS" gen0 --count 5000 --rate 20000 --dst-port 4102 >/dev/null
sleep 0.5
alive "$AGENT_PID"
assert_eq "txfull: agent survives a TX ring that does not drain" 0 $?
assert_match "txfull: periodic stats report out0 down" '"ifname":"out0"[^}]*"link_up":false' \
	"$(grep '"type":"stats"' "$WORK/txfull.json" | tail -1)"
ip -n "$FWD_NS" link set out0 up
sleep 0.5
forwards txfull-after 4103 1000
stop_agent
assert_eq "txfull: exit 0" 0 "$AGENT_RC"
assert_ge "txfull: overflow counted as tx_ring_full drops" 1 \
	"$(final txfull .totals.drops_by_cause.tx_ring_full)"
reconcile txfull

# 3. Fill ring starvation: a tiny UMEM (256 frames, rings of 128) and an
#    unpaced burst. Frames the kernel could not place are visible in the
#    socket statistics; everything the agent took is accounted for.
# The agent is stopped (SIGSTOP) during the burst, so it cannot refill:
# the kernel takes the 128 fill frames, then finds the fill ring empty.
# An RX ring larger than the UMEM cannot fill up, so that is the only way
# frames are lost here. (A running agent on an idle machine keeps up with
# the burst, and with RX and fill rings of one size which of the two runs
# out first is a race: a CI run saw only rx_ring_full.)
start_agent starve "$FWD_NS" -m fwd -i in0 -i out0 --interval 0 \
	--frames 256 --ring-size 128 --set socket.rx_size=1024 --batch 32
assert_eq "starve: agent started with 256 frames, fill rings of 128, RX rings of 1024" 0 $?
kill -STOP "$AGENT_PID"
gen=$(txgen "$GEN_NS" gen0 --count 50000 --dst-port 4104)
kill -CONT "$AGENT_PID"
assert_eq "starve: burst of 50000 sent to the stopped agent" 50000 "$(echo "$gen" | jq .totals.tx_packets)"
alive "$AGENT_PID"
assert_eq "starve: agent survives fill ring starvation" 0 $?
forwards starve-after 4105 1000
stop_agent
assert_eq "starve: exit 0" 0 "$AGENT_RC"
reconcile starve
starved=$(final starve '.totals.xdp_stats.rx_fill_ring_empty_descs + .totals.fill_starved')
assert_ge "starve: starvation visible (rx_fill_ring_empty_descs + fill_starved)" 1 "$starved"
# The kernel drops a redirected frame at the socket for want of a fill
# frame (rx_dropped) or of RX ring room (rx_ring_full); the sum covers
# both, whichever the ring sizes make happen.
assert_eq "starve: every redirected frame is received or counted as dropped by the socket" \
	"$(final starve '.ports[0].prog.redirected')" \
	"$(final starve '.queues[0].rx_packets + .queues[0].xdp_stats.rx_dropped + .queues[0].xdp_stats.rx_ring_full')"
# The overflow is in the agent's own total: lost = its drops + the
# socket's rx_dropped + rx_ring_full + tx_invalid_descs, and non-zero here.
assert_eq "starve: totals.lost = drops + socket rx_dropped + rx_ring_full + tx_invalid_descs" \
	"$(final starve '.totals.drops + .totals.xdp_stats.rx_dropped + .totals.xdp_stats.rx_ring_full + .totals.xdp_stats.tx_invalid_descs')" \
	"$(final starve .totals.lost)"
assert_ge "starve: the socket overflow shows in a non-zero lost total" 1 \
	"$(final starve .totals.lost)"
assert_ge "starve: lost covers every redirected frame the agent did not receive" \
	"$(final starve '.ports[0].prog.redirected - .queues[0].rx_packets')" \
	"$(final starve .queues[0].lost)"

# 4. The out port's veth deleted, then re-created. Policy: the agent
#    notices, says which port disappeared, cleans up and exits 1.
start_agent gone "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "gone: agent started" 0 $?
PID=$AGENT_PID
# Its program and maps (the XSKMAP holds the sockets) by id: after the
# exit, the kernel must have freed them all.
prog_id=$(ip -n "$FWD_NS" -j link show dev in0 | jq '.[0].xdp.prog.id')
map_ids=$(bpftool -j prog show id "$prog_id" | jq -r '.map_ids[]')
assert_ge "gone: the agent's program has maps (XSKMAP, filter, counters)" 1 \
	"$(echo "$map_ids" | grep -c .)"
ip -n "$FWD_NS" link del out0
wait_exit "$PID" 10
AGENT_PID=
assert_eq "gone: agent exits 1 when a port is deleted" 1 "$WAIT_RC"
assert_match "gone: the log names the port that disappeared" \
	"out0 disappeared" "$(cat "$WORK/gone.log")"
assert_eq "gone: no XDP program left on in0" none "$(xdp_prog_on "$FWD_NS" in0)"
# The kernel frees maps from a work queue: give it 2 s.
for _ in $(seq 20); do
	left=0
	bpftool prog show id "$prog_id" >/dev/null 2>&1 && left=$((left + 1))
	for m in $map_ids; do
		bpftool map show id "$m" >/dev/null 2>&1 && left=$((left + 1))
	done
	[ "$left" = 0 ] && break
	sleep 0.1
done
assert_eq "gone: its program and maps (and so its sockets) are freed" 0 "$left"
ip -n "$FWD_NS" link add out0 address $OUT_MAC type veth peer name sink0 \
	address $SINK_MAC netns "$SINK_NS"
ip -n "$FWD_NS" link set out0 up
ip -n "$SINK_NS" link set sink0 up
ip -n "$SINK_NS" addr add 10.78.0.1/24 dev sink0
assert_eq "gone: no XDP program on the re-created out0" none "$(xdp_prog_on "$FWD_NS" out0)"
start_agent back "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "gone: a new agent starts on the re-created port" 0 $?
forwards back 4106 1000
stop_agent
assert_eq "gone: the new agent exits 0" 0 "$AGENT_RC"

# 5. SIGKILL in the middle of traffic, then a restart.
start_agent victim "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
txgen "$GEN_NS" gen0 --count 20000 --rate 10000 --dst-port 4107 >/dev/null &
GEN=$!
sleep 1
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
wait "$GEN"
assert_eq "kill: SIGKILL leaves the program attached" afxdp_steer "$(xdp_prog_on "$FWD_NS" in0)"
start_agent revived "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "kill: restart succeeds" 0 $?
assert_match "kill: restart replaces the stale program" "stale" "$(cat "$WORK/revived.log")"
forwards revived 4108 1000
stop_agent
assert_eq "kill: restarted agent exits 0" 0 "$AGENT_RC"
reconcile revived
assert_eq "kill: nothing left on in0 after the clean stop" none "$(xdp_prog_on "$FWD_NS" in0)"

# 6. Two agents on the same queue: the second is refused with a clear
#    error and exit 2; the first carries on.
start_agent first "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
FIRST=$AGENT_PID
assert_rc "second: a second agent on the same ports exits 2" 2 \
	timeout 60 "$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 --interval 0
assert_match "second: its error says the port is busy and who holds it" \
	"busy|in use|held|another" "$OUT"
assert_match "second: the error names the first agent's pid" "$FIRST" "$OUT"
diag "second agent said: $(echo "$OUT" | grep -iE 'busy|in use|held|another' | head -1)"
alive "$FIRST"
assert_eq "second: the first agent still runs" 0 $?
assert_eq "second: the first agent's program is still attached" afxdp_steer \
	"$(xdp_prog_on "$FWD_NS" in0)"
forwards first 4109 1000
stop_agent
assert_eq "second: the first agent exits 0" 0 "$AGENT_RC"
reconcile first

tap_done
