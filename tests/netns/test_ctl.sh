#!/bin/bash
# afxdp-agent's control socket and `afxdp-agent ctl` against a real agent
# forwarding in the netns topology (gen -> [in0 agent out0] -> sink):
# status matches the agent's own JSON stats stream, reload re-reads the
# file and says what changed or why not, the unit's ExecReload run by
# hand, and every refusal (wrong socket, a user without permission, an
# agent of another protocol version, garbage) with a clear message and
# exit 2 while the agent keeps running.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxc$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "control socket suite"
PY=/usr/bin/python3

# The socket's directory must be reachable by nobody for the permission
# test to be about the socket's own mode, not the directory's.
chmod 0711 "$WORK"
ETC=$WORK/etc
CFG=$ETC/afxdp-kit/afxdp-agent.yaml
SOCK=$WORK/run/agent.ctl
mkdir -p "$ETC/afxdp-kit"
write_cfg() {
	cat >"$CFG" <<YAML
mode: fwd
ports:
  - ifname: in0
  - ifname: out0
xdp:
  filter: ["udp dport 4300"]
stats:
  interval_ms: $1
  format: json
ctl:
  socket: $SOCK
YAML
}
ctl() { "$AGENT" ctl "$@"; }
# lines LABEL: the number of periodic reports in the stream so far
reports() { grep -c '"type":"stats"' "$WORK/a.json"; }
# The parts of a report a status must repeat: ports and their modes and
# program counters, queues and their socket modes and counters, totals.
VIEW='{ports: [.ports[] | {ifname, xdp_mode, multiprog, link_up, prog}],
	queues: [.queues[] | {ifname, queue, socket_mode, rx_packets, tx_packets,
		tx_completed, drops, lost}],
	totals: (.totals | {rx_packets, tx_packets, tx_completed, drops, lost})}'

topo_up 1
write_cfg 1000
"$NSRUN" "$FWD_NS" "$AGENT" -c "$CFG" >"$WORK/a.json" 2>"$WORK/a.log" &
AGENT_PID=$!
for _ in $(seq 100); do
	grep -q "capabilities" "$WORK/a.log" 2>/dev/null && break
	sleep 0.1
done
assert_match "agent says where its control socket is" \
	"control socket $SOCK" "$(cat "$WORK/a.log")"
assert_eq "socket is mode 0600, owned by root" "socket 600 root" \
	"$(stat -c '%F %a %U' "$SOCK")"

# 1. version and status
assert_rc "ctl version: exit 0" 0 ctl -s "$SOCK" version
assert_match "ctl version names both protocol versions and the pid" \
	"control protocol 1\).*agent .*\(control protocol 1\), pid $AGENT_PID" \
	"$(echo "$OUT" | tr '\n' ' ')"
assert_rc "ctl version --json" 0 ctl -s "$SOCK" version --json
assert_eq "version --json: pid and protocol" "$AGENT_PID 1" \
	"$(echo "$OUT" | jq -r '"\(.pid) \(.protocol)"')"

sink_start s1 4300 -n 20000 -t 60 -I 5
gen=$(txgen "$GEN_NS" gen0 --count 20000 --rate 20000 --batch 8 --dst-port 4300)
assert_eq "generator sent 20000 frames" 20000 "$(echo "$gen" | jq .totals.tx_packets)"
assert_eq "sink got them all" 20000 "$(sink_result s1 .frames)"
# Traffic has stopped: the next report's counters are final, and a status
# taken after it must repeat them exactly.
n=$(reports)
for _ in $(seq 30); do [ "$(reports)" -gt "$n" ] && break; sleep 0.1; done
assert_rc "ctl status --json: exit 0" 0 ctl -s "$SOCK" status --json
status=$OUT
last=$(grep '"type":"stats"' "$WORK/a.json" | tail -1)
assert_eq "status repeats the stream's last report (ports, modes, queues, counters)" \
	"$(echo "$last" | jq -cS "$VIEW")" "$(echo "$status" | jq -cS "$VIEW")"
assert_eq "status: 20000 frames received and sent" "20000 20000" \
	"$(echo "$status" | jq -r '"\(.totals.rx_packets) \(.totals.tx_packets)"')"
assert_eq "status: type, pid, protocol, version, config file" \
	"status $AGENT_PID 1 $(ctl -s "$SOCK" version --json | jq -r .version) $CFG" \
	"$(echo "$status" | jq -r '"\(.type) \(.agent.pid) \(.agent.protocol) \(.agent.version) \(.agent.config)"')"
assert_eq "status: the filter and ports in force" \
	'{"filter":["udp dport 4300"],"mode":"fwd","ports":[{"ifname":"in0","queues":"all"},{"ifname":"out0","queues":"all"}],"unmatched":"kernel"}' \
	"$(echo "$status" | jq -cS '.config | {filter, mode, ports, unmatched}')"
assert_ge "status: uptime after the stream's" \
	"$(echo "$last" | jq .uptime_s | cut -d. -f1)" "$(echo "$status" | jq .uptime_s | cut -d. -f1)"

# While frames flow, a status lies between the reports around it.
sink_start s2 4300 -n 40000 -t 60 -I 5
txgen "$GEN_NS" gen0 --count 40000 --rate 20000 --batch 8 --dst-port 4300 >/dev/null &
GEN=$!
sleep 0.7
n=$(reports)
mid=$(ctl -s "$SOCK" status --json | jq .totals.rx_packets)
for _ in $(seq 30); do [ "$(reports)" -gt "$n" ] && break; sleep 0.1; done
before=$(grep '"type":"stats"' "$WORK/a.json" | sed -n "${n}p" | jq .totals.rx_packets)
after=$(grep '"type":"stats"' "$WORK/a.json" | sed -n "$((n + 1))p" | jq .totals.rx_packets)
diag "under traffic: report $before <= status $mid <= next report $after"
assert_eq "under traffic: status counters between two reports" 1 \
	"$([ "$before" -le "$mid" ] && [ "$mid" -le "$after" ] && [ "$before" -lt "$after" ] && echo 1)"
wait "$GEN"
sink_result s2 .frames >/dev/null

assert_rc "ctl status (text): exit 0" 0 ctl -s "$SOCK" status
assert_match "text: agent, pid, mode" "afxdp-agent .*, pid $AGENT_PID, mode fwd, up" "$OUT"
assert_match "text: filter and unmatched path" "filter: udp dport 4300 \(unmatched: kernel\)" "$OUT"
assert_match "text: port with its XDP mode and program counters" \
	"port in0: XDP native, link up; redirected 60000 " "$OUT"
# fwd: a frame is counted in rx on in0's queue and in tx on out0's.
assert_match "text: queues with their socket modes and counters" \
	"queue in0/0 copy: rx 60000 tx 0 .*queue out0/0 copy: rx 0 tx 60000 completed 60000 drops 0 lost 0" \
	"$(echo "$OUT" | tr '\n' ' ')"

# 2. reload: the file's new interval applies and is reported.
write_cfg 200
n=$(reports)
assert_rc "ctl reload: exit 0" 0 ctl -s "$SOCK" reload
assert_match "reload reports the new stats interval" "stats every 200 ms as json" "$OUT"
assert_match "reload reports the applications" "applications: 0 added, 0 removed" "$OUT"
sleep 1.1
assert_ge "reload: reports now every 200 ms" $((n + 4)) "$(reports)"
assert_match "reload logged with its origin" "ctl reload: log reopened, stats every 200 ms" \
	"$(cat "$WORK/a.log")"
printf 'stats:\n  interval_ms: [\n' >"$CFG"
assert_rc "reload of a broken file: exit 1" 1 ctl -s "$SOCK" reload
assert_match "reload failure: the file's error and what is kept" \
	"reload failed: .*afxdp-agent.yaml:.*keeping the current settings \(EINVAL\)" "$OUT"
write_cfg 200

# 3. The unit's ExecReload, run by hand as systemd would, $MAINPID
#    expanded; the unit passes systemd-analyze verify.
sed "s|@BINDIR@|$TOP/guest|g; s|@SYSCONFDIR@|$ETC|g" \
	"$TOP/guest/afxdp-agent.service.in" >"$WORK/afxdp-agent.service"
if command -v systemd-analyze >/dev/null; then
	assert_rc "systemd-analyze verify accepts the unit" 0 \
		systemd-analyze verify --man=no "$WORK/afxdp-agent.service"
	assert_no_match "systemd-analyze verify: no warning" \
		"Unknown|Invalid|bad-setting|Failed to parse|not executable" "$OUT"
else
	skip "systemd-analyze verify" "systemd-analyze not installed"
fi
reload_cmd=$(sed -n 's/^ExecReload=//p' "$WORK/afxdp-agent.service")
assert_match "ExecReload uses ctl reload with the agent's pid" \
	"afxdp-agent ctl -c $CFG --pid \\\$MAINPID reload" "$reload_cmd"
write_cfg 1000
# shellcheck disable=SC2086 # the unit's command line, split as systemd does
assert_rc "ExecReload by hand: exit 0" 0 ${reload_cmd//\$MAINPID/$AGENT_PID}
assert_match "ExecReload by hand: back to 1000 ms" "stats every 1000 ms as json" "$OUT"
# shellcheck disable=SC2086
assert_rc "ExecReload with another pid: exit 2" 2 ${reload_cmd//\$MAINPID/1}
assert_match "another pid: says whose socket it is" \
	"served by pid $AGENT_PID, not by pid 1" "$OUT"

# 4. Refusals: exit 2 and a message that says what is wrong.
assert_rc "wrong socket path: exit 2" 2 ctl -s "$WORK/nope.ctl" status
assert_match "wrong path: no control socket there" "no control socket at $WORK/nope.ctl" "$OUT"
touch "$WORK/file.ctl"
assert_rc "a file, not a socket: exit 2" 2 ctl -s "$WORK/file.ctl" status
assert_match "a file: nobody serves it" "nobody serves $WORK/file.ctl" "$OUT"
assert_rc "no command: exit 2" 2 ctl -s "$SOCK"
assert_rc "unknown command: exit 2" 2 ctl -s "$SOCK" stop
assert_match "unknown command named" "unknown command 'stop'" "$OUT"
assert_rc "user without permission: exit 2" 2 \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$AGENT" ctl -s "$SOCK" status
assert_match "no permission: says so" "permission denied on $SOCK" "$OUT"

# A server of protocol version 2 (what a later agent would be).
cat >"$WORK/fake.py" <<'PY'
import os, socket, sys
path, reply = sys.argv[1], sys.argv[2].encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
req = c.recv(4096)
open(path + ".req", "wb").write(req)
c.send(reply)
c.close()
PY
fake() {
	rm -f "$WORK/fake.ctl" "$WORK/fake.ctl.ready"
	$PY "$WORK/fake.py" "$WORK/fake.ctl" "$1" &
	FAKE=$!
	for _ in $(seq 50); do [ -e "$WORK/fake.ctl.ready" ] && break; sleep 0.1; done
}
fake "ERR EPROTO protocol version 1 not supported (this agent speaks 2)"
assert_rc "agent of protocol 2: exit 2" 2 ctl -s "$WORK/fake.ctl" status
assert_match "protocol mismatch: both versions named" \
	"speaks control protocol 2, this afxdp-agent ctl speaks 1" "$OUT"
assert_eq "the fake server got a version-1 request" "AFXDP-CTL 1 status" \
	"$(cat "$WORK/fake.ctl.req")"
wait "$FAKE"
fake "HTTP/1.0 200 OK"
assert_rc "not an agent: exit 2" 2 ctl -s "$WORK/fake.ctl" version
assert_match "not an agent: says so" "not an afxdp-agent control socket" "$OUT"
wait "$FAKE"

# A second agent asked for the same socket: refused before touching
# anything (exit 2).
assert_rc "second agent on a served ctl.socket: exit 2" 2 \
	"$NSRUN" "$SINK_NS" "$AGENT" -m rxdrop -i sink0 --set ctl.socket="$SOCK" -d 1
assert_match "second agent: names the socket" \
	"ctl.socket: $SOCK: another agent serves this control socket" "$OUT"

# 5. Garbage on the socket: answered or dropped, the agent serves on.
cat >"$WORK/junk.py" <<'PY'
import os, socket, sys
path = sys.argv[1]
def conn():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(path)
    return c
replies = []
for junk in [b"", b"\0" * 64, os.urandom(200), b"A" * 5000,
             b"AFXDP-CTL 9 status", b"AFXDP-CTL 1 status\0", b"\xff\xfe",
             b"AFXDP-CTL 1 reload now", b"/connect,host"]:
    c = conn()
    c.settimeout(3)
    if junk:
        c.send(junk)
    else:
        c.shutdown(socket.SHUT_WR)
    try:
        replies.append(c.recv(4096).split(b" ")[:2])
    except OSError as e:
        replies.append([b"error", str(e.errno).encode()])
    c.close()
# More than the server's 8 slots: the last ones wait in the backlog and
# are dropped one deadline (2 s) after the first ones.
silent = [conn() for _ in range(12)]
for c in silent:
    c.settimeout(6)
    replies.append([b"eof" if c.recv(16) == b"" else b"data"])
for r in replies:
    print(b" ".join(r).decode())
PY
assert_rc "junk client ran" 0 $PY "$WORK/junk.py" "$SOCK"
assert_eq "junk: every datagram answered with its error, silent ones dropped" \
	"$(printf '%s\n' "" "ERR EBADMSG" "ERR EBADMSG" "ERR EMSGSIZE" "ERR EPROTO" \
		"ERR EBADMSG" "ERR EBADMSG" "ERR EINVAL" "ERR EBADMSG"; printf 'eof\n%.0s' $(seq 12))" \
	"$OUT"
assert_eq "agent still running after the garbage" 0 "$(kill -0 "$AGENT_PID"; echo $?)"
assert_rc "status after the garbage: exit 0" 0 ctl -s "$SOCK" status --json
assert_match "agent logged the silent clients' drop" "sent no request within 2000 ms: dropped" \
	"$(cat "$WORK/a.log")"

stop_agent
assert_eq "agent exits 0" 0 "$AGENT_RC"
assert_eq "socket removed at exit" no "$([ -e "$SOCK" ] && echo yes || echo no)"
tap_done
