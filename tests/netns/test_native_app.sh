#!/bin/bash
# examples/afxdp-app, the native AF_XDP example, run as an unprivileged uid
# with only CAP_NET_RAW (and RLIMIT_MEMLOCK set before the drop) against a
# real device-plugin server: tests/tools/uds_fixture runs guest/uds_server.c and
# hands out a real XSKMAP that its XDP program on the veth redirects every
# frame to, at the frame's rx queue (no socket there: the kernel). A raw
# socket sender on the other end of the veth picks the queue with XPS and
# counts the macswap replies. Also the pinned map, and every refusal.
TOPO_PREFIX=${TOPO_PREFIX:-afxapp}
. "$(dirname "$0")/lib.sh"
require_root "native AF_XDP application"

APP=${APP:-$TOP/examples/afxdp-app/afxdp-app}
FIXTURE=${FIXTURE:-$TOP/build/obj/tests/tools/uds_fixture}
# Not nobody: the kernel charges a UMEM to its user's locked memory, so
# suites that run applications as the same uid at once would share one
# RLIMIT_MEMLOCK (test_adopt.sh runs this example as nobody).
APP_UID=${APP_UID:-64531}
OTHER_UID=$((APP_UID + 1))
# Two queues of 2 MiB of UMEM each fit in Debian's default 8 MiB; the
# kernel frees a closed socket's UMEM after an RCU grace period, so the
# next run must not need the last byte of the limit.
MEMLOCK=$((8 << 20))
PORT=7777
FX_PID=
BPFFS=$WORK/bpffs

native_cleanup() {
	[ -n "$FX_PID" ] && kill -9 "$FX_PID" 2>/dev/null
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	cleanup
}
trap native_cleanup EXIT

for f in "$APP" "$FIXTURE"; do
	if [ ! -x "$f" ]; then
		not_ok "$f is built (run make)"
		tap_done
		exit 1
	fi
done
# The application's uid must reach the socket and the logs' directory.
chmod 0755 "$WORK"

# fixture_start ARGS...: the fixture on in0, ready when its file exists.
fixture_start() {
	rm -f "$WORK/fx.ready"
	ip netns exec "$FWD_NS" "$FIXTURE" -i in0 -q 2 -r "$WORK/fx.ready" \
		"$@" >"$WORK/fx.out" 2>"$WORK/fx.err" &
	FX_PID=$!
	for _ in $(seq 50); do
		[ -e "$WORK/fx.ready" ] && return 0
		kill -0 "$FX_PID" 2>/dev/null || break
		sleep 0.1
	done
	diag_tail "$WORK/fx.err" 10 "fixture"
	return 1
}
# fixture_stop: SIGTERM; its counters (one JSON line) in $WORK/fx.out
fixture_stop() {
	kill -TERM "$FX_PID" 2>/dev/null
	wait "$FX_PID"
	FX_PID=
}

# app [CAPS [MEMLOCK [UID]]] -- ARGS...: the example as UID (APP_UID) with
# the inheritable+ambient capabilities CAPS (+net_raw; "-" none) in the
# veth's namespace, in the background: $APP_PID, output in $WORK/app.*
app() {
	local caps=+net_raw ml=$MEMLOCK uid=$APP_UID
	[ "$1" != -- ] && { caps=$1; shift; }
	[ "$1" != -- ] && { ml=$1; shift; }
	[ "$1" != -- ] && { uid=$1; shift; }
	shift
	local drop=(setpriv --reuid="$uid" --regid="$uid" --clear-groups)
	[ "$caps" != - ] && drop+=(--inh-caps="$caps" --ambient-caps="$caps")
	rm -f "$WORK/app.out" "$WORK/app.err"
	ip netns exec "$FWD_NS" prlimit --memlock="$ml" "${drop[@]}" \
		"$APP" "$@" >"$WORK/app.out" 2>"$WORK/app.err" &
	APP_PID=$!
}
# app_ready: its sockets are in the map (it says so on stderr).
app_ready() {
	for _ in $(seq 100); do
		grep -q "in the map" "$WORK/app.err" 2>/dev/null && return 0
		kill -0 "$APP_PID" 2>/dev/null || break
		sleep 0.05
	done
	diag_tail "$WORK/app.err" 10 "afxdp-app"
	return 1
}
app_wait() {
	wait "$APP_PID"
	APP_RC=$?
}
# app_run ... : app in the foreground; rc in APP_RC, stderr in ERR
app_run() {
	app "$@"
	app_wait
	ERR=$(cat "$WORK/app.err")
}
field() { jq -r "$1" "$WORK/app.out"; }

# to_queue Q: the sender's frames leave gen0 by tx queue Q (XPS), and a
# veth delivers tx queue Q on its peer's rx queue Q.
to_queue() {
	local all other=$((1 - $1))
	all=$(printf '%x' $(((1 << $(nproc)) - 1)))
	ip netns exec "$GEN_NS" sh -c "echo 0 >/sys/class/net/gen0/queues/tx-$other/xps_cpus &&
		echo $all >/sys/class/net/gen0/queues/tx-$1/xps_cpus"
}

# send N [WAIT_REPLIES]: N UDP frames gen0 -> in0, paced under the veth's
# 256-frame ring; counts the replies that come back MAC-swapped (dst gen0,
# src in0). One JSON line: {"sent":N,"replies":M}
cat >"$WORK/send.py" <<'EOF'
import json, socket, struct, sys, time
dev, n, port, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
me, peer = bytes.fromhex(sys.argv[5].replace(":", "")), bytes.fromhex(sys.argv[6].replace(":", ""))
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
rx.bind((dev, 0))
# Replies arrive while we still send: room for all of them (SO_RCVBUFFORCE).
rx.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)
rx.settimeout(0.2)
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
tx.bind((dev, 0))
payload = b"afxdp-app test...."
udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton("10.77.0.1"), socket.inet_aton("10.77.0.2"))
c = sum(struct.unpack("!10H", ip))
c = (c & 0xffff) + (c >> 16)
c = (c & 0xffff) + (c >> 16)
ip = ip[:10] + struct.pack("!H", ~c & 0xffff) + ip[12:]
frame = peer + me + b"\x08\x00" + ip + udp
for i in range(n):
    tx.send(frame)
    if i % 32 == 31:
        time.sleep(0.002)
replies, deadline = 0, time.time() + (3 if want else 0.3)
while time.time() < deadline and (not want or replies < want):
    try:
        f, addr = rx.recvfrom(2048)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING or len(f) < 42:
        continue
    if f[0:6] == me and f[6:12] == peer and struct.unpack("!H", f[36:38])[0] == port:
        replies += 1
print(json.dumps({"sent": n, "replies": replies}))
EOF
send() {
	ip netns exec "$GEN_NS" /usr/bin/python3 "$WORK/send.py" gen0 "$1" \
		$PORT "${2:-0}" "$GEN_MAC" "$IN_MAC"
}
# The kernel's count of UDP datagrams to a closed port in the app's
# namespace: frames the XDP program passed on because no socket was there.
udp_noports() {
	ip netns exec "$FWD_NS" awk '/^Udp:/ { if (h) { print $3; exit } h = 1 }' /proc/net/snmp
}

topo_up 2

# --- usage: exit 2, before anything is touched ---
assert_rc "--help exits 0" 0 "$APP" --help
assert_match "--help names the capabilities" "CAP_NET_RAW" "$OUT"
assert_rc "no --ifname: exit 2" 2 "$APP" --socket /nonexistent
assert_match "  says so" "--ifname is required" "$OUT"
assert_rc "unknown mode: exit 2" 2 "$APP" -i lo --mode fwd
assert_match "  names the mode" "'fwd' is not rxdrop or macswap" "$OUT"
assert_rc "--socket with --pinned: exit 2" 2 "$APP" -i lo -s /a -p /b
assert_rc "bad queue list: exit 2" 2 "$APP" -i lo -q 1,,2
assert_rc "queue given twice: exit 2" 2 "$APP" -i lo -q 0-2 -q 1
assert_match "  names it" "queue 1 given twice" "$OUT"
assert_rc "missing interface: exit 2" 2 "$APP" -i nosuch0
assert_rc "--count 0: exit 2" 2 "$APP" -i lo -c 0
assert_rc "stray argument: exit 2" 2 "$APP" -i lo extra

# --- the device-plugin socket, unprivileged ---
fixture_start -s "$WORK/afxdp.sock" -u $APP_UID ||
	{ not_ok "fixture serves $WORK/afxdp.sock"; tap_done; exit 1; }
ok "fixture serves the protocol with a real XSKMAP on in0"

# rxdrop on both queues (a list), exactly the frames sent to each queue;
# --count ends it by itself.
app -- -s "$WORK/afxdp.sock" -i in0 -q 0,1 --mode rxdrop --count 800 --json
if app_ready; then
	ok "rxdrop: sockets on queues 0,1 in the received map (uid $APP_UID, CAP_NET_RAW only)"
	to_queue 0
	send 500 >/dev/null
	to_queue 1
	send 300 >/dev/null
	app_wait
	assert_eq "rxdrop: exit 0 after --count" 0 "$APP_RC"
	assert_eq "rxdrop: received every frame sent" 800 "$(field .rx)"
	assert_eq "rxdrop: queue 0 got the 500 sent to it" 500 "$(field '.queues[0].rx')"
	assert_eq "rxdrop: queue 1 got the 300 sent to it" 300 "$(field '.queues[1].rx')"
	assert_eq "rxdrop: transmits nothing" 0 "$(field .tx)"
	assert_eq "rxdrop: XDP_STATISTICS rx_dropped 0" 0 "$(field .xdp_stats.rx_dropped)"
else
	not_ok "rxdrop: sockets in the map"
fi

# The app exited: the kernel took its sockets out of the map, so the
# frames go to the kernel again (UDP to a closed port), none vanish.
before=$(udp_noports)
send 40 >/dev/null
sleep 0.2
assert_eq "after the app exits its queues' frames reach the kernel" 40 \
	$(($(udp_noports) - before))

# macswap on repeated -q: every frame comes back MAC-swapped to the sender.
to_queue 1
app -- -s "$WORK/afxdp.sock" -i in0 -q 0 -q 1 --mode macswap --count 400 --json
if app_ready; then
	res=$(send 400 400)
	app_wait
	assert_eq "macswap: exit 0" 0 "$APP_RC"
	assert_eq "macswap: received 400" 400 "$(field .rx)"
	assert_eq "macswap: sent 400 back out of queue 1" 400 "$(field '.queues[1].tx')"
	assert_eq "macswap: the sender got 400 replies with swapped MACs" 400 \
		"$(jq -r .replies <<<"$res")"
else
	not_ok "macswap: sockets in the map"
fi

# Only queue 0 claimed: queue 1's frames are not ours and go to the kernel.
app -- -s "$WORK/afxdp.sock" -i in0 -q 0 --count 50 --json
if app_ready; then
	before=$(udp_noports)
	to_queue 1
	send 100 >/dev/null
	to_queue 0
	send 50 >/dev/null
	app_wait
	assert_eq "queue 0 only: exactly its 50 frames" 50 "$(field .rx)"
	assert_eq "queue 0 only: queue 1's 100 went to the kernel" 100 \
		$(($(udp_noports) - before))
else
	not_ok "queue 0 only: socket in the map"
fi

# SIGTERM: stops, final counters, exit 0. --duration stops by itself.
app -- -s "$WORK/afxdp.sock" -i in0 -q 0,1
if app_ready; then
	kill -TERM "$APP_PID"
	app_wait
	assert_eq "SIGTERM: exit 0" 0 "$APP_RC"
	assert_match "SIGTERM: text counters printed" "^in0 rxdrop: rx 0 tx 0" "$(cat "$WORK/app.out")"
	assert_match "  with XDP_STATISTICS" "XDP_STATISTICS: rx_dropped 0" "$(cat "$WORK/app.out")"
else
	not_ok "SIGTERM run: socket in the map"
fi
start=$(date +%s%N)
app_run -- -s "$WORK/afxdp.sock" -i in0 --duration 1 --json
ms=$((($(date +%s%N) - start) / 1000000))
assert_eq "--duration 1: exit 0" 0 "$APP_RC"
if [ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ]; then ok "--duration 1 took ${ms} ms"; else
	not_ok "--duration 1 took ${ms} ms"; fi

# --- refusals: exit 1 and a message that names the cause ---
app_run - -- -s "$WORK/afxdp.sock" -i in0
assert_eq "without CAP_NET_RAW: exit 1" 1 "$APP_RC"
assert_match "  needs CAP_NET_RAW" "needs CAP_NET_RAW" "$ERR"
app_run +net_raw $((1 << 20)) -- -s "$WORK/afxdp.sock" -i in0
assert_eq "RLIMIT_MEMLOCK 1 MiB: exit 1" 1 "$APP_RC"
assert_match "  raise RLIMIT_MEMLOCK, 2 MiB for 1 queue" "raise RLIMIT_MEMLOCK.*needs 2048 KiB of locked memory for 1 queue" "$ERR"
app_run -- -s "$WORK/nothing.sock" -i in0
assert_eq "wrong socket path: exit 1" 1 "$APP_RC"
assert_match "  names the path" "nothing.sock: No such file or directory" "$ERR"
app_run +net_raw $MEMLOCK $OTHER_UID -- -s "$WORK/afxdp.sock" -i in0
assert_eq "a uid the server does not allow: exit 1" 1 "$APP_RC"
assert_match "  names the answer" "/connect,.* answered with /host_nak" "$ERR"
app_run -- -s "$WORK/afxdp.sock" -i lo
assert_eq "an interface the server has no map for: exit 1" 1 "$APP_RC"
assert_match "  names the answer" "/xsk_map_fd,lo answered with /fd_nak" "$ERR"
app_run -- -s "$WORK/afxdp.sock" -i in0 -q 2
assert_eq "a queue beyond the map: exit 1" 1 "$APP_RC"
assert_match "  says so" "queue 2: the XSKMAP has only 2 entries" "$ERR"
# CAP_IPC_LOCK instead of RLIMIT_MEMLOCK: the UMEM is not charged at all.
app_run +net_raw,+ipc_lock 0 -- -s "$WORK/afxdp.sock" -i in0 --duration 1
assert_eq "RLIMIT_MEMLOCK 0 with CAP_IPC_LOCK: runs, exit 0" 0 "$APP_RC"
fixture_stop
# The exchanges that got the map: rxdrop, macswap, queue 0, SIGTERM,
# duration, no CAP_NET_RAW (probed before the exchange: not counted),
# memlock, queue 2, CAP_IPC_LOCK. Refused: OTHER_UID.
assert_eq "server: 8 exchanges handed out the map" 8 "$(jq -r .fds_sent "$WORK/fx.out")"
assert_eq "server: 1 peer refused" 1 "$(jq -r .refused "$WORK/fx.out")"

fixture_start -s "$WORK/afxdp.sock" -u $APP_UID -n ||
	not_ok "fixture with /host_nak"
app_run -- -s "$WORK/afxdp.sock" -i in0
assert_eq "server answers /host_nak: exit 1" 1 "$APP_RC"
assert_match "  names the answer" "answered with /host_nak" "$ERR"
fixture_stop

# --- the pinned map (DPDK's use_pinned_map) ---
mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS"
fixture_start -p "$BPFFS/xsks_map" -u $APP_UID ||
	not_ok "fixture pins the map"
to_queue 0
app -- -p "$BPFFS/xsks_map" -i in0 -q 0-1 --count 120 --json
if app_ready; then
	send 120 >/dev/null
	app_wait
	assert_eq "pinned: exit 0" 0 "$APP_RC"
	assert_eq "pinned: received the 120 frames" 120 "$(field .rx)"
else
	not_ok "pinned: sockets in the map"
fi
chown 0 "$BPFFS/xsks_map"
app_run -- -p "$BPFFS/xsks_map" -i in0
assert_eq "pinned map of another user: exit 1" 1 "$APP_RC"
assert_match "  permission denied" "Permission denied" "$ERR"
app_run -- -p "$BPFFS/none" -i in0
assert_eq "nothing pinned there: exit 1" 1 "$APP_RC"
fixture_stop

tap_done
