#!/bin/bash
# make demo: build, then forward a real packet stream through afxdp-agent
#   generator (afxdp-agent txgen) -> veth -> afxdp-agent fwd -> veth -> sink
# in three network namespaces, and print what was forwarded, the XDP and
# socket modes obtained, and the rate. Everything it creates is removed.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-1000000}
RATE=${RATE:-0}   # 0: as fast as the generator goes
export TOPO_PREFIX=afxdemo
. scripts/topo.sh
AGENT=$PWD/guest/afxdp-agent
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, XDP)" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; topo_down; rm -rf "$work"' EXIT

echo "== topology: ${GEN_NS}(gen0) -> ${FWD_NS}(in0 [afxdp-agent fwd] out0) -> ${SINK_NS}(sink0)"
topo_up 1
# The sink counts independently: an XDP program that counts and drops.
sink_attach "$SINK_NS" sink0

"$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 --stats json --interval 1000 \
	>"$work/agent.json" 2>"$work/agent.log" &
agent=$!
for _ in $(seq 50); do grep -q capabilities "$work/agent.log" && break; sleep 0.1; done
cat "$work/agent.log"

echo "== generating $COUNT UDP frames of 64 bytes (rate ${RATE:-max} pps)"
"$NSRUN" "$GEN_NS" "$AGENT" -m txgen -i gen0 --count "$COUNT" --rate "$RATE" \
	--src-mac $GEN_MAC --dst-mac $IN_MAC --dst-port 4000 --stats json \
	--interval 0 2>"$work/gen.log" | grep '"type":"final"' >"$work/gen.json"
sleep 1.5
kill -TERM $agent
wait $agent || true
final=$(grep '"type":"final"' "$work/agent.json")
q() { echo "$final" | jq -r "$1"; }
sink=$(sink_packets "$SINK_NS" sink0)
gen=$(jq .totals.tx_packets "$work/gen.json")
gen_s=$(jq .uptime_s "$work/gen.json")
echo
echo "== result"
printf '  generator sent        %10s frames in %.2f s (%.2f Mpps offered)\n' "$gen" "$gen_s" \
	"$(echo "$gen $gen_s" | awk '{print $1/$2/1e6}')"
printf '  XDP redirected        %10s  (to the AF_XDP socket of in0)\n' "$(q '.ports[0].prog.redirected')"
printf '  socket overflowed     %10s  (kernel drops: agent slower than the offered load)\n' \
	"$(q '.totals.xdp_stats.rx_dropped + .totals.xdp_stats.rx_ring_full')"
printf '  agent received        %10s\n  agent forwarded       %10s\n  agent dropped         %10s\n' \
	"$(q .totals.rx_packets)" "$(q .totals.tx_packets)" "$(q .totals.drops)"
printf '  sink counted          %10s  (XDP counter on sink0)\n' "$sink"
printf '  forwarding rate       %10.3f Mpps while busy\n' \
	"$(echo "$final" | jq '[.queues[].tx_packets] | add' | awk -v t="$gen_s" '{print $1/t/1e6}')"
grep -h "attached in\|socket in" "$work/agent.log" | sed 's/^afxdp-agent: info: /  mode: /'
