# shellcheck shell=bash
# Helpers for the netns suites: start/stop agents in the topology of
# scripts/topo.sh and read their JSON stats.
TOP=${AFXDP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
. "$TOP/scripts/topo.sh"
AGENT=${AGENT:-$TOP/guest/afxdp-agent}
PKTSINK=${PKTSINK:-$TOP/build/obj/tests/tools/pktsink}
WORK=$(mktemp -d /tmp/afxdp-test.XXXXXX)
AGENT_PID=

# KEEP_WORK=DIR keeps a copy of the work folder (agents' logs) for a look.
cleanup() {
	[ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null
	topo_down
	[ -n "${KEEP_WORK:-}" ] && cp -a "$WORK" "$KEEP_WORK" 2>/dev/null
	rm -rf "$WORK"
}

require_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root (network namespaces, XDP)"
		tap_done
		exit 0
	fi
}

# start_agent NAME NS ARGS...: background agent, JSON stats in $WORK/NAME.json
start_agent() {
	local name=$1 ns=$2; shift 2
	"$NSRUN" "$ns" "$AGENT" --stats json "$@" >"$WORK/$name.json" \
		2>"$WORK/$name.log" &
	AGENT_PID=$!
	# Ready when the log says the workers serve the sockets (or it died).
	for _ in $(seq 100); do
		grep -q "info: ready: " "$WORK/$name.log" 2>/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop_agent: SIGTERM, wait; sets AGENT_RC
stop_agent() {
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	AGENT_RC=$?
	AGENT_PID=
}

# final NAME JQ: a field of the agent's final report
final() { grep '"type":"final"' "$WORK/$1.json" | tail -1 | jq -r "$2"; }

# txgen NS IF ARGS...: generator run to completion, its final report on stdout
txgen() {
	local ns=$1 dev=$2; shift 2
	nsrun "$ns" "$AGENT" -m txgen -i "$dev" --stats json --interval 0 \
		--src-mac $GEN_MAC --dst-mac $IN_MAC --src-ip 10.77.0.1 \
		--dst-ip 10.78.0.1 "$@" 2>"$WORK/txgen.log" | grep '"type":"final"'
}

# sink_start NAME PORT ARGS...: pktsink in the sink namespace
sink_start() {
	local name=$1 port=$2; shift 2
	rm -f "$WORK/$name.ready"
	"$NSRUN" "$SINK_NS" "$PKTSINK" -i sink0 -p "$port" -r "$WORK/$name.ready" \
		"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	SINK_PID=$!
	for _ in $(seq 50); do [ -e "$WORK/$name.ready" ] && return 0; sleep 0.1; done
	return 1
}
# sink_result NAME JQ: waits for the sink to finish (it stops by itself:
# -n frames, -I idle seconds or -t timeout). Polls, because it is usually
# called inside $(...), where the sink is not a child to wait for.
sink_result() {
	while kill -0 "$SINK_PID" 2>/dev/null; do sleep 0.1; done
	jq -r "$2" "$WORK/$1.out"
}

xdp_prog_on() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].xdp.prog.name // .[0].xdp.prog.id // "none"'; }
