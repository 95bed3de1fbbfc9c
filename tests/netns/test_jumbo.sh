#!/bin/bash
# Jumbo frames through AF_XDP multi-buffer (socket.multi_buffer) on veth:
# 9000-byte-MTU frames span three 4 KiB UMEM frames (five of 2 KiB); the
# agent forwards each as one frame, its payload byte for byte (checked by
# tests/tools/jumbo.py, an AF_PACKET receiver that knows every frame's
# bytes from its sequence number) and a partial UDP checksum completed over
# all its buffers. Without multi-buffer the same MTU is refused.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxj$$
. "$TOP/scripts/topo.sh"
JUMBO=$TOP/tests/tools/jumbo.py
trap cleanup EXIT
require_root "jumbo frames suite"
topo_up 1

kver=$(uname -r | cut -d. -f1-2)
if ! printf '6.6\n%s\n' "$kver" | sort -V -C; then
	skip "jumbo frames" "AF_XDP multi-buffer needs Linux >= 6.6 (this is $kver)"
	tap_done
	exit 0
fi

for pair in "$GEN_NS gen0" "$FWD_NS in0" "$FWD_NS out0" "$SINK_NS sink0"; do
	set -- $pair
	ip -n "$1" link set dev "$2" mtu 9000
done

# send NAME PORT COUNT ARGS...: jumbo.py recv at sink0, send at gen0;
# the receiver's JSON in $WORK/NAME.rx.
send() {
	local name=$1 port=$2 count=$3; shift 3
	rm -f "$WORK/$name.ready"
	"$NSRUN" "$SINK_NS" python3 "$JUMBO" recv sink0 --port "$port" \
		--count "$count" --timeout 30 --ready "$WORK/$name.ready" \
		>"$WORK/$name.rx" 2>"$WORK/$name.rx.err" &
	local rx=$!
	for _ in $(seq 50); do [ -e "$WORK/$name.ready" ] && break; sleep 0.1; done
	"$NSRUN" "$GEN_NS" python3 "$JUMBO" send gen0 --port "$port" \
		--count "$count" --src-mac $GEN_MAC --dst-mac $IN_MAC \
		--src-ip 10.77.0.1 --dst-ip 10.78.0.1 "$@" >"$WORK/$name.tx"
	wait $rx
}
rx() { jq -r "$2" "$WORK/$1.rx"; }

# 1. Refused without multi-buffer: the MTU does not fit a frame.
"$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 --interval 0 \
	>/dev/null 2>"$WORK/refused.log"
assert_eq "MTU 9000 without multi-buffer: refused, exit 2" 2 $?
assert_match "the refusal names socket.multi_buffer" "socket.multi_buffer" \
	"$(cat "$WORK/refused.log")"
assert_eq "refused: no XDP program left on in0" none "$(xdp_prog_on "$FWD_NS" in0)"

# 2. Bad configuration: a batch that cannot hold a frame's 18 buffers.
"$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 --multi-buffer --batch 8 \
	--interval 0 >/dev/null 2>"$WORK/batch.log"
assert_eq "multi-buffer with --batch 8: exit 2" 2 $?
assert_match "the message says why" "socket.batch: 8 is too small for socket.multi_buffer" \
	"$(cat "$WORK/batch.log")"

# veth has no zero-copy: refused before any change.
"$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i out0 --multi-buffer --zero-copy on \
	--interval 0 >/dev/null 2>"$WORK/zc.log"
assert_eq "multi-buffer with --zero-copy on (veth): exit 2" 2 $?
assert_match "the message names the missing zero-copy" \
	"socket.zero_copy on with socket.multi_buffer: the driver has no zero-copy multi-buffer \(no zero-copy at all" \
	"$(cat "$WORK/zc.log")"
assert_eq "refused: no XDP program on in0" none "$(xdp_prog_on "$FWD_NS" in0)"

# 3. Per-port UMEM (copy mode's default): one copy per buffer.
start_agent mb "$FWD_NS" -m fwd -i in0 -i out0 --multi-buffer --interval 0
assert_eq "agent started with --multi-buffer" 0 $?
assert_match "sockets bound multi-buffer" "AF_XDP socket in copy mode, multi-buffer" \
	"$(cat "$WORK/mb.log")"
send full 4300 1000
assert_eq "1000 frames of 9014 bytes (complete checksums) at the sink" 1000 "$(rx full .received)"
assert_eq "every one byte-identical" 1000 "$(rx full .intact)"
assert_eq "every checksum valid" 1000 "$(rx full .csum_ok)"
assert_eq "1000 distinct frames, none duplicated" "1000 0" \
	"$(rx full '"\(.distinct) \(.duplicates)"')"
assert_eq "all 9014 bytes long" "[9014]" "$(rx full '.sizes | tostring')"
send part 4301 1000 --partial
assert_eq "1000 frames with partial checksums at the sink" 1000 "$(rx part .received)"
assert_eq "every one byte-identical" 1000 "$(rx part .intact)"
assert_eq "every partial checksum completed over the frame's buffers" 1000 \
	"$(rx part .csum_ok)"
# Small frames share the path: one buffer each.
send small 4302 2000 --size 64
assert_eq "2000 frames of 64 bytes forwarded in multi-buffer mode, intact" \
	"2000 2000" "$(rx small '"\(.received) \(.intact)"')"
stop_agent
assert_eq "agent exit 0" 0 "$AGENT_RC"
assert_eq "agent: rx = tx = 4000 frames (not buffers)" "4000 4000" \
	"$(final mb '"\(.totals.rx_packets) \(.totals.tx_packets)"')"
assert_ge "agent: the partial checksums counted as fixed" 1000 \
	"$(final mb .totals.csum_fixed)"
assert_eq "agent: no drops" 0 "$(final mb .totals.drops)"
assert_eq "exit: no XDP program left on in0" none "$(xdp_prog_on "$FWD_NS" in0)"

# 4. Shared UMEM (descriptors move, nothing copied), 2 KiB frames: six
#    buffers per frame (1792 bytes each after the 256 of headroom).
start_agent shared "$FWD_NS" -m fwd -i in0 -i out0 --multi-buffer \
	--umem shared --frame-size 2048 --interval 0
assert_eq "agent started: shared UMEM, 2 KiB frames" 0 $?
send shared 4303 1000 --partial
assert_eq "shared UMEM: 1000 frames at the sink" 1000 "$(rx shared .received)"
assert_eq "shared UMEM: every one byte-identical" 1000 "$(rx shared .intact)"
assert_eq "shared UMEM: every checksum valid" 1000 "$(rx shared .csum_ok)"
stop_agent
assert_eq "shared UMEM: rx = tx = 1000" "1000 1000" \
	"$(final shared '"\(.totals.rx_packets) \(.totals.tx_packets)"')"
assert_eq "shared UMEM: 6 buffers per frame completed (TX completions count buffers)" \
	6000 "$(final shared .totals.tx_completed)"

tap_done
