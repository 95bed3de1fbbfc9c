# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Runs one scenario in a subshell with its own cleanup stack: the EXIT/TERM
# trap undoes everything it made (domain, QEMU, libvirtd, sink, generator,
# taps, namespace), whatever step failed. A watchdog TERMs a scenario that
# exceeds its time budget. TAP counters cross the subshell through a file.

SCN_TIMEOUT=${SCN_TIMEOUT:-420}

scenario_end() {
	local rc=$? failed_before=$1 name=$2
	# A scenario reports its own failures; a non-zero exit here is
	# something else (set -e in a helper, a crash): count it.
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && not_ok "$name: scenario exited $rc"
	if [ "$TAP_FAILED" -gt "$failed_before" ] && [ -n "${VM_DIR:-}" ]; then
		keep_artifacts "$name" "$VM_DIR"/*.log "$VM_DIR"/*.xml "$VM_DIR"/*.json \
			"$VM_DIR"/*.txt "$VM_DIR"/*.err
	fi
	run_deferred
	# Kept as artifacts above when something failed; scratch otherwise.
	[ -n "${VM_NAME:-}" ] && rm -rf "$VMT_WORK/run/$VM_NAME" "$VMT_WORK/run/$VM_NAME".*
	echo "$TAP_N $TAP_FAILED" >"$VMT_WORK/tap.state"
}

# scenario NAME FUNC: FUNC runs with VM_BACKEND as set by the caller.
scenario() {
	local name=$1 fn=$2 pid wd
	diag "--- scenario $name (backend $VM_BACKEND)"
	echo "$TAP_N $TAP_FAILED" >"$VMT_WORK/tap.state"
	(
		VMT_DEFER=()
		VM_DIR='' VM_NAME=''
		trap 'scenario_end '"$TAP_FAILED $name" EXIT
		trap 'not_ok "scenario $name: time-out after ${SCN_TIMEOUT}s"; exit 124' TERM
		"$fn"
		exit 0
	) &
	pid=$!
	bash -c 'sleep "$1" & s=$!; trap "kill $s; exit 0" TERM; wait $s; kill -TERM "$2" 2>/dev/null' \
		_ "$SCN_TIMEOUT" "$pid" &
	wd=$!
	wait "$pid"
	kill -TERM "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	read -r TAP_N TAP_FAILED <"$VMT_WORK/tap.state"
}

# guest_script FILE: writes the scenario file the guest's init sources;
# the body (stdin) defines guest_main.
guest_script() {
	{
		echo "VMT_MAC_IN=$VMT_MAC_IN VMT_MAC_OUT=$VMT_MAC_OUT"
		echo "VMT_IP_IN=$VMT_IP_IN VMT_IP_OUT=$VMT_IP_OUT"
		cat
	} >"$1"
}

# vm_boot_with SCRIPT: builds the test's initrd (an image guest: its seed,
# in vm_prepare_dir) and starts the guest.
vm_boot_with() {
	mkdir -p "$VMT_WORK/run"
	VM_SCRIPT=$1
	if is_image_guest; then
		vm_start
		return
	fi
	VM_INITRD="$VMT_WORK/run/$VM_NAME.initrd"
	initramfs_scenario "$VMT_BASE_INITRD" "$1" "$VM_INITRD" || return 1
	defer "rm -f $VM_INITRD"
	vm_start
}

# agent_val EXPR [TYPE]: a value from the agent's last report of TYPE
# (on the console, or in AGENT_LOG: one run's lines).
agent_val() {
	"$VMT_PY" "$VMT_TOP/vm-tests/tools/agent_json.py" "${AGENT_LOG:-$VM_CONSOLE}" \
		--type "${2:-final}" "$1" 2>/dev/null
}

# console_val REGEX: the first capture (sed -E) of a console marker line.
console_val() {
	tr -d '\r' <"$VM_CONSOLE" | sed -nE "s/$1/\\1/p" | tail -1
}
