# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# DPDK 24.11 adopts the agent's claims inside the Debian 13 image guest
# (issue 14): the agent prepares both virtio NICs in mode none with one
# application claim each (`apps:`, endpoint cni: DPDK's device-plugin
# socket at /tmp/afxdp_dp/<ifname>/afxdp.sock), and dpdk-testpmd from the
# image's DPDK, run as its own user with CAP_NET_RAW and CAP_IPC_LOCK only
# (docs/adoption.md), opens its AF_XDP sockets through them (net_af_xdp,
# use_cni=1) and forwards io eth0 -> eth1:
#
#   pkt.py gen -> tin -> eth0 [claim "in"] -> testpmd io -> [claim "out"]
#   eth1 -> tout -> pkt.py sink
#
# Exact counts: generator = testpmd RX on port 0 = testpmd TX on port 1 =
# the sink on the out-tap = the agent's redirect counter of claim "in".
# One queue pair per NIC: the claims take queue 0, the whole NIC.

DA_N=${DA_N:-2000}
DA_RATE=${DA_RATE:-400}
# How long testpmd forwards after it is ready (the traffic takes N/RATE s).
DA_RUN_S=${DA_RUN_S:-30}
DA_UID=64533

# The guest side: the agent (mode none, the two claims), then testpmd.
da_guest_script() {
	echo "DA_RUN_S=$DA_RUN_S DA_UID=$DA_UID FWD_PORT=$FWD_PORT"
	cat <<'EOS'
da_agent_config() {
	cat <<EOF
mode: none
stats:
  interval_ms: 1000
  format: json
apps:
  - name: in
    ifname: eth0
    queues: [0]
    filter: ["udp dport $FWD_PORT"]
    uids: [$DA_UID]
    endpoint: cni
  - name: out
    ifname: eth1
    queues: [0]
    filter: ["udp dport $FWD_PORT"]
    uids: [$DA_UID]
    endpoint: cni
EOF
}
# testpmd as DA_UID with CAP_NET_RAW (AF_XDP sockets) and CAP_IPC_LOCK
# (its UMEM, the mbuf pool, is larger than RLIMIT_MEMLOCK), nothing else:
# with CAP_NET_ADMIN its port close would detach the agent's program.
# Every step execs: the background job's pid is testpmd's. force_copy:
# copy-mode sockets. In zero-copy (the default here: iommu_platform) one
# run in three saw testpmd count 2000 frames sent and none leave eth1
# (7.3.4 virtio-net; testpmd kicks TX only when the ring asks for a
# wake-up): not explained yet, see docs/support-matrix.md.
da_testpmd() {
	local caps=+net_raw,+ipc_lock v
	v="start_queue=0,queue_count=1,use_cni=1,force_copy=1"
	exec setpriv --reuid=$DA_UID --regid=$DA_UID --clear-groups \
		--inh-caps=-all,$caps --ambient-caps=-all,$caps --bounding-set=-all,$caps -- \
		stdbuf -oL -eL dpdk-testpmd -l 0-1 --no-huge -m 512 --no-shconf --no-pci \
		--no-telemetry --vdev "net_af_xdp0,iface=eth0,$v" --vdev "net_af_xdp1,iface=eth1,$v" \
		-- --no-mlockall --forward-mode=io --total-num-mbufs=16384
}
guest_main() {
	local apid tpid rc i
	nic_setup
	say nics-up
	da_agent_config >/etc/vmtest/agent.yaml
	say "agent-start: -c /etc/vmtest/agent.yaml"
	"$VMT_AGENT_BIN" -c /etc/vmtest/agent.yaml &
	apid=$!
	for i in $(seq 300); do
		[ -S /tmp/afxdp_dp/eth0/afxdp.sock ] && [ -S /tmp/afxdp_dp/eth1/afxdp.sock ] && break
		sleep 0.2
	done
	say "endpoints: $(ls /tmp/afxdp_dp/eth0/afxdp.sock /tmp/afxdp_dp/eth1/afxdp.sock 2>&1 | paste -sd' ')"
	# Without -i testpmd forwards until a byte or EOF on stdin: a FIFO
	# held open here, and SIGINT for its final statistics.
	mkfifo /tmp/tp.in
	exec 7<>/tmp/tp.in
	da_testpmd </tmp/tp.in >/tmp/tp.out 2>&1 &
	tpid=$!
	for i in $(seq 600); do
		grep -q '^Press enter to exit' /tmp/tp.out && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.2
	done
	if grep -q '^Press enter to exit' /tmp/tp.out; then
		say "testpmd-ready uid=$(ps -o uid= -p $tpid | tr -d ' ')" \
			"caps=$(grep CapEff /proc/$tpid/status | cut -f2)"
		# testpmd's AF_XDP sockets as the kernel sees them (zc: zero-copy).
		ss -f xdp -a -e -m -p 2>&1 | sed 's/^/SS: /'
		sleep "$DA_RUN_S"
	fi
	kill -INT $tpid 2>/dev/null
	wait $tpid
	rc=$?
	sed 's/^/TESTPMD: /' /tmp/tp.out
	say "testpmd-rc=$rc"
	# Unprivileged, testpmd's port close could not detach the program.
	say "xdp-after-testpmd: $(for i in eth0 eth1; do /sbin/ip link show dev $i | grep -q 'prog/xdp' && echo $i; done | paste -sd' ')"
	kill -TERM $apid
	wait $apid
	say "agent-rc=$?"
}
EOS
}

# da_testpmd_stat PORT FIELD: from testpmd's final statistics on the
# console (testpmd_stat of tests/lib/trixie.sh, on the TESTPMD: lines).
da_testpmd_stat() {
	tr -d '\r' <"$VM_CONSOLE" | sed -n 's/^TESTPMD: //p' | awk -v port="$1" -v field="$2:" '
		/Forward statistics for port/ { cur = ($6 == port) ? 1 : 0; next }
		/^ *[+-]+ *$/ || /^ *$/ { cur = 0; next }
		cur { for (i = 1; i < NF; i++) if ($i == field) v = $(i + 1) }
		END { if (v != "") print v }'
}

scn_dpdk_adopt() {
	VM_NAME="$VMT_PREFIX-$$-da-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=1 VM_OFFLOADS=off VM_MEM_MB=1536 VM_CPU=Nehalem
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" t0=$SECONDS n=$DA_N app
	mkdir -p "$VMT_WORK/run"
	da_guest_script | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "dpdk-adopt: host netns and taps"; return 1; }
	vm_boot_with "$script" || { not_ok "dpdk-adopt: guest started ($VM_BACKEND)"; return 1; }
	ok "dpdk-adopt: guest started ($VMT_GUEST image, $VM_BACKEND, pid $VM_PID)"
	wait_console "$VM_CONSOLE" 'VMTEST: nics-up' $((BOOT_TMO + 180)) "$VM_PID" || {
		not_ok "dpdk-adopt: image guest booted, cloud-init ran the scenario"; return 1; }
	ok "dpdk-adopt: image guest booted ($((SECONDS - t0)) s)"
	if ! wait_console "$VM_CONSOLE" 'VMTEST: (testpmd-ready|testpmd-rc)' 240 "$VM_PID" ||
		! console_has "$VM_CONSOLE" 'VMTEST: testpmd-ready'; then
		not_ok "dpdk-adopt: testpmd 24.11 started on the agent's claims (use_cni)"
		wait_console "$VM_CONSOLE" 'VMTEST: done rc=' 60 "$VM_PID"
		tr -d '\r' <"$VM_CONSOLE" | grep -E '^TESTPMD: ' | tail -20 | while read -r l; do diag "$l"; done
		return 1
	fi
	ok "dpdk-adopt: testpmd 24.11 forwarding on the claims of eth0 and eth1 (use_cni; $(console_val '^VMTEST: testpmd-ready (.*)'))"
	assert_eq "dpdk-adopt: testpmd runs as uid $DA_UID with CAP_NET_RAW and CAP_IPC_LOCK only" \
		"uid=$DA_UID caps=0000000000006000" "$(console_val '^VMTEST: testpmd-ready (.*)')"
	sink_start "$VM_NS" tout "$FWD_PORT" "$VM_DIR/sink.json" || { not_ok "dpdk-adopt: sink on tout"; return 1; }
	gen_run "$VM_NS" tin "$n" "$DA_RATE" "$FWD_FLOWS" "$FWD_PORT" "$VM_DIR/gen.json"
	sleep 3
	sink_stop
	if ! wait_console "$VM_CONSOLE" 'VMTEST: done rc=' $((DA_RUN_S + 120)) "$VM_PID"; then
		not_ok "dpdk-adopt: testpmd and the agent stopped, the guest finished"
		return 1
	fi
	vm_wait_exit 60
	assert_eq "dpdk-adopt: testpmd's two AF_XDP sockets in copy mode (force_copy; ss: zc:0)" "zc:0 zc:0" \
		"$(tr -d '\r' <"$VM_CONSOLE" | sed -n 's/^SS: //p' | grep -oE 'zc:[0-9]+' | paste -sd' ')"
	assert_eq "dpdk-adopt: testpmd exits 0 on SIGINT" 0 "$(console_val '^VMTEST: testpmd-rc=([0-9]+)')"
	assert_eq "dpdk-adopt: the agent's XDP program is still on eth0 and eth1 after testpmd closed its ports" \
		"eth0 eth1" "$(console_val '^VMTEST: xdp-after-testpmd: (.*)')"
	assert_eq "dpdk-adopt: generator sent $n" "$n" "$(json_get "$VM_DIR/gen.json" 'j["sent"]')"
	assert_eq "dpdk-adopt: testpmd port 0 (eth0) received exactly $n" "$n" "$(da_testpmd_stat 0 RX-packets)"
	assert_eq "dpdk-adopt: testpmd port 1 (eth1) sent exactly $n" "$n" "$(da_testpmd_stat 1 TX-packets)"
	assert_eq "dpdk-adopt: the sink counted exactly $n out of the out-tap" "$n" \
		"$(json_get "$VM_DIR/sink.json" 'j["frames"]')"
	app='next(a for a in j["apps"] if a["name"] == "in")'
	assert_eq "dpdk-adopt: the agent's claim 'in': $n redirected to testpmd's socket, 0 without a socket" \
		"$n 0" "$(agent_val "'%d %d' % (${app}['prog']['redirected'], ${app}['prog']['no_socket'])")"
	assert_eq "dpdk-adopt: agent exit code (SIGTERM after testpmd)" 0 "$(console_val '^VMTEST: agent-rc=([0-9]+)')"
	! console_has "$VM_CONSOLE" 'Failed to (retrieve pinned map|receive xskmap fd)'
	assert_eq "dpdk-adopt: testpmd's map step succeeded on both ports (no 'Failed to receive xskmap fd')" 0 $?
	! console_has "$VM_CONSOLE" 'BUG: |Oops: |general protection fault'
	assert_eq "dpdk-adopt: no kernel oops in the guest" 0 $?
	diag "dpdk-adopt scenario: $((SECONDS - t0)) s"
}
