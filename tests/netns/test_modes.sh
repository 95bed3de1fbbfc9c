#!/bin/bash
# The agent's other modes and options on real veth pairs: macswap, rxdrop,
# per-port UMEM (one copy per frame), busy poll, CPU pinning, channels,
# MAC rewrite, the config file and SIGHUP (log reopen, stats reload).
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxm$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "modes suite"
topo_up 1

# macswap on in0: frames come back to gen0 with the MACs swapped.
start_agent swap "$FWD_NS" -m macswap -i in0 --interval 0
"$NSRUN" "$GEN_NS" tcpdump -nn -e -i gen0 -c 50 -Q in udp dst port 4200 \
	>"$WORK/swap.pcap.txt" 2>/dev/null &
TCPD=$!
sleep 1
txgen "$GEN_NS" gen0 --count 50 --rate 5000 --dst-port 4200 >/dev/null
for _ in $(seq 30); do kill -0 $TCPD 2>/dev/null || break; sleep 0.1; done
kill $TCPD 2>/dev/null
stop_agent
assert_eq "macswap: every frame reflected" 50 "$(final swap .totals.tx_packets)"
assert_eq "macswap: reflected frames seen on gen0" 50 \
	"$(grep -c "$IN_MAC > $GEN_MAC" "$WORK/swap.pcap.txt")"

# rxdrop: counts and drops, frees every frame.
start_agent drop "$FWD_NS" -m rxdrop -i in0 --interval 0
txgen "$GEN_NS" gen0 --count 3000 --rate 20000 --dst-port 4201 >/dev/null
sleep 0.5
stop_agent
assert_eq "rxdrop: all frames received" 3000 "$(final drop .totals.rx_packets)"
assert_eq "rxdrop: none sent" 0 "$(final drop .totals.tx_packets)"

# Shared UMEM (no copy in user space; the default is per port in copy
# mode), kernel-default TX budget, no idle spin, MAC rewrite, pinning,
# busy poll.
start_agent opts "$FWD_NS" -m fwd -i in0 -i out0 --umem shared --cpus 0 \
	--busy-poll --batch 16 --set ports.1.dst_mac=$SINK_MAC \
	--set ports.1.src_mac=$OUT_MAC --set socket.tx_budget=32 \
	--idle-spin 0 --interval 0
assert_eq "options accepted (shared UMEM, TX budget, pinning, busy poll)" 0 $?
assert_match "shared UMEM as asked" "UMEM: shared \(socket.umem\)" \
	"$(cat "$WORK/opts.log")"
"$NSRUN" "$SINK_NS" tcpdump -nn -e -i sink0 -c 20 -Q in udp dst port 4202 \
	>"$WORK/rw.pcap.txt" 2>/dev/null &
TCPD=$!
sink_start s1 4202 -n 5000 -t 30 -I 3
sleep 0.5
txgen "$GEN_NS" gen0 --count 5000 --rate 20000 --dst-port 4202 >/dev/null
assert_eq "shared UMEM forwards every frame" 5000 "$(sink_result s1 .frames)"
kill $TCPD 2>/dev/null
worker_cpu=$(ps -L -o psr=,comm= -p "$AGENT_PID" | awk 'NR>1{print $1}' | sort -u | head -1)
stop_agent
assert_eq "shared UMEM: rx = tx (no drops)" "$(final opts .totals.rx_packets)" \
	"$(final opts .totals.tx_packets)"
assert_match "MAC rewrite: frames leave out0 with the configured MACs" \
	"$OUT_MAC > $SINK_MAC" "$(cat "$WORK/rw.pcap.txt")"
assert_eq "worker thread pinned to CPU 0" 0 "$worker_cpu"

# Channels: set for the run, restored afterwards.
topo_up 2
start_agent ch "$FWD_NS" -m fwd -i in0 -i out0 --channels 1 --interval 0
assert_eq "agent with --channels 1 started" 0 $?
assert_eq "in0 reduced to 1 rx queue while running" 1 \
	"$(ip netns exec "$FWD_NS" ethtool -l in0 | awk '/^RX:/{v=$2} END{print v}')"
stop_agent
assert_eq "only one queue bound" 1 "$(final ch '[.queues[] | select(.ifname=="in0")] | length')"
assert_eq "channels restored at exit" 2 \
	"$(ip netns exec "$FWD_NS" ethtool -l in0 | awk '/^RX:/{v=$2} END{print v}')"

# Metrics stay fresh without periodic stats (--interval 0).
topo_up 1
start_agent prom "$FWD_NS" -m fwd -i in0 -i out0 --interval 0 --prometheus :9465
sleep 1.5
metrics=$(ip netns exec "$FWD_NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9465; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3')
assert_match "metrics served with --interval 0" 'afxdp_rx_packets_total\{ifname="in0"' "$metrics"
stop_agent

# Config file + SIGHUP: the log is reopened (rotation) and the stats
# settings are re-read.
topo_up 1
cfg=$WORK/agent.yaml
cat >"$cfg" <<YAML
mode: fwd
ports:
  - ifname: in0
  - ifname: out0
xdp:
  filter: ["udp dport 4203"]
stats:
  interval_ms: 0
  format: json
log:
  file: $WORK/agent.log
YAML
"$NSRUN" "$FWD_NS" "$AGENT" -c "$cfg" >"$WORK/hup.json" 2>&1 &
AGENT_PID=$!
for _ in $(seq 50); do grep -q capabilities "$WORK/agent.log" 2>/dev/null && break; sleep 0.1; done
assert_match "config file: log written to log.file" "attached in native mode" "$(cat "$WORK/agent.log")"
mv "$WORK/agent.log" "$WORK/agent.log.1"
sed -i 's/interval_ms: 0/interval_ms: 200/' "$cfg"
kill -HUP "$AGENT_PID"
sleep 1.2
assert_match "SIGHUP: a new log file is opened" "SIGHUP" "$(cat "$WORK/agent.log" 2>/dev/null)"
assert_ge "SIGHUP: the new stats interval applies" 3 "$(grep -c '"type":"stats"' "$WORK/hup.json")"
stop_agent
assert_eq "exit 0 after SIGHUP and SIGTERM" 0 "$AGENT_RC"

# Plain `ip netns exec` (no nsrun): /sys is remounted without a bpffs, so
# libxdp cannot use its dispatcher. The agent still runs, and the log names
# the missing bpffs and the mount that fixes it instead of blaming the
# kernel.
topo_up 1
assert_eq "plain ip netns exec: no bpffs at /sys/fs/bpf there" no \
	"$(ip netns exec "$FWD_NS" sh -c 'mountpoint -q /sys/fs/bpf && echo yes || echo no')"
assert_rc "plain ip netns exec: the agent runs without a bpffs" 0 \
	timeout 60 ip netns exec "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 -d 1 --interval 0
assert_match "no bpffs: the log names the cause and the fix" \
	"in0: XDP program attached in native mode, as the only program \(no dispatcher: no bpffs at /sys/fs/bpf \(ip netns exec remounts /sys\); fix: mount -t bpf bpf /sys/fs/bpf\)" \
	"$OUT"
assert_no_match "no bpffs: the kernel is not blamed" "refused by the kernel" "$OUT"
# With the bpffs mounted (nsrun) that message is gone.
assert_rc "with a bpffs: the agent runs" 0 \
	timeout 60 "$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 -d 1 --interval 0
assert_no_match "with a bpffs: no bpffs complaint" "no bpffs" "$OUT"

# MTU: --check and the run use one limit (frame_size - 278), and when veth
# refuses native XDP over its peer's MTU the kernel's reason is shown.
topo_up 1
agent() { timeout 60 "$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 "$@"; }
assert_rc "MTU 3819 with 4096-byte frames: --check refuses (exit 2)" 2 \
	agent --frame-size 4096 --mtu 3819 --check
assert_match "--check names the largest MTU" "at most 3818" "$OUT"
assert_rc "MTU 3818 with 4096-byte frames: --check accepts" 0 \
	agent --frame-size 4096 --mtu 3818 --check
assert_rc "MTU 3818 with 4096-byte frames: the run accepts it too" 0 \
	agent --frame-size 4096 --mtu 3818 -d 1 --interval 0
assert_eq "MTU restored after the run" 1500 "$(ip -n "$FWD_NS" -j link show in0 | jq .[0].mtu)"
ip -n "$GEN_NS" link set gen0 mtu 4000
assert_rc "veth peer MTU 4000: the agent falls back to skb mode" 0 \
	agent --frame-size 4096 -d 1 --interval 0
assert_match "skb fallback shows the kernel's reason and the MTU veth needs" \
	"in0: XDP program attached in skb mode.*native mode refused \(Numerical result out of range: veth: Peer MTU is too large to set XDP; native XDP on veth needs MTU <= 3506 on in0 and its peer\)" \
	"$OUT"
assert_rc "veth peer MTU 4000, --xdp-mode native: refused with exit 2" 2 \
	agent --frame-size 4096 -d 1 --interval 0 --xdp-mode native
assert_match "native refusal shows the kernel's reason" \
	"in0: cannot attach XDP program \(native mode\): .*veth: Peer MTU is too large to set XDP" "$OUT"
assert_eq "native refusal: nothing attached to in0 (the probe removed)" none "$(xdp_prog_on "$FWD_NS" in0)"
ip -n "$GEN_NS" link set gen0 mtu 3506
assert_rc "veth peer at the advised MTU 3506: the agent runs" 0 \
	agent --frame-size 4096 -d 1 --interval 0 --xdp-mode native
assert_match "veth peer at the advised MTU 3506: native mode" \
	"in0: XDP program attached in native mode" "$OUT"

tap_done
