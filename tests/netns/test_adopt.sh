#!/bin/bash
# Applications adopt AF_XDP on interfaces the agent prepared (issue 13),
# with the native example (examples/afxdp-app) as the application, run as
# an unprivileged uid with CAP_NET_RAW only:
#
#   ns A  a0 ==veth== fa [F: afxdp-agent fwd] fb ==veth== b0  ns B
#         y1 ==veth== x1 [F: app1, cni, queue 0, "udp dport 5001"]
#         y2 ==veth== x2 [F: app2, cni, "udp dport 5002"]
#         y3 ==veth== x3 [F: app3 (added on SIGHUP), pinned map]
#
# Each receives exactly its traffic at once; TCP and ping to F's own
# addresses on the applications' interfaces reach the kernel; SIGKILL of
# one leaves the others' counts growing and it reconnects; SIGHUP adds and
# removes claims without touching the others; bad protocol input and bad
# claims get the documented answers; nothing is left behind.
. "$(dirname "$0")/lib.sh"
P=afxad$$
NS_A=${P}a NS_F=${P}f NS_B=${P}b
APP=$TOP/examples/afxdp-app/afxdp-app
PROBE=$TOP/tests/tools/dp_probe.py
# Its own uid: locked memory (the UMEM) is charged per user, so suites
# sharing one would share one RLIMIT_MEMLOCK.
NOBODY=${APP_UID:-64532}
APP_PIDS=()
ad_cleanup() {
	for p in "${APP_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	cleanup
	for ns in $NS_A $NS_F $NS_B; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap ad_cleanup EXIT
require_root "application adoption suite"
[ -x "$APP" ] || { not_ok "examples/afxdp-app built (make)"; tap_done; exit 1; }
# The applications reach their endpoints under $WORK unprivileged.
chmod 755 "$WORK"
DP=$WORK/dp

for ns in $NS_A $NS_F $NS_B; do
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip -n $NS_A link add a0 type veth peer name fa netns $NS_F
ip -n $NS_B link add b0 type veth peer name fb netns $NS_F
ip -n $NS_A addr add 10.77.0.1/24 dev a0
ip -n $NS_B addr add 10.77.0.2/24 dev b0
for i in 1 2 3; do
	ip -n $NS_A link add y$i type veth peer name x$i netns $NS_F
	ip -n $NS_A addr add 10.8$i.0.1/24 dev y$i
	ip -n $NS_F addr add 10.8$i.0.2/24 dev x$i
	# Complete checksums from the sender: the kernel's UDP receive on F
	# checks them (the frames the applications get are raw anyway).
	ip netns exec $NS_A ethtool -K y$i tx off >/dev/null
	ip -n $NS_A link set y$i up
	ip -n $NS_F link set x$i up
done
for l in "$NS_A a0" "$NS_F fa" "$NS_F fb" "$NS_B b0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip netns exec $NS_A ethtool -K a0 tx off >/dev/null

# claim N NAME IF FILTER ID_KEY [ENDPOINT]: one application in YAML.
claim() {
	cat <<-EOF
	  - name: $1
	    ifname: $2
	    queues: [0]
	    filter: ["$3"]
	    $4: [$NOBODY]
	    endpoint: ${5:-cni}
	    path: $DP/$2/${6:-afxdp.sock}
	EOF
}
config() { # config APPS...: the agent's file with these claims
	{
		printf 'mode: fwd\nports:\n  - ifname: fa\n  - ifname: fb\n'
		printf 'stats:\n  interval_ms: 300\n  format: json\napps:\n'
		cat
	} >"$WORK/agent.yaml"
}
{ claim app1 x1 "udp dport 5001" uids; claim app2 x2 "udp dport 5002" gids; } | config

# app_start NAME ARGS...: the example as an unprivileged uid with CAP_NET_RAW only, in
# the agent's namespaces (network, and mount for the pinned bpffs).
app_start() {
	local name=$1
	shift
	nsenter --target "$AGENT_PID" --net --mount \
		setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw \
		"$APP" -m rxdrop -q 0 -j "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	APP_PID=$!
	APP_PIDS+=("$APP_PID")
	for _ in $(seq 50); do
		grep -q "in the map" "$WORK/$name.err" && return 0
		kill -0 "$APP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# app_stop PID NAME: SIGINT, its final JSON's rx (its stderr as
# diagnostics when there is none). Polls: called inside $(...), where the
# application is not a child to wait for.
app_stop() {
	kill -INT "$1" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	if ! jq -e .rx "$WORK/$2.out" >/dev/null 2>&1; then
		diag "$2 ended without its report" >&2
		diag_tail "$WORK/$2.err" 5 >&2
	fi
	jq -r .rx "$WORK/$2.out" 2>/dev/null
}
# udp_send DST PORT N: N datagrams from A
udp_send() {
	ip netns exec $NS_A /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    s.sendto(b"afxdp-kit adopt %08d" % i, (sys.argv[1], int(sys.argv[2])))
    if i % 100 == 99:
        time.sleep(0.002)
' "$@"
}
# app_stat NAME JQ: from the agent's latest stats line that has the app
app_stat() {
	sleep 0.8 # two stats periods
	grep '"apps"' "$WORK/fwd.json" | tail -1 |
		jq -r ".apps[] | select(.name == \"$1\") | $2"
}

start_agent fwd $NS_F -c "$WORK/agent.yaml"
assert_eq "agent starts: fwd fa <-> fb plus app1 (x1) and app2 (x2)" 0 $?
assert_match "app1's endpoint is a socket" "^s" "$(stat -c %A "$DP/x1/afxdp.sock" 2>&1)"
assert_match "the agent's program is on x1 for app1" "afxdp_steer" "$(ip -n $NS_F link show x1)"

app_start app1 -s "$DP/x1/afxdp.sock" -i x1
assert_eq "app1 (uid $NOBODY, CAP_NET_RAW only) gets its map and binds queue 0" 0 $? || diag_tail "$WORK/app1.err"
P1=$APP_PID
app_start app2 -s "$DP/x2/afxdp.sock" -i x2
assert_eq "app2 (allowed by gid) gets its map" 0 $? || diag_tail "$WORK/app2.err"
P2=$APP_PID

# The agent's own forwarder between A and B, while the applications run.
assert_rc "ping A -> B through the agent's forwarder" 0 \
	ip netns exec $NS_A ping -c 3 -i 0.2 -W 2 10.77.0.2
udp_send 10.81.0.2 5001 1000
udp_send 10.82.0.2 5002 1000
udp_send 10.81.0.2 5002 300 # x1, but not app1's traffic: the kernel
assert_eq "app1's counter in the agent: 1000 redirected" 1000 "$(app_stat app1 .prog.redirected)"
assert_eq "app2's counter in the agent: 1000 redirected" 1000 "$(app_stat app2 .prog.redirected)"
assert_ge "x1 frames app1's filter did not select went to the kernel" 300 "$(app_stat app1 .prog.passed)"
assert_eq "app1's exchange: one map sent" 1 "$(app_stat app1 .exchanges.fds_sent)"

# TCP to F's own address on app1's interface and queue: the kernel's.
mkdir -p "$WORK/www"
echo "kernel path" >"$WORK/www/index.txt"
(cd "$WORK/www" && exec ip netns exec $NS_F python3 -m http.server 8081 \
	--bind 10.81.0.2 >"$WORK/http.log" 2>&1) &
HTTP_PID=$!
for _ in $(seq 50); do ip netns exec $NS_F ss -ltn | grep -q ':8081 ' && break; sleep 0.1; done
assert_eq "curl over TCP to x1's address while app1 runs: the kernel answers" \
	"kernel path" "$(ip netns exec $NS_A curl -sS -m 5 http://10.81.0.2:8081/index.txt 2>&1)"
kill "$HTTP_PID" 2>/dev/null

# SIGKILL app1: its frames go to the kernel, app2 and the forwarder go on.
kill -9 "$P1"
wait "$P1" 2>/dev/null
ns0=$(app_stat app1 .prog.no_socket)
udp_send 10.81.0.2 5001 1000
udp_send 10.82.0.2 5002 1000
assert_eq "app1 killed: its 1000 frames are passed to the kernel (no socket)" \
	$((ns0 + 1000)) "$(app_stat app1 .prog.no_socket)"
assert_eq "app1 killed: app2's count keeps growing (2000)" 2000 "$(app_stat app2 .prog.redirected)"
assert_rc "app1 killed: the forwarder still carries A -> B" 0 \
	ip netns exec $NS_A ping -c 2 -i 0.2 -W 2 10.77.0.2
app_start app1b -s "$DP/x1/afxdp.sock" -i x1
assert_eq "app1 reconnects" 0 $? || diag_tail "$WORK/app1b.err"
P1=$APP_PID
udp_send 10.81.0.2 5001 1000
assert_eq "app1 again: 1000 more redirected (2000)" 2000 "$(app_stat app1 .prog.redirected)"

# Bad protocol input on app1's endpoint; the agent keeps serving.
S1=$DP/x1/afxdp.sock
OUT=$(nsenter --target "$AGENT_PID" --net --mount setpriv --reuid=4321 \
	--regid=4321 --clear-groups "$PROBE" "$S1" /connect,h /version)
assert_match "a client with the wrong uid: /host_nak, then dropped" \
	"^/host_nak (eof|error BrokenPipeError)$" "$(echo $OUT)"
OUT=$(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$PROBE" "$S1" \
	/connect,h /xsk_map_fd,x2 /xsk_map_fd,x1 /bogus \
	"/version$(printf 'x%.0s' $(seq 80))" '/fin\x00junk' /fin)
assert_eq "malformed, oversized and unknown messages; another interface's map refused" \
	"$(printf '/host_ok\n/fd_nak\n/fd_ack +fd\n/nak\n/nak\n/nak\n/fin_ack')" "$OUT"
OUT=$(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$PROBE" "$S1" /connect,h @close)
assert_eq "a client that closes mid-exchange" "$(printf '/host_ok\nclosed')" "$OUT"
failed0=$(app_stat app1 .exchanges.failed)
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$PROBE" "$S1" @sleep:7 /version >"$WORK/silent.out" &
SILENT=$!
sleep 0.5
OUT=$(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$PROBE" "$S1" /connect,h /fin)
assert_eq "while a silent client holds app1's endpoint, the next is served after its deadline" \
	"$(printf '/host_ok\n/fin_ack')" "$OUT"
wait $SILENT
assert_match "the silent client was dropped" "eof|error" "$(cat "$WORK/silent.out")"
assert_ge "the agent counted the failed exchanges" $((failed0 + 1)) "$(app_stat app1 .exchanges.failed)"
udp_send 10.82.0.2 5002 500
assert_eq "app2 was never disturbed by app1's bad clients (2500)" 2500 "$(app_stat app2 .prog.redirected)"

# SIGHUP: app2 leaves, app3 (pinned map) arrives, app1 is not touched.
{ claim app1 x1 "udp dport 5001" uids; claim app3 x3 "udp dport 5003" uids pinned xsks_map; } | config
kill -HUP "$AGENT_PID"
for _ in $(seq 50); do grep -q "applications: 1 added, 1 removed" "$WORK/fwd.log" && break; sleep 0.1; done
assert_match "SIGHUP: one claim added, one removed" "applications: 1 added, 1 removed" \
	"$(grep SIGHUP "$WORK/fwd.log")" || diag_tail "$WORK/fwd.log" 8
assert_eq "app2's endpoint is gone" "gone" "$( [ -e "$DP/x2" ] && echo there || echo gone)"
assert_eq "x2 has no program any more (its only claim left)" none \
	"$(xdp_prog_on $NS_F x2)"
PIN=$DP/x3/xsks_map
assert_eq "app3's map is pinned for uid $NOBODY, mode 0600" "$NOBODY 600" \
	"$(nsenter --target "$AGENT_PID" --mount stat -c '%u %a' "$PIN" 2>&1)"
assert_eq "app3's directory is a BPF filesystem" "bpf_fs" \
	"$(nsenter --target "$AGENT_PID" --mount stat -f -c %T "$DP/x3" 2>&1)"
app_start app3 -p "$PIN" -i x3
assert_eq "app3 opens the pinned map unprivileged" 0 $? || diag_tail "$WORK/app3.err"
P3=$APP_PID
udp_send 10.83.0.2 5003 1000
udp_send 10.81.0.2 5001 1000
udp_send 10.82.0.2 5002 1000 # app2 is no longer steered: the kernel's
assert_eq "app1 kept its claim through the reload (3000)" 3000 "$(app_stat app1 .prog.redirected)"
assert_eq "app3: 1000 redirected" 1000 "$(app_stat app3 .prog.redirected)"

assert_eq "app1 (second run) received exactly its 2000 frames" 2000 "$(app_stop $P1 app1b)" ||
	diag_tail "$WORK/app1b.err"
assert_eq "app2 received exactly its 2500 frames, none after its claim went" 2500 "$(app_stop $P2 app2)"
assert_eq "app3 received exactly its 1000 frames" 1000 "$(app_stop $P3 app3)"

stop_agent
assert_eq "agent exits 0 on SIGTERM" 0 "$AGENT_RC" || diag_tail "$WORK/fwd.log"
assert_eq "forwarder: rx == tx (nothing lost beside the applications)" \
	"$(final fwd .totals.rx_packets)" "$(final fwd .totals.tx_packets)"
left=""
for d in fa fb x1 x2 x3; do
	[ "$(xdp_prog_on $NS_F $d)" = none ] || left="$left $d"
done
assert_eq "no XDP program left on any interface" "" "$left"
assert_eq "endpoints, pins and directories removed" "gone" \
	"$([ -e "$DP" ] && ls -A "$DP" || echo gone)"

# Claims the agent refuses, changing nothing.
{ claim app1 x1 "udp dport 5001" uids; claim app9 x1 "udp" uids; } | config
OUT=$(ip netns exec $NS_F "$AGENT" -c "$WORK/agent.yaml" --set apps.1.path="$DP/x1/other.sock" 2>&1)
assert_eq "overlapping claims (same interface and queue): exit 2" 2 $?
assert_match "the message names both claims" "app9.*app1|app1.*app9" "$OUT"
assert_eq "nothing attached after the refusal" none "$(xdp_prog_on $NS_F x1)"
{ claim app1 nosuch0 "udp" uids; } | config
OUT=$(ip netns exec $NS_F "$AGENT" -c "$WORK/agent.yaml" 2>&1)
assert_eq "a claim on a missing interface: exit 2" 2 $?
assert_match "the message names the interface" "nosuch0" "$OUT"
assert_eq "nothing attached on the forwarding ports either" "none none" \
	"$(xdp_prog_on $NS_F fa) $(xdp_prog_on $NS_F fb)"
tap_done
