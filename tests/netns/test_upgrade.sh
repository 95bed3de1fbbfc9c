#!/bin/bash
# The upgrade restart (issue 18): `afxdp-agent ctl upgrade` makes the
# running agent start the binary installed at its own path with its own
# arguments and --takeover; the new agent takes the data path over (the
# handover) and the old one exits. What a package upgrade's postinst runs.
#   gen0 --veth--> [in0 agent out0] --veth--> sink0 (XDP counting sink)
# The agent runs from a copy of the binary in the test's directory, so
# the test can replace it as a package would (and break it on purpose).
. "$(dirname "$0")/../lib/pinned.sh"
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxu$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "upgrade suite"

CTL=$WORK/ctl.sock
BIN=$WORK/sbin/afxdp-agent
CONF=$WORK/agent.yaml
mkdir -p "$WORK/sbin"
cp "$AGENT" "$BIN"
cat >"$CONF" <<EOF
mode: fwd
ports:
  - ifname: in0
  - ifname: out0
ctl:
  socket: $CTL
workers:
  cpus: [1]
socket:
  frame_size: 2048
  rx_size: 16384
  fill_size: 16384
  frames: 32768
stats:
  interval_ms: 0
EOF
topo_up 1
ctl() { "$AGENT" ctl -s "$CTL" "$@"; }
served_by() { ctl version --json 2>/dev/null | jq -r .pid; }

AGENT=$BIN start_agent u0 "$FWD_NS" -c "$CONF"
assert_eq "agent started from its own copy of the binary" 0 $?
pid0=$AGENT_PID
id0=$(ip -n "$FWD_NS" -j link show dev in0 | jq '.[0].xdp.prog.id')

# 1. An upgrade under a stream: the binary replaced (as dpkg does: a new
#    file renamed over the old), then ctl upgrade; 0 frames lost.
sink_attach "$SINK_NS" sink0
txgen "$GEN_NS" gen0 --count 60000 --rate 20000 --dst-port 4400 >"$WORK/gen.json" &
GEN=$!
sleep 1
cp "$AGENT" "$BIN.new" && mv "$BIN.new" "$BIN"
out=$(ctl upgrade 2>&1)
assert_eq "ctl upgrade: exit 0" 0 $?
assert_match "ctl upgrade: says who took over" "upgrade: pid [0-9]+ took over" "$out"
new=$(sed -nE 's/^upgrade: pid ([0-9]+) took over/\1/p' <<<"$out")
wait "$GEN"
sleep 1
gen=$(jq .totals.tx_packets "$WORK/gen.json")
sink=$(sink_packets "$SINK_NS" sink0)
ip -n "$SINK_NS" link set dev sink0 xdp off
diag "upgrade under 20 kpps: generated $gen, received $sink"
assert_eq "upgrade: 0 frames lost (generated = received)" "$gen" "$sink"
assert_eq "the old agent exited" "" "$(kill -0 "$pid0" 2>/dev/null && echo alive)"
wait "$pid0"
assert_eq "the old agent's exit status: 0" 0 $?
assert_eq "the control socket is served by the new pid" "$new" "$(served_by)"
assert_eq "the new agent runs the installed binary" "$BIN" \
	"$(readlink "/proc/$new/exe")"
assert_eq "same XDP program (not replaced)" "$id0" \
	"$(ip -n "$FWD_NS" -j link show dev in0 | jq '.[0].xdp.prog.id')"
assert_match "old agent's log: started the new binary" "upgrade: started $BIN as pid $new" \
	"$(cat "$WORK/u0.log")"
AGENT_PID=$new

# 2. The new binary cannot take over (another layout in the config it
#    reads): it exits, the running agent carries on, ctl says so (exit 1).
sed -i 's/frame_size: 2048/frame_size: 4096/' "$CONF"
out=$(ctl upgrade 2>&1)
assert_eq "upgrade to an agent that cannot take over: exit 1" 1 $?
assert_match "ctl: the running agent carries on" "exited without taking over; pid $new carries on" "$out"
assert_match "the child said why and did not stop its parent" \
	"upgrade: cannot take over from pid $new, which carries on" "$(cat "$WORK/u0.log")"
assert_no_match "no fallback stop of the running agent" "falling back to a plain restart" \
	"$(cat "$WORK/u0.log")"
assert_eq "the running agent still serves" "$new" "$(served_by)"
sink_start s1 4401 -n 1000 -t 20 -I 3
txgen "$GEN_NS" gen0 --count 1000 --rate 20000 --dst-port 4401 >/dev/null
assert_eq "and still forwards every frame" 1000 "$(sink_result s1 .frames)"
sed -i 's/frame_size: 4096/frame_size: 2048/' "$CONF"

# 3. The binary is gone (package removed): a clear error, nothing changes.
mv "$BIN" "$BIN.away"
out=$(ctl upgrade 2>&1)
assert_eq "upgrade without a binary: exit 1" 1 $?
assert_match "names the missing file" "$BIN: No such file or directory" "$out"
assert_eq "the agent still serves" "$new" "$(served_by)"
mv "$BIN.away" "$BIN"
out=$(ctl upgrade --json 2>&1)
assert_eq "ctl upgrade --json: a usage error (exit 2)" 2 $?

# 4. Last: a plain stop leaves nothing behind. The new agent is the old
#    one's child, not ours: its exit is read from its log.
kill -TERM "$new"
for _ in $(seq 100); do kill -0 "$new" 2>/dev/null || break; sleep 0.1; done
AGENT_PID=
assert_eq "the new agent stopped on SIGTERM" "" "$(kill -0 "$new" 2>/dev/null && echo alive)"
assert_match "and says it stopped without errors" "afxdp-agent: info: stopped$" "$(cat "$WORK/u0.log")"
assert_eq "program detached from in0" none "$(xdp_prog_on "$FWD_NS" in0)"
assert_eq "no process left from the binary" "" "$(pgrep -f "^$BIN" || true)"
tap_done
