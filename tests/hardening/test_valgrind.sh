#!/bin/bash
# Memcheck: the agent's start/forward/stop cycle (fwd and txgen) in a
# netns, and every afxdp-host subcommand in dry-run, under valgrind with
# --error-exitcode=99 --leak-check=full. Definite leaks are errors; what a
# library keeps reachable until exit is not. tests/hardening/valgrind.supp
# holds the suppressions, each a proven valgrind limitation.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxv$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "valgrind suite"
HOST=${HOST:-$TOP/host/afxdp-host}
VG=(valgrind --error-exitcode=99 --leak-check=full
	--errors-for-leak-kinds=definite --show-leak-kinds=definite
	--suppressions="$TOP/tests/hardening/valgrind.supp")
if ! command -v valgrind >/dev/null; then
	skip "valgrind" "valgrind is not installed (scripts/deps.sh installs it)"
	tap_done
	exit 0
fi

# vg_summary LOG: "N errors, D bytes definitely lost"
vg_summary() {
	local e d
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$1" | tail -1)
	d=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$1" | tail -1)
	echo "${e:-?} errors, ${d:-0} bytes definitely lost"
}

# 1. The agent: start, forward 1000 frames, SIGTERM. Valgrind runs it
#    ~20x slower: a low rate, and time to set up.
cat >"$WORK/vg-agent" <<EOS
#!/bin/sh
exec valgrind --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions=$TOP/tests/hardening/valgrind.supp \
	--log-file=$WORK/vg-\$VG_NAME.log $AGENT "\$@"
EOS
chmod +x "$WORK/vg-agent"
topo_up 1
CTL=$WORK/ctl.sock
vg_start() { # NAME ARGS...: sets AGENT_PID once the agent logs "ready:"
	local name=$1
	shift
	"$NSRUN" "$FWD_NS" env VG_NAME="$name" "$WORK/vg-agent" -m fwd -i in0 \
		-i out0 --stats json --interval 0 --set "ctl.socket=$CTL" "$@" \
		>"$WORK/$name.json" 2>"$WORK/$name.log" &
	AGENT_PID=$!
	for _ in $(seq 600); do
		grep -q "info: ready: " "$WORK/$name.log" && return 0
		alive "$AGENT_PID" || return 1
		sleep 0.1
	done
	return 1
}
vg_start fwd
alive "$AGENT_PID"
assert_eq "agent fwd: sets up under valgrind" 0 $? || sed 's/^/#   /' "$WORK/fwd.log"
sink_start vgs 4400 -n 1000 -t 60 -I 10
txgen "$GEN_NS" gen0 --count 1000 --rate 1000 --dst-port 4400 >/dev/null
assert_eq "agent fwd: forwards 1000 frames under valgrind" 1000 "$(sink_result vgs .frames)"
kill -TERM "$AGENT_PID"
wait_exit "$AGENT_PID" 120
AGENT_PID=
diag "agent fwd: $(vg_summary "$WORK/vg-fwd.log")"
assert_eq "agent fwd: memcheck clean, exit 0 after SIGTERM" 0 "$WAIT_RC" ||
	grep -E '^==[0-9]+== (Invalid|Syscall|Conditional|Use of|  (at|by) )' \
		"$WORK/vg-fwd.log" | head -20 | sed 's/^/#   /'
assert_eq "agent fwd: no XDP program left" none "$(xdp_prog_on "$FWD_NS" in0)"

# A handover cycle under memcheck: the old agent exits by itself, clean;
# the new one forwards and stops clean; nothing of either is left.
vg_start ho0
assert_eq "handover: first agent sets up under valgrind" 0 $?
old=$AGENT_PID
vg_start ho1 --takeover
assert_eq "handover: second agent takes over under valgrind" 0 $?
wait_exit "$old" 120
diag "handover, old agent: $(vg_summary "$WORK/vg-ho0.log")"
assert_eq "handover: the old agent exits 0, memcheck clean" 0 "$WAIT_RC"
assert_match "handover: handed over" "data path handed over" "$(cat "$WORK/ho0.log")"
sink_start vgh 4401 -n 1000 -t 60 -I 10
txgen "$GEN_NS" gen0 --count 1000 --rate 1000 --dst-port 4401 >/dev/null
assert_eq "handover: the new agent forwards 1000 frames under valgrind" 1000 "$(sink_result vgh .frames)"
kill -TERM "$AGENT_PID"
wait_exit "$AGENT_PID" 120
AGENT_PID=
diag "handover, new agent: $(vg_summary "$WORK/vg-ho1.log")"
assert_eq "handover: the new agent exits 0, memcheck clean" 0 "$WAIT_RC" ||
	grep -E '^==[0-9]+== (Invalid|Syscall|Conditional|Use of|  (at|by) )' \
		"$WORK/vg-ho1.log" | head -20 | sed 's/^/#   /'
assert_eq "handover: no XDP program left" none "$(xdp_prog_on "$FWD_NS" in0)"
assert_eq "handover: control socket removed" no "$([ -e "$CTL" ] && echo yes || echo no)"

"$NSRUN" "$GEN_NS" env VG_NAME=txgen "$WORK/vg-agent" -m txgen -i gen0 \
	--stats json --interval 0 --count 500 --rate 1000 --src-mac $GEN_MAC \
	--dst-mac $IN_MAC >"$WORK/txgen.json" 2>"$WORK/txgen.err" &
GEN=$!
wait_exit "$GEN" 120
diag "agent txgen: $(vg_summary "$WORK/vg-txgen.log")"
assert_eq "agent txgen: memcheck clean, exit 0" 0 "$WAIT_RC" ||
	grep -E '^==[0-9]+== (Invalid|Syscall|Conditional|Use of|  (at|by) )' \
		"$WORK/vg-txgen.log" | head -20 | sed 's/^/#   /'
assert_eq "agent txgen: sent 500 frames" 500 \
	"$(grep '"type":"final"' "$WORK/txgen.json" | jq .totals.tx_packets)"

# 2. afxdp-host: each subcommand in dry-run (what changes nothing), with
#    libvirt's test driver and a fake sysfs tree with an SR-IOV PF.
fs=$WORK/sys
pfdev=$fs/devices/pci0000:00/0000:00:03.0
mkdir -p "$pfdev/net/fpf0" "$fs/class/net" "$fs/bus/pci/drivers/vfio-pci" \
	"$fs/bus/pci/drivers/iavf" "$fs/kernel/iommu_groups" "$WORK/proc"
ln -sfn "../../devices/pci0000:00/0000:00:03.0/net/fpf0" "$fs/class/net/fpf0"
ln -sfn ../../../0000:00:03.0 "$pfdev/net/fpf0/device"
echo 8 >"$pfdev/sriov_totalvfs"
echo 2 >"$pfdev/sriov_numvfs"
echo 1 >"$pfdev/sriov_drivers_autoprobe"
for d in vfio-pci iavf; do
	: >"$fs/bus/pci/drivers/$d/bind"
	: >"$fs/bus/pci/drivers/$d/unbind"
done
: >"$fs/bus/pci/drivers_probe"
for i in 0 1; do
	vf=0000:00:10.$i
	mkdir -p "$fs/devices/pci0000:00/$vf/net/fpf0v$i" "$fs/kernel/iommu_groups/2$i"
	ln -sfn "../$vf" "$pfdev/virtfn$i"
	ln -sfn ../../../bus/pci/drivers/iavf "$fs/devices/pci0000:00/$vf/driver"
	ln -sfn "../../../kernel/iommu_groups/2$i" "$fs/devices/pci0000:00/$vf/iommu_group"
	echo '(null)' >"$fs/devices/pci0000:00/$vf/driver_override"
done
LV="test://$TOP/tests/host/data/libvirt-test.xml"
S=(--sysfs-root "$fs" --proc-root "$WORK/proc")
cmds=(
	"-n probe"
	"-n -j probe"
	"-n vm xml --vcpus 4 --network default"
	"-n vm xml --vcpus 8 --tap tap0 --mac 52:54:00:12:34:56 --mtu 1500 -j"
	"-c $LV -n vm set vm-plain --vhost-dev /nonexistent/vhost-net"
	"-c $LV -n vm attach vm-plain --network default --config"
	"-c $LV vm show vm-plain"
	"${S[*]} -n sriov set fpf0 --numvfs 4"
	"${S[*]} -n sriov vf fpf0 0 --trust on --mac 02:00:00:00:00:10"
	"${S[*]} -n sriov bind fpf0 --vfs 0-1 --driver vfio-pci"
	"${S[*]} sriov show fpf0"
	"${S[*]} -n sriov set fpf0 --numvfs 4 --persist --persist-root $WORK/persist"
	"${S[*]} -n sriov apply fpf0 --persist-root $WORK/persist"
	"${S[*]} -c test:///default -n sriov vm test --pf fpf0 --vf 1 --config"
)
n=0
for c in "${cmds[@]}"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # the command lines are split on purpose
	"$HOST" $c >/dev/null 2>&1
	native=$?
	# shellcheck disable=SC2086
	"${VG[@]}" --log-file="$WORK/vg-host$n.log" "$HOST" $c >/dev/null 2>&1
	rc=$?
	sub=$(echo "$c" | sed "s|$WORK|\$WORK|g; s|$TOP|\$TOP|g")
	diag "afxdp-host $sub: exit $native natively; $(vg_summary "$WORK/vg-host$n.log")"
	if [ "$rc" = 99 ]; then
		not_ok "afxdp-host $sub: memcheck clean"
		grep -E '^==[0-9]+== (Invalid|Syscall|Conditional|Use of|.*definitely|  (at|by) )' \
			"$WORK/vg-host$n.log" | head -12 | sed 's/^/#   /'
	else
		assert_eq "afxdp-host $sub: memcheck clean, same exit code as without valgrind ($native)" \
			"$native" "$rc"
	fi
done

tap_done
