#!/bin/bash
# make bench: afxdp-agent against its peers on one veth topology, same run.
#
#   afxbenchgen: gen0 ==veth== in0 :afxbenchfwd: out0 ==veth== sink0 :afxbenchsink
#
# The generator (bench/tools/livegen: BPF_PROG_RUN live frames, pinned on
# BENCH_GEN_CPU) floods in0; the forwarder under test (pinned on
# BENCH_FWD_CPU) moves in0 -> out0; sink0 counts with an XDP_DROP program
# and a per-CPU counter map. Peers are alternated window by window
# (A B C A B C ...). Each window: start the peer, start the generator,
# warm up, then count sink packets and the peer's CPU time
# (/proc/<pid>/task/*/schedstat) over BENCH_SECONDS.
#
# Sections (BENCH_SECTIONS, default all): gen main tcp latency idle sweep
# profile guest (tcp: bench/tcp.sh, iperf3 through each forwarder; guest:
# bench/guest.sh, a Debian 13 VM).
# BENCH_AGENT_B=PATH adds a second afxdp-agent binary to the main section.
# Results: bench/results/bench-<stamp>.json, .md (profile-<stamp>.txt), and
# latest.{json,md} (profile-latest.txt): relative symlinks to this run's
# files, so each result is stored once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WINDOWS=${BENCH_WINDOWS:-5}
SECONDS_W=${BENCH_SECONDS:-10}
SWEEP_WINDOWS=${BENCH_SWEEP_WINDOWS:-3}
WARMUP=${BENCH_WARMUP:-1}
LAT_PACKETS=${BENCH_LAT_PACKETS:-5000}
LAT_RATE=${BENCH_LAT_RATE:-1000}
LAT_ROUNDS=${BENCH_LAT_ROUNDS:-5}
LAT_ROUND=0
GEN_CPU=${BENCH_GEN_CPU:-0}
FWD_CPU=${BENCH_FWD_CPU:-1}
SECTIONS=${BENCH_SECTIONS:-gen main tcp latency idle sweep profile guest}
IDLE_RATES=${BENCH_IDLE_RATES:-0 1000 10000 100000}
IDLE_SECONDS=${BENCH_IDLE_SECONDS:-5}
IDLE_ROUNDS=${BENCH_IDLE_ROUNDS:-3}
OVS_VSWITCHD=$(command -v ovs-vswitchd || true)
OVS_PEER=
[ -z "$OVS_VSWITCHD" ] || OVS_PEER=ovs
PEERS=${BENCH_PEERS:-agent floor testpmd-io testpmd-macswap $OVS_PEER kernel}
IDLE_PEERS=${BENCH_IDLE_PEERS:-agent agent-nap-1000 agent-fixed-spin testpmd-io $OVS_PEER kernel}
OUT=${BENCH_OUT:-$ROOT/bench/results}
BUILD=${BUILD:-build/obj}

AGENT=$ROOT/guest/afxdp-agent
AGENT_B=${BENCH_AGENT_B:-}
LIVEGEN=$ROOT/$BUILD/bench/tools/livegen
REDIRECT=$ROOT/$BUILD/bench/tools/xdp_redirect
FLOOR=$ROOT/$BUILD/bench/tools/floor_fwd
REDIRECT_OBJ=$ROOT/bench/tools/redirect.bpf.o
PKTSINK=$ROOT/$BUILD/tests/tools/pktsink
PASS_OBJ=$ROOT/bpf/xdp_pass.bpf.o
TESTPMD=$(command -v dpdk-testpmd || true)
CYCLICTEST=$(command -v cyclictest || true)
XWAKE=$ROOT/$BUILD/bench/tools/xwake

export TOPO_PREFIX=afxbench
. scripts/topo.sh
. bench/guest.sh
. bench/tcp.sh

die() { echo "bench: $*" >&2; exit "${2:-1}"; }
log() { echo "bench: $*" >&2; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, XDP)" 2
for f in "$AGENT" "$LIVEGEN" "$REDIRECT" "$FLOOR" "$XWAKE" "$REDIRECT_OBJ" "$PKTSINK" "$PASS_OBJ"; do
	[ -e "$f" ] || die "missing $f: run 'make bench' (it builds everything)" 2
done
case "$WINDOWS$SECONDS_W$SWEEP_WINDOWS$IDLE_SECONDS$IDLE_ROUNDS${IDLE_RATES// /}$TCP_SECONDS$TCP_ROUNDS" in
*[!0-9]*) die "BENCH_WINDOWS/BENCH_SECONDS/BENCH_SWEEP_WINDOWS/BENCH_IDLE_*/BENCH_TCP_SECONDS/BENCH_TCP_ROUNDS: integers" 2 ;;
esac
[ "$(nproc)" -gt "$FWD_CPU" ] && [ "$(nproc)" -gt "$GEN_CPU" ] ||
	die "BENCH_GEN_CPU/BENCH_FWD_CPU beyond $(nproc) CPUs" 2

mkdir -p "$OUT"
work=$(mktemp -d /tmp/afxbench.XXXXXX)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$work/windows.jsonl
: >"$RAW"
# DPDK keeps a runtime directory under /var/run/dpdk even with --no-shconf:
# a prefix of our own, removed after every testpmd run (and the parent if
# we created it).
DPDK_PREFIX=afxbench$$
dpdk_dir_existed=0
[ -d /var/run/dpdk ] && dpdk_dir_existed=1
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	topo_down
	ovs_stop
	rm -rf "/var/run/dpdk/$DPDK_PREFIX"
	[ "$dpdk_dir_existed" = 1 ] || rmdir /var/run/dpdk 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# cpu_ns PID: on-CPU time of every thread of PID (schedstat field 1).
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'
}
now_ns() { date +%s%N; }

# Sink counter with the time it was read (midpoint of the read).
SINK_MAP=
sink_read() {
	local a b v
	a=$(now_ns)
	v=$(bpftool -j map lookup id "$SINK_MAP" key 0 0 0 0 |
		jq '[.formatted.values[].value] | add')
	b=$(now_ns)
	echo "$v $(((a + b) / 2))"
}

topo_bench_up() {
	topo_up "${1:-1}"
	sink_attach "$SINK_NS" sink0
	local prog
	prog=$(ip -n "$SINK_NS" -j link show dev sink0 2>/dev/null | jq '.[0].xdp.prog.id')
	SINK_MAP=$(bpftool -j prog show id "$prog" | jq '.map_ids[0]')
}

# --- peers ---------------------------------------------------------------
# start_peer NAME [ARGS...]: sets PEER_PID (the process forwarding) and
# CPU_PID (whose schedstat is the forwarder's CPU time).
PEER_PID=
CPU_PID=
NAPI_PID=

# peer_started LOG PATTERN NAME: $! is the peer (its CPU is ours to
# measure); wait up to 10 s for PATTERN in LOG, or show LOG and stop.
peer_started() {
	PEER_PID=$!
	PIDS+=("$PEER_PID")
	CPU_PID=$PEER_PID
	for _ in $(seq 100); do
		grep -q "$2" "$1" && return 0
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$1" >&2
	die "$3 did not start"
}

start_agent() {
	local bin=$AGENT
	[ "${1:-}" = --agent-b ] && { bin=$AGENT_B; shift; }
	"$NSRUN" "$FWD_NS" "$bin" -m fwd -i in0 -i out0 --stats json \
		--interval 1000 --cpus "$FWD_CPU" "$@" \
		>"$work/agent.json" 2>"$work/agent.log" &
	peer_started "$work/agent.log" capabilities afxdp-agent
}

start_testpmd() {
	local mode=$1
	[ -n "$TESTPMD" ] || die "dpdk-testpmd missing (apt-get install dpdk-dev)"
	"$NSRUN" "$FWD_NS" "$TESTPMD" -l "$GEN_CPU,$FWD_CPU" --main-lcore "$GEN_CPU" \
		--no-huge -m 128 --no-pci --no-shconf --file-prefix "$DPDK_PREFIX" \
		--vdev net_af_xdp0,iface=in0,start_queue=0,queue_count=1 \
		--vdev net_af_xdp1,iface=out0,start_queue=0,queue_count=1 \
		-- --forward-mode="$mode" --nb-cores=1 --rxq=1 --txq=1 \
		--total-num-mbufs=16384 --stats-period 1 --no-mlockall --auto-start \
		>"$work/testpmd.log" 2>&1 </dev/null &
	PEER_PID=$!
	PIDS+=("$PEER_PID")
	CPU_PID=$PEER_PID
	for _ in $(seq 200); do
		grep -q 'Port statistics' "$work/testpmd.log" && return 0
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$work/testpmd.log" >&2
	die "dpdk-testpmd did not start"
}

# The floor: bench/tools/floor_fwd, a minimal single-thread libxdp
# forwarding loop (shared UMEM, descriptors moved, busy polling), pinned
# on the forwarder's CPU like the others.
start_floor() {
	"$NSRUN" "$FWD_NS" taskset -c "$FWD_CPU" "$FLOOR" -i in0 -o out0 \
		>"$work/floor.log" 2>&1 &
	peer_started "$work/floor.log" ready floor_fwd
}

# The in-kernel limit: XDP redirect in0 -> out0 via a DEVMAP, run by a
# threaded NAPI on in0 pinned to the forwarder's CPU, so the forwarding
# work is measurable (kthread schedstat) and off the generator's CPU.
start_kernel() {
	local before
	"$NSRUN" "$FWD_NS" "$REDIRECT" -o "$REDIRECT_OBJ" -i in0 -O out0 \
		>"$work/redirect.log" 2>&1 &
	PEER_PID=$!
	PIDS+=("$PEER_PID")
	for _ in $(seq 50); do
		grep -q ready "$work/redirect.log" && break
		kill -0 "$PEER_PID" 2>/dev/null || die "xdp_redirect: $(cat "$work/redirect.log")"
		sleep 0.1
	done
	before=$(ps -e -o pid=,comm= | awk '$2 ~ /^napi\/in0-/ {print $1}' | sort)
	ip netns exec "$FWD_NS" sh -c 'echo 1 > /sys/class/net/in0/threaded'
	NAPI_PID=$(ps -e -o pid=,comm= | awk '$2 ~ /^napi\/in0-/ {print $1}' | sort |
		comm -13 <(echo "$before") - | head -1)
	[ -n "$NAPI_PID" ] || die "no threaded NAPI kthread for in0"
	taskset -p -c "$FWD_CPU" "$NAPI_PID" >/dev/null
	CPU_PID=$NAPI_PID
}

# Open vSwitch's userspace datapath with afxdp ports, as a user would set
# it up, but private: ovsdb-server and ovs-vswitchd run from a run
# directory of our own ($work/ovs: database, sockets, logs, pid files;
# OVS_RUNDIR and friends point there), never the system's
# /etc/openvswitch or /var/run/openvswitch, and stop with the window.
# One PMD thread on the forwarder's CPU (pmd-cpu-mask), rx queues pinned
# to it, one flow in0 -> out0 (OVS's default NORMAL flow removed).
# xdp-mode best-effort: OVS tries native-with-zerocopy, native, then
# generic; veth has no zero-copy, so native copy mode, as for the agent.
OVS_DIR=
OVSDB_PID=
ovs_ctl() {
	OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR \
		OVS_SYSCONFDIR=$OVS_DIR "$@"
}
ovs_vsctl() { ovs_ctl ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=20 "$@"; }

start_ovs() {
	[ -n "$OVS_VSWITCHD" ] || die "ovs-vswitchd missing (make deps-bench)"
	OVS_DIR=$work/ovs
	rm -rf "$OVS_DIR"
	mkdir -p "$OVS_DIR"
	ovsdb-tool create "$OVS_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	# Daemons in the background close no inherited fd (a caller's flock
	# among them): their own pid files, so each is stopped by its pid.
	ovs_ctl ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" \
		--unixctl="$OVS_DIR/ovsdb-server.ctl" --no-chdir \
		--pidfile="$OVS_DIR/ovsdb-server.pid" \
		--log-file="$OVS_DIR/ovsdb-server.log" -vconsole:off \
		>/dev/null 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 50); do
		[ -S "$OVS_DIR/db.sock" ] && [ -s "$OVS_DIR/ovsdb-server.pid" ] && break
		sleep 0.1
	done
	OVSDB_PID=$(cat "$OVS_DIR/ovsdb-server.pid" 2>/dev/null || true)
	[ -n "$OVSDB_PID" ] || die "ovsdb-server did not start: $(tail -5 "$OVS_DIR/ovsdb-server.log")"
	PIDS+=("$OVSDB_PID")
	ovs_vsctl --no-wait init
	ovs_vsctl --no-wait set Open_vSwitch . \
		other_config:pmd-cpu-mask="$(printf '0x%x' $((1 << FWD_CPU)))"
	ovs_ctl "$NSRUN" "$FWD_NS" "$OVS_VSWITCHD" "unix:$OVS_DIR/db.sock" \
		--unixctl="$OVS_DIR/ovs-vswitchd.ctl" --no-chdir \
		--pidfile="$OVS_DIR/ovs-vswitchd.pid" \
		--log-file="$OVS_DIR/ovs-vswitchd.log" -vconsole:off \
		>/dev/null 2>&1 &
	PIDS+=("$!")
	# $! may be a shell around it: the daemon's own pid, for its CPU.
	PEER_PID=
	for _ in $(seq 100); do
		[ -s "$OVS_DIR/ovs-vswitchd.pid" ] &&
			PEER_PID=$(cat "$OVS_DIR/ovs-vswitchd.pid") &&
			kill -0 "$PEER_PID" 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$PEER_PID" ] || die "ovs-vswitchd did not start: $(tail -5 "$OVS_DIR/ovs-vswitchd.log")"
	PIDS+=("$PEER_PID")
	CPU_PID=$PEER_PID
	local p
	ovs_vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
		-- set bridge br0 fail_mode=secure ||
		{ tail -20 "$OVS_DIR/ovs-vswitchd.log" >&2; die "ovs: add-br failed"; }
	for p in in0 out0; do
		ovs_vsctl add-port br0 "$p" -- set interface "$p" type=afxdp \
			options:xdp-mode=best-effort options:n_rxq=1 \
			other_config:pmd-rxq-affinity="0:$FWD_CPU" ||
			{ tail -20 "$OVS_DIR/ovs-vswitchd.log" >&2; die "ovs: add-port $p failed"; }
	done
	ovs_ctl ovs-ofctl del-flows br0
	ovs_ctl ovs-ofctl add-flow br0 "in_port=in0,actions=output:out0"
	# The way back, for TCP's ACKs (section tcp); idle in the 64 B windows.
	ovs_ctl ovs-ofctl add-flow br0 "in_port=out0,actions=output:in0"
	for p in in0 out0; do
		local err
		err=$(ovs_vsctl get interface "$p" error 2>/dev/null || true)
		case $err in '' | '[]' | '""') ;; *)
			tail -20 "$OVS_DIR/ovs-vswitchd.log" >&2
			die "ovs: interface $p: $err" ;;
		esac
	done
	ovs_vsctl get interface in0 status >"$OVS_DIR/in0.status" 2>&1 || true
}

# ovs_stop: ovs-vswitchd first (it removes its XDP programs on a clean
# exit), then the database; nothing of ours is left in $work/ovs.
ovs_stop() {
	[ -n "$OVS_DIR" ] || return 0
	if [ -n "$PEER_PID" ] && kill -0 "$PEER_PID" 2>/dev/null; then
		timeout 10 env OVS_RUNDIR="$OVS_DIR" ovs-appctl \
			-t "$OVS_DIR/ovs-vswitchd.ctl" exit --cleanup >/dev/null 2>&1 || true
	fi
	if [ -n "$OVSDB_PID" ]; then
		kill -TERM "$OVSDB_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$OVSDB_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$OVSDB_PID" 2>/dev/null || true
	fi
	OVSDB_PID=
	OVS_DIR=
}

start_peer() {
	local name=$1
	shift
	case $name in
	agent-b) start_agent --agent-b "$@" ;;
	agent*) start_agent "$@" ;;
	testpmd-io) start_testpmd io ;;
	testpmd-macswap) start_testpmd macswap ;;
	kernel) start_kernel ;;
	floor) start_floor ;;
	ovs) start_ovs ;;
	*) die "unknown peer $name" ;;
	esac
}

stop_peer() {
	[ -n "$PEER_PID" ] || return 0
	# Back to inline NAPI before the XDP program (and the NAPI) goes.
	if [ -n "$NAPI_PID" ]; then
		ip netns exec "$FWD_NS" sh -c 'echo 0 > /sys/class/net/in0/threaded' ||
			log "in0: threaded NAPI not reset (the topology is removed anyway)"
		NAPI_PID=
	fi
	ovs_stop
	kill -INT "$PEER_PID" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$PEER_PID" 2>/dev/null || break; sleep 0.1; done
	# A forwarder killed mid-way may leave its XDP program behind.
	ip -n "$FWD_NS" link set dev in0 xdp off 2>/dev/null || true
	ip -n "$FWD_NS" link set dev out0 xdp off 2>/dev/null || true
	kill -KILL "$PEER_PID" 2>/dev/null || true
	wait "$PEER_PID" 2>/dev/null || true
	# testpmd turns PROMISC on and leaves it on.
	ip -n "$FWD_NS" link set in0 promisc off 2>/dev/null || true
	ip -n "$FWD_NS" link set out0 promisc off 2>/dev/null || true
	rm -rf "/var/run/dpdk/$DPDK_PREFIX"
	PEER_PID=
	CPU_PID=
}

# window SECTION LABEL GEN_CPUS PEER [PEER ARGS]: one measured window,
# appended to $RAW as one JSON line.
window() {
	local section=$1 label=$2 gcpus=$3 peer=$4 gen s0 t0 c0 s1 t1 c1
	shift 4
	start_peer "$peer" "$@"
	"$NSRUN" "$GEN_NS" "$LIVEGEN" -o "$REDIRECT_OBJ" -i gen0 -C "$gcpus" \
		-D "$IN_MAC" -S "$GEN_MAC" -p 4000 \
		-d $((WARMUP + SECONDS_W + 2)) >"$work/gen.out" 2>"$work/gen.err" &
	gen=$!
	PIDS+=("$gen")
	sleep "$WARMUP"
	read -r s0 t0 < <(sink_read)
	c0=$(cpu_ns "$CPU_PID")
	sleep "$SECONDS_W"
	read -r s1 t1 < <(sink_read)
	c1=$(cpu_ns "$CPU_PID")
	kill -INT "$gen" 2>/dev/null || true
	wait "$gen" || die "livegen: $(cat "$work/gen.err")"
	stop_peer
	# The agent's own view (whole run of the peer, warm-up included):
	# a full RX ring or an empty fill ring shows the forwarder, not the
	# generator, is the bottleneck.
	local diag=null
	case $peer in agent*)
		diag=$(grep '"type":"final"' "$work/agent.json" | jq -c '.totals |
			{rx: .rx_packets, tx: .tx_packets, drops,
			 rx_ring_full: .xdp_stats.rx_ring_full,
			 fill_ring_empty: .xdp_stats.rx_fill_ring_empty_descs}' 2>/dev/null ||
			echo null)
		[ -n "$diag" ] || diag=null ;;
	esac
	jq -nc --arg section "$section" --arg lbl "$label" --arg peer "$peer" \
		--argjson diag "$diag" \
		--argjson pkts $((s1 - s0)) --argjson ns $((t1 - t0)) \
		--argjson cpu_ns $((c1 - c0)) --argjson gen "$(cat "$work/gen.out")" \
		--arg args "$*" \
		'{section: $section, label: $lbl, peer: $peer, args: $args,
		  packets: $pkts, seconds: ($ns / 1e9), mpps: ($pkts / $ns * 1e3),
		  cpu_s: ($cpu_ns / 1e9),
		  cpu_ns_per_pkt: (if $pkts > 0 then $cpu_ns / $pkts else null end),
		  offered_mpps: $gen.mpps, agent_totals: $diag}' | tee -a "$RAW" |
		jq -r '"  \(.section) \(.label): \(.mpps * 1000 | round / 1000) Mpps, \(.cpu_ns_per_pkt // 0 | round) ns CPU/pkt"' >&2
}

# rounds SECTION N SPEC...: N rounds, each running every SPEC once in
# order (A B C A B C ...). SPEC is "LABEL|GEN_CPUS|PEER ARGS...".
rounds() {
	local section=$1 n=$2 r spec label gcpus rest
	shift 2
	for r in $(seq "$n"); do
		log "$section: round $r/$n"
		for spec in "$@"; do
			IFS='|' read -r label gcpus rest <<<"$spec"
			# shellcheck disable=SC2086
			window "$section" "$label" "$gcpus" $rest
		done
	done
}

# --- sections --------------------------------------------------------------
# gen: what each generator offers on its own (in0 counts and drops).
section_gen() {
	local s0 s1 txg r
	log "gen: offered rates (livegen, afxdp-agent txgen) into a counting in0"
	topo_bench_up 1
	ip -n "$FWD_NS" link set dev in0 xdpdrv obj "$ROOT/bpf/sink_count.bpf.o" sec xdp
	for r in $(seq "$WINDOWS"); do
		"$NSRUN" "$GEN_NS" "$LIVEGEN" -o "$REDIRECT_OBJ" -i gen0 -C "$GEN_CPU" \
			-D "$IN_MAC" -d "$SECONDS_W" >"$work/gen.out"
		jq -c --arg r "$r" '{section: "gen", label: "livegen", peer: "livegen", mpps: .mpps, packets: .offered, seconds: .seconds}' \
			"$work/gen.out" | tee -a "$RAW" >&2
		s0=$(sink_packets "$FWD_NS" in0 2>/dev/null)
		"$NSRUN" "$GEN_NS" "$AGENT" -m txgen -i gen0 --cpus "$GEN_CPU" \
			--size 64 --rate 0 -d "$SECONDS_W" --src-mac "$GEN_MAC" --dst-mac "$IN_MAC" \
			--dst-port 4000 --stats json --interval 0 2>"$work/txgen.log" |
			grep '"type":"final"' >"$work/txgen.json" || true
		s1=$(sink_packets "$FWD_NS" in0 2>/dev/null)
		txg=$(jq '.totals.tx_packets' "$work/txgen.json" 2>/dev/null || echo 0)
		jq -nc --argjson pkts $((s1 - s0)) --argjson sent "${txg:-0}" \
			--argjson s "$SECONDS_W" \
			'{section: "gen", label: "txgen", peer: "txgen", packets: $pkts,
			  sent: $sent, seconds: $s, mpps: ($pkts / $s / 1e6)}' | tee -a "$RAW" >&2
	done
	topo_down
}

section_main() {
	log "main: $WINDOWS rounds of ${SECONDS_W}s windows"
	topo_bench_up 1
	local specs=() p
	for p in $PEERS; do specs+=("$p|$GEN_CPU|$p"); done
	# A second agent build (e.g. a data-path change) as one more peer.
	[ -z "$AGENT_B" ] || specs+=("agent-b|$GEN_CPU|agent-b")
	rounds main "$WINDOWS" "${specs[@]}"
	topo_down
}

section_sweep() {
	log "sweep: batch, busy-poll, UMEM ($SWEEP_WINDOWS rounds)"
	topo_bench_up 1
	local specs=() b
	for b in 16 32 64 128 256; do specs+=("batch-$b|$GEN_CPU|agent --batch $b"); done
	specs+=("busy-poll-on|$GEN_CPU|agent --busy-poll")
	specs+=("umem-shared|$GEN_CPU|agent --umem shared")
	specs+=("umem-per-port|$GEN_CPU|agent --umem per-port")
	# 32: the kernel's default copy-mode TX budget (our default: the ring).
	specs+=("tx-budget-32|$GEN_CPU|agent --set socket.tx_budget=32")
	# The defaults before per-port UMEM and the TX budget (2026-11-24).
	specs+=("shared-budget-32|$GEN_CPU|agent --umem shared --set socket.tx_budget=32")
	rounds sweep "$SWEEP_WINDOWS" "${specs[@]}"
	topo_down
	# Queues: the topology differs (1 vs 2 queues per veth), so it is
	# rebuilt per window. veth picks the peer queue by the sending CPU,
	# so 2 queues need a generator thread on each CPU: on a 2-CPU
	# machine both workers then share their CPUs with the generator.
	log "sweep: 1 vs 2 queues"
	for r in $(seq "$SWEEP_WINDOWS"); do
		topo_bench_up 1
		window queues 1q "$GEN_CPU" agent
		topo_bench_up 2
		window queues 2q "$GEN_CPU,$FWD_CPU" agent -q all --cpus "$GEN_CPU,$FWD_CPU"
	done
	topo_down
}

# latency: LAT_PACKETS frames at LAT_RATE pps from afxdp-agent txgen with a
# timestamp, received by pktsink (AF_PACKET) after the forwarder; the
# baseline is the same path without a forwarder (pktsink on in0).
lat_one() {
	local label=$1 ns=$2 dev=$3 peer=$4
	shift 4
	rm -f "$work/sink.ready"
	"$NSRUN" "$ns" taskset -c "$GEN_CPU" "$PKTSINK" -i "$dev" -p 4000 -n "$LAT_PACKETS" \
		-t $((LAT_PACKETS / LAT_RATE + 10)) -r "$work/sink.ready" >"$work/lat.json" &
	local sink=$!
	PIDS+=("$sink")
	for _ in $(seq 50); do [ -e "$work/sink.ready" ] && break; sleep 0.1; done
	[ "$peer" = none ] || start_peer "$peer" "$@"
	"$NSRUN" "$GEN_NS" "$AGENT" -m txgen -i gen0 --cpus "$GEN_CPU" --size 64 \
		--count "$LAT_PACKETS" --rate "$LAT_RATE" --timestamp \
		--src-mac "$GEN_MAC" --dst-mac "$IN_MAC" --dst-port 4000 \
		--stats none 2>"$work/txgen.log" || die "txgen: $(cat "$work/txgen.log")"
	wait "$sink" || true
	[ "$peer" = none ] || stop_peer
	jq -c --arg lbl "$label" --argjson sent "$LAT_PACKETS" --argjson r "$LAT_ROUND" \
		'{section: "latency", label: $lbl, peer: $lbl, round: $r, sent: $sent} + .' \
		"$work/lat.json" | tee -a "$RAW" >&2
}

section_latency() {
	log "latency: $LAT_ROUNDS rounds of $LAT_PACKETS frames at $LAT_RATE pps per path"
	topo_up 1
	# pktsink reads sink0 through the stack; the kernel redirect needs an
	# XDP program on sink0, which passes.
	ip -n "$SINK_NS" link set dev sink0 xdpdrv obj "$PASS_OBJ" sec xdp
	# Rounds, each with every path back to back: one delayed receiver
	# spoils one round's tail, and the report takes medians over rounds
	# of each path's percentiles minus its round's baseline.
	for LAT_ROUND in $(seq "$LAT_ROUNDS"); do
		log "latency: round $LAT_ROUND/$LAT_ROUNDS"
		lat_one baseline "$FWD_NS" in0 none
		lat_one agent "$SINK_NS" sink0 agent
		# Sleeps in poll() as soon as a pass finds nothing: every frame
		# at this rate pays the wake-up.
		lat_one agent-no-idle-spin "$SINK_NS" sink0 agent --idle-spin 0
		lat_one agent-busy-poll "$SINK_NS" sink0 agent --busy-poll
		# Never sleeps in poll(): no wake-up on the packet's path.
		lat_one agent-spin "$SINK_NS" sink0 agent --poll-timeout 0
		lat_one testpmd-io "$SINK_NS" sink0 testpmd-io
		lat_one kernel "$SINK_NS" sink0 kernel
	done
	topo_down
}

# idle: what each forwarder costs when traffic is light. Per rate in
# IDLE_RATES (pps; 0 = no traffic), a txgen flow with timestamps through
# the forwarder to pktsink, as in `latency`: the forwarder's CPU (percent
# of one core, all its threads, schedstat) over IDLE_SECONDS of steady
# traffic, and the one-way latency of every frame received. The baseline
# per rate is the same flow without a forwarder (pktsink on in0), so
# "added" is the forwarder's share, as in `latency`.
#
# idle_args LABEL: the peer and arguments of an idle-section label.
# agent-fixed-spin is the agent as it was before the adaptive idle policy
# (2 ms of polling after every frame, whatever the rate); agent-gap-N
# sets the spin budget socket.spin_gap_us to N (for tuning it);
# agent-nap-N adds timed naps of N us between spinning and poll()
# (socket.coalesce_us; off by default), agent-no-nap turns them off.
idle_args() {
	case $1 in
	agent-fixed-spin) echo "agent --set socket.spin_gap_us=1000000" ;;
	agent-no-spin) echo "agent --idle-spin 0" ;;
	agent-no-nap) echo "agent --set socket.coalesce_us=0" ;;
	agent-nap-*) echo "agent --set socket.coalesce_us=${1#agent-nap-}" ;;
	agent-gap-*) echo "agent --set socket.spin_gap_us=${1#agent-gap-}" ;;
	# Any setting, for an experiment: agent-set-socket.poll_timeout_ms=1000
	agent-set-*) echo "agent --set ${1#agent-set-}" ;;
	*) echo "$1" ;;
	esac
}

idle_one() {
	local label=$1 rate=$2 peer=$3 ns=$SINK_NS dev=sink0
	local sink='' gen='' c0=0 c1=0 t0 t1
	shift 3
	if [ "$peer" = none ]; then
		ns=$FWD_NS
		dev=in0
	else
		start_peer "$peer" "$@"
	fi
	# Start-up work (binding, first refill) is not idle cost.
	sleep 1
	if [ "$rate" -gt 0 ]; then
		rm -f "$work/sink.ready"
		"$NSRUN" "$ns" taskset -c "$GEN_CPU" "$PKTSINK" -i "$dev" -p 4000 \
			-t $((IDLE_SECONDS + 15)) -I 1 -r "$work/sink.ready" \
			>"$work/idle-lat.json" &
		sink=$!
		PIDS+=("$sink")
		for _ in $(seq 50); do [ -e "$work/sink.ready" ] && break; sleep 0.1; done
		"$NSRUN" "$GEN_NS" "$AGENT" -m txgen -i gen0 --cpus "$GEN_CPU" \
			--size 64 --rate "$rate" -d $((IDLE_SECONDS + 2)) --timestamp \
			--src-mac "$GEN_MAC" --dst-mac "$IN_MAC" --dst-port 4000 \
			--stats none 2>"$work/txgen.log" &
		gen=$!
		PIDS+=("$gen")
		# txgen's own start-up, then the flow is steady.
		sleep 1
	fi
	t0=$(now_ns)
	[ "$peer" = none ] || c0=$(cpu_ns "$CPU_PID")
	sleep "$IDLE_SECONDS"
	t1=$(now_ns)
	[ "$peer" = none ] || c1=$(cpu_ns "$CPU_PID")
	if [ -n "$gen" ]; then
		wait "$gen" || die "txgen: $(cat "$work/txgen.log")"
		wait "$sink" || true
	fi
	[ "$peer" = none ] || stop_peer
	local lat='{}'
	[ -z "$sink" ] || lat=$(cat "$work/idle-lat.json")
	[ -n "$lat" ] || lat='{}'
	jq -nc --arg lbl "$label" --arg peer "$peer" --arg args "$*" \
		--argjson rate "$rate" --argjson r "$LAT_ROUND" \
		--argjson cpu_ns $((c1 - c0)) --argjson ns $((t1 - t0)) \
		--argjson lat "$lat" --argjson secs "$IDLE_SECONDS" \
		'{section: "idle", label: $lbl, peer: $peer, args: $args,
		  rate_pps: $rate, round: $r, seconds: ($ns / 1e9),
		  cpu_pct: ($cpu_ns / $ns * 100),
		  sent: ($rate * ($secs + 2))} + $lat' | tee -a "$RAW" |
		jq -r '"  idle \(.label) @ \(.rate_pps) pps: \(.cpu_pct * 10 | round / 10)% CPU, p99 \(.lat_p99_us // "-") us, \(.frames // 0) frames"' >&2
}

# wake_one RATE: how long this machine takes to wake a sleeping thread on
# the forwarder's CPU, with no forwarder: cyclictest (rt-tests), one
# SCHED_OTHER thread like the agent's worker, a timer every 1/RATE s for
# IDLE_SECONDS. A forwarder that sleeps between frames is woken from the
# other CPU by the receive path (an IPI), which a local timer does not
# pay: xwake_one measures that wake-up.
wake_one() {
	local rate=$1 hist="$work/wake.hist"
	[ -n "$CYCLICTEST" ] || return 0
	taskset -c "$FWD_CPU" "$CYCLICTEST" -m -q -t 1 -a "$FWD_CPU" \
		-i $((1000000 / rate)) -l $((rate * IDLE_SECONDS)) -h 20000 \
		>"$hist" 2>&1 || { log "cyclictest failed: $(tail -2 "$hist")"; return 0; }
	# Histogram lines: "usec count"; overflows (>= 20 ms) count as 20 ms.
	awk -v lbl="cyclictest" -v rate="$rate" -v r="$LAT_ROUND" '
		/^[0-9]+ [0-9]+$/ { c[$1 + 0] += $2; n += $2; next }
		/^# Histogram Overflows:/ { o = $4 + 0 }
		/^# Max Latencies:/ { mx = $4 + 0 }
		END {
			n += o; c[20000] += o
			if (!n) exit 1
			for (u = 0; u <= 20000; u++) {
				s += c[u]
				if (p50 == "" && s >= n * 0.5) p50 = u
				if (p99 == "" && s >= n * 0.99) p99 = u
			}
			printf "{\"section\":\"wake\",\"label\":\"%s\",\"rate_pps\":%d,\"round\":%d,", lbl, rate, r
			printf "\"samples\":%d,\"p50_us\":%d,\"p99_us\":%d,\"max_us\":%d}\n", n, p50, p99, mx
		}' "$hist" | tee -a "$RAW" |
		jq -r '"  wake-up on CPU '"$FWD_CPU"' every \(1e6 / .rate_pps) us: p50 \(.p50_us) us, p99 \(.p99_us) us, max \(.max_us) us"' >&2
}

# xwake_one RATE: the forwarding path's wake-ups with nothing forwarded
# (bench/tools/xwake): a time stamp written on the generator's CPU every
# 1/RATE s wakes a thread sleeping in poll() on the forwarder's CPU (one
# way), which passes it back to a thread sleeping on the generator's CPU
# (relay). A forwarder that sleeps between frames pays this relay per
# frame on top of its work; cyclictest's local timer pays neither
# interrupt.
xwake_one() {
	local rate=$1 out hop
	# A failed measurement is left out of the report, as cyclictest's.
	out=$(taskset -c "$GEN_CPU" "$XWAKE" -r "$rate" -d "$IDLE_SECONDS" \
		-f "$GEN_CPU" -t "$FWD_CPU" 2>"$work/xwake.err") ||
		{ log "xwake failed: $(tail -2 "$work/xwake.err")"; return 0; }
	for hop in oneway relay; do
		jq -c --arg hop "$hop" --argjson rate "$rate" --argjson r "$LAT_ROUND" \
			'{section: "wake", label: ("xwake-" + $hop), rate_pps: $rate,
			  round: $r, samples: .samples, p50_us: .[$hop + "_p50_us"],
			  p99_us: .[$hop + "_p99_us"], max_us: .[$hop + "_max_us"]}' \
			<<<"$out"
	done | tee -a "$RAW" |
		jq -r '"  \(.label) every \(1e6 / .rate_pps) us: p50 \(.p50_us) us, p99 \(.p99_us) us, max \(.max_us) us"' >&2
}

section_idle() {
	log "idle: CPU and latency at $IDLE_RATES pps ($IDLE_ROUNDS rounds, ${IDLE_SECONDS}s each)"
	[ -n "$CYCLICTEST" ] || log "idle: cyclictest missing (make deps-bench installs rt-tests): no wake-up profile"
	topo_up 1
	# pktsink reads sink0 through the stack; a peer whose transmit is an
	# XDP redirect needs an XDP program on sink0: one that passes.
	ip -n "$SINK_NS" link set dev sink0 xdpdrv obj "$PASS_OBJ" sec xdp
	local rate label
	for LAT_ROUND in $(seq "$IDLE_ROUNDS"); do
		log "idle: round $LAT_ROUND/$IDLE_ROUNDS"
		for rate in $IDLE_RATES; do
			[ "$rate" = 0 ] || idle_one baseline "$rate" none
			# Timers every 100 us and more often are a load of their own.
			[ "$rate" = 0 ] || [ "$rate" -gt 10000 ] || wake_one "$rate"
			[ "$rate" = 0 ] || [ "$rate" -gt 10000 ] || xwake_one "$rate"
			for label in $IDLE_PEERS; do
				# shellcheck disable=SC2046
				idle_one "$label" "$rate" $(idle_args "$label")
			done
		done
	done
	topo_down
}

# profile: where the agent's CPU goes (perf cpu-clock sampling; no PMU).
section_profile() {
	command -v perf >/dev/null || { log "profile: perf missing, skipped"; return 0; }
	log "profile: perf record -e cpu-clock on afxdp-agent fwd"
	topo_bench_up 1
	start_agent
	"$NSRUN" "$GEN_NS" "$LIVEGEN" -o "$REDIRECT_OBJ" -i gen0 -C "$GEN_CPU" \
		-D "$IN_MAC" -d $((SECONDS_W + 2)) >/dev/null &
	local gen=$!
	PIDS+=("$gen")
	sleep 1
	perf record -q -e cpu-clock -g -p "$PEER_PID" -o "$work/perf.data" \
		-- sleep "$SECONDS_W" >/dev/null 2>&1 || log "perf record failed"
	wait "$gen" || true
	stop_peer
	topo_down
	if [ -s "$work/perf.data" ]; then
		perf report -i "$work/perf.data" --no-children --sort dso,sym \
			--stdio -g none --percent-limit 0.7 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -40 >"$OUT/profile-$stamp.txt" || true
		# Who calls the hottest symbol (the copy-mode memcpy, typically).
		local top
		top=$(awk 'NR == 1 {print $NF}' "$OUT/profile-$stamp.txt")
		{
			echo
			echo "callers of $top:"
			perf report -i "$work/perf.data" --no-children --stdio -S "$top" \
				-g caller,0.5,callee,function,percent --percent-limit 1 2>/dev/null |
				grep -v '^#' | grep -v '^$' | head -30 || true
			echo
			echo "samples by thread (the worker should dominate):"
			perf report -i "$work/perf.data" --no-children --sort pid --stdio \
				-g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -6 || true
		} >>"$OUT/profile-$stamp.txt"
		latest "profile-$stamp.txt" profile-latest.txt
	fi
}

# latest FILE NAME: $OUT/NAME points at $OUT/FILE (a relative symlink, so
# the results folder can move). Replaces the link itself, never writes
# through it into the run it named before.
latest() {
	ln -sfn "$1" "$OUT/$2"
}

# --- run ---------------------------------------------------------------------
cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
jq -n --arg kernel "$(uname -r)" --arg cpu "$cpu_model" --argjson cores "$(nproc)" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg load0 "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--arg agent "$("$AGENT" --version 2>&1 | head -1)" \
	--arg dpdk "$(dpkg-query -W -f='${Version}' dpdk 2>/dev/null || echo none)" \
	--argjson windows "$WINDOWS" --argjson seconds "$SECONDS_W" \
	--argjson sweep_windows "$SWEEP_WINDOWS" --argjson gen_cpu "$GEN_CPU" \
	--argjson fwd_cpu "$FWD_CPU" --arg sections "$SECTIONS" \
	--argjson lat_packets "$LAT_PACKETS" --argjson lat_rate "$LAT_RATE" \
	--argjson lat_rounds "$LAT_ROUNDS" \
	--arg idle_rates "$IDLE_RATES" --argjson idle_seconds "$IDLE_SECONDS" \
	--argjson idle_rounds "$IDLE_ROUNDS" \
	--argjson tcp_rounds "$TCP_ROUNDS" --argjson tcp_seconds "$TCP_SECONDS" \
	--arg tcp_udp_rate "$TCP_UDP_RATE" \
	--arg ovs "$({ [ -n "$OVS_VSWITCHD" ] && "$OVS_VSWITCHD" --version | head -1; } || echo none)" \
	--arg agent_b "$AGENT_B" --arg agent_b_note "${BENCH_AGENT_B_NOTE:-}" \
	'{kernel: $kernel, cpu_model: $cpu, cores: $cores, date: $date,
	  loadavg_start: $load0, agent_version: $agent, dpdk_version: $dpdk,
	  windows: $windows, window_seconds: $seconds, sweep_windows: $sweep_windows,
	  gen_cpu: $gen_cpu, fwd_cpu: $fwd_cpu, sections: $sections,
	  latency_packets: $lat_packets, latency_rate_pps: $lat_rate,
	  latency_rounds: $lat_rounds,
	  idle_rates_pps: ($idle_rates | split(" ") | map(tonumber)),
	  idle_seconds: $idle_seconds, idle_rounds: $idle_rounds, ovs_version: $ovs,
	  tcp_rounds: $tcp_rounds, tcp_seconds: $tcp_seconds, tcp_udp_rate: $tcp_udp_rate,
	  agent_b: $agent_b, agent_b_note: $agent_b_note}' >"$work/meta.json"
log "machine: $(uname -r), $cpu_model, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

for s in $SECTIONS; do
	case $s in
	gen | main | tcp | latency | idle | sweep | profile | guest) "section_$s" ;;
	*) die "unknown section $s (gen main tcp latency idle sweep profile guest)" 2 ;;
	esac
done
jq --arg load1 "$(cut -d' ' -f1-3 /proc/loadavg)" '. + {loadavg_end: $load1}' \
	"$work/meta.json" >"$work/meta2.json"
profile=
[ -e "$OUT/profile-$stamp.txt" ] && profile="$OUT/profile-$stamp.txt"
python3 bench/tools/report.py --meta "$work/meta2.json" --windows "$RAW" \
	--json "$OUT/bench-$stamp.json" --markdown "$OUT/bench-$stamp.md" \
	${profile:+--profile "$profile"}
# latest.* name the last run with the main section: a run of one section
# (e.g. BENCH_SECTIONS=guest) keeps its own files only.
case " $SECTIONS " in *" main "*)
	latest "bench-$stamp.json" latest.json
	latest "bench-$stamp.md" latest.md ;;
esac
cat "$OUT/bench-$stamp.md"
