# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Jumbo frames through AF_XDP multi-buffer in the Debian 13 image guest
# (trixie-backports 7.x kernel): both virtio-net NICs at MTU 9000, one
# boot, three agent runs:
#   nomb    without --multi-buffer: refused (exit 2) before any change,
#           the message names socket.multi_buffer
#   mb      --multi-buffer --zero-copy off: JB_N frames of 9014 bytes from
#           the host's in-tap, half with a partial UDP checksum (what a
#           sender with TX checksum offload leaves), forwarded eth0 ->
#           eth1: the host's receiver on the out-tap gets every frame
#           byte-identical with a valid checksum (tests/tools/jumbo.py
#           derives each frame's bytes from its sequence number)
#   mbzc    --multi-buffer --zero-copy on: virtio-net's zero-copy has no
#           multi-buffer (xdp_zc_max_segs 1): refused with the reason,
#           before anything is changed

JB_N=${JB_N:-400}
JB_RUN_S=${JB_RUN_S:-40}
JB_PORT=4310

jb_guest_script() {
	cat <<EOS
jb_run() {
	say "run-begin \$1"; shift
	run_agent -m fwd -i eth0 -i eth1 -q all -f 'udp dport $JB_PORT' \
		--idle-spin 0 --stats json --interval 1000 "\$@"
	say "run-end rc=\$?"
}
guest_main() {
	nic_setup
	ip link set dev eth0 mtu 9000 && ip link set dev eth1 mtu 9000
	say "nics-up mtu=\$(cat /sys/class/net/eth0/mtu),\$(cat /sys/class/net/eth1/mtu)"
	jb_run nomb --zero-copy off -d 5
	jb_run mb --multi-buffer --zero-copy off -d $JB_RUN_S
	jb_run mbzc --multi-buffer --zero-copy on -d 5
}
EOS
}

# jb_log NAME: the console lines of one run.
jb_log() {
	tr -d '\r' <"$VM_CONSOLE" | sed -n "/^VMTEST: run-begin $1\$/,/^VMTEST: run-end /p" \
		>"$VM_DIR/run-$1.log"
	echo "$VM_DIR/run-$1.log"
}
jb_rc() { sed -nE 's/^VMTEST: run-end rc=([0-9]+)/\1/p' "$(jb_log "$1")"; }
jb_wait() {
	local name=$1 re=$2 tmo=$3 end=$((SECONDS + $3))
	until grep -qE -- "$re" "$(jb_log "$name")"; do
		if [ "$SECONDS" -ge "$end" ] || ! pid_alive "$VM_PID"; then
			diag "run $name: no '$re' within $tmo s"
			return 1
		fi
		sleep 0.3
	done
}

# jb_send NAME N ARGS: the receiver on the out-tap, N jumbo frames into
# the in-tap; the receiver's JSON in VM_DIR/jb-NAME.json.
jb_send() {
	local name=$1 n=$2 out="$VM_DIR/jb-$1.json"; shift 2
	in_ns "$VM_NS" "$VMT_PY" "$VMT_TOP/tests/tools/jumbo.py" recv tout \
		--port "$JB_PORT" --count "$n" --timeout 60 --ready "$out.ready" \
		>"$out" 2>"$out.err" &
	local rx=$!
	track_pid "$rx"
	wait_for "receiver ready" 10 test -e "$out.ready"
	# Paced: TCG forwards a few thousand buffers a second.
	in_ns "$VM_NS" "$VMT_PY" "$VMT_TOP/tests/tools/jumbo.py" send tin \
		--port "$JB_PORT" --count "$n" --size 9014 --burst 4 --gap-ms 20 \
		--src-mac 52:54:00:99:00:01 --dst-mac "$VMT_MAC_IN" \
		--src-ip "$VMT_HOST_IP_IN" --dst-ip "$VMT_IP_IN" "$@" \
		>"$VM_DIR/jb-$name.sent" 2>&1
	wait "$rx"
}

scn_jumbo() {
	VM_NAME="$VMT_PREFIX-$$-jb"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=2 VM_OFFLOADS=off VM_MEM_MB=1024
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" t0=$SECONDS half log
	mkdir -p "$VMT_WORK/run"
	jb_guest_script | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and multi-queue taps"; return 1; }
	ip -n "$VM_NS" link set dev tin mtu 9000 && ip -n "$VM_NS" link set dev tout mtu 9000
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	ok "guest started ($VMT_GUEST image, $VM_BACKEND, pid $VM_PID)"
	wait_console "$VM_CONSOLE" 'VMTEST: nics-up' $((BOOT_TMO + 180)) "$VM_PID" || {
		not_ok "image guest booted, cloud-init ran the scenario"; return 1; }
	assert_eq "guest NICs at MTU 9000" "9000,9000" "$(console_val '^VMTEST: nics-up mtu=([0-9,]+)')"

	jb_wait nomb '^VMTEST: run-end ' 60 || { not_ok "nomb: the agent ran"; return 1; }
	assert_eq "nomb: MTU 9000 without --multi-buffer: exit 2" 2 "$(jb_rc nomb)"
	assert_match "nomb: the refusal names socket.multi_buffer" "socket.multi_buffer" \
		"$(cat "$VM_DIR/run-nomb.log")"

	jb_wait mb '"type": ?"stats"' 90 || { not_ok "mb: agent attached with --multi-buffer"; return 1; }
	half=$((JB_N / 2))
	jb_send mbfull "$half"
	jb_send mbpart "$half" --partial
	jb_wait mb '^VMTEST: run-end ' $((JB_RUN_S + 60)) || { not_ok "mb: run ended"; return 1; }
	log="$VM_DIR/run-mb.log"
	AGENT_LOG=$log
	assert_eq "mb: agent exit 0" 0 "$(jb_rc mb)"
	assert_ge "mb: the sockets are bound multi-buffer (log)" 1 \
		"$(grep -cE 'AF_XDP socket in copy mode, multi-buffer' "$log")"
	for k in mbfull mbpart; do
		assert_eq "$k: $half frames of 9014 bytes at the out-tap, byte-identical, checksums valid" \
			"$half $half $half [9014]" \
			"$(json_get "$VM_DIR/jb-$k.json" '"%d %d %d %s" % (j["received"], j["intact"], j["csum_ok"], j["sizes"])')"
	done
	assert_eq "mb: agent rx on eth0 = tx on eth1 = $JB_N frames, drops 0" "$JB_N $JB_N 0" \
		"$(agent_val '"%d %d %d" % (s(q("eth0"), "rx_packets"), s(q("eth1"), "tx_packets"), j["totals"]["drops"])')"
	assert_ge "mb: the partial checksums completed over the buffers (csum_fixed)" "$half" \
		"$(agent_val 'j["totals"]["csum_fixed"]')"
	AGENT_LOG=

	jb_wait mbzc '^VMTEST: run-end ' 90 || { not_ok "mbzc: the agent ran"; return 1; }
	log="$VM_DIR/run-mbzc.log"
	# virtio-net on 7.3.4 reports xsk-zerocopy with xdp_zc_max_segs 1.
	assert_eq "mbzc: zero-copy multi-buffer refused, exit 2" 2 "$(jb_rc mbzc)"
	assert_match "mbzc: the refusal names the driver's limit" \
		"the driver has no zero-copy multi-buffer \(its zero-copy takes one buffer per frame, xdp_zc_max_segs 1\)" \
		"$(cat "$log")"
	assert_eq "mbzc: refused before any change (no XDP attach, no promiscuous mode)" 0 \
		"$(grep -cE 'XDP program attached|promiscuous mode on' "$log")"
	wait_console "$VM_CONSOLE" 'VMTEST: done rc=' 60 "$VM_PID"
	vm_wait_exit 60
	! console_has "$VM_CONSOLE" 'BUG: |Oops: |general protection fault'
	assert_eq "no kernel oops in the guest" 0 $?
	diag "jumbo scenario: $((SECONDS - t0)) s"
}
