# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Scenario 4: the agent's NIC-preparation checks on real virtio-net.
#  - nicprep-queues: 2 vCPUs, 2 queue pairs (< 2 x vCPUs): the agent warns
#    and still forwards (the kernel's locked TX path); in the same boot an
#    MTU of 5000 (> 4064) is refused with an actionable message.
#  - nicprep-offloads: guest offloads on and no ctrl_guest_offloads (plain
#    QEMU: libvirt has no knob for it): XDP cannot load, clear error.

NICPREP_N=${NICPREP_N:-300}

# agent_section N: the console lines of the N-th agent run.
agent_section() {
	tr -d '\r' <"$VM_CONSOLE" | awk -v n="$1" '
		/^VMTEST: agent-start:/ { run++ }
		run == n { print }
		run == n && /^VMTEST: agent-rc=/ { exit }'
}

# agent_rc N: the exit code of the N-th agent run.
agent_rc() { agent_section "$1" | sed -nE 's/^VMTEST: agent-rc=([0-9]+).*/\1/p'; }

scn_nicprep_queues() {
	VM_NAME="$VMT_PREFIX-$$-nq-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=2 VM_OFFLOADS=off
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" out
	mkdir -p "$VMT_WORK/run"
	{
		echo "guest_main() {"
		echo "  nic_setup; say nics-up"
		echo "  /sbin/ip link set dev eth0 mtu 5000"
		echo "  $(agent_fwd_cmd 5)"
		echo "  /sbin/ip link set dev eth0 mtu 1500"
		echo "  $(agent_fwd_cmd 30)"
		echo "}"
	} | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and taps"; return 1; }
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	wait_console "$VM_CONSOLE" 'VMTEST: agent-rc=' "$BOOT_TMO" "$VM_PID" || {
		not_ok "4: agent run with MTU 5000 finished"; return 1; }
	out=$(agent_section 1)
	assert_eq "4: MTU 5000 > 4064 refused: exit code 2" 2 "$(agent_rc 1)"
	assert_match "4: the refusal names the limit and the fix (ip link set ... mtu)" \
		'eth0.*5000.*4064.*ip link set dev eth0 mtu [0-9]+' "$out"
	assert_no_match "4: nothing attached before the refusal" \
		'attached in (native|skb) mode' "$out"

	if ! wait_console "$VM_CONSOLE" '"type": ?"stats"' 90 "$VM_PID"; then
		not_ok "4: agent running with 2 queue pairs for 2 vCPUs"
		return 1
	fi
	sink_start "$VM_NS" tout "$FWD_PORT" "$VM_DIR/sink.json" || {
		not_ok "sink on the out-tap"; return 1; }
	gen_run "$VM_NS" tin "$NICPREP_N" 200 "$FWD_FLOWS" "$FWD_PORT" "$VM_DIR/gen.json"
	sleep 3
	sink_stop
	wait_console "$VM_CONSOLE" 'VMTEST: done' 90 "$VM_PID" || {
		not_ok "4: second agent run finished"; return 1; }
	vm_wait_exit 60
	out=$(agent_section 2)
	assert_match "4: too few queue pairs: the agent warns (queues < 2 x vCPUs)" \
		'warn.*eth0.*queue.*vCPU' "$out"
	assert_eq "4: with the warning the agent still runs (exit 0)" 0 "$(agent_rc 2)"
	assert_eq "4: ... and forwards every frame (locked TX path)" "$NICPREP_N $NICPREP_N" \
		"$(agent_val '"%d %d" % (s(q("eth0"), "rx_packets"), s(q("eth1"), "tx_packets"))')"
	assert_eq "4: ... and the sink counts them all" "$NICPREP_N" \
		"$(json_get "$VM_DIR/sink.json" 'j["frames"]')"
}

scn_nicprep_offloads() {
	VM_NAME="$VMT_PREFIX-$$-no-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=4 VM_OFFLOADS=on
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" out
	mkdir -p "$VMT_WORK/run"
	{
		echo "guest_main() {"
		echo "  nic_setup; say nics-up"
		echo "  /sbin/ethtool -k eth0 | grep -E 'rx-gro-hw' | sed 's/^/ETHTOOL: /'"
		echo "  $(agent_fwd_cmd 10)"
		echo "}"
	} | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and taps"; return 1; }
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	wait_console "$VM_CONSOLE" 'VMTEST: done' $((BOOT_TMO + 60)) "$VM_PID" || {
		not_ok "4: agent run with guest offloads on finished"; return 1; }
	vm_wait_exit 60
	assert_match "4: guest offloads on and fixed (no ctrl_guest_offloads)" \
		'rx-gro-hw: on \[fixed\]' "$(tr -d '\r' <"$VM_CONSOLE")"
	out=$(agent_section 1)
	assert_eq "4: offloads without ctrl_guest_offloads refused: exit code 2" 2 "$(agent_rc 1)"
	assert_match "4: the error names the cause and the fix (guest offloads off)" \
		"eth0.*ctrl_guest_offloads.*guest csum='off'" "$out"
	assert_no_match "4: no XDP program left attached" \
		'attached in (native|skb) mode' "$out"
}
