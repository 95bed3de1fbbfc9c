# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Scenario 5: the guest goes away mid-traffic (virsh shutdown, virsh
# destroy, QEMU killed) and the harness removes everything it made: taps,
# namespace, domain, libvirtd, QEMU, generator, sink; also when a step
# fails (the cleanup runs from the EXIT trap).

# lifecycle_boot TAG: boots the forwarding guest, waits for the agent and
# starts a long generator run; sets the usual VM_* and GEN_PID, SINK_PID.
lifecycle_boot() {
	VM_NAME="$VMT_PREFIX-$$-$1-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=4 VM_OFFLOADS=off
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh"
	mkdir -p "$VMT_WORK/run"
	{
		echo "guest_main() {"
		echo "  nic_setup; say nics-up"
		echo "  $(agent_fwd_cmd 300)"
		echo "}"
	} | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and taps"; return 1; }
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	wait_console "$VM_CONSOLE" '"type": ?"stats"' $((BOOT_TMO + 60)) "$VM_PID" || {
		not_ok "agent running before the $1"; return 1; }
	sink_start "$VM_NS" tout "$FWD_PORT" "$VM_DIR/sink.json" || return 1
	gen_start "$VM_NS" tin 100000 300 "$FWD_FLOWS" "$FWD_PORT" "$VM_DIR/gen.json"
	sleep 3
	pid_alive "$GEN_PID" && ok "traffic running into the guest before the $1"
}

# cleanup_check: run the scenario's cleanup now and check nothing is left.
cleanup_check() {
	local qpid=$VM_PID gpid=$GEN_PID spid=$SINK_PID lpid=${LIBVIRTD_PID:-}
	run_deferred
	! pid_alive "$qpid"; assert_eq "5: QEMU process gone" 0 $?
	! pid_alive "$gpid" && ! pid_alive "$spid"
	assert_eq "5: generator and sink processes gone" 0 $?
	[ -e "/run/netns/$VM_NS" ]
	assert_eq "5: test namespace (and its taps) removed" 1 $?
	if [ "$VM_BACKEND" = libvirt ]; then
		! pid_alive "$lpid"; assert_eq "5: libvirtd stopped" 0 $?
		[ -e "/etc/libvirt/qemu/$VM_NAME.xml" ] || [ -e "/run/libvirt/qemu/$VM_NAME.xml" ]
		assert_eq "5: domain undefined (no persistent or live config left)" 1 $?
	fi
}

scn_virsh_shutdown() {
	VM_LIBVIRT_NICS="set"
	lifecycle_boot shutdown || return 1
	local t0=$SECONDS
	virsh_ shutdown "$VM_NAME" >/dev/null 2>&1
	assert_eq "5: virsh shutdown accepted mid-traffic" 0 $?
	if wait_for "domain shut off" 60 eval '! pid_alive $VM_PID'; then
		ok "5: guest powered off on the ACPI request ($((SECONDS - t0)) s)"
	else
		not_ok "5: guest powered off on the ACPI request"
	fi
	assert_match "5: agent stopped cleanly on shutdown (SIGTERM -> exit 0, final report)" \
		'agent-rc=0' "$(tr -d '\r' <"$VM_CONSOLE" | grep -A3 '"type": *"final"')"
	cleanup_check
}

scn_virsh_destroy() {
	VM_LIBVIRT_NICS="set"
	lifecycle_boot destroy || return 1
	virsh_ destroy "$VM_NAME" >/dev/null 2>&1
	assert_eq "5: virsh destroy mid-traffic" 0 $?
	wait_for "QEMU gone" 20 eval '! pid_alive $VM_PID'
	assert_eq "5: QEMU exits on destroy" 0 $?
	cleanup_check
}

scn_kill_midtraffic() {
	lifecycle_boot kill || return 1
	kill_pid "$VM_PID" 5
	assert_eq "5: QEMU killed by PID mid-traffic" 0 $?
	cleanup_check
}

# A step fails after everything is up: the EXIT trap must undo it all.
scn_fail_cleanup() {
	VM_NAME="$VMT_PREFIX-$$-fail-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=1 VM_QUEUES=1 VM_OFFLOADS=off
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" st="$VMT_WORK/run/$VM_NAME.state" rc
	mkdir -p "$VMT_WORK/run"
	echo 'guest_main() { nic_setup; say nics-up; window 120; }' | guest_script "$script"
	(
		VMT_DEFER=()
		trap run_deferred EXIT
		set -e
		net_setup "$VM_NS" "$VM_QUEUES"
		vm_boot_with "$script"
		wait_console "$VM_CONSOLE" 'VMTEST: nics-up' "$BOOT_TMO" "$VM_PID"
		sink_start "$VM_NS" tout "$FWD_PORT" "$VM_DIR/sink.json"
		echo "$VM_PID $SINK_PID" >"$st"
		false # the failing step
		echo reached >>"$st"
	)
	rc=$?
	local qpid spid rest
	read -r qpid spid rest <"$st" 2>/dev/null
	assert_eq "5: failing step aborts the test (exit 1, nothing after it ran)" "1 " \
		"$rc $(sed -n 2p "$st" 2>/dev/null)"
	[ -n "$qpid" ] && ! pid_alive "$qpid" && ! pid_alive "$spid"
	assert_eq "5: after a failed step QEMU ($qpid) and the sink are gone" 0 $?
	[ -e "/run/netns/$VM_NS" ]
	assert_eq "5: after a failed step the namespace and taps are gone" 1 $?
}
