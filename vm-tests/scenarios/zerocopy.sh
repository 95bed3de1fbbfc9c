# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Zero-copy AF_XDP in the Debian 13 image guest (trixie-backports 7.x
# kernel, virtio-net with iommu_platform): one boot, several agent runs on
# the same two NICs, the generator's frames forwarded eth0 -> eth1 and
# counted by the independent sink on the out-tap:
#   copy     --zero-copy off: every socket in copy mode, exact counts
#   zc       --zero-copy on: every socket in zero-copy mode, exact counts;
#            guest CPU time per forwarded frame, zc vs copy (a ratio: TCG
#            makes absolute numbers meaningless)
#   restartN ZC_RESTARTS more zero-copy runs: the agent attaches again and
#            forwards each time and the guest kernel does not oops (Linux
#            7.3's virtio-net kept a freed XSK pool on a queue that XDP
#            detach had removed: the next attach crashed in xp_alloc_batch)

ZC_RESTARTS=${ZC_RESTARTS:-5}
# 1: after the agent's runs, DPDK 24.11's testpmd with net_af_xdp on the
# same two NICs (copy mode, io forwarding, as root: it loads its own XDP
# program), measured the same way (make bench, section guest; not in the
# vm-test's default set, which has the adoption scenario for testpmd).
ZC_TESTPMD=${ZC_TESTPMD:-0}
ZC_RUN_S=${ZC_RUN_S:-25}
ZC_RESTART_S=${ZC_RESTART_S:-12}
ZC_RESTART_N=${ZC_RESTART_N:-200}
# Extra agent options of every run (experiments), e.g. "--channels 4".
ZC_AGENT_ARGS=${ZC_AGENT_ARGS:-}

# The guest side: a CPU/traffic sampler and one marker pair per run.
zc_guest_script() {
	cat <<'EOS'
# Busy CPU of the whole guest (USER_HZ ticks: user nice system irq softirq
# steal, so the kernel's receive and copy work counts too) and eth0's rx
# frames every 0.5 s; bash builtins only, so the sampler costs little.
cpu_watch() {
	local fd u n s i w q sq st rx
	exec {fd}<> <(:)
	while :; do
		read -r _ u n s i w q sq st _ </proc/stat
		read -r rx </sys/class/net/eth0/statistics/rx_packets
		echo "VMTEST: cpu $((u + n + s + q + sq + st)) $rx"
		read -r -t 0.5 -u "$fd" _
	done
}
zc_run() {
	say "run-begin $1"
	run_agent -m fwd -i eth0 -i eth1 -q all -f 'udp dport 4000' \
		--zero-copy "$2" --idle-spin 0 --stats json --interval 1000 -d "$3" $ZC_AGENT_ARGS
	say "run-end $1 rc=$?"
}
# zc_testpmd NAME SECONDS QUEUES: testpmd io between eth0 and eth1, every
# queue, copy mode; SIGINT for its final statistics, which go to the
# console (TESTPMD: lines) inside the run's markers. Every queue is what
# the agent's "-q all" bound: virtio_net enables all its queue pairs once
# an XDP program is attached (2 before with 2 vCPUs, 4 after). testpmd's
# net_af_xdp counts them before it attaches its program and refuses more
# than the current count, so with the current count it bound half the
# queues and the other half's frames went to the kernel: the channels are
# raised to the maximum (ethtool's pre-set Combined, else QUEUES) for its
# run, as a DPDK user would, and set back afterwards.
zc_combined() { # IFNAME Pre-set|Current
	ethtool -l "$1" 2>/dev/null | awk -v s="^$2" '$0 ~ s {c = 1} c && /^Combined:/ {print $2; exit}'
}
zc_testpmd() {
	local q v tpid rc i c0 c1
	q=$(zc_combined eth0 Pre-set)
	[ -n "$q" ] || q=$3
	c0=$(zc_combined eth0 Current) c1=$(zc_combined eth1 Current)
	ethtool -L eth0 combined "$q" && ethtool -L eth1 combined "$q"
	v="start_queue=0,queue_count=$q,force_copy=1"
	say "run-begin $1"
	say "testpmd queues $q (combined was $c0 and $c1)"
	mkfifo /tmp/tp-$1.in
	exec 8<>/tmp/tp-$1.in
	# Each queue's fill ring takes 2048 mbufs when it starts (net_af_xdp)
	# and its TX as many again: 16384 for 2 ports x 4 queues left none
	# (RX-nombufs, 0 frames received).
	stdbuf -oL -eL dpdk-testpmd -l 0-1 --no-huge -m 512 --no-shconf --no-pci \
		--no-telemetry --vdev "net_af_xdp0,iface=eth0,$v" \
		--vdev "net_af_xdp1,iface=eth1,$v" -- --no-mlockall \
		--forward-mode=io --rxq=$q --txq=$q --total-num-mbufs=$((q * 2 * 4096)) \
		</tmp/tp-$1.in >/tmp/tp-$1.out 2>&1 &
	tpid=$!
	for i in $(seq 600); do
		grep -q '^Press enter to exit' /tmp/tp-$1.out && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.2
	done
	grep -q '^Press enter to exit' /tmp/tp-$1.out && say "testpmd-ready" && sleep "$2"
	kill -INT $tpid 2>/dev/null
	wait $tpid
	rc=$?
	sed 's/^/TESTPMD: /' /tmp/tp-$1.out
	[ -z "$c0" ] || ethtool -L eth0 combined "$c0"
	[ -z "$c1" ] || ethtool -L eth1 combined "$c1"
	say "run-end $1 rc=$rc"
}
EOS
	echo "ZC_AGENT_ARGS='$ZC_AGENT_ARGS'"
	echo "guest_main() {"
	echo "  nic_setup; say nics-up"
	echo "  cpu_watch & w=\$!"
	# ${1:-full}: full = copy, zero-copy, restarts; zc = one zero-copy run.
	[ "${1:-full}" = full ] && echo "  zc_run copy off $ZC_RUN_S"
	echo "  zc_run zc on $ZC_RUN_S"
	[ "${1:-full}" = full ] &&
		echo "  for i in \$(seq $ZC_RESTARTS); do zc_run restart\$i on $ZC_RESTART_S; done"
	[ "${1:-full}" = full ] && [ "$ZC_TESTPMD" = 1 ] &&
		echo "  zc_testpmd testpmd $ZC_RUN_S $VM_QUEUES"
	echo "  kill \$w"
	echo "}"
}

# run_log NAME: the console lines of one run, into VM_DIR/run-NAME.log.
run_log() {
	tr -d '\r' <"$VM_CONSOLE" | sed -n "/^VMTEST: run-begin $1\$/,/^VMTEST: run-end $1 /p" \
		>"$VM_DIR/run-$1.log"
	echo "$VM_DIR/run-$1.log"
}
run_has() { [ -n "$(run_log "$1")" ] && grep -qE -- "$2" "$VM_DIR/run-$1.log"; }

# zc_traffic NAME N RATE TMO [READY]: waits for the run's first stats
# line (or the line READY matches), sends N frames, counts them at the
# sink, waits for the run's end. Prints the sink's count.
zc_traffic() {
	local name=$1 n=$2 rate=$3 tmo=$4 ready=${5:-'"type": ?"stats"'} end
	end=$((SECONDS + tmo))
	until run_has "$name" "$ready"; do
		if [ "$SECONDS" -ge "$end" ] || ! pid_alive "$VM_PID"; then
			diag "run $name: no stats line (agent not attached?)"
			return 1
		fi
		sleep 0.3
	done
	sink_start "$VM_NS" tout "$FWD_PORT" "$VM_DIR/sink-$name.json" || return 1
	gen_run "$VM_NS" tin "$n" "$rate" "$FWD_FLOWS" "$FWD_PORT" "$VM_DIR/gen-$name.json"
	sleep 3
	sink_stop
	until run_has "$name" '^VMTEST: run-end '; do
		if [ "$SECONDS" -ge "$((end + 60))" ] || ! pid_alive "$VM_PID"; then
			diag "run $name: did not end"
			return 1
		fi
		sleep 0.3
	done
}

# zc_counts NAME MODE N: the run's assertions from its log and JSON.
zc_counts() {
	local name=$1 mode=$2 n=$3 log="$VM_DIR/run-$1.log" nq
	AGENT_LOG=$log
	assert_eq "$name: agent exit code" 0 "$(sed -nE 's/^VMTEST: run-end [^ ]+ rc=([0-9]+)/\1/p' "$log")"
	assert_eq "$name: every queue of both ports in $mode mode (JSON)" "$mode" \
		"$(agent_val '",".join(sorted(set(x.get("socket_mode") for x in j["queues"])))')"
	nq=$(agent_val 'len(j["queues"])')
	assert_eq "$name: the log says $mode for each of the $nq sockets" "$nq" \
		"$(grep -cE "queue [0-9]+: AF_XDP socket in $mode mode" "$log")"
	assert_eq "$name: generator sent $n" "$n" "$(json_get "$VM_DIR/gen-$name.json" 'j["sent"]')"
	assert_eq "$name: agent rx on eth0, tx on eth1, drops: exactly $n $n 0" "$n $n 0" \
		"$(agent_val '"%d %d %d" % (s(q("eth0"), "rx_packets"), s(q("eth1"), "tx_packets"), j["totals"]["drops"])')"
	assert_eq "$name: sink counted exactly $n out of the out-tap" "$n" \
		"$(json_get "$VM_DIR/sink-$name.json" 'j["frames"]')"
	AGENT_LOG=
}

# cpu_per_frame NAME N: guest busy ns per forwarded frame over the samples
# from the last one before the run's first frame to the first one after
# its last (USER_HZ = 100: 10 ms a tick).
cpu_per_frame() {
	"$VMT_PY" - "$VM_DIR/run-$1.log" "$2" <<'EOP'
import sys
s = [tuple(map(int, l.split()[2:4])) for l in open(sys.argv[1])
     if l.startswith("VMTEST: cpu ")]
rx0, rx1 = s[0][1], s[-1][1]
b = max(i for i, x in enumerate(s) if x[1] == rx0)
e = min(i for i, x in enumerate(s) if x[1] == rx1)
print("%.0f" % ((s[e][0] - s[b][0]) * 1e7 / int(sys.argv[2])))
EOP
}

# zc_warnings: no WARNING in the guest kernel (below the console loglevel:
# image-run.sh counts them in dmesg and shows the first). The old teardown
# order left one before its oops; the current one leaves the kernel
# untainted.
zc_warnings() {
	diag "guest kernel: tainted=$(console_val '^VMTEST: kernel-tainted=([0-9]+)')"
	tr -d '\r' <"$VM_CONSOLE" | sed -n 's/^VMTEST: kernel-warning: /    /p' | while read -r l; do diag "$l"; done
	assert_eq "no kernel WARNING in the guest (dmesg)" 0 "$(console_val '^VMTEST: kernel-warn=([0-9]+)')"
}

scn_zerocopy() {
	VM_NAME="$VMT_PREFIX-$$-zc-${VM_BACKEND:0:1}"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=$FWD_QUEUES VM_OFFLOADS=off VM_MEM_MB=1024
	# testpmd: DPDK's build needs SSE4.2 (not in TCG's default CPU) and
	# its 512 MB beside the agent's runs.
	[ "$ZC_TESTPMD" = 1 ] && VM_CPU=Nehalem VM_MEM_MB=1536
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" t0=$SECONDS i c z
	mkdir -p "$VMT_WORK/run"
	zc_guest_script | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and multi-queue taps"; return 1; }
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	ok "guest started ($VMT_GUEST image, $VM_BACKEND, pid $VM_PID)"
	wait_console "$VM_CONSOLE" 'VMTEST: nics-up' $((BOOT_TMO + 180)) "$VM_PID" || {
		not_ok "image guest booted, cloud-init ran the scenario"; return 1; }
	ok "image guest booted, cloud-init ran the scenario ($((SECONDS - t0)) s: $(console_val '^.*VMTEST: image guest: (.*)'))"

	for i in copy zc; do
		zc_traffic "$i" "$FWD_N" "$FWD_RATE" 120 || { not_ok "$i: traffic through the agent"; return 1; }
	done
	zc_counts copy copy "$FWD_N"
	zc_counts zc zero-copy "$FWD_N"
	c=$(cpu_per_frame copy "$FWD_N") z=$(cpu_per_frame zc "$FWD_N")
	diag "guest CPU per forwarded frame: copy $c ns, zero-copy $z ns (TCG)"
	if [ -n "$c" ] && [ -n "$z" ] && [ "$z" -gt 0 ]; then
		ok "CPU per forwarded frame, copy / zero-copy = $(awk -v c="$c" -v z="$z" 'BEGIN { printf "%.2f", c / z }')"
	else
		not_ok "CPU per forwarded frame measured (copy '$c', zero-copy '$z')"
	fi

	for i in $(seq "$ZC_RESTARTS"); do
		if ! zc_traffic "restart$i" "$ZC_RESTART_N" 200 90; then
			not_ok "restart $i: the zero-copy agent attaches again and forwards"
			console_has "$VM_CONSOLE" 'BUG: |Oops: ' &&
				diag "guest kernel: $(tr -d '\r' <"$VM_CONSOLE" | grep -m3 -E 'BUG: |Oops: |RIP: ')"
			return 1
		fi
		zc_counts "restart$i" zero-copy "$ZC_RESTART_N"
	done
	[ "$ZC_TESTPMD" = 1 ] && zc_testpmd_run
	wait_console "$VM_CONSOLE" 'VMTEST: done rc=' 60 "$VM_PID"
	vm_wait_exit 60
	! console_has "$VM_CONSOLE" 'BUG: |Oops: |general protection fault'
	assert_eq "no kernel oops in the guest after $ZC_RESTARTS zero-copy restarts (console, dmesg: $(console_val '^VMTEST: kernel-oops=([0-9]+)'))" 0 $?
	zc_warnings
	diag "zerocopy scenario: $((SECONDS - t0)) s"
}

# zc_testpmd_run: testpmd's run in the same boot, the same traffic:
# exact counts (testpmd's port 0 RX and port 1 TX, the sink), its CPU per
# frame beside the agent's.
zc_testpmd_run() {
	local t
	zc_traffic testpmd "$FWD_N" "$FWD_RATE" 240 '^VMTEST: testpmd-ready' ||
		{ not_ok "testpmd: traffic through testpmd"; return 1; }
	assert_eq "testpmd: exit code" 0 "$(sed -nE 's/^VMTEST: run-end testpmd rc=([0-9]+)/\1/p' "$VM_DIR/run-testpmd.log")"
	assert_eq "testpmd: port 0 RX, port 1 TX: exactly $FWD_N" "$FWD_N $FWD_N" \
		"$(da_testpmd_stat 0 RX-packets) $(da_testpmd_stat 1 TX-packets)"
	assert_eq "testpmd: sink counted exactly $FWD_N" "$FWD_N" \
		"$(json_get "$VM_DIR/sink-testpmd.json" 'j["frames"]')"
	t=$(cpu_per_frame testpmd "$FWD_N")
	diag "guest CPU per forwarded frame: testpmd copy $t ns (TCG)"
}

# The libvirt path of the Debian 13 guest: a q35 domain with plain virtio
# interfaces that `afxdp-host vm set --zero-copy --config` prepares (iommu
# on, checked in libvirt's config and QEMU's command line), one zero-copy
# run with exact counts and no oops.
scn_zerocopy_libvirt() {
	VM_NAME="$VMT_PREFIX-$$-zc-l"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=$FWD_QUEUES VM_OFFLOADS=off VM_MEM_MB=1024
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" t0=$SECONDS cmd
	mkdir -p "$VMT_WORK/run"
	zc_guest_script zc | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and multi-queue taps"; return 1; }
	VM_LIBVIRT_NICS="set" vm_boot_with "$script" || { not_ok "guest started (libvirt)"; return 1; }
	ok "guest started ($VMT_GUEST image, libvirt, pid $VM_PID)"
	# One argument per line; libvirt 9.0 passes -device as JSON
	# ({"driver":"virtio-net-pci",...,"iommu_platform":true}).
	cmd=$(tr '\0' '\n' <"/proc/$VM_PID/cmdline" | grep 'virtio-net-pci')
	printf '%s\n' "$cmd" >"$VM_DIR/qemu-nics.txt"
	assert_eq "QEMU got iommu_platform on both virtio-net devices" 2 \
		"$(printf '%s\n' "$cmd" | grep -cE 'iommu_platform(=on|":true)')"
	wait_console "$VM_CONSOLE" 'VMTEST: nics-up' $((BOOT_TMO + 180)) "$VM_PID" || {
		not_ok "image guest booted under libvirt, cloud-init ran the scenario"; return 1; }
	ok "image guest booted under libvirt ($((SECONDS - t0)) s)"
	zc_traffic zc "$FWD_N" "$FWD_RATE" 120 || { not_ok "zc: traffic through the agent"; return 1; }
	zc_counts zc zero-copy "$FWD_N"
	wait_console "$VM_CONSOLE" 'VMTEST: done rc=' 60 "$VM_PID"
	vm_wait_exit 60
	! console_has "$VM_CONSOLE" 'BUG: |Oops: |general protection fault'
	assert_eq "no kernel oops in the guest (libvirt)" 0 $?
	zc_warnings
	diag "zerocopy-libvirt scenario: $((SECONDS - t0)) s"
}
