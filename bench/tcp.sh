# shellcheck shell=bash
# Section `tcp` of bench/run.sh (sourced): real TCP and UDP from the
# kernel's own stacks through each forwarder, as a user's traffic would
# cross it. iperf3 client in the generator namespace, server in the sink
# namespace, both on BENCH_GEN_CPU; the forwarder on BENCH_FWD_CPU:
#
#   afxbenchgen: gen0 ==veth== in0 :afxbenchfwd: out0 ==veth== sink0 :afxbenchsink
#   afxbenchgen: gen1 ==veth================================== sink1 :afxbenchsink (direct)
#
# gen0 10.77.0.1/24 and sink0 10.77.0.4/24 share one subnet: the forwarder
# is a bump in the wire, in both directions (ACKs come back through it).
# Forwarders: agent (fwd, defaults), testpmd io, OVS afxdp (a flow each
# way), a Linux bridge (in0 and out0 enslaved; GRO and threaded NAPI on
# both, the NAPI kthreads pinned on the forwarder's CPU so its work is
# measurable and off the endpoints' CPU) and `direct` (no forwarder, the
# gen1-sink1 pair).
#
# Endpoint settings (BENCH_TCP_OFFLOADS): `off` (ethtool -K tx off on the
# endpoints: complete checksums, no TSO) and `default` (veth's defaults:
# partial checksums and TSO; a forwarder that does not complete checksums
# delivers frames the receiver drops, and that is measured as it is);
# `gro` is `off` with GRO on the endpoints' veths, as a physical NIC
# receives by default (veth's own default is off): the receiving stack
# merges the wire frames any forwarder delivers before TCP sees them.
#
# Per run: Gbit/s at the receiver, retransmits (TCP), loss (UDP), the
# forwarder's CPU (schedstat of its threads, or of the bridge's NAPI
# kthreads) and the whole machine's busy CPU (/proc/stat), each per GB
# received.

TCP_PEERS=${BENCH_TCP_PEERS:-agent testpmd-io $OVS_PEER bridge direct}
TCP_SECONDS=${BENCH_TCP_SECONDS:-8}
TCP_ROUNDS=${BENCH_TCP_ROUNDS:-2}
TCP_UDP_RATE=${BENCH_TCP_UDP_RATE:-500M}
TCP_OFFLOADS=${BENCH_TCP_OFFLOADS:-off gro default}
TCP_TESTS=${BENCH_TCP_TESTS:-tcp tcp-p4 udp}

# /proc/stat: busy jiffies of all CPUs (user nice system irq softirq steal).
sys_busy_ticks() {
	awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

# tcp_topo OFFLOADS: the bench topology with one subnet across the
# forwarder and the direct pair beside it.
tcp_topo() {
	local off=$1 d
	topo_up 1
	ip -n "$FWD_NS" addr flush dev in0
	ip -n "$FWD_NS" addr flush dev out0
	ip -n "$SINK_NS" addr flush dev sink0
	ip -n "$SINK_NS" addr add 10.77.0.4/24 dev sink0
	ip -n "$GEN_NS" link add gen1 type veth peer name sink1 netns "$SINK_NS"
	ip -n "$GEN_NS" addr add 10.79.0.1/24 dev gen1
	ip -n "$SINK_NS" addr add 10.79.0.4/24 dev sink1
	ip -n "$GEN_NS" link set gen1 up
	ip -n "$SINK_NS" link set sink1 up
	case $off in off | gro) ;; default) return 0 ;;
	*) die "BENCH_TCP_OFFLOADS: unknown endpoint setting '$off' (off, gro, default)" 2 ;;
	esac
	for d in "$GEN_NS gen0" "$GEN_NS gen1" "$SINK_NS sink0" "$SINK_NS sink1"; do
		# shellcheck disable=SC2086 # "NS DEV" split on purpose
		set -- $d
		ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
		[ "$off" = off ] || ip netns exec "$1" ethtool -K "$2" gro on >/dev/null
	done
}

# The bridge as a forwarder: its work runs in in0's and out0's receive
# NAPI (veth has NAPI once GRO is on), threaded and pinned on FWD_CPU.
TCP_NAPI_PIDS=
start_bridge() {
	local before dev
	before=$(ps -e -o pid=,comm= | awk '$2 ~ /^napi\// {print $1}' | sort)
	ip -n "$FWD_NS" link add br0 type bridge
	for dev in in0 out0; do
		ip -n "$FWD_NS" link set "$dev" master br0
		ip netns exec "$FWD_NS" ethtool -K "$dev" gro on >/dev/null
		ip netns exec "$FWD_NS" sh -c "echo 1 > /sys/class/net/$dev/threaded"
	done
	ip -n "$FWD_NS" link set br0 up
	TCP_NAPI_PIDS=$(ps -e -o pid=,comm= | awk '$2 ~ /^napi\// {print $1}' |
		sort | comm -13 <(echo "$before") - | tr '\n' ' ')
	[ -n "$TCP_NAPI_PIDS" ] || die "bridge: no threaded NAPI kthread for in0/out0"
	for dev in $TCP_NAPI_PIDS; do taskset -p -c "$FWD_CPU" "$dev" >/dev/null; done
	PEER_PID=
	CPU_PID=$TCP_NAPI_PIDS
}

stop_bridge() {
	local dev
	for dev in in0 out0; do
		ip netns exec "$FWD_NS" sh -c "echo 0 > /sys/class/net/$dev/threaded" || true
		ip -n "$FWD_NS" link set "$dev" nomaster || true
		ip netns exec "$FWD_NS" ethtool -K "$dev" gro off >/dev/null || true
	done
	ip -n "$FWD_NS" link del br0 2>/dev/null || true
	TCP_NAPI_PIDS=
	CPU_PID=
}

# sink_csum_errors: TCP and UDP segments the receiver dropped for a bad
# checksum (a forwarder that passes partial checksums on shows here).
sink_csum_errors() {
	ip netns exec "$SINK_NS" nstat -saz TcpInCsumErrors UdpInCsumErrors 2>/dev/null |
		awk '$1 ~ /CsumErrors/ { n += $2 } END { print n + 0 }'
}

# cpu_ns_all PIDS...: cpu_ns summed over several processes.
cpu_ns_all() {
	local p s=0
	for p in "$@"; do s=$((s + $(cpu_ns "$p"))); done
	echo "$s"
}

# tcp_run OFFLOADS PEER TEST ROUND: one iperf3 run through PEER, one JSON
# line in $RAW.
tcp_run() {
	local off=$1 peer=$2 test=$3 round=$4 dst=10.77.0.4 args=() rc c0 c1 s0 s1 e0 e1 err=
	[ "$peer" = direct ] && dst=10.79.0.4
	case $test in
	tcp) ;;
	tcp-p4) args=(-P 4) ;;
	udp) args=(-u -b "$TCP_UDP_RATE" -l 1400) ;;
	esac
	"$NSRUN" "$SINK_NS" taskset -c "$GEN_CPU" iperf3 -s -1 -p 5201 \
		>"$work/iperf3-server.log" 2>&1 &
	PIDS+=("$!")
	local server=$!
	sleep 0.3
	# shellcheck disable=SC2086 # CPU_PID may hold several pids
	c0=$(cpu_ns_all $CPU_PID)
	s0=$(sys_busy_ticks)
	e0=$(sink_csum_errors)
	timeout $((TCP_SECONDS + 20)) "$NSRUN" "$GEN_NS" taskset -c "$GEN_CPU" \
		iperf3 -c "$dst" -p 5201 -t "$TCP_SECONDS" --connect-timeout 3000 \
		-J "${args[@]}" >"$work/iperf3.json" 2>"$work/iperf3.err"
	rc=$?
	# shellcheck disable=SC2086
	c1=$(cpu_ns_all $CPU_PID)
	s1=$(sys_busy_ticks)
	e1=$(sink_csum_errors)
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	jq -e . "$work/iperf3.json" >/dev/null 2>&1 || echo '{}' >"$work/iperf3.json"
	[ "$rc" = 0 ] || err=$(jq -r '.error // empty' "$work/iperf3.json")
	[ "$rc" = 0 ] || [ -n "$err" ] || err="iperf3 exit $rc: $(head -c 200 "$work/iperf3.err")"
	jq -c --arg off "$off" --arg peer "$peer" --arg test "$test" \
		--argjson round "$round" --arg err "$err" --argjson csum_err $((e1 - e0)) \
		--argjson fwd_ns $((c1 - c0)) --argjson hz "$(getconf CLK_TCK)" \
		--argjson ticks $((s1 - s0)) --argjson has_fwd "$([ -n "$CPU_PID" ] && echo true || echo false)" '
		(if $test == "udp" then (.end.sum // {}) else (.end.sum_received // {}) end) as $r |
		($r.bytes // 0) as $bytes |
		{section: "tcp", offloads: $off, peer: $peer, test: $test, round: $round,
		 label: "\($off) \($peer) \($test)",
		 ok: ($err == "" and $bytes > 0),
		 error: (if $err != "" then $err
			 elif $bytes == 0 then "no data reached the receiver (\($csum_err) segments dropped there for a bad checksum)"
			 else null end),
		 rx_csum_errors: $csum_err,
		 gbps: (($r.bits_per_second // 0) / 1e9), bytes: $bytes,
		 retransmits: .end.sum_sent.retransmits,
		 lost_percent: (if $test == "udp" then $r.lost_percent else null end),
		 fwd_cpu_s: (if $has_fwd then $fwd_ns / 1e9 else null end),
		 sys_cpu_s: ($ticks / $hz),
		 fwd_cpu_s_per_gb: (if $has_fwd and $bytes > 0 then $fwd_ns / 1e9 / ($bytes / 1e9) else null end),
		 sys_cpu_s_per_gb: (if $bytes > 0 then $ticks / $hz / ($bytes / 1e9) else null end)}' \
		"$work/iperf3.json" | tee -a "$RAW" |
		jq -r '"  tcp \(.label): \(.gbps * 100 | round / 100) Gbit/s\(if .retransmits then ", \(.retransmits) retransmits" else "" end)\(if .lost_percent then ", \(.lost_percent | round)% lost" else "" end)\(if .error then " (\(.error))" else "" end)"' >&2
}

tcp_peer_start() {
	case $1 in
	bridge) start_bridge ;;
	direct) PEER_PID= CPU_PID= ;;
	*) start_peer "$1" ;;
	esac
}

tcp_peer_stop() {
	case $1 in
	bridge) stop_bridge ;;
	direct) ;;
	*) stop_peer ;;
	esac
}

section_tcp() {
	command -v iperf3 >/dev/null || die "iperf3 missing (make deps-bench)"
	local off r peer test
	log "tcp: iperf3 ($TCP_TESTS) through $TCP_PEERS, endpoint offloads $TCP_OFFLOADS, $TCP_ROUNDS rounds of ${TCP_SECONDS}s"
	for off in $TCP_OFFLOADS; do
		tcp_topo "$off"
		for r in $(seq "$TCP_ROUNDS"); do
			log "tcp: offloads $off, round $r/$TCP_ROUNDS"
			for peer in $TCP_PEERS; do
				tcp_peer_start "$peer"
				for test in $TCP_TESTS; do tcp_run "$off" "$peer" "$test" "$r"; done
				tcp_peer_stop "$peer"
			done
		done
		topo_down
	done
}
