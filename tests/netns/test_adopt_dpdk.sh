#!/bin/bash
# Real DPDK adopts AF_XDP on interfaces the agent prepared (issue 13):
# Debian 13's dpdk-testpmd 24.11 (scripts/trixie-root.sh) as an
# unprivileged user, forwarding io between two agent-prepared veths, first
# with use_cni (the device-plugin socket at DPDK's default path), then with
# use_pinned_map (the agent's pin at dp_path):
#
#   ns A  y1 ==veth== x1 [F: agent, mode none; testpmd port 0 (claim "in",
#                         queue 0, udp dport 5001)]
#   ns B  y2 ==veth== x2 [F: testpmd port 1 (claim "out")]
#
# The kit's generator in A sends N frames; sink_count (XDP, drops) on y2 in
# B counts what testpmd sent out of port 1. testpmd's own counts, the
# agent's per-application counters and the sink must all say N, while TCP
# to F's address on x1 reaches the kernel.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib/trixie.sh"
P=afxdd$$
NS_A=${P}a NS_F=${P}f NS_B=${P}b
IN=dpi$$ OUT=dpo$$
APPUID=${APP_UID:-64533}
FRAMES=20000
RATE=10000 # testpmd's polling lcore shares 2 cores with the generator
# Pins live in a bpffs mounted here, in the host's mount namespace, so that
# the root testpmd runs from sees them (no dot: libbpf rewrites them).
BPFFS=/tmp/afxdpdpdk$$
IN_MAC=02:00:00:00:d1:01
OUT_MAC=02:00:00:00:d1:02
dd_cleanup() {
	[ -n "${TESTPMD_PID:-}" ] && kill -KILL "$TESTPMD_PID" 2>/dev/null
	cleanup
	for ns in $NS_A $NS_F $NS_B; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rmdir "$BPFFS" 2>/dev/null
}
trap dd_cleanup EXIT
require_root "DPDK adoption suite"
t0=$(date +%s)
if ! ROOT=$(trixie_root); then
	not_ok "the Debian 13 root with DPDK 24.11 builds (scripts/trixie-root.sh)"
	tap_done
	exit 1
fi
ok "the Debian 13 root with DPDK 24.11 is there ($(($(date +%s) - t0)) s)"
chmod 755 "$WORK"
TRIXIE_WORK=$WORK
# Two ports fill two fill rings from one pool: testpmd's 4096 default of
# the harness starves them (RX-nombufs).
export TESTPMD_MBUFS=16384 TESTPMD_MEM=512

for ns in $NS_A $NS_F $NS_B; do
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip -n $NS_A link add y1 type veth peer name "$IN" address $IN_MAC netns $NS_F
ip -n $NS_B link add y2 type veth peer name "$OUT" address $OUT_MAC netns $NS_F
ip -n $NS_A addr add 10.81.0.1/24 dev y1
ip -n $NS_F addr add 10.81.0.2/24 dev "$IN"
for l in "$NS_A y1" "$NS_F $IN" "$NS_F $OUT" "$NS_B y2"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip netns exec $NS_A ethtool -K y1 tx off >/dev/null
# The independent sink: every frame testpmd sends out of port 1.
ip -n $NS_B link set dev y2 xdpdrv obj "$TOP/bpf/sink_count.bpf.o" sec xdp

# agent_config ENDPOINT: mode none, the two claims of testpmd's ports.
agent_config() {
	local p_in="" p_out=""
	if [ "$1" = pinned ]; then
		p_in="    path: $BPFFS/in_map" p_out="    path: $BPFFS/out_map"
	fi
	cat >"$WORK/agent.yaml" <<-EOF
	mode: none
	stats:
	  interval_ms: 300
	  format: json
	apps:
	  - name: in
	    ifname: $IN
	    queues: [0]
	    filter: ["udp dport 5001"]
	    uids: [$APPUID]
	    endpoint: $1
	$p_in
	  - name: out
	    ifname: $OUT
	    queues: [0]
	    filter: ["udp dport 5001"]
	    uids: [$APPUID]
	    endpoint: $1
	$p_out
	EOF
}
app_stat() { # app_stat NAME JQ: from the agent's latest report
	sleep 0.7
	grep '"apps"' "$WORK/agent.json" | tail -1 |
		jq -r ".apps[] | select(.name == \"$1\") | $2"
}
sink_count() { sink_packets $NS_B y2; }

# run MODE VDEV_ARGS: one testpmd run as APPUID with CAP_NET_RAW and
# CAP_IPC_LOCK (docs/adoption.md: its UMEM is its mbuf pool, larger than
# the 8 MiB RLIMIT_MEMLOCK an unprivileged process gets here).
run() {
	local mode=$1 vin=$2 vout=$3 s0 gen
	agent_config "$mode"
	start_agent agent $NS_F -c "$WORK/agent.yaml"
	assert_eq "$mode: agent prepares $IN and $OUT for testpmd (mode none)" 0 $? ||
		diag_tail "$WORK/agent.log"
	s0=$(sink_count)
	TESTPMD_VDEVS="$vout" TESTPMD_DIRS="$4" \
		testpmd_start "tp_$mode" $NS_F "$APPUID:$APPUID" net_raw,ipc_lock - "$vin" \
		--forward-mode=io
	if ! assert_eq "$mode: testpmd 24.11 starts as uid $APPUID (net_raw, ipc_lock)" 0 $?; then
		diag_tail "$WORK/tp_$mode.out" 30
		stop_agent
		return 1
	fi
	gen=$(nsrun $NS_A "$AGENT" -m txgen -i y1 --stats json --interval 0 \
		--src-mac 02:00:00:00:d0:01 --dst-mac $IN_MAC --src-ip 10.81.0.1 \
		--dst-ip 10.81.0.2 --dst-port 5001 --count $FRAMES --rate $RATE \
		2>"$WORK/txgen.log" | grep '"type":"final"')
	assert_eq "$mode: generator sent $FRAMES frames" $FRAMES "$(echo "$gen" | jq .totals.tx_packets)"
	# TCP to F's own address on testpmd's interface and queue: the kernel.
	assert_eq "$mode: curl over TCP to $IN's address while testpmd runs: the kernel answers" \
		"kernel path" "$(ip netns exec $NS_A curl -sS -m 5 http://10.81.0.2:8081/index.txt 2>&1)"
	sleep 0.5
	testpmd_stop "tp_$mode"
	assert_eq "$mode: testpmd exits 0 on SIGINT" 0 "$TESTPMD_RC"
	assert_eq "$mode: testpmd port 0 received every frame" $FRAMES \
		"$(testpmd_stat "tp_$mode" 0 RX-packets)" || diag_tail "$WORK/tp_$mode.out" 30
	assert_eq "$mode: testpmd port 1 sent every frame" $FRAMES \
		"$(testpmd_stat "tp_$mode" 1 TX-packets)"
	assert_eq "$mode: the independent sink counted every frame" $FRAMES \
		$(($(sink_count) - s0))
	assert_eq "$mode: the agent's counter for 'in': every frame redirected" $FRAMES \
		"$(app_stat in .prog.redirected)"
	assert_eq "$mode: no frame of 'in' found its queue without a socket" 0 \
		"$(app_stat in .prog.no_socket)"
	stop_agent
	assert_eq "$mode: agent exits 0" 0 "$AGENT_RC" || diag_tail "$WORK/agent.log"
	assert_eq "$mode: no program left on $IN and $OUT" "none none" \
		"$(xdp_prog_on $NS_F "$IN") $(xdp_prog_on $NS_F "$OUT")"
}

mkdir -p "$WORK/www"
echo "kernel path" >"$WORK/www/index.txt"
(cd "$WORK/www" && exec ip netns exec $NS_F python3 -m http.server 8081 \
	--bind 10.81.0.2 >"$WORK/http.log" 2>&1) &
for _ in $(seq 50); do ip netns exec $NS_F ss -ltn | grep -q ':8081 ' && break; sleep 0.1; done

# use_cni: DPDK's default dp_path, /tmp/afxdp_dp/<iface>/afxdp.sock.
vdev() { echo "net_af_xdp$1,iface=$2,start_queue=0,queue_count=1,$3"; }
run cni "$(vdev 0 "$IN" use_cni=1)" "$(vdev 1 "$OUT" use_cni=1)" \
	"/tmp/afxdp_dp/$IN /tmp/afxdp_dp/$OUT"
assert_eq "cni: the endpoints' directories are gone" "gone gone" \
	"$([ -e /tmp/afxdp_dp/$IN ] && echo there || echo gone) $([ -e /tmp/afxdp_dp/$OUT ] && echo there || echo gone)"

# use_pinned_map: the agent pins each claim's map for the application.
mkdir -p "$BPFFS"
mount -t bpf -o mode=0755 bpf "$BPFFS"
run pinned "$(vdev 0 "$IN" "use_pinned_map=1,dp_path=$BPFFS/in_map")" \
	"$(vdev 1 "$OUT" "use_pinned_map=1,dp_path=$BPFFS/out_map")" "$BPFFS"
# (maps.debug and progs.debug: the kernel's bpf_preload iterators, in
# every new bpffs)
assert_eq "pinned: the pins are removed with the agent" "" \
	"$(ls -A "$BPFFS" | grep -vx 'maps.debug\|progs.debug')"
tap_done
