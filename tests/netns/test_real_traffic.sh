#!/bin/bash
# Real traffic from real stacks through the agent, with the endpoints'
# default offloads (TX checksum offload on, as every veth and container has):
#
#   ns A (a0 10.77.0.1 fd77::1) <-> [fa  afxdp-agent fwd  fb] <-> ns B (b0 10.77.0.2 fd77::2)
#
# ping and ping6 (ARP and ND cross the agent too), iperf3 TCP both
# directions and with 4 streams, iperf3 UDP at a fixed rate, and a 200 MB
# HTTP download (python3 http.server -> curl) whose sha256 must match.
# The receivers' checksum error counters must not move: the senders leave
# the L4 checksum partial and the agent completes it (guest/csum.c); its
# csum_fixed counter proves that path was taken.
. "$(dirname "$0")/lib.sh"
P=afxrt$$
NS_A=${P}a NS_F=${P}f NS_B=${P}b
rt_cleanup() {
	cleanup
	for ns in $NS_A $NS_F $NS_B; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap rt_cleanup EXIT
require_root "real traffic suite"
for c in iperf3 curl python3 nstat sha256sum; do
	command -v "$c" >/dev/null || {
		not_ok "$c installed (make deps-test)"
		tap_done
		exit 1
	}
done

for ns in $NS_A $NS_F $NS_B; do ip netns add "$ns"; done
ip -n $NS_A link add a0 type veth peer name fa netns $NS_F
ip -n $NS_B link add b0 type veth peer name fb netns $NS_F
ip -n $NS_A addr add 10.77.0.1/24 dev a0
ip -n $NS_A addr add fd77::1/64 dev a0 nodad
ip -n $NS_B addr add 10.77.0.2/24 dev b0
ip -n $NS_B addr add fd77::2/64 dev b0 nodad
for l in "$NS_A a0" "$NS_F fa" "$NS_F fb" "$NS_B b0"; do
	set -- $l
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
done
# The case under test: the senders offload their TX checksum.
assert_match "sender a0 has TX checksum offload on (the default)" \
	"tx-checksumming: on" "$(ip netns exec $NS_A ethtool -k a0)"

start_agent fwd $NS_F -m fwd -i fa -i fb --interval 0
assert_eq "agent started (fwd fa <-> fb, filter all)" 0 $?
# A bump in the wire sees frames addressed to other hosts: promiscuous
# while it runs (a VM's virtio-net filters by MAC in QEMU otherwise).
assert_match "fwd turns promiscuous mode on" "PROMISC" "$(ip -n $NS_F link show fa)"

# csum_errors NS: the receiver's TCP and UDP checksum error counters.
csum_errors() {
	ip netns exec "$1" nstat -saz TcpInCsumErrors UdpInCsumErrors Udp6InCsumErrors 2>/dev/null |
		awk '$1 ~ /CsumErrors/ { n += $2 } END { print n + 0 }'
}

assert_rc "ping 10.77.0.2 through the agent (ARP too): no loss" 0 \
	ip netns exec $NS_A ping -c 5 -i 0.2 -W 2 10.77.0.2
assert_rc "ping6 fd77::2 through the agent (ND too): no loss" 0 \
	ip netns exec $NS_A ping -6 -c 5 -i 0.2 -W 2 fd77::2

# wait_listen PORT: until a TCP server in B listens on PORT (5 s at most).
wait_listen() {
	for _ in $(seq 50); do
		ip netns exec $NS_B ss -ltn | grep -q ":$1 " && return 0
		sleep 0.1
	done
	return 1
}

# http_start LOG: python3's http.server in B on 10.77.0.2:8080 serving
# $WORK/www; its pid in HTTP_PID.
http_start() {
	(cd "$WORK/www" && exec ip netns exec $NS_B python3 -m http.server 8080 \
		--bind 10.77.0.2 >"$1" 2>&1) &
	HTTP_PID=$!
	wait_listen 8080
}

# iperf3 NAME ARGS...: one client run against a one-off server in B; the
# JSON result in $WORK/NAME.json, exit status returned.
iperf() {
	local name=$1 rc
	shift
	ip netns exec $NS_B iperf3 -s -1 -p 5201 >"$WORK/$name.server" 2>&1 &
	local srv=$!
	wait_listen 5201
	timeout 60 ip netns exec $NS_A iperf3 -c 10.77.0.2 -p 5201 -J "$@" \
		>"$WORK/$name.json" 2>&1
	rc=$?
	wait "$srv" 2>/dev/null
	return $rc
}
gbps() { jq -r "$1 / 1e9 | . * 100 | floor / 100" "$WORK/$2.json" 2>/dev/null; }

for run in "tcp:-t 3" "tcp_reverse:-t 3 -R" "tcp_p4:-t 3 -P 4"; do
	name=${run%%:*}
	err0=$(csum_errors $NS_B)
	err0a=$(csum_errors $NS_A)
	iperf "$name" ${run#*:}
	rc=$?
	assert_eq "iperf3 $name: exits 0" 0 "$rc" || diag_tail "$WORK/$name.json" 5
	bytes=$(jq '.end.sum_received.bytes' "$WORK/$name.json" 2>/dev/null)
	assert_ge "iperf3 $name: data received ($(gbps .end.sum_received.bits_per_second "$name") Gbit/s, $(jq .end.sum_sent.retransmits "$WORK/$name.json" 2>/dev/null) retransmits)" \
		1000000 "${bytes:-0}"
	assert_eq "iperf3 $name: no checksum errors at either end" \
		"$err0 $err0a" "$(csum_errors $NS_B) $(csum_errors $NS_A)"
done

err0=$(csum_errors $NS_B)
iperf udp -u -b 100M -l 1400 -t 3
assert_eq "iperf3 UDP 100 Mbit/s: exits 0" 0 $? || diag_tail "$WORK/udp.json" 5
lost=$(jq '.end.sum.lost_percent' "$WORK/udp.json" 2>/dev/null)
recv=$(jq '.end.sum.packets - .end.sum.lost_packets' "$WORK/udp.json" 2>/dev/null)
assert_ge "iperf3 UDP: datagrams arrived (lost ${lost}%)" 20000 "${recv:-0}"
assert_eq "iperf3 UDP: at most 1% lost" 1 \
	"$(awk -v l="${lost:-100}" 'BEGIN { print (l <= 1) ? 1 : 0 }')"
assert_eq "iperf3 UDP: no checksum errors at the receiver" "$err0" "$(csum_errors $NS_B)"

# 200 MB over HTTP, sha256 compared.
mkdir -p "$WORK/www"
head -c 200M /dev/urandom >"$WORK/www/blob"
want=$(sha256sum <"$WORK/www/blob" | cut -d' ' -f1)
http_start "$WORK/http.log"
err0=$(csum_errors $NS_A)
got=$(timeout 120 ip netns exec $NS_A curl -sS --fail -m 110 \
	http://10.77.0.2:8080/blob | sha256sum | cut -d' ' -f1)
assert_eq "HTTP: 200 MB downloaded with curl, sha256 matches" "$want" "$got"
assert_eq "HTTP: no checksum errors at the client" "$err0" "$(csum_errors $NS_A)"
kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null
rm -f "$WORK/www/blob"

stop_agent
assert_eq "agent exits 0 on SIGTERM" 0 "$AGENT_RC"
rx=$(final fwd .totals.rx_packets)
tx=$(final fwd .totals.tx_packets)
drops=$(final fwd .totals.drops)
fixed=$(final fwd .totals.csum_fixed)
assert_eq "agent counters reconcile: rx = tx + drops" "$rx" "$((tx + drops))"
assert_ge "agent completed partial checksums (csum_fixed $fixed of $rx frames)" 1000 "${fixed:-0}"
assert_no_match "promiscuous mode restored at exit" "PROMISC" "$(ip -n $NS_F link show fa)"

# ---- 2. A bump in the wire: only iperf3's UDP visits the agent; the rest
# (ARP, ND, ICMP, TCP, HTTP) is forwarded to the other port inside XDP.
start_agent fwd2 $NS_F -m fwd -i fa -i fb --interval 0 --unmatched forward \
	-f "udp dport 5201" -f "udp sport 5201"
assert_eq "agent started (udp port 5201, unmatched forward)" 0 $?
# The agent cannot see the endpoints' settings and says what forwarding
# inside XDP needs from them on veth; then it is done, as it says.
assert_match "agent names what veth endpoints need for unmatched forward" \
	"ethtool -K DEV tx off gro on" "$(cat "$WORK/fwd2.log")"
ip netns exec $NS_A ethtool -K a0 tx off gro on >/dev/null
ip netns exec $NS_B ethtool -K b0 tx off gro on >/dev/null
assert_rc "unmatched forward: ping (ARP forwarded in XDP)" 0 \
	ip netns exec $NS_A ping -c 5 -i 0.2 -W 2 10.77.0.2
assert_rc "unmatched forward: ping6 (ND forwarded in XDP)" 0 \
	ip netns exec $NS_A ping -6 -c 5 -i 0.2 -W 2 fd77::2
err0="$(csum_errors $NS_B) $(csum_errors $NS_A)"
iperf tcp2 -t 3
assert_eq "unmatched forward: iperf3 TCP exits 0 ($(gbps .end.sum_received.bits_per_second tcp2) Gbit/s)" \
	0 $? || diag_tail "$WORK/tcp2.json" 5
head -c 20M /dev/urandom >"$WORK/www/blob2"
http_start "$WORK/http2.log"
got=$(timeout 60 ip netns exec $NS_A curl -sS --fail -m 50 \
	http://10.77.0.2:8080/blob2 | sha256sum | cut -d' ' -f1)
assert_eq "unmatched forward: 20 MB over HTTP, sha256 matches" \
	"$(sha256sum <"$WORK/www/blob2" | cut -d' ' -f1)" "$got"
kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null
assert_eq "unmatched forward: no checksum errors" "$err0" \
	"$(csum_errors $NS_B) $(csum_errors $NS_A)"
iperf udp2 -u -b 20M -l 1400 -t 2
assert_eq "unmatched forward: iperf3 UDP exits 0" 0 $? || diag_tail "$WORK/udp2.json" 5
udp_recv=$(jq '.end.sum.packets - .end.sum.lost_packets' "$WORK/udp2.json" 2>/dev/null)
stop_agent
assert_eq "agent exits 0 on SIGTERM" 0 "$AGENT_RC"
fwd_a=$(final fwd2 '.ports[0].prog.forwarded')
redir=$(final fwd2 '[.ports[].prog.redirected] | add')
rx=$(final fwd2 .totals.rx_packets)
assert_ge "TCP/HTTP/ARP took the in-XDP path (fa forwarded $fwd_a)" 20000 "${fwd_a:-0}"
# The agent saw the UDP datagrams (plus iperf3's few UDP control
# datagrams) and not the TCP: far fewer frames than the TCP run's.
assert_ge "UDP went through the agent (agent rx $rx >= $udp_recv received)" "${udp_recv:-1}" "${rx:-0}"
assert_le "TCP did not go through the agent (agent rx $rx)" "$((udp_recv + 100))" "${rx:-0}"
assert_eq "the program redirected exactly what the agent received" "$rx" "$redir"

tap_done
