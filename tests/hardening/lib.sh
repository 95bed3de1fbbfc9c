# shellcheck shell=bash
# Shared by the hardening suites: the netns helpers (tests/netns/lib.sh:
# topology, agents, generator, independent sink) and a few more.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../netns" && pwd)/lib.sh"

# wait_exit PID SECONDS: waits for a background child; sets WAIT_RC
# (124 when it was still running after SECONDS and had to be killed).
wait_exit() {
	local pid=$1 t=$2
	for _ in $(seq $((t * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		WAIT_RC=124
		return 1
	fi
	wait "$pid"
	# shellcheck disable=SC2034 # read by the suites that source this
	WAIT_RC=$?
}

# alive PID: 0 when the process still runs
alive() { kill -0 "$1" 2>/dev/null; }

# reconcile NAME: asserts the final report's rx = tx + drops
reconcile() {
	local rx tx drops
	rx=$(final "$1" .totals.rx_packets)
	tx=$(final "$1" .totals.tx_packets)
	drops=$(final "$1" .totals.drops)
	assert_eq "$1: counters reconcile, rx ($rx) = tx ($tx) + drops ($drops)" \
		"$rx" "$((tx + drops))"
}

# forwards NAME PORT COUNT: COUNT frames at 10 kpps reach the sink
forwards() {
	sink_start "$1" "$2" -n "$3" -t 30 -I 3
	txgen "$GEN_NS" gen0 --count "$3" --rate 10000 --dst-port "$2" >/dev/null
	assert_eq "$1: $3 frames forwarded to the sink" "$3" "$(sink_result "$1" .frames)"
}
