# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Host side of a test: one network namespace per test with the tap devices
# the guest's NICs attach to. Taps with more than one queue must be created
# multi_queue, else QEMU's TUNSETIFF fails with EINVAL.

VMT_MAC_IN=52:54:00:99:00:02
VMT_MAC_OUT=52:54:00:99:01:02
VMT_IP_IN=10.99.0.2
VMT_IP_OUT=10.99.1.2
VMT_HOST_IP_IN=10.99.0.1
VMT_HOST_IP_OUT=10.99.1.1

# in_ns NS CMD...: run in the namespace keeping the host's /sys (nsenter;
# `ip netns exec` would remount it).
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

# netns_create NS
netns_create() {
	ip netns add "$1" || return 1
	defer "ip netns del $1"
	ip -n "$1" link set lo up
}

# tap_create NS TAP QUEUES [IP/PREFIX]
tap_create() {
	local ns=$1 tap=$2 q=$3 addr=${4:-} mq=
	[ "$q" -gt 1 ] && mq=multi_queue
	ip -n "$ns" tuntap add dev "$tap" mode tap $mq || return 1
	defer "ip -n $ns link del $tap"
	ip -n "$ns" link set "$tap" up || return 1
	if [ -n "$addr" ]; then ip -n "$ns" addr add "$addr" dev "$tap" || return 1; fi
	# The out-tap sees the guest's own traffic too; no IPv6 chatter on it.
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1" 2>/dev/null
	return 0
}

# net_setup NS QUEUES: the in- and out-taps of one test.
net_setup() {
	local ns=$1 q=$2
	netns_create "$ns" &&
		tap_create "$ns" tin "$q" "$VMT_HOST_IP_IN/24" &&
		tap_create "$ns" tout "$q" "$VMT_HOST_IP_OUT/24"
}

# The sink: counts the frames of the test's UDP port leaving the guest on
# the out-tap (AF_PACKET, exact count, other frames ignored).
# sink_start NS TAP PORT OUTFILE: sets SINK_PID.
sink_start() {
	local ns=$1 tap=$2 port=$3 out=$4
	rm -f "$out" "$out.ready"
	# A simple command in the background: $! is python itself (nsenter
	# execs it), so the TERM reaches the sink.
	nsenter --net="/run/netns/$ns" "$VMT_PY" "$VMT_TOP/vm-tests/tools/pkt.py" sink --dev "$tap" \
		--dport "$port" --ready "$out.ready" >"$out" 2>"$out.err" &
	SINK_PID=$!
	track_pid "$SINK_PID"
	defer "kill_pid $SINK_PID 2"
	wait_for "sink ready" 10 test -e "$out.ready"
}

# sink_stop: the sink prints its count as JSON on SIGTERM.
sink_stop() {
	kill -TERM "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
}

# gen_run NS TAP COUNT RATE FLOWS DPORT OUTFILE: sends COUNT UDP frames to
# the guest's in-NIC, source ports cycled over FLOWS so the tap spreads
# them over every queue. Foreground; prints a JSON summary into OUTFILE.
gen_run() {
	in_ns "$1" "$VMT_PY" "$VMT_TOP/vm-tests/tools/pkt.py" gen --dev "$2" \
		--count "$3" --rate "$4" --flows "$5" --dport "$6" \
		--dst-mac "$VMT_MAC_IN" --dst-ip "$VMT_IP_IN" \
		--src-ip "$VMT_HOST_IP_IN" >"$7" 2>"$7.err"
}

# gen_start ...same as gen_run, in the background; sets GEN_PID.
gen_start() {
	nsenter --net="/run/netns/$1" "$VMT_PY" "$VMT_TOP/vm-tests/tools/pkt.py" gen --dev "$2" \
		--count "$3" --rate "$4" --flows "$5" --dport "$6" \
		--dst-mac "$VMT_MAC_IN" --dst-ip "$VMT_IP_IN" \
		--src-ip "$VMT_HOST_IP_IN" >"$7" 2>"$7.err" &
	GEN_PID=$!
	track_pid "$GEN_PID"
	defer "kill_pid $GEN_PID 2"
}

# json_get FILE EXPR: a python expression over the JSON object j.
json_get() {
	"$VMT_PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
