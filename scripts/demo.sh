#!/bin/bash
# make demo: build, then forward a real packet stream through afxdp-agent
#   generator (afxdp-agent txgen) -> veth -> afxdp-agent fwd -> veth -> sink
# in three network namespaces, and print what was forwarded, the XDP and
# socket modes obtained, and the rate.
#
# Exit 0 when frames were forwarded and every generated frame is accounted
# for (sink + counted drops); otherwise non-zero with one line
# "demo: FAILED: <reason>". Everything it creates (namespaces, veths, their
# XDP programs, processes, the work folder) is removed on success, failure
# and Ctrl-C alike.
#
# Environment: COUNT (frames, default 1000000), RATE (pps, 0 = as fast as
# the generator goes), AGENT_ARGS (extra options for the forwarding agent).
set -eEu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-1000000}
RATE=${RATE:-0}
AGENT_ARGS=${AGENT_ARGS:-}
export TOPO_PREFIX=${TOPO_PREFIX:-afxdemo}
. scripts/topo.sh
AGENT=$PWD/guest/afxdp-agent

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || { echo "demo: FAILED: run as root (network namespaces, XDP): sudo make demo" >&2; exit 2; }
[ -x "$AGENT" ] || { echo "demo: FAILED: $AGENT is not built (make agent)" >&2; exit 2; }

work=""
agent=""
# Runs once, whatever ended the script. The agent is a background job, which
# a non-interactive shell starts with SIGINT ignored: stop it with SIGTERM so
# it detaches its XDP programs itself, then take the namespaces down (which
# kills anything left in them and deletes the veths).
cleanup() {
	local rc=$?
	trap - EXIT INT TERM ERR
	set +e
	if [ -n "$agent" ] && kill -0 "$agent" 2>/dev/null; then
		kill -TERM "$agent" 2>/dev/null
		for _ in $(seq 30); do kill -0 "$agent" 2>/dev/null || break; sleep 0.1; done
	fi
	local j
	for j in $(jobs -p); do kill -TERM "$j" 2>/dev/null; done
	wait 2>/dev/null
	topo_down
	[ -z "$work" ] || rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "demo: FAILED: interrupted" >&2; exit 130' INT
trap 'echo "demo: FAILED: terminated" >&2; exit 143' TERM
trap 'fail "line $LINENO: \"$BASH_COMMAND\" exited $?"' ERR
work=$(mktemp -d -t afxdemo.XXXXXX)

echo "== topology: ${GEN_NS}(gen0) -> ${FWD_NS}(in0 [afxdp-agent fwd] out0) -> ${SINK_NS}(sink0)"
topo_up 1
# The sink counts independently: an XDP program that counts and drops.
sink_attach "$SINK_NS" sink0

# shellcheck disable=SC2086 # AGENT_ARGS is a list of options
"$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 --stats json --interval 1000 \
	$AGENT_ARGS >"$work/agent.json" 2>"$work/agent.log" &
agent=$!
for _ in $(seq 300); do
	grep -q capabilities "$work/agent.log" && break
	kill -0 "$agent" 2>/dev/null || break
	sleep 0.1
done
cat "$work/agent.log"
if ! kill -0 "$agent" 2>/dev/null; then
	rc=0
	wait "$agent" || rc=$?
	agent=""
	fail "the agent exited $rc before forwarding: $(grep -v '^$' "$work/agent.log" | tail -n 1)"
fi
grep -q capabilities "$work/agent.log" || fail "the agent did not finish its setup within 30 s"

echo "== generating $COUNT UDP frames of 64 bytes (rate ${RATE:-max} pps)"
# In the background and waited for: `wait` returns at once on Ctrl-C, so the
# INT trap runs even though the generator handles SIGINT itself.
"$NSRUN" "$GEN_NS" "$AGENT" -m txgen -i gen0 --count "$COUNT" --rate "$RATE" \
	--src-mac $GEN_MAC --dst-mac $IN_MAC --dst-port 4000 --stats json \
	--interval 0 >"$work/gen.out" 2>"$work/gen.log" &
gen_rc=0
wait $! || gen_rc=$?
[ "$gen_rc" = 0 ] || fail "the generator exited $gen_rc: $(tail -n 1 "$work/gen.log")"
grep '"type":"final"' "$work/gen.out" >"$work/gen.json" ||
	fail "the generator printed no final report"
sleep 1.5
kill -0 "$agent" 2>/dev/null ||
	fail "the agent stopped before the end: $(tail -n 1 "$work/agent.log")"
kill -TERM "$agent"
agent_rc=0
wait "$agent" || agent_rc=$?
agent=""
[ "$agent_rc" = 0 ] || fail "the agent exited $agent_rc on SIGTERM: $(tail -n 1 "$work/agent.log")"
final=$(grep '"type":"final"' "$work/agent.json") || fail "the agent printed no final report"
q() { echo "$final" | jq -r "$1"; }
gen=$(jq .totals.tx_packets "$work/gen.json")
gen_s=$(jq .uptime_s "$work/gen.json")
redirected=$(q '.ports[0].prog.redirected')
passed=$(q '.ports[0].prog.passed + .ports[0].prog.no_socket')
overflow=$(q '.totals.xdp_stats.rx_dropped + .totals.xdp_stats.rx_ring_full')
rx=$(q .totals.rx_packets)
tx=$(q .totals.tx_packets)
drops=$(q .totals.drops)
lost=$(q .totals.lost)
sink=$(sink_packets "$SINK_NS" sink0)
echo
echo "== result"
printf '  generator sent        %10s frames in %.2f s (%.2f Mpps offered)\n' "$gen" "$gen_s" \
	"$(echo "$gen $gen_s" | awk '{print $1/$2/1e6}')"
printf '  XDP redirected        %10s  (to the AF_XDP socket of in0)\n' "$redirected"
printf '  socket overflowed     %10s  (kernel drops: agent slower than the offered load)\n' "$overflow"
printf '  agent received        %10s\n  agent forwarded       %10s\n  agent dropped         %10s\n' \
	"$rx" "$tx" "$drops"
printf '  lost in all           %10s  (agent drops + the kernel'"'"'s socket drops)\n' "$lost"
printf '  sink counted          %10s  (XDP counter on sink0)\n' "$sink"
printf '  forwarding rate       %10.3f Mpps while busy\n' \
	"$(echo "$final" | jq '[.queues[].tx_packets] | add' | awk -v t="$gen_s" '{print $1/t/1e6}')"
grep -h "attached in\|socket in" "$work/agent.log" | sed 's/^afxdp-agent: info: /  mode: /'

# Every frame the generator sent is somewhere: at the sink, or in a counter
# that says where it was dropped.
[ "$sink" -gt 0 ] 2>/dev/null || fail "nothing reached the sink (sink counted '$sink')"
[ "$gen" = "$((redirected + passed))" ] ||
	fail "generated $gen but XDP on in0 saw $((redirected + passed))"
[ "$redirected" = "$((rx + overflow))" ] ||
	fail "XDP redirected $redirected but the agent received $rx and the kernel dropped $overflow"
[ "$rx" = "$((tx + drops))" ] || fail "the agent received $rx but forwarded $tx and dropped $drops"
[ "$tx" = "$sink" ] || fail "the agent forwarded $tx but the sink counted $sink"
[ "$((gen - sink))" = "$((lost + passed))" ] ||
	fail "$((gen - sink)) frames did not reach the sink but the agent reports $lost lost (+ $passed passed to the kernel)"
echo "demo: OK: $sink of $gen frames forwarded; $lost lost, every one counted$([ "$passed" = 0 ] || echo " ($passed passed to the kernel)")"
