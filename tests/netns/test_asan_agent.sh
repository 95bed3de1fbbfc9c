#!/bin/bash
# The agent built with ASan/UBSan (make test builds build/asan/afxdp-agent)
# forwards, refuses bad input and stops cleanly with no sanitizer report,
# leaks included.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxa$$
. "$TOP/scripts/topo.sh"
AGENT=$TOP/build/asan/afxdp-agent
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
trap cleanup EXIT
require_root "sanitizer agent suite"
if [ ! -x "$AGENT" ]; then
	not_ok "ASan agent built ($AGENT missing: run make test)"
	tap_done; exit 1
fi
topo_up 2

start_agent asan "$FWD_NS" -m fwd -i in0 -i out0 -q all --interval 200 \
	--prometheus 127.0.0.1:9464
assert_eq "ASan agent started" 0 $?
sink_start s1 4100 -n 5000 -t 30 -I 3
txgen "$GEN_NS" gen0 -q all --count 5000 --rate 10000 --dst-port 4100 >/dev/null
assert_eq "ASan agent forwarded every frame" 5000 "$(sink_result s1 .frames)"
metrics=$(ip netns exec "$FWD_NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9464; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3')
assert_match "Prometheus endpoint serves counters" "afxdp_rx_packets_total" "$metrics"
kill -HUP "$AGENT_PID"
sleep 0.3
stop_agent
assert_eq "ASan agent exits 0 (no leak, no UB)" 0 "$AGENT_RC"
assert_no_match "no sanitizer report" "AddressSanitizer|LeakSanitizer|runtime error" \
	"$(cat "$WORK/asan.log")"
assert_eq "counters reconcile under ASan" "$(final asan .totals.rx_packets)" \
	"$(($(final asan .totals.tx_packets) + $(final asan .totals.drops)))"

# A handover cycle: both agents sanitized; the old one exits by itself.
CTL=$WORK/ctl.sock
start_agent ho0 "$FWD_NS" -m fwd -i in0 -i out0 -q all --interval 0 \
	--set "ctl.socket=$CTL"
old=$AGENT_PID
start_agent ho1 "$FWD_NS" -m fwd -i in0 -i out0 -q all --interval 0 \
	--set "ctl.socket=$CTL" --takeover
assert_eq "ASan agent takes over" 0 $?
wait "$old"
assert_eq "ASan agent handing over exits 0 (no leak, no UB)" 0 $?
assert_match "handed over" "data path handed over" "$(cat "$WORK/ho0.log")"
sink_start s2 4101 -n 2000 -t 30 -I 3
txgen "$GEN_NS" gen0 -q all --count 2000 --rate 10000 --dst-port 4101 >/dev/null
assert_eq "the ASan agent that took over forwards every frame" 2000 "$(sink_result s2 .frames)"
stop_agent
assert_eq "ASan agent that took over exits 0 (no leak, no UB)" 0 "$AGENT_RC"
assert_no_match "handover: no sanitizer report" "AddressSanitizer|LeakSanitizer|runtime error" \
	"$(cat "$WORK/ho0.log" "$WORK/ho1.log")"
assert_eq "handover: no XDP program left" none "$(xdp_prog_on "$FWD_NS" in0)"

assert_rc "ASan agent: bad input exits 2" 2 "$NSRUN" "$FWD_NS" "$AGENT" -m fwd -i in0 -i nosuch0
assert_no_match "bad input path: no sanitizer report" "AddressSanitizer|LeakSanitizer|runtime error" "$OUT"
printf 'mode: fwd\nports: [in0, out0]\nsocket: {frame_size: 1234}\n' >"$WORK/bad.yaml"
assert_rc "ASan agent: bad config exits 2" 2 "$NSRUN" "$FWD_NS" "$AGENT" -c "$WORK/bad.yaml"
assert_no_match "bad config path: no sanitizer report" "AddressSanitizer|LeakSanitizer|runtime error" "$OUT"
tap_done
