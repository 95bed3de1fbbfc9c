#!/bin/bash
# Bad inputs get one clear error, exit code 2, and change nothing: no XDP
# program of ours left, MTU/links as they were, other programs untouched.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxb$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "bad input suite"
topo_up 1

agent() { "$NSRUN" "$FWD_NS" "$AGENT" "$@"; }
nothing_attached() {
	assert_eq "$1: nothing attached to in0" none "$(xdp_prog_on "$FWD_NS" in0)"
	assert_eq "$1: nothing attached to out0" none "$(xdp_prog_on "$FWD_NS" out0)"
}

assert_rc "missing interface: exit 2" 2 agent -m fwd -i in0 -i nosuch0 -d 1
assert_match "missing interface: message names it" "nosuch0.*not found|not found.*nosuch0" "$OUT"
nothing_attached "missing interface"

assert_rc "unknown option: exit 2" 2 agent --bogus
assert_match "unknown option: message names it" "bogus" "$OUT"
assert_rc "bad mode value: exit 2" 2 agent -m forward -i in0 -i out0
assert_match "bad mode: message names the key" "mode" "$OUT"
assert_rc "bad frame size: exit 2" 2 agent -i in0 -i out0 --frame-size 3000
assert_match "bad frame size: names socket.frame_size" "frame_size" "$OUT"
assert_rc "fwd with one port: exit 2" 2 agent -m fwd -i in0
assert_rc "bad filter rule: exit 2" 2 agent -i in0 -i out0 -f "udp dport 99999"
assert_match "bad filter: names the token" "dport|99999" "$OUT"
assert_rc "queue that does not exist: exit 2" 2 agent -i in0 -i out0 -q 5 -d 1
assert_match "missing queue: says so" "queue 5" "$OUT"
assert_rc "TX budget below the kernel's 32: exit 2" 2 agent -i in0 -i out0 --set socket.tx_budget=16 -d 1
assert_match "TX budget: says the range" "socket.tx_budget: must be 0 .* or 32..socket.tx_size \(2048\), got 16" "$OUT"
assert_rc "bad --umem value: exit 2" 2 agent -i in0 -i out0 --umem both -d 1
assert_match "bad --umem: lists the choices" "auto, shared, per-port, got both" "$OUT"
assert_rc "run.user that does not exist: exit 2" 2 agent -i in0 -i out0 --set run.user=nosuchuser -d 1
assert_match "run.user: names the user" "nosuchuser" "$OUT"
nothing_attached "bad values"

cfg=$WORK/bad.yaml
printf 'mode: fwd\nports:\n  - ifname: in0\n  - ifname: out0\nsocket:\n  batch: lots\n' >"$cfg"
assert_rc "bad config file value: exit 2" 2 agent -c "$cfg"
assert_match "config error names file:line and key" "bad.yaml:[0-9]+.*socket.batch" "$OUT"
printf 'mode: fwd\nportz: []\n' >"$cfg"
assert_rc "unknown config key: exit 2" 2 agent -c "$cfg"
assert_match "unknown key named" "portz" "$OUT"
assert_rc "missing config file: exit 2" 2 agent -c "$WORK/none.yaml"

# Frame size vs MTU: 2048-byte frames cannot hold an MTU 1900 frame.
ip -n "$FWD_NS" link set in0 mtu 1900
assert_rc "MTU larger than the frame: exit 2" 2 agent -i in0 -i out0 --frame-size 2048 -d 1
assert_match "MTU error is actionable" "MTU 1900.*ip link set dev in0 mtu" "$OUT"
assert_eq "MTU left as it was" 1900 "$(ip -n "$FWD_NS" -j link show in0 | jq .[0].mtu)"
nothing_attached "MTU mismatch"
ip -n "$FWD_NS" link set in0 mtu 1500

# Another program's XDP attached without the dispatcher: refused, kept.
ip -n "$FWD_NS" link set dev out0 xdpdrv obj "$TOP/bpf/xdp_pass.bpf.o" sec xdp
before=$(ip -n "$FWD_NS" -j link show out0 | jq .[0].xdp.prog.id)
assert_rc "foreign XDP program: exit 2" 2 agent -i in0 -i out0 -d 1
assert_match "foreign program: clear message" "already has XDP program 'xdp_pass'" "$OUT"
assert_eq "foreign program untouched" "$before" "$(ip -n "$FWD_NS" -j link show out0 | jq .[0].xdp.prog.id)"
assert_eq "foreign refusal: nothing of ours on in0" none "$(xdp_prog_on "$FWD_NS" in0)"
ip -n "$FWD_NS" link set dev out0 xdpdrv off

# A second agent on the same port: EBUSY-style refusal, first unaffected.
start_agent first "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_rc "second agent on the same ports: exit 2" 2 agent -m fwd -i in0 -i out0 -d 1
assert_match "second agent: names the owner" "already served by another afxdp-agent" "$OUT"
sink_start s1 4010 -n 200 -t 20 -I 3
txgen "$GEN_NS" gen0 --count 200 --rate 10000 --dst-port 4010 >/dev/null
assert_eq "first agent still forwards" 200 "$(sink_result s1 .frames)"
stop_agent
assert_eq "first agent exits 0" 0 "$AGENT_RC"

assert_rc "--check accepts a valid configuration" 0 agent -m fwd -i in0 -i out0 --check
assert_rc "--help exits 0" 0 agent --help
assert_match "--help lists options" "--interface" "$OUT"
assert_rc "--version exits 0" 0 agent --version

tap_done
