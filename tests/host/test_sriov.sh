#!/bin/bash
# afxdp-host sriov end to end: real calls against a veth in a throwaway
# netns (must fail with "not SR-IOV capable"; a real RTM_GETLINK with
# RTEXT_FILTER_VF reports no VFs), bad input exit codes, and the CLI
# scenarios on a fake sysfs tree (--sysfs-root) since this host has no
# SR-IOV hardware. TAP through tests/lib/tap.sh.
set -u
top=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
H=${AFXDP_HOST:-$top/host/afxdp-host}
work=$(mktemp -d /tmp/test_sriov.XXXXXX)
ns=afxsriov$$
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

. "$top/tests/lib/fake_sysfs.sh"
jq_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

if [ ! -x "$H" ]; then
	not_ok "afxdp-host built at $H"
	tap_done
	exit 1
fi

# ---- help and man page ----
for sub in set vf bind show vm apply; do
	assert_rc "sriov $sub --help exits 0" 0 "$H" sriov "$sub" --help
done
assert_rc "sriov --help exits 0" 0 "$H" sriov --help
assert_match "sriov --help lists the commands" "bind PF --vfs LIST" "$OUT"
assert_match "sriov bind --help comes from its option table" "--driver DRIVER" "$("$H" sriov bind --help)"
assert_rc "man page renders with man -l" 0 env MANWIDTH=80 man -l "$top/host/afxdp-host-sriov.8"
assert_match "man page says what is not tested on hardware" "real SR-IOV hardware" "$OUT"

# ---- real kernel: a veth in a throwaway netns ----
if need_root "veth in a netns"; then
	ip netns add "$ns"
	ip -n "$ns" link add v0 type veth peer name v1
	ip -n "$ns" link set v0 up
	assert_rc "set on a veth fails (exit 1)" 1 ip netns exec "$ns" "$H" sriov set v0 --numvfs 2
	assert_match "set on a veth: clear error" "v0: not SR-IOV capable" "$OUT"
	assert_rc "vf on a veth fails (exit 1)" 1 ip netns exec "$ns" "$H" sriov vf v0 0 --trust on
	assert_match "vf on a veth: clear error" "not SR-IOV capable" "$OUT"
	assert_rc "show veth fails (exit 1)" 1 ip netns exec "$ns" "$H" sriov show v0
	# show asks the kernel too: RTM_GETLINK with IFLA_EXT_MASK=RTEXT_FILTER_VF
	assert_match "real RTM_GETLINK(RTEXT_FILTER_VF) on the veth: no VFs" "netlink reports 0 VFs" "$OUT"
	assert_rc "show (all) in the netns: no PF, exit 0" 0 ip netns exec "$ns" "$H" -j sriov show
	assert_eq "show --json in the netns lists no PF" 0 "$(printf '%s' "$OUT" | jq_get 'len(d["pfs"])')"
	assert_rc "unknown PF in the netns (exit 2)" 2 ip netns exec "$ns" "$H" sriov set nosuch0 --numvfs 1
	assert_match "unknown PF: clear error" "unknown PF 'nosuch0'" "$OUT"
fi

# ---- fake sysfs tree: CLI scenarios ----
fs=$work/sys
make_fake_tree "$fs" fpf0 8 0
S=("$H" --sysfs-root "$fs" --proc-root "$work/proc")
mkdir -p "$work/proc"

h0=$(tree_hash "$fs")
assert_rc "set 0 -> 4 --dry-run" 0 "${S[@]}" -n sriov set fpf0 --numvfs 4
assert_match "dry run prints the sysfs write" "sriov_numvfs: 0 -> 4" "$OUT"
assert_eq "dry run leaves the tree byte-identical" "$h0" "$(tree_hash "$fs")"
assert_rc "set 0 -> 4" 0 "${S[@]}" -j sriov set fpf0 --numvfs 4
assert_eq "set 0 -> 4: changed" True "$(printf '%s' "$OUT" | jq_get 'd["changed"]')"
assert_eq "numvfs is 4" 4 "$(cat "$fs/devices/pci0000:00/0000:00:03.0/sriov_numvfs")"
assert_rc "set 4 again" 0 "${S[@]}" -j sriov set fpf0 --numvfs 4
assert_eq "second run: changed false" False "$(printf '%s' "$OUT" | jq_get 'd["changed"]')"
assert_eq "second run: no changes listed" 0 "$(printf '%s' "$OUT" | jq_get 'len(d["changes"])')"
assert_rc "second run, human" 0 "${S[@]}" sriov set fpf0 --numvfs 4
assert_eq "second run says no change" "no change" "$OUT"

# the kernel would have created the VFs: emulate it
for i in 0 1 2 3; do make_fake_vf "$fs" fpf0 "$i" iavf; done
assert_rc "set 4 -> 8 --json --dry-run" 0 "${S[@]}" -j -n sriov set fpf0 --numvfs 8
assert_eq "N -> M goes through 0" "4>0 0>8" \
	"$(printf '%s' "$OUT" | jq_get '" ".join(c["old"]+">"+c["new"] for c in d["changes"])')"
assert_eq "dry run: changed means would change" True "$(printf '%s' "$OUT" | jq_get 'd["changed"]')"
assert_eq "dry run: dry_run true" True "$(printf '%s' "$OUT" | jq_get 'd["dry_run"]')"
assert_rc "numvfs > totalvfs (exit 2)" 2 "${S[@]}" sriov set fpf0 --numvfs 9
assert_match "numvfs > totalvfs: clear error" "exceeds sriov_totalvfs 8" "$OUT"
assert_rc "set 4 -> 8" 0 "${S[@]}" sriov set fpf0 --numvfs 8
assert_eq "numvfs is 8" 8 "$(cat "$fs/devices/pci0000:00/0000:00:03.0/sriov_numvfs")"
for i in 4 5 6 7; do make_fake_vf "$fs" fpf0 "$i" iavf; done

# split: 0-3 to vfio-pci (DPDK guests), 4-7 stay on the kernel driver
h1=$(tree_hash "$fs")
assert_rc "bind 0-3 vfio-pci --dry-run" 0 "${S[@]}" -n sriov bind fpf0 --vfs 0-3 --driver vfio-pci
assert_match "dry run lists the override write" "virtfn0/driver_override: \(null\) -> vfio-pci" "$OUT"
assert_no_match "dry run never names VFs 4-7" "virtfn[4-7]|0000:00:10\.[4-7]" "$OUT"
assert_eq "bind dry run leaves the tree byte-identical" "$h1" "$(tree_hash "$fs")"
vf4=$(sha256sum "$fs/devices/pci0000:00/0000:00:10.4/driver_override")
assert_rc "bind 0-3 vfio-pci" 0 "${S[@]}" sriov bind fpf0 --vfs 0-3 --driver vfio-pci
assert_eq "VF 0 override is vfio-pci" vfio-pci "$(cat "$fs/devices/pci0000:00/0000:00:10.0/driver_override")"
assert_eq "VF 4 untouched" "$vf4" "$(sha256sum "$fs/devices/pci0000:00/0000:00:10.4/driver_override")"
for i in 0 1 2 3; do ln -sfn ../../../bus/pci/drivers/vfio-pci "$fs/devices/pci0000:00/$(vf_addr $i)/driver"; done
assert_rc "bind 0-3 again" 0 "${S[@]}" sriov bind fpf0 --vfs 0-3 --driver vfio-pci
assert_eq "bind second run: no change" "no change" "$OUT"
assert_rc "bind 4-7 kernel (already)" 0 "${S[@]}" -j sriov bind fpf0 --vfs 4-7 --driver kernel
assert_eq "kernel group untouched: changed false" False "$(printf '%s' "$OUT" | jq_get 'd["changed"]')"
assert_rc "show fpf0 --json" 0 "${S[@]}" -j sriov show fpf0
assert_eq "show: vfio split" "[0, 1, 2, 3]" "$(printf '%s' "$OUT" | jq_get 'd["pfs"][0]["split"]["vfio"]')"
assert_eq "show: kernel split" "[4, 5, 6, 7]" "$(printf '%s' "$OUT" | jq_get 'd["pfs"][0]["split"]["kernel"]')"
assert_eq "show: VF 2 pci and driver" "0000:00:10.2 vfio-pci" \
	"$(printf '%s' "$OUT" | jq_get 'd["pfs"][0]["vfs"][2]["pci"]+" "+d["pfs"][0]["vfs"][2]["driver"]')"
# -j after the verb is the same global option as before it
assert_rc "show fpf0 --json (after the verb)" 0 "${S[@]}" sriov show fpf0 --json
assert_eq "show --json after the verb: the same JSON as -j before it" \
	"$("${S[@]}" -j sriov show fpf0)" "$OUT"
assert_rc "show (human)" 0 "${S[@]}" sriov show
assert_match "show prints the split" "split: vfio \(dpdk\) 0-3; kernel \(af_xdp\) 4-7" "$OUT"

# VFs on vfio-pci: reshaping is refused unless --force
h2=$(tree_hash "$fs")
assert_rc "set 8 -> 2 with VFs on vfio-pci refused (exit 1)" 1 "${S[@]}" sriov set fpf0 --numvfs 2
assert_match "refusal names --force" "bound to vfio-pci.*--force" "$OUT"
assert_eq "refusal changed nothing" "$h2" "$(tree_hash "$fs")"
assert_rc "set 8 -> 2 --force --dry-run" 0 "${S[@]}" -n sriov set fpf0 --numvfs 2 --force
# a VF whose /dev/vfio group a process holds open is in use
mkdir -p "$work/proc/4242/fd"
ln -sfn /dev/vfio/21 "$work/proc/4242/fd/9"
assert_rc "moving an in-use VF refused (exit 1)" 1 "${S[@]}" sriov bind fpf0 --vfs 1 --driver kernel
assert_match "in-use refusal explains" "in use" "$OUT"
assert_rc "show marks it" 0 "${S[@]}" -j sriov show fpf0
assert_eq "VF 1 in_use" True "$(printf '%s' "$OUT" | jq_get 'd["pfs"][0]["vfs"][1]["in_use"]')"
assert_rc "moving VF 0 (not in use) --dry-run" 0 "${S[@]}" -n sriov bind fpf0 --vfs 0 --driver kernel
assert_eq "in-use checks changed nothing" "$h2" "$(tree_hash "$fs")"

# partial failure: VF 4 moves, then VF 5's unbind fails -> VF 4 rolled back
rm -rf "$work/proc/4242"
mkdir -p "$fs/bus/pci/drivers/ixgbevf/unbind" # a directory: the write fails
ln -sfn ../../../bus/pci/drivers/ixgbevf "$fs/devices/pci0000:00/0000:00:10.5/driver"
assert_rc "bind 4,5 vfio-pci with VF 5's unbind failing (exit 1)" 1 "${S[@]}" sriov bind fpf0 --vfs 4,5 --driver vfio-pci
assert_match "failure reported with rollback" "rolled back 3 earlier step" "$OUT"
assert_eq "VF 4 had been unbound from iavf" 0000:00:10.4 "$(cat "$fs/bus/pci/drivers/iavf/unbind")"
assert_eq "undo unbound VF 4 from vfio-pci" 0000:00:10.4 "$(cat "$fs/bus/pci/drivers/vfio-pci/unbind")"
assert_eq "undo re-probed VF 4" 0000:00:10.4 "$(cat "$fs/bus/pci/drivers_probe")"
assert_eq "VF 4 override back to none" "" "$(tr -d '\n' <"$fs/devices/pci0000:00/0000:00:10.4/driver_override")"
assert_eq "VF 5 override untouched" "(null)" "$(cat "$fs/devices/pci0000:00/0000:00:10.5/driver_override")"
ln -sfn ../../../bus/pci/drivers/iavf "$fs/devices/pci0000:00/0000:00:10.5/driver"

# bad input: exit 2, nothing changed
h3=$(tree_hash "$fs")
assert_rc "unknown PF (exit 2)" 2 "${S[@]}" sriov show nosuch0
assert_rc "bad MAC (exit 2)" 2 "${S[@]}" sriov vf fpf0 0 --mac 02:00:00:00:00
assert_match "bad MAC: clear error" "bad --mac" "$OUT"
assert_rc "VLAN 4095 (exit 2)" 2 "${S[@]}" sriov vf fpf0 0 --vlan 4095
assert_rc "QoS 8 (exit 2)" 2 "${S[@]}" sriov vf fpf0 0 --vlan 5 --qos 8
assert_rc "QoS without a VLAN id (exit 2)" 2 "${S[@]}" sriov vf fpf0 0 --vlan 0 --qos 3
assert_rc "VF index out of range (exit 2)" 2 "${S[@]}" sriov vf fpf0 8 --trust on
assert_match "VF index: clear error" "VF index 8 out of range" "$OUT"
assert_rc "bind VF out of range (exit 2)" 2 "${S[@]}" sriov bind fpf0 --vfs 6-9 --driver vfio-pci
assert_rc "bad link state (exit 2)" 2 "${S[@]}" sriov vf fpf0 0 --link-state up
assert_rc "unknown subcommand (exit 2)" 2 "${S[@]}" sriov frob
assert_rc "vf on a fake PF: no netdev in this netns (exit 1)" 1 "${S[@]}" sriov vf fpf0 0 --trust on
assert_eq "bad input changed nothing" "$h3" "$(tree_hash "$fs")"

# --persist: config + oneshot unit under a root dir, idempotent
pr=$work/persist
assert_rc "set --persist --dry-run" 0 "${S[@]}" -n sriov set fpf0 --numvfs 8 --autoprobe on --persist --persist-root "$pr"
assert_match "persist dry run lists the unit" "afxdp-sriov@.service: create" "$OUT"
assert_eq "persist dry run wrote nothing" "no" "$([ -e "$pr" ] && echo yes || echo no)"
assert_rc "set --persist" 0 "${S[@]}" sriov set fpf0 --numvfs 8 --autoprobe on --persist --persist-root "$pr"
assert_rc "bind --persist" 0 "${S[@]}" sriov bind fpf0 --vfs 0-3 --driver vfio-pci --persist --persist-root "$pr"
conf=$pr/etc/afxdp-kit/sriov/fpf0.conf
assert_match "config holds numvfs" "^numvfs=8$" "$(grep numvfs "$conf")"
assert_eq "config holds the vfio group" 4 "$(grep -c 'driver=vfio-pci' "$conf")"
assert_match "unit runs sriov apply" "ExecStart=.* sriov apply %i" "$(cat "$pr/etc/systemd/system/afxdp-sriov@.service")"
assert_eq "unit enabled for fpf0" "../afxdp-sriov@.service" "$(readlink "$pr/etc/systemd/system/multi-user.target.wants/afxdp-sriov@fpf0.service")"
assert_rc "persist again" 0 "${S[@]}" -j sriov set fpf0 --numvfs 8 --autoprobe on --persist --persist-root "$pr"
assert_eq "persist second run: changed false" False "$(printf '%s' "$OUT" | jq_get 'd["changed"]')"
if command -v systemd-analyze >/dev/null; then
	cp "$pr/etc/systemd/system/afxdp-sriov@.service" "$work/afxdp-sriov@fpf0.service"
	assert_rc "systemd-analyze verify accepts the unit" 0 systemd-analyze verify "$work/afxdp-sriov@fpf0.service"
	assert_no_match "systemd-analyze verify: no warning" "Unknown|Invalid|bad-setting|Failed to parse" "$OUT"
	# The unit runs as root at boot: its sandbox must hold (exposure <= 3.0).
	sec=$(systemd-analyze security --offline=true "$work/afxdp-sriov@fpf0.service" 2>&1)
	score=$(echo "$sec" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	diag "afxdp-sriov@.service: systemd-analyze security exposure $score"
	assert_match "unit: systemd-analyze security gives a score" '^[0-9]+\.[0-9]$' "$score"
	assert_eq "unit: exposure $score <= 3.0" 1 "$(awk -v s="$score" 'BEGIN { print (s != "" && s <= 3.0) ? 1 : 0 }')"
fi
# apply (what the unit runs at boot) on a fresh tree with 0 VFs
fs2=$work/sys2
make_fake_tree "$fs2" fpf0 8 0
assert_rc "apply --dry-run on a fresh host" 0 "$H" --sysfs-root "$fs2" -n sriov apply fpf0 --persist-root "$pr"
assert_match "apply plans numvfs 0 -> 8" "sriov_numvfs: 0 -> 8" "$OUT"
assert_match "apply dry run says the rest comes after numvfs" "planned once numvfs is applied" "$OUT"
assert_eq "apply dry run wrote nothing" 0 "$(cat "$fs2/devices/pci0000:00/0000:00:03.0/sriov_numvfs")"
# a fake tree gets no VFs from a numvfs write: start from a host whose
# VFs exist (as the kernel makes them) to replay the driver split
fs3=$work/sys3
make_fake_tree "$fs3" fpf0 8 8
assert_rc "apply on a host with the VFs" 0 "$H" --sysfs-root "$fs3" -j sriov apply fpf0 --persist-root "$pr"
assert_eq "apply bound VFs 0-3 to vfio-pci" "vfio-pci vfio-pci vfio-pci vfio-pci (null)" \
	"$(for i in 0 1 2 3 4; do cat "$fs3/devices/pci0000:00/$(vf_addr $i)/driver_override"; echo; done | xargs)"
assert_rc "apply on a fresh host (numvfs step)" 1 "$H" --sysfs-root "$fs2" sriov apply fpf0 --persist-root "$pr"
assert_eq "apply wrote numvfs" 8 "$(cat "$fs2/devices/pci0000:00/0000:00:03.0/sriov_numvfs")"
assert_match "then stops: the fake kernel made no VFs" "no virtfn link" "$OUT"

# vm: libvirt's test driver (no hypervisor)
assert_rc "vm --dry-run (test:///default)" 0 "${S[@]}" -c test:///default -n sriov vm test --pf fpf0 --vf 5 --mac 52:54:00:00:00:05 --vlan 20 --config
assert_match "vm dry run prints the hostdev interface" "<interface type='hostdev' managed='yes'>" "$OUT"
assert_match "vm XML has the VF address" "slot='0x10' function='0x5'" "$OUT"
assert_rc "vm --config (test:///default)" 0 "${S[@]}" -c test:///default -j sriov vm test --pf fpf0 --vf 5 --config
assert_eq "vm attached: changed true" True "$(printf '%s' "$OUT" | jq_get 'd["changed"]')"
assert_rc "vm unknown domain (exit 1, as vm set)" 1 "${S[@]}" -c test:///default sriov vm nosuchdom --pf fpf0 --vf 5 --config
assert_rc "vm unreachable libvirt (exit 1)" 1 "${S[@]}" -c 'qemu+unix:///system?socket=/nonexistent/s' sriov vm test --pf fpf0 --vf 5
assert_rc "vm VF out of range (exit 2)" 2 "${S[@]}" -c test:///default sriov vm test --pf fpf0 --vf 8

tap_done
