#!/bin/bash
# images/test/run.sh: boot the guest image (images/out/afxdp-guest.qcow2)
# under libvirt (domain type='qemu', virtio-net multiqueue as
# `afxdp-host vm xml` writes it) with the cloud-init seeds of images/seed/,
# three boots of one disk:
#
#   1. seed "forward" (eth1 <-> eth2): cloud-init done, the agent unit
#      active, native XDP, frames sent by the host into eth1 come back out
#      of eth2 and the agent's counters reconcile with the host's
#   2. seed "filter-vxlan" with a new instance-id: the changed config is
#      applied (only UDP port 4789 is forwarded)
#   3. seed "forward" with a broken config and a new instance-id: the unit
#      fails with the config error in its journal and on the console, the
#      guest still boots and answers ping
#
# The seeds are the documented examples plus a bootcmd that only observes:
# the agent's stdout also goes to the console (a unit drop-in) and, once
# `cloud-init status --wait` returns, a report line per fact is printed on
# the console, which is all the test reads from the guest.
#
# Standalone (TAP through tests/lib/tap.sh), root; builds the image with
# `make images` when needed. Runs its own virtlogd/libvirtd in a private
# mount namespace (libvirtd inside the taps' netns) and stops them.
#   env: BOOT_TIMEOUT (s per boot, default 900), KEEP=1 keeps the work dir
set -u
# A private mount namespace: libvirt's state directories are tmpfs here and
# the netns mount goes away with the run, whatever happens to this script.
if [ -z "${AFXDP_IMG_MNTNS:-}" ] && [ "$(id -u)" = 0 ]; then
	export AFXDP_IMG_MNTNS=1
	exec unshare --mount --propagation private "$0" "$@"
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# The test VMs' CPU (RDRAND, trusted): domain_xml_cpu, VM_CPU_CMDLINE.
# shellcheck source=../../vm-tests/lib/cpu.sh
. "$top/vm-tests/lib/cpu.sh"

BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
VCPUS=2
GUEST_IP=192.0.2.10
HOST_IP=192.0.2.1
id=$(($$ % 100000))
DOM=afxdp-img-test-$id
TAP_M=axi${id}m TAP_A=axi${id}a TAP_B=axi${id}b
MAC_M=52:54:00:af:01:00 MAC_A=52:54:00:af:01:01 MAC_B=52:54:00:af:01:02
NETNS=afxdpimg$id
W=
started_libvirtd= started_virtlogd= made_netns=
NSX=()

cleanup() {
	if [ -n "$W" ]; then
		virsh -q destroy "$DOM" >/dev/null 2>&1
		virsh -q undefine "$DOM" >/dev/null 2>&1
	fi
	for t in $TAP_M $TAP_A $TAP_B; do
		[ ${#NSX[@]} -gt 0 ] && "${NSX[@]}" ip link del "$t" 2>/dev/null
	done
	[ -n "$started_libvirtd" ] && kill "$started_libvirtd" 2>/dev/null
	[ -n "$started_virtlogd" ] && kill "$started_virtlogd" 2>/dev/null
	sleep 1
	[ -n "$made_netns" ] && ip netns del "$NETNS" 2>/dev/null
	if [ -n "$W" ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$W"; fi
	[ -n "$W" ] && [ "${KEEP:-0}" = 1 ] && echo "# work dir kept: $W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

bail() { not_ok "$1"; [ $# -gt 1 ] && diag "$2"; tap_done; exit 1; }

# ---- facilities ----------------------------------------------------------
if ! need_root "image boot test"; then tap_done; exit 0; fi
for c in virsh libvirtd virtlogd qemu-system-x86_64 qemu-img cloud-localds \
	python3 nsenter ping; do
	if ! command -v "$c" >/dev/null; then
		skip "image boot test" "$c not installed (make deps)"
		tap_done; exit 0
	fi
done

# ---- image ---------------------------------------------------------------
out=$top/images/out
if make -C "$top" --no-print-directory images >"${TMPDIR:-/tmp}/afxdp-images-build.$$.log" 2>&1; then
	ok "make images builds the image and the seeds"
else
	tail -n 15 "${TMPDIR:-/tmp}/afxdp-images-build.$$.log" | sed 's/^/#   /'
	bail "make images builds the image and the seeds"
fi
rm -f "${TMPDIR:-/tmp}/afxdp-images-build.$$.log"
for f in afxdp-guest.qcow2 vmlinuz initrd.img; do
	[ -f "$out/$f" ] || bail "image file $out/$f exists"
done

W=$(mktemp -d /var/tmp/afxdp-images-test.XXXXXX)
chmod 0755 "$W"

# ---- libvirt and the taps ------------------------------------------------
# Our own virtlogd and libvirtd on tmpfs state directories of this private
# mount namespace: no system libvirt or other test's daemon is touched.
# libvirtd runs in the taps' netns (it opens them by name), entered with
# nsenter so it keeps the host's /sys and cgroups.
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt \
	/etc/libvirt/qemu; do
	mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d" ||
		bail "tmpfs on $d (private mount namespace)"
done
# The QEMU driver needs the libvirt-qemu user and the stock qemu.conf,
# both from libvirt-daemon-system (scripts/deps.sh).
id libvirt-qemu >/dev/null 2>&1 && [ -r /etc/libvirt/qemu.conf ] ||
	bail "libvirt-qemu user and /etc/libvirt/qemu.conf" \
		"libvirt-daemon-system is not installed (make deps-vm)"
# No private /dev for QEMU: this container may not create device nodes.
{ cat /etc/libvirt/qemu.conf; echo 'namespaces = []'; } >/run/libvirt/qemu.conf
mount --bind /run/libvirt/qemu.conf /etc/libvirt/qemu.conf || bail "qemu.conf"
ip netns add "$NETNS" || bail "create netns $NETNS"
made_netns=1
nspath=/run/netns/$NETNS
NSX=(nsenter --net="$nspath")
# bail_log STEP LOG: a failed daemon step, with the daemon's own words.
bail_log() { not_ok "$1"; diag_tail "$2" 20; tap_done; exit 1; }
vlog=/run/libvirt/virtlogd.log dlog=/run/libvirt/libvirtd.log
LIBVIRT_LOG_OUTPUTS="3:file:$vlog" virtlogd -d -p /run/libvirt/virtlogd.pid ||
	bail_log "start virtlogd" "$vlog"
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.2; done; return 1; }
wait_file /run/libvirt/virtlogd.pid || bail_log "virtlogd pid file" "$vlog"
started_virtlogd=$(cat /run/libvirt/virtlogd.pid)
LIBVIRT_LOG_OUTPUTS="3:file:$dlog" "${NSX[@]}" libvirtd -d -p /run/libvirt/libvirtd.pid ||
	bail_log "start libvirtd" "$dlog"
wait_file /run/libvirt/libvirtd.pid || bail_log "libvirtd pid file" "$dlog"
started_libvirtd=$(cat /run/libvirt/libvirtd.pid)
for _ in $(seq 60); do virsh -q version >/dev/null 2>&1 && break; sleep 0.5; done
virsh -q version >/dev/null 2>&1 || bail_log "libvirtd answers virsh" "$dlog"

"${NSX[@]}" ip tuntap add dev "$TAP_M" mode tap &&
	"${NSX[@]}" ip tuntap add dev "$TAP_A" mode tap multi_queue &&
	"${NSX[@]}" ip tuntap add dev "$TAP_B" mode tap multi_queue ||
	bail "create taps"
for t in $TAP_M $TAP_A $TAP_B; do
	# The host must not talk on the data taps: the counts are exact.
	"${NSX[@]}" sysctl -qw "net.ipv6.conf.$t.disable_ipv6=1"
	"${NSX[@]}" ip link set "$t" up
done
"${NSX[@]}" ip addr add "$HOST_IP/24" dev "$TAP_M"

# The data ports' <interface> elements come from afxdp-host.
iface_xml() { # TAP MAC
	"$top/host/afxdp-host" vm xml --vcpus "$VCPUS" --tap "$1" --mac "$2" 2>/dev/null
}
if [ -x "$top/host/afxdp-host" ] && x=$(iface_xml "$TAP_A" "$MAC_A" 2>&1) &&
	printf '%s' "$x" | grep -q "<interface"; then
	ok "afxdp-host vm xml writes the data port <interface>"
	IFACE_A=$x
	IFACE_B=$(iface_xml "$TAP_B" "$MAC_B")
else
	bail "afxdp-host vm xml writes the data port <interface>" "$x"
fi
assert_match "the <interface> is multiqueue with guest offloads off" \
	"queues=.[0-9]+.*" "$(printf '%s' "$IFACE_A" | tr -d '\n' | grep -E "<guest[^>]*csum=.off.")"

domain_xml() { # CONSOLE SEED
	cat <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>$VCPUS</vcpu>
$(domain_xml_cpu)
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$W/vmlinuz</kernel>
    <initrd>$W/initrd.img</initrd>
    <!-- No ahci: q35's SATA controller has nothing attached, and its probe
         stalled the initrd for minutes under a loaded TCG host. -->
    <cmdline>root=/dev/vda rw console=ttyS0 net.ifnames=0 modprobe.blacklist=ahci $VM_CPU_CMDLINE</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$W/disk.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$2'/>
      <target dev='vdb' bus='virtio'/>
      <readonly/>
    </disk>
    <interface type='ethernet'>
      <mac address='$MAC_M'/>
      <target dev='$TAP_M' managed='no'/>
      <model type='virtio'/>
    </interface>
$IFACE_A
$IFACE_B
    <serial type='file'>
      <source path='$1'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='$1'/>
      <target type='serial' port='0'/>
    </console>
  </devices>
</domain>
EOF
}

# ---- seeds ---------------------------------------------------------------
# Observation only: the agent's stdout to the console, and report lines once
# cloud-init is done. Appended as one more top-level key.
observer() {
	cat <<'EOF'
bootcmd:
  - |
    mkdir -p /run/systemd/system/afxdp-agent.service.d
    printf '[Service]\nStandardOutput=journal+console\n' > /run/systemd/system/afxdp-agent.service.d/90-test-console.conf
    cat > /run/afxdp-test-report.sh <<'EOS'
    r() { echo "AFXDP-TEST $*" > /dev/console; }
    cloud-init status --wait > /dev/null 2>&1
    r "cloud-init $(cloud-init status | tr '\n' ' ')"
    sleep 3
    r "agent-state $(systemctl show -p ActiveState --value afxdp-agent) $(systemctl show -p Result --value afxdp-agent) $(systemctl show -p ExecMainStatus --value afxdp-agent)"
    r "agent-user $(ps -o user= -C afxdp-agent | head -n 1)"
    r "agent-config $(md5sum < /etc/afxdp-kit/afxdp-agent.yaml | cut -c1-12)"
    journalctl -b -u afxdp-agent -o cat --no-pager | grep -v '^{' | tail -n 20 |
      while IFS= read -r l; do r "journal $l"; done
    r "report-done"
    EOS
    printf '[Service]\nType=oneshot\nExecStart=/bin/sh /run/afxdp-test-report.sh\n' > /run/systemd/system/afxdp-test-report.service
    systemctl daemon-reload
    systemctl start --no-block afxdp-test-report.service
EOF
}
make_seed() { # NAME SRC-DIR INSTANCE-ID [SED-EXPR]
	local d=$W/seed-$1
	mkdir -p "$d"
	{ sed "${4:-}" "$2/user-data"; observer; } >"$d/user-data"
	printf 'instance-id: %s\nlocal-hostname: afxdp-test\n' "$3" >"$d/meta-data"
	cloud-localds -N "$2/network-config" "$W/seed-$1.img" "$d/user-data" \
		"$d/meta-data" || bail "cloud-localds $1"
}
make_seed fwd "$top/images/seed/forward" "test-$id-1"
make_seed vxlan "$top/images/seed/filter-vxlan" "test-$id-2"
make_seed broken "$top/images/seed/forward" "test-$id-3" 's/^\( *mode:\) fwd$/\1 warp-drive/'
grep -q "warp-drive" "$W/seed-broken/user-data" || bail "broken seed has the bad mode"

cp "$out/vmlinuz" "$out/initrd.img" "$W/"
qemu-img create -q -f qcow2 -b "$out/afxdp-guest.qcow2" -F qcow2 "$W/disk.qcow2" ||
	bail "qemu-img overlay"

# ---- helpers -------------------------------------------------------------
CONSOLE=
boot() { # NAME SEED-IMG
	CONSOLE=$W/console-$1.log
	virsh -q destroy "$DOM" >/dev/null 2>&1
	virsh -q undefine "$DOM" >/dev/null 2>&1
	domain_xml "$CONSOLE" "$2" >"$W/domain-$1.xml"
	if ! virsh -q define "$W/domain-$1.xml" >"$W/virsh.log" 2>&1 ||
		! virsh -q start "$DOM" >>"$W/virsh.log" 2>&1; then
		sed 's/^/#   /' "$W/virsh.log"
		return 1
	fi
	local t=0
	while [ $t -lt "$BOOT_TIMEOUT" ]; do
		grep -aq "AFXDP-TEST report-done" "$CONSOLE" 2>/dev/null && return 0
		sleep 5
		t=$((t + 5))
	done
	diag "no report after ${BOOT_TIMEOUT}s; console tail:"
	tail -n 20 "$CONSOLE" 2>/dev/null | sed 's/^/#   /'
	return 1
}
halt() {
	virsh -q shutdown "$DOM" >/dev/null 2>&1
	for _ in $(seq 60); do
		virsh -q domstate "$DOM" 2>/dev/null | grep -q running || return 0
		sleep 1
	done
	virsh -q destroy "$DOM" >/dev/null 2>&1
}
report() { # KEY: the rest of the last "AFXDP-TEST KEY ..." console line
	grep -a "AFXDP-TEST $1" "$CONSOLE" | tail -n 1 | tr -d '\r' |
		sed "s/.*AFXDP-TEST $1 *//"
}
# The agent's newest complete JSON stats line on the console. The serial
# console is shared with the kernel and the report lines: a printk can land
# in the middle of a long stats line (CI of 2026-12-04), so a line that does
# not parse is skipped rather than read as empty values.
last_stats() {
	python3 "$top/vm-tests/tools/agent_json.py" --journal --type stats "$CONSOLE" j
}
wait_stats_after() { # N: wait until N more stats lines than now
	local n0 n
	n0=$(grep -ac 'afxdp-agent\[[0-9]*\]: {' "$CONSOLE")
	for _ in $(seq 60); do
		n=$(grep -ac 'afxdp-agent\[[0-9]*\]: {' "$CONSOLE")
		[ "$n" -ge $((n0 + $1)) ] && return 0
		sleep 1
	done
	return 1
}
# python3 helper: send frames into one tap and count what comes back out of
# another (AF_PACKET in the taps' netns), plus the taps' drop counters.
traffic() { # TX-TAP RX-TAP DST-MAC "DPORT:COUNT ..."
	"${NSX[@]}" python3 "$top/images/test/traffic.py" "$@"
}
jq_py() { # JSON EXPR: evaluate a Python expression on the parsed JSON "s"
	python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
SUM_Q='sum(q[k] for q in s["queues"] if q["ifname"] == i)'
sumq() { # JSON IFNAME KEY
	python3 -c 'import json,sys; s=json.loads(sys.argv[1]); i=sys.argv[2]; k=sys.argv[3]; print('"$SUM_Q"')' "$1" "$2" "$3" 2>/dev/null
}
portv() { # JSON IFNAME PROG-KEY
	python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print([p["prog"][sys.argv[3]] for p in s["ports"] if p["ifname"] == sys.argv[2]][0])' "$1" "$2" "$3" 2>/dev/null
}

# ---- boot 1: forward -----------------------------------------------------
if boot fwd "$W/seed-fwd.img"; then ok "boot 1 (forward seed): cloud-init reports back on the console"
else bail "boot 1 (forward seed): cloud-init reports back on the console"; fi
assert_match "boot 1: cloud-init status --wait: done" "status: done" "$(report cloud-init)"
assert_match "boot 1: afxdp-agent.service active" "^active success" "$(report agent-state)"
assert_eq "boot 1: the agent runs as the afxdp user" "afxdp" "$(report agent-user)"
assert_rc "boot 1: the guest answers ping on eth0" 0 "${NSX[@]}" ping -c 2 -W 3 "$GUEST_IP"
wait_stats_after 1
s=$(last_stats)
assert_match "boot 1: stats are JSON lines on stdout" '"mode": *"fwd"' "$s"
assert_eq "boot 1: eth1 attached in native XDP mode" native "$(jq_py "$s" '[p["xdp_mode"] for p in s["ports"] if p["ifname"]=="eth1"][0]')"
assert_eq "boot 1: eth2 attached in native XDP mode" native "$(jq_py "$s" '[p["xdp_mode"] for p in s["ports"] if p["ifname"]=="eth2"][0]')"

N=300
base_rx1=$(sumq "$s" eth1 rx_packets) base_tx2=$(sumq "$s" eth2 tx_packets)
base_red=$(portv "$s" eth1 redirected) base_txc2=$(sumq "$s" eth2 tx_completed)
tr=$(traffic "$TAP_A" "$TAP_B" "$MAC_A" "4000:$N")
diag "host: $tr"
sent=$(echo "$tr" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
got=$(echo "$tr" | sed -n 's/.*received=\([0-9]*\).*/\1/p')
tapdrop=$(echo "$tr" | sed -n 's/.*tx_tap_dropped=\([0-9]*\).*/\1/p')
wait_stats_after 2
s=$(last_stats)
rx1=$(( $(sumq "$s" eth1 rx_packets) - base_rx1 ))
tx2=$(( $(sumq "$s" eth2 tx_packets) - base_tx2 ))
red=$(( $(portv "$s" eth1 redirected) - base_red ))
txc2=$(( $(sumq "$s" eth2 tx_completed) - base_txc2 ))
drops=$(jq_py "$s" 's["totals"]["drops"]')
diag "agent: eth1 redirected=$red rx=$rx1, eth2 tx=$tx2 completed=$txc2, drops=$drops"
assert_eq "boot 1: the host sent every frame" "$N" "$sent"
assert_ge "boot 1: most frames reached the guest" $((N * 9 / 10)) $((sent - tapdrop))
assert_eq "boot 1: XDP redirected what the tap delivered" $((sent - tapdrop)) "$red"
assert_eq "boot 1: the agent received on eth1 what XDP redirected" "$red" "$rx1"
assert_eq "boot 1: the agent sent on eth2 what it received (drops=$drops)" "$rx1" $((tx2 + drops))
assert_eq "boot 1: the kernel completed every frame the agent sent on eth2" "$tx2" "$txc2"
assert_eq "boot 1: the host received out of eth2 what the agent sent" "$tx2" "$got"
halt

# ---- boot 2: a changed config under a new instance-id ---------------------
if boot vxlan "$W/seed-vxlan.img"; then ok "boot 2 (filter-vxlan seed, new instance-id): cloud-init reports back"
else bail "boot 2 (filter-vxlan seed, new instance-id): cloud-init reports back"; fi
assert_match "boot 2: cloud-init status --wait: done" "status: done" "$(report cloud-init)"
assert_match "boot 2: afxdp-agent.service active" "^active success" "$(report agent-state)"
want=$(sed -n '/^ *content: |/,/^runcmd:/p' "$top/images/seed/filter-vxlan/user-data" |
	sed '1d;$d' | sed 's/^      //' | md5sum | cut -c1-12)
assert_eq "boot 2: the new config file was written" "$want" "$(report agent-config)"
wait_stats_after 1
s=$(last_stats)
base_tx2=$(sumq "$s" eth2 tx_packets) base_red=$(portv "$s" eth1 redirected)
base_pass=$(portv "$s" eth1 passed)
tr=$(traffic "$TAP_A" "$TAP_B" "$MAC_A" "4789:100 5000:100")
diag "host: $tr"
got=$(echo "$tr" | sed -n 's/.*received=\([0-9]*\).*/\1/p')
tapdrop=$(echo "$tr" | sed -n 's/.*tx_tap_dropped=\([0-9]*\).*/\1/p')
wait_stats_after 2
s=$(last_stats)
red=$(( $(portv "$s" eth1 redirected) - base_red ))
pass=$(( $(portv "$s" eth1 passed) - base_pass ))
tx2=$(( $(sumq "$s" eth2 tx_packets) - base_tx2 ))
diag "agent: eth1 redirected=$red passed=$pass, eth2 tx=$tx2"
assert_eq "boot 2: the tap delivered every frame" 0 "$tapdrop"
assert_eq "boot 2: only UDP 4789 is redirected (new filter applied)" 100 "$red"
assert_ge "boot 2: the other port goes to the kernel stack" 100 "$pass"
assert_eq "boot 2: the host received only the VXLAN frames" 100 "$got"
assert_eq "boot 2: the host's count matches the agent's" "$tx2" "$got"
halt

# ---- boot 3: a broken config ---------------------------------------------
if boot broken "$W/seed-broken.img"; then ok "boot 3 (broken config): the guest boots and cloud-init reports back"
else bail "boot 3 (broken config): the guest boots and cloud-init reports back"; fi
assert_match "boot 3: afxdp-agent.service failed with exit status 2" "^failed exit-code 2" "$(report agent-state)"
assert_match "boot 3: the config error is in the journal" "warp-drive" "$(grep -a 'AFXDP-TEST journal' "$CONSOLE")"
assert_match "boot 3: the config error is on the console" "afxdp-agent\[[0-9]+\]: .*warp-drive" \
	"$(grep -av 'AFXDP-TEST' "$CONSOLE" | tr -d '\r')"
assert_rc "boot 3: the guest still answers ping on eth0" 0 "${NSX[@]}" ping -c 2 -W 3 "$GUEST_IP"
halt

tap_done
