# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Scenarios 1, 2 and 3 on one boot: the agent attaches native XDP on
# virtio-net with copy-mode sockets (1), forwards N frames from the in-tap
# to the out-tap with exact counts on every queue (2), while the guest
# kernel answers ICMP echo and TCP outside the filter (3).

FWD_N=${FWD_N:-2000}
FWD_RATE=${FWD_RATE:-400}
FWD_FLOWS=64
# Queue pairs of the forward scenario: 2 x vCPUs, so attaching XDP raises
# the guest's rx queues from 2 to 4 (the agent must bind them all).
FWD_QUEUES=${FWD_QUEUES:-4}
FWD_PORT=4000
AGENT_RUN_S=${AGENT_RUN_S:-45}
BOOT_TMO=${BOOT_TMO:-120}

# The agent command line of the forwarding scenarios.
agent_fwd_cmd() {
	echo "run_agent -m fwd -i eth0 -i eth1 -q all -f 'udp dport $FWD_PORT'" \
		"--stats json --interval 1000 -d $1"
}

# Record the guest's rx queue count while the agent runs (attaching XDP
# changes it): the agent must have bound every one.
guest_rxq_watch() {
	cat <<'EOS'
rxq_watch() {
	while :; do
		say "rxq eth0=$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l) eth1=$(ls -d /sys/class/net/eth1/queues/rx-* | wc -l)"
		sleep 3
	done
}
EOS
}

# mgmt_checks NS: ICMP echo and TCP to a port outside the filter.
mgmt_checks() {
	local out
	out=$(in_ns "$1" busybox ping -c 3 -W 10 "$VMT_IP_IN" 2>&1)
	assert_match "3: ICMP echo to the guest answered by its kernel ($2)" \
		'3 (packets )?received' "$out"
	out=$(in_ns "$1" curl -s -m 20 "http://$VMT_IP_IN:8080/" 2>&1)
	assert_eq "3: TCP to guest port 8080 (outside the filter) answered ($2)" \
		"afxvm-mgmt-ok" "$out"
}

scn_forward() {
	VM_NAME="$VMT_PREFIX-$$-fwd-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=$FWD_QUEUES VM_OFFLOADS=off
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" with_agent=${VMT_AGENT:+1}
	mkdir -p "$VMT_WORK/run"
	{
		guest_rxq_watch
		echo "guest_main() {"
		echo "  nic_setup; mgmt_up; say nics-up"
		if [ -n "$with_agent" ]; then
			echo "  rxq_watch & w=\$!"
			echo "  $(agent_fwd_cmd "$AGENT_RUN_S"); r=\$?"
			echo "  kill \$w; return \$r"
		else
			echo "  window $AGENT_RUN_S"
		fi
		echo "}"
	} | guest_script "$script"

	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and multi-queue taps"; return 1; }
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	cp "$script" "$VM_DIR/scenario.txt"
	ok "guest started ($VM_BACKEND, pid $VM_PID)"
	wait_console "$VM_CONSOLE" 'VMTEST: nics-up' "$BOOT_TMO" "$VM_PID" || {
		not_ok "guest NICs up"; return 1; }
	assert_eq "guest eth0 has the in-NIC's MAC" "$VMT_MAC_IN" \
		"$(console_val '^VMTEST: nic eth0 mac=([^ ]+).*')"
	assert_eq "guest eth1 has the out-NIC's MAC" "$VMT_MAC_OUT" \
		"$(console_val '^VMTEST: nic eth1 mac=([^ ]+).*')"

	if [ -z "$with_agent" ]; then
		wait_console "$VM_CONSOLE" 'VMTEST: window-open' 30 "$VM_PID"
		mgmt_checks "$VM_NS" "no agent"
		vm_wait_exit $((AGENT_RUN_S + 60))
		return 0
	fi

	if ! wait_console "$VM_CONSOLE" '"type": ?"stats"' 90 "$VM_PID"; then
		not_ok "agent running (first stats line on the console)"
		return 1
	fi
	ok "agent running (first stats line on the console)"
	sink_start "$VM_NS" tout "$FWD_PORT" "$VM_DIR/sink.json" || {
		not_ok "sink on the out-tap"; return 1; }
	local t0=$SECONDS
	gen_start "$VM_NS" tin "$FWD_N" "$FWD_RATE" "$FWD_FLOWS" "$FWD_PORT" "$VM_DIR/gen.json"
	mgmt_checks "$VM_NS" "while forwarding"
	wait "$GEN_PID"
	diag "generator: $(cat "$VM_DIR/gen.json") in $((SECONDS - t0)) s"
	# Let the last frames drain through the guest, then read the sink.
	sleep 3
	sink_stop
	if ! wait_console "$VM_CONSOLE" 'VMTEST: agent-rc=' $((AGENT_RUN_S + 60)) "$VM_PID"; then
		not_ok "agent finished within its run time"
		return 1
	fi
	vm_wait_exit 60

	assert_eq "agent exit code" 0 "$(console_val '^VMTEST: agent-rc=([0-9]+).*')"
	# 1: modes
	assert_eq "1: XDP attached in native mode on eth0 (virtio-net)" native \
		"$(agent_val 'port("eth0").get("xdp_mode")')"
	assert_eq "1: XDP attached in native mode on eth1 (virtio-net)" native \
		"$(agent_val 'port("eth1").get("xdp_mode")')"
	assert_eq "1: every socket reports copy mode (6.1 guest)" copy \
		"$(agent_val '",".join(sorted(set(x.get("socket_mode") for x in j["queues"])))')"
	# The 6.1 guest has neither the netdev genl family (6.3) nor
	# XDP_MAX_TX_SKB_BUDGET (6.17): the agent says what it chose instead.
	console_has "$VM_CONSOLE" 'UMEM: one per port \((xdp-features unknown|copy mode)'
	assert_eq "1: one UMEM per port in copy mode, said on the console" 0 $?
	console_has "$VM_CONSOLE" 'copy-mode transmit: 32 frames per kick \(the kernel has no XDP_MAX_TX_SKB_BUDGET'
	assert_eq "1: the kernel's TX budget of 32 kept, and said why" 0 $?
	# 2: counts
	local rxq sent sunk
	rxq=$(tr -d '\r' <"$VM_CONSOLE" | sed -nE 's/^VMTEST: rxq eth0=([0-9]+).*/\1/p' | sort -n | tail -1)
	assert_eq "2: a socket on every eth0 rx queue the guest has with XDP on ($rxq)" \
		"$rxq" "$(agent_val 'len(q("eth0"))')"
	assert_eq "2: every eth0 queue received part of the flows" \
		"$rxq" "$(agent_val 'len([x for x in q("eth0") if x["rx_packets"] > 0])')"
	sent=$(json_get "$VM_DIR/gen.json" 'j["sent"]')
	assert_eq "2: generator sent all frames into the in-tap" "$FWD_N" "$sent"
	assert_eq "2: agent received them all on eth0" "$FWD_N" \
		"$(agent_val 's(q("eth0"), "rx_packets")')"
	assert_eq "2: agent sent them all on eth1" "$FWD_N" \
		"$(agent_val 's(q("eth1"), "tx_packets")')"
	assert_eq "2: XDP redirected them all on eth0, none without a socket" \
		"$FWD_N 0" "$(agent_val '"%d %d" % (port("eth0")["prog"]["redirected"], port("eth0")["prog"]["no_socket"])')"
	assert_eq "2: agent totals: rx == tx, no drops" "$FWD_N $FWD_N 0" \
		"$(agent_val '"%d %d %d" % (j["totals"]["rx_packets"], j["totals"]["tx_packets"], j["totals"]["drops"])')"
	sunk=$(json_get "$VM_DIR/sink.json" 'j["frames"]')
	assert_eq "2: sink counted exactly N frames out of the out-tap" "$FWD_N" "$sunk"
}
