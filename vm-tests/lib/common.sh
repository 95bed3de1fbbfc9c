# shellcheck shell=bash
# Shared plumbing of the VM harness: a per-scenario cleanup stack (run by
# an EXIT/TERM trap, so a failing step still cleans up), PID tracking,
# phase time-outs and reading the guest's serial console.

VMT_TOP=${VMT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VMT_WORK=${VMT_WORK:-$VMT_TOP/vm-tests/work}
VMT_PREFIX=${VMT_PREFIX:-afxvm}
# Every PID the harness starts is also listed here, for the final sweep.
# Debian's python3, not a shim that may wrap it in another process.
VMT_PY=${VMT_PY:-$(command -v /usr/bin/python3 || command -v python3)}
VMT_PIDS_FILE=${VMT_PIDS_FILE:-$VMT_WORK/pids}

VMT_DEFER=()
# defer CMD: run CMD (a string, eval'd) at scenario exit, newest first.
defer() { VMT_DEFER+=("$*"); }
run_deferred() {
	local i
	for ((i = ${#VMT_DEFER[@]} - 1; i >= 0; i--)); do
		eval "${VMT_DEFER[i]}" >/dev/null 2>&1 || true
	done
	VMT_DEFER=()
}

track_pid() { echo "$1" >>"$VMT_PIDS_FILE"; }

# pid_alive PID
pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# kill_pid PID [GRACE_S]: TERM, wait, then KILL. Only that PID.
kill_pid() {
	local pid=$1 grace=${2:-5} t=0
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	while pid_alive "$pid" && [ "$t" -lt $((grace * 10)) ]; do
		sleep 0.1; t=$((t + 1))
	done
	pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	sleep 0.1
	! pid_alive "$pid"
}

# wait_for DESC TIMEOUT_S CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local desc=$1 tmo=$2 end
	shift 2
	end=$((SECONDS + tmo))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			diag "timeout (${tmo}s) waiting for $desc"
			return 1
		fi
		sleep 0.2
	done
}

# console_has LOG REGEX (console lines end in \r\n)
console_has() { tr -d '\r' <"$1" 2>/dev/null | grep -qE -- "$2"; }

# wait_console LOG REGEX TIMEOUT_S [PID]: also fails early if PID died.
wait_console() {
	local log=$1 re=$2 tmo=$3 pid=${4:-} end=$((SECONDS + $3))
	while ! console_has "$log" "$re"; do
		if [ -n "$pid" ] && ! pid_alive "$pid"; then
			console_has "$log" "$re" && return 0
			diag "guest exited before /$re/"
			return 1
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			diag "timeout (${tmo}s) waiting for /$re/ on the console"
			return 1
		fi
		sleep 0.3
	done
}

# console_json LOG: the agent's JSON lines from the console.
console_json() { tr -d '\r' <"$1" | grep -E '^\{.*\}$'; }

# keep_artifacts NAME FILE...: copy logs where a failure can be read.
keep_artifacts() {
	local dir="$VMT_WORK/artifacts/$1"
	mkdir -p "$dir"
	shift
	cp -f "$@" "$dir/" 2>/dev/null
	diag "artifacts kept in ${dir#"$VMT_TOP"/}"
}
