# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Two kinds of guest on one host at once (issue 20, the VM half), both
# Debian 13 image guests defined through libvirt with the interfaces
# `afxdp-host vm xml` prints, in one network namespace with four taps and
# one libvirtd:
#
#   A (DPDK): tina -> eth0 ~ testpmd io, virtio PMD ~ eth1 -> touta
#       both virtio-net devices bound to uio_pci_generic inside the guest
#       (the 7.3 backports kernel has no VFIO_NOIOMMU), 2 MiB hugepages:
#       the guest kernel never sees a frame
#   B (AF_XDP): tinb -> eth0 [afxdp-agent fwd] eth1 -> toutb
#
# Each guest takes commands (start, stop, finish) on a second serial port
# (ttyS1, a libvirt pipe: VM_DIR/ctl.in), so the host decides when testpmd
# or the agent starts and stops. Phases, each counted exactly at the
# independent sinks on touta and toutb:
#   1. both forward at the same time
#   2. testpmd in A stops and starts again while B forwards a stream
#   3. the agent in B stops and starts again while A forwards a stream
#   4. both forward at the same time again
# and testpmd's and the agent's own counters of each run match the frames
# sent while it ran.

TG_N=${TG_N:-1000}
TG_RATE=${TG_RATE:-200}
# The stream during the other guest's restart: long enough to cover it.
TG_STREAM_N=${TG_STREAM_N:-6000}
TG_STREAM_RATE=${TG_STREAM_RATE:-150}
# 2 MiB hugepages for testpmd in A.
TG_HUGEPAGES=${TG_HUGEPAGES:-128}
TG_MAC_A_IN=52:54:00:99:0a:02 TG_MAC_A_OUT=52:54:00:99:0a:03
TG_MAC_B_IN=52:54:00:99:0b:02 TG_MAC_B_OUT=52:54:00:99:0b:03
# Per guest (tg_define): its run directory, console and QEMU pid.
TG_DIR_a='' TG_CON_a='' TG_PID_a='' TG_DIR_b='' TG_CON_b='' TG_PID_b=''

# Guest side, both guests: commands from the host, one a line, on ttyS1.
tg_guest_common() {
	cat <<'EOS'
ctl_open() {
	stty -F /dev/ttyS1 raw -echo clocal 2>/dev/null
	exec 8</dev/ttyS1
}
# ctl_next: the next non-empty command line into CTL.
ctl_next() {
	local l
	while read -r -u 8 l; do
		l=${l%$'\r'}
		[ -n "$l" ] && { CTL=$l; return 0; }
	done
	return 1
}
EOS
}

# Guest A: eth0 and eth1 to uio_pci_generic, testpmd io with the virtio PMD.
tg_guest_a() {
	echo "TG_HUGEPAGES=$TG_HUGEPAGES"
	tg_guest_common
	cat <<'EOS'
# 16384 mbufs (35 MiB): testpmd's default for two ports, 155456, does not
# fit the 256 MiB of hugepages.
tp_start() {
	local i
	mkfifo /tmp/tp$1.in
	exec 7<>/tmp/tp$1.in
	stdbuf -oL -eL dpdk-testpmd -l 0-1 --file-prefix tg -a "$PCI0" -a "$PCI1" \
		--no-telemetry -- --forward-mode=io --total-num-mbufs=16384 \
		</tmp/tp$1.in >/tmp/tp$1.out 2>&1 &
	TPID=$!
	for i in $(seq 900); do
		grep -q '^Press enter to exit' /tmp/tp$1.out && break
		kill -0 $TPID 2>/dev/null || break
		sleep 0.2
	done
	if grep -q '^Press enter to exit' /tmp/tp$1.out; then
		say "tp-ready $1 $(grep -E '^Port [0-9]+: ' /tmp/tp$1.out | paste -sd' ')"
	else
		sed "s/^/TP$1: /" /tmp/tp$1.out
		say "tp-failed $1"
	fi
}
tp_stop() {
	kill -INT $TPID 2>/dev/null
	wait $TPID
	local rc=$?
	sed "s/^/TP$1: /" /tmp/tp$1.out
	say "tp-rc $1=$rc"
}
guest_main() {
	local d p run=0
	nic_setup
	# eth0's device is the virtio device; its parent the PCI function.
	PCI0=$(basename "$(readlink -f /sys/class/net/eth0/device/..)")
	PCI1=$(basename "$(readlink -f /sys/class/net/eth1/device/..)")
	modprobe uio_pci_generic
	echo "$TG_HUGEPAGES" >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
	for d in eth0 eth1; do /sbin/ip link set "$d" down; done
	for p in $PCI0 $PCI1; do
		echo uio_pci_generic >/sys/bus/pci/devices/$p/driver_override
		echo "$p" >/sys/bus/pci/devices/$p/driver/unbind
		echo "$p" >/sys/bus/pci/drivers_probe
	done
	say "bound eth0=$PCI0:$(basename "$(readlink /sys/bus/pci/devices/$PCI0/driver)")" \
		"eth1=$PCI1:$(basename "$(readlink /sys/bus/pci/devices/$PCI1/driver)")" \
		"hugepages=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)" \
		"netdevs=$(ls /sys/class/net | paste -sd,)"
	ctl_open
	say "ctl-ready"
	while ctl_next; do
		case $CTL in
		start) run=$((run + 1)); tp_start $run ;;
		stop) tp_stop $run ;;
		finish) break ;;
		esac
	done
}
EOS
}

# Guest B: the agent, fwd eth0 <-> eth1 over AF_XDP.
tg_guest_b() {
	echo "FWD_PORT=$FWD_PORT"
	tg_guest_common
	cat <<'EOS'
guest_main() {
	local run=0 apid
	nic_setup
	ctl_open
	say "ctl-ready"
	while ctl_next; do
		case $CTL in
		start)
			run=$((run + 1))
			say "run-begin $run"
			"$VMT_AGENT_BIN" -m fwd -i eth0 -i eth1 -q all -f "udp dport $FWD_PORT" \
				--stats json --interval 1000 &
			apid=$!
			;;
		stop)
			kill -TERM $apid
			wait $apid
			say "run-end $run rc=$?"
			;;
		finish) break ;;
		esac
	done
}
EOS
}

# tg_define G ROLE TAP_IN TAP_OUT MEM_MB QUEUES [vm xml option...]: defines
# and starts guest G (a or b); sets TG_DIR_G, TG_CON_G, TG_PID_G. Its
# console and domain XML are linked from TG_HOST_DIR (the scenario's
# VM_DIR: what a failure keeps as artifacts).
tg_define() {
	local g=$1 role=$2 tin=$3 tout=$4 nics="" s xml
	VM_MEM_MB=$5 VM_QUEUES=$6
	shift 6
	VM_NAME="$VMT_PREFIX-$$-tg-$g"
	VM_SCRIPT="$VMT_WORK/run/$VM_NAME.scenario.sh"
	"tg_guest_$g" | guest_script "$VM_SCRIPT"
	defer "rm -f $VM_SCRIPT"
	vm_prepare_dir || return 1
	defer "rm -rf $VM_DIR"
	cp "$VM_SCRIPT" "$VM_DIR/scenario.txt"
	ln -s "$VM_CONSOLE" "$TG_HOST_DIR/console-$g.log"
	ln -s "$VM_DIR/domain.xml" "$TG_HOST_DIR/domain-$g.xml"
	ln -s "$VM_DIR/scenario.txt" "$TG_HOST_DIR/scenario-$g.txt"
	mkfifo -m 0666 "$VM_DIR/ctl.in" "$VM_DIR/ctl.out" || return 1
	for s in "$tin $VMT_MAC_IN" "$tout $VMT_MAC_OUT"; do
		# shellcheck disable=SC2086
		nics+=$("$AFXDP_HOST" -c "$LIBVIRT_URI" vm xml --vcpus "$VM_VCPUS" \
			--tap ${s% *} --mac ${s#* } --queues "$VM_QUEUES" --machine q35 "$@" \
			2>>"$VM_DIR/afxdp-host.err") || { diag "afxdp-host vm xml failed"; return 1; }
		nics+=$'\n'
	done
	nics+="<serial type='pipe'><source path='$VM_DIR/ctl'/><target port='1'/></serial>"
	printf '%s\n' "$nics" >"$VM_DIR/interfaces.xml"
	xml="$VM_DIR/domain.xml"
	domain_xml_base | awk -v f="$VM_DIR/interfaces.xml" \
		'/<\/devices>/{while ((getline l < f) > 0) print l} {print}' >"$xml"
	virsh_ define "$xml" >"$VM_DIR/virsh.log" 2>&1 || {
		diag "virsh define $role failed: $(cat "$VM_DIR/virsh.log")"; return 1; }
	defer "virsh_ undefine $VM_NAME"
	defer "virsh_ destroy $VM_NAME"
	virsh_ start "$VM_NAME" >>"$VM_DIR/virsh.log" 2>&1 || {
		diag "virsh start $role failed: $(tail -3 "$VM_DIR/virsh.log")"
		cp /var/log/libvirt/qemu/"$VM_NAME".log "$VM_DIR/" 2>/dev/null
		return 1; }
	wait_for "qemu pid file" 10 test -s "/run/libvirt/qemu/$VM_NAME.pid" || return 1
	VM_PID=$(cat "/run/libvirt/qemu/$VM_NAME.pid")
	track_pid "$VM_PID"
	defer "kill_pid $VM_PID 5"
	virsh_ dumpxml "$VM_NAME" >"$VM_DIR/domain-live.xml" 2>/dev/null
	printf -v "TG_DIR_$g" %s "$VM_DIR"
	printf -v "TG_CON_$g" %s "$VM_CONSOLE"
	printf -v "TG_PID_$g" %s "$VM_PID"
}

# tg_ctl G CMD: a command line to guest G's ttyS1.
tg_ctl() {
	local d="TG_DIR_$1"
	# shellcheck disable=SC2016 # expanded by that sh
	timeout 10 sh -c 'echo "$1" >"$2"' _ "$2" "${!d}/ctl.in"
}
tg_con() { local c="TG_CON_$1"; echo "${!c}"; }
tg_pid() { local p="TG_PID_$1"; echo "${!p}"; }
# tg_wait G REGEX TMO
tg_wait() { wait_console "$(tg_con "$1")" "$2" "$3" "$(tg_pid "$1")"; }
# tg_val G REGEX: the first capture of the last console line matching.
tg_val() { tr -d '\r' <"$(tg_con "$1")" | sed -nE "s/$2/\\1/p" | tail -1; }

# tg_tp_stat RUN PORT FIELD: from testpmd run RUN's final statistics.
tg_tp_stat() {
	tr -d '\r' <"$TG_CON_a" | sed -n "s/^TP$1: //p" | awk -v port="$2" -v field="$3:" '
		/Forward statistics for port/ { cur = ($6 == port) ? 1 : 0; next }
		/^ *[+-]+ *$/ || /^ *$/ { cur = 0; next }
		cur { for (i = 1; i < NF; i++) if ($i == field) v = $(i + 1) }
		END { if (v != "") print v }'
}

# tg_tp_port RUN MAC: testpmd's port id of the device with MAC in run RUN.
tg_tp_port() {
	tg_val a "^VMTEST: tp-ready $1 (.*)" | tr ' ' '\n' | grep -B1 -ix "$2" | head -1 |
		sed 's/:$//'
}

# tg_agent_run RUN: the console lines of B's agent run RUN, in a file.
tg_agent_run() {
	local f="$TG_DIR_b/run-$1.log"
	tr -d '\r' <"$TG_CON_b" | sed -n "/^VMTEST: run-begin $1\$/,/^VMTEST: run-end $1 /p" >"$f"
	echo "$f"
}
tg_agent_up() { grep -qE '"type": ?"stats"' "$(tg_agent_run "$1")"; }

# tg_traffic NAME N RATE G...: N frames at RATE into each guest G's in-tap
# at the same time; each sink's count into TG_SINK_G.
tg_traffic() {
	local name=$1 n=$2 rate=$3 g pids=() sinks=()
	shift 3
	for g in "$@"; do
		sink_start "$VM_NS" "tout$g" "$FWD_PORT" "$VM_DIR/sink-$name-$g.json" || return 1
		sinks+=("$SINK_PID")
	done
	for g in "$@"; do
		tg_gen_start "$g" "$name" "$n" "$rate"
		pids+=("$GEN_PID")
	done
	wait "${pids[@]}"
	sleep 3
	kill -TERM "${sinks[@]}" 2>/dev/null
	wait "${sinks[@]}" 2>/dev/null
}

# tg_gen_start G NAME N RATE: the generator into G's in-tap (GEN_PID).
tg_gen_start() {
	local mac="TG_MAC_${1^^}_IN"
	VMT_MAC_IN=${!mac} gen_start "$VM_NS" "tin$1" "$3" "$4" "$FWD_FLOWS" "$FWD_PORT" \
		"$VM_DIR/gen-$2-$1.json"
}

# tg_counts NAME N G...: generator and sink counted exactly N for each G;
# a miss says where the frames went (tg_lost_where).
tg_counts() {
	local name=$1 n=$2 g
	shift 2
	for g in "$@"; do
		assert_eq "two-guests $name: generator into $g sent $n, sink behind $g counted exactly $n" \
			"$n $n" "$(json_get "$VM_DIR/gen-$name-$g.json" 'j["sent"]') $(json_get "$VM_DIR/sink-$name-$g.json" 'j["frames"]')" ||
			tg_lost_where "$name" "$g"
	done
}

# tg_lost_where NAME G: what the sink saw besides the test's frames, the
# out-tap's own counters (frames the guest's QEMU wrote to it) and, for
# B, the agent's latest per-queue TX and completions on eth1 (a CI run
# once had the agent submit and the sink see none, with no more to go on).
tg_lost_where() {
	local name=$1 g=$2
	diag "sink behind $g: $(cat "$VM_DIR/sink-$name-$g.json" 2>/dev/null)" \
		"$(head -c 300 "$VM_DIR/sink-$name-$g.json.err" 2>/dev/null)"
	diag "host tout$g: $(in_ns "$VM_NS" ip -s -s link show dev "tout$g" 2>&1 | tr -s ' \n' ' ')"
	diag "host tin$g: $(in_ns "$VM_NS" ip -s link show dev "tin$g" 2>&1 | tr -s ' \n' ' ')"
	[ "$g" = b ] || return 0
	# agent_json.py reads the console as it is (it strips the tty's \r).
	diag "agent in b, eth1 queues (latest stats): $(AGENT_LOG=$TG_CON_b agent_val \
		'" ".join("q%d tx=%d done=%d mode=%s" % (x["queue"], x["tx_packets"], x["tx_completed"], x.get("socket_mode")) for x in q("eth1"))' stats)"
	tr -d '\r' <"$TG_CON_b" | grep -iE 'virtio|xsk|xdp|WARN|BUG' | tail -5 |
		while read -r l; do diag "b console: $l"; done
}

# tg_restart G WHAT READY_CMD...: stop and start guest G's forwarder while
# the other guest's stream runs (GEN_PID); READY_CMD says it is back.
tg_restart_during() {
	local g=$1 what=$2 stop_re=$3 tmo=120 t0=$SECONDS
	shift 3
	if ! { tg_ctl "$g" stop && tg_wait "$g" "$stop_re" "$tmo"; }; then
		diag "$what did not stop"
		return 1
	fi
	tg_ctl "$g" start || return 1
	wait_for "$what back" "$tmo" "$@" || { diag "$what did not come back"; return 1; }
	TG_RESTART_S=$((SECONDS - t0))
}

scn_two_guests() {
	VM_NAME="$VMT_PREFIX-$$-tg"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_OFFLOADS=off VM_CPU=Nehalem
	local t0=$SECONDS g n1=$TG_N n2=$TG_STREAM_N pa_in pa_out alive
	TG_HOST_DIR=$VMT_WORK/run/$VM_NAME
	mkdir -p "$TG_HOST_DIR"
	if ! { netns_create "$VM_NS" && tap_create "$VM_NS" tina 1 && tap_create "$VM_NS" touta 1 &&
		tap_create "$VM_NS" tinb "$FWD_QUEUES" && tap_create "$VM_NS" toutb "$FWD_QUEUES"; }; then
		not_ok "two-guests: namespace and the four taps"
		return 1
	fi
	libvirtd_start || { not_ok "two-guests: libvirtd in the taps' namespace"; return 1; }
	# A: plain virtio (its PMD drives the device), B: iommu on (zero-copy).
	VMT_MAC_IN=$TG_MAC_A_IN VMT_MAC_OUT=$TG_MAC_A_OUT tg_define a DPDK tina touta 1280 1 ||
		{ not_ok "two-guests: guest A (DPDK) defined and started through libvirt"; return 1; }
	VMT_MAC_IN=$TG_MAC_B_IN VMT_MAC_OUT=$TG_MAC_B_OUT tg_define b AF_XDP tinb toutb 1024 "$FWD_QUEUES" --zero-copy ||
		{ not_ok "two-guests: guest B (AF_XDP) defined and started through libvirt"; return 1; }
	# From here VM_DIR and VM_NAME are the scenario's own (the host's
	# files, artifacts, the run directory scenario_end removes).
	VM_NAME="$VMT_PREFIX-$$-tg" VM_DIR=$TG_HOST_DIR
	ok "two-guests: guests A (DPDK, pid $TG_PID_a) and B (AF_XDP, pid $TG_PID_b) started from afxdp-host vm xml interfaces"
	assert_eq "two-guests: every interface of both domains has guest csum/tso4/tso6/ecn/ufo off (afxdp-host vm xml)" 4 \
		"$(cat "$TG_DIR_a/domain-live.xml" "$TG_DIR_b/domain-live.xml" |
			grep -cE "<guest csum=['\"]off['\"] tso4=['\"]off['\"] tso6=['\"]off['\"] ecn=['\"]off['\"] ufo=['\"]off")"
	for g in a b; do
		tg_wait $g 'VMTEST: ctl-ready' $((BOOT_TMO + 300)) ||
			{ not_ok "two-guests: guest $g booted and listens on ttyS1"; return 1; }
	done
	ok "two-guests: both guests booted ($((SECONDS - t0)) s)"
	assert_match "two-guests: A's NICs bound to uio_pci_generic, hugepages, no netdev left but lo" \
		"eth0=[0-9a-f:.]+:uio_pci_generic eth1=[0-9a-f:.]+:uio_pci_generic hugepages=$TG_HUGEPAGES netdevs=lo$" \
		"$(tg_val a '^VMTEST: (bound .*)')"

	tg_ctl a start && tg_ctl b start
	if ! tg_wait a 'VMTEST: tp-(ready|failed) 1' 300 || ! console_has "$TG_CON_a" 'VMTEST: tp-ready 1'; then
		not_ok "two-guests: testpmd (virtio PMD) started in A"
		tr -d '\r' <"$TG_CON_a" | grep '^TP1: ' | tail -15 | while read -r l; do diag "$l"; done
		return 1
	fi
	pa_in=$(tg_tp_port 1 "$TG_MAC_A_IN") pa_out=$(tg_tp_port 1 "$TG_MAC_A_OUT")
	ok "two-guests: testpmd in A forwards io with the virtio PMD (eth0 = port $pa_in, eth1 = port $pa_out)"
	wait_for "agent in B" 180 tg_agent_up 1 || { not_ok "two-guests: agent started in B"; return 1; }
	ok "two-guests: the agent in B forwards over AF_XDP"

	# 1. Both at once.
	tg_traffic both1 "$n1" "$TG_RATE" a b || { not_ok "two-guests: traffic into both"; return 1; }
	tg_counts both1 "$n1" a b

	# 2. testpmd in A stops and starts while B forwards a stream.
	sink_start "$VM_NS" toutb "$FWD_PORT" "$VM_DIR/sink-arestart-b.json" || return 1
	tg_gen_start b arestart "$n2" "$TG_STREAM_RATE"
	sleep 2
	if tg_restart_during a "testpmd in A" 'VMTEST: tp-rc 1=' console_has "$TG_CON_a" 'VMTEST: tp-(ready|failed) 2'; then
		pid_alive "$GEN_PID"
		alive=$?
		assert_eq "two-guests: testpmd in A stopped and started again within B's stream ($TG_RESTART_S s)" 0 "$alive"
	else
		not_ok "two-guests: testpmd in A stopped and started again"
	fi
	wait "$GEN_PID"
	sleep 3
	sink_stop
	tg_counts arestart "$n2" b
	console_has "$TG_CON_a" 'VMTEST: tp-ready 2' || { not_ok "two-guests: testpmd in A started again"; return 1; }
	assert_eq "two-guests: testpmd run 1 exit code" 0 "$(tg_val a '^VMTEST: tp-rc 1=([0-9]+)')"
	assert_eq "two-guests: testpmd run 1: RX on eth0 and TX on eth1 exactly $n1" "$n1 $n1" \
		"$(tg_tp_stat 1 "$pa_in" RX-packets) $(tg_tp_stat 1 "$pa_out" TX-packets)"

	# 3. The agent in B stops and starts while A forwards a stream.
	sink_start "$VM_NS" touta "$FWD_PORT" "$VM_DIR/sink-brestart-a.json" || return 1
	tg_gen_start a brestart "$n2" "$TG_STREAM_RATE"
	sleep 2
	if tg_restart_during b "the agent in B" 'VMTEST: run-end 1 ' tg_agent_up 2; then
		pid_alive "$GEN_PID"
		alive=$?
		assert_eq "two-guests: the agent in B stopped and started again within A's stream ($TG_RESTART_S s)" 0 "$alive"
	else
		not_ok "two-guests: the agent in B stopped and started again"
	fi
	wait "$GEN_PID"
	sleep 3
	sink_stop
	tg_counts brestart "$n2" a
	AGENT_LOG=$(tg_agent_run 1)
	assert_eq "two-guests: agent run 1 exit code" 0 "$(tg_val b '^VMTEST: run-end 1 rc=([0-9]+)')"
	assert_eq "two-guests: agent run 1: rx on eth0, tx on eth1, drops: $((n1 + n2)) $((n1 + n2)) 0" \
		"$((n1 + n2)) $((n1 + n2)) 0" \
		"$(agent_val '"%d %d %d" % (s(q("eth0"), "rx_packets"), s(q("eth1"), "tx_packets"), j["totals"]["drops"])')"
	diag "agent run 1 socket modes: $(agent_val '",".join(sorted(set(x.get("socket_mode") for x in j["queues"])))'), eth1 tx completed: $(agent_val 's(q("eth1"), "tx_completed")')"
	AGENT_LOG=

	# 4. Both at once again, after both restarts.
	tg_traffic both2 "$n1" "$TG_RATE" a b || { not_ok "two-guests: traffic into both again"; return 1; }
	tg_counts both2 "$n1" a b

	tg_ctl a stop && tg_ctl b stop
	if ! { tg_wait a 'VMTEST: tp-rc 2=' 60 && tg_wait b 'VMTEST: run-end 2 ' 60; }; then
		not_ok "two-guests: testpmd and the agent stopped at the end"
		return 1
	fi
	assert_eq "two-guests: testpmd run 2: RX on eth0 and TX on eth1 exactly $((n2 + n1))" \
		"$((n2 + n1)) $((n2 + n1))" \
		"$(tg_tp_stat 2 "$(tg_tp_port 2 "$TG_MAC_A_IN")" RX-packets) $(tg_tp_stat 2 "$(tg_tp_port 2 "$TG_MAC_A_OUT")" TX-packets)"
	AGENT_LOG=$(tg_agent_run 2)
	assert_eq "two-guests: agent run 2: rx on eth0, tx on eth1, drops: $n1 $n1 0" "$n1 $n1 0" \
		"$(agent_val '"%d %d %d" % (s(q("eth0"), "rx_packets"), s(q("eth1"), "tx_packets"), j["totals"]["drops"])')"
	AGENT_LOG=
	tg_ctl a finish && tg_ctl b finish
	for g in a b; do
		tg_wait $g 'VMTEST: done rc=' 60
		VM_PID=$(tg_pid $g) vm_wait_exit 60
		! console_has "$(tg_con $g)" 'BUG: |Oops: |general protection fault'
		assert_eq "two-guests: no kernel oops in guest $g" 0 $?
	done
	diag "two-guests scenario: $((SECONDS - t0)) s"
}
