#!/bin/bash
# afxdp-host plan end to end through the CLI: the SR-IOV half on a fake
# sysfs tree (tests/lib/fake_sysfs.sh; this host has no SR-IOV), the
# libvirt half on libvirt's test driver with tests/host/data/
# libvirt-plan.xml (dpdk-guest runs and holds VF 1 = 0000:00:10.1 as a
# hostdev; afxdp-guest is shut off with a virtio interface to prepare;
# afxdp-ready is ready). The test driver's state lives in each process,
# so a domain's change is checked in the output of the run that makes it
# (test_plan_check checks it in the connection). No root needed.
set -u
top=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/fake_sysfs.sh"
H=${AFXDP_HOST:-$top/host/afxdp-host}
URI="test://$top/tests/host/data/libvirt-plan.xml"
work=$(mktemp -d /tmp/test_plan.XXXXXX)
trap 'rm -rf "$work"' EXIT
jq_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

if [ ! -x "$H" ]; then
	not_ok "afxdp-host built at $H"
	tap_done
	exit 1
fi

# ---- help and man page ----
assert_rc "plan --help exits 0" 0 "$H" plan --help
assert_match "plan --help names the file" "plan \[OPTIONS\] FILE" "$OUT"
assert_rc "--help lists plan" 0 "$H" --help
assert_match "--help lists plan" "^  plan " "$OUT"
assert_rc "plan without a file (exit 2)" 2 "$H" plan
assert_rc "man page renders with man -l" 0 env MANWIDTH=80 man -l "$top/host/afxdp-host-plan.8"
assert_match "man page says SR-IOV ran on a fake tree only" "fake sysfs +tree" "$OUT"

# ---- the host: 8 VFs, VF 1 on vfio-pci (dpdk-guest holds it) ----
fs=$work/sys
make_fake_tree "$fs" fpf0 8 8
ln -sfn ../../../bus/pci/drivers/vfio-pci "$fs/devices/pci0000:00/0000:00:10.1/driver"
echo vfio-pci >"$fs/devices/pci0000:00/0000:00:10.1/driver_override"
mkdir -p "$work/proc"
S=("$H" --sysfs-root "$fs" --proc-root "$work/proc" -c "$URI")

cat >"$work/plan.yaml" <<'EOF'
# two kinds of guest on one host
host: compute-1
pfs:
  - name: fpf0
    numvfs: 8
    vfio: 0-3          # DPDK guests
    kernel: [4-7]      # AF_XDP guests
domains:
  - name: afxdp-guest
    zero-copy: true
  - name: afxdp-ready
EOF
h0=$(tree_hash "$fs")
assert_rc "dry run" 0 "${S[@]}" -n plan "$work/plan.yaml"
assert_match "dry run: what it would do" "dry run, nothing changed; would make 10 change" "$OUT"
for v in 0 2 3; do
	assert_match "dry run: VF $v's override" "virtfn$v/driver_override: \(null\) -> vfio-pci" "$OUT"
	assert_match "dry run: VF $v unbound from iavf" "drivers/iavf/unbind <- $(vf_addr $v)" "$OUT"
done
assert_no_match "dry run: VF 1 (already on vfio-pci) and VFs 4-7 untouched" "virtfn[14-7]|$(vf_addr 1)|0000:00:10\.[4-7]" "$OUT"
assert_match "dry run: the domain's change" "libvirt domain afxdp-guest \(config\):.*queues unset -> 4.*iommu unset -> on" "$OUT"
assert_no_match "dry run: the ready domain unchanged" "afxdp-ready" "$OUT"
assert_eq "dry run: tree byte-identical" "$h0" "$(tree_hash "$fs")"
J=$("${S[@]}" -j -n plan "$work/plan.yaml" 2>/dev/null)
assert_eq "dry run --json: changed (would change), dry_run" "True True plan compute-1" \
	"$(printf '%s' "$J" | jq_get 'd["changed"], d["dry_run"], d["command"], d["host"]' | tr -d '(),\x27')"
assert_eq "dry run --json: the changes by kind" "sysfs:9 libvirt:1" \
	"$(printf '%s' "$J" | jq_get '" ".join("%s:%d" % (k, sum(c["kind"] == k for c in d["changes"])) for k in ("sysfs", "libvirt"))')"
assert_match "dry run --json: the domain's diff" "queues=.4." "$(printf '%s' "$J" | jq_get '[c for c in d["changes"] if c["kind"] == "libvirt"][0]["diff"]')"

J=$("${S[@]}" -j plan "$work/plan.yaml" 2>/dev/null)
assert_eq "apply: changed, not a dry run" "True False" \
	"$(printf '%s' "$J" | jq_get 'd["changed"], d["dry_run"]' | tr -d '(),')"
assert_eq "apply: VFs 0, 2, 3 overridden to vfio-pci" "vfio-pci vfio-pci vfio-pci vfio-pci (null)" \
	"$(for i in 0 1 2 3 4; do cat "$fs/devices/pci0000:00/$(vf_addr $i)/driver_override"; echo; done | xargs)"
assert_eq "apply: the probe of VF 3 was the last sysfs write" "$(vf_addr 3)" "$(cat "$fs/bus/pci/drivers_probe")"
# the fake tree has no kernel: bind the VFs as drivers_probe would
for i in 0 2 3; do ln -sfn ../../../bus/pci/drivers/vfio-pci "$fs/devices/pci0000:00/$(vf_addr $i)/driver"; done
h1=$(tree_hash "$fs")
cat >"$work/again.yaml" <<'EOF'
pfs:
  - name: fpf0
    numvfs: 8
    vfio: 0-3
    kernel: 4-7
domains:
  - name: afxdp-ready
EOF
J=$("${S[@]}" -j plan "$work/again.yaml" 2>/dev/null)
assert_eq "second run: changed false, no changes" "False 0" \
	"$(printf '%s' "$J" | jq_get 'd["changed"], len(d["changes"])' | tr -d '(),')"
assert_rc "second run, human" 0 "${S[@]}" plan "$work/again.yaml"
assert_eq "second run says no change" "no change" "$OUT"
assert_eq "second run: tree byte-identical" "$h1" "$(tree_hash "$fs")"

# ---- bad plans: exit 2, the tree byte-identical ----
bad() { # bad DESC WORDS YAML
	printf '%s\n' "$3" >"$work/bad.yaml"
	assert_rc "$1 (exit 2)" 2 "${S[@]}" plan "$work/bad.yaml"
	assert_match "$1: clear message" "$2" "$OUT"
	assert_eq "$1: tree byte-identical" "$h1" "$(tree_hash "$fs")"
}
bad "one VF in both groups" "bad.yaml:2: pfs\[0\] \(fpf0\): VF 3 is given to both vfio \(DPDK\) and kernel \(AF_XDP\)" \
	"pfs:
  - name: fpf0
    vfio: 0-3
    kernel: 3-7"
bad "a VF listed twice" "bad.yaml:3: pfs\[0\].vfio: VF 2 is listed twice" \
	"pfs:
  - name: fpf0
    vfio: [0-2, 2]"
bad "a VF beyond numvfs" "bad.yaml:3: fpf0: VF 8 is beyond numvfs 8" \
	"pfs:
  - name: fpf0
    kernel: 4-8"
bad "numvfs beyond totalvfs" "fpf0: numvfs 9 exceeds sriov_totalvfs 8" \
	"pfs:
  - name: fpf0
    numvfs: 9"
bad "unknown PF" "unknown PF 'nosuch0'" \
	"pfs:
  - name: nosuch0"
bad "running domain's hostdev rebound" "VF 1 \(0000:00:10.1\) is a hostdev of the running domain 'dpdk-guest': the plan would rebind it" \
	"pfs:
  - name: fpf0
    kernel: [1, 4-7]"
bad "numvfs change with VFs on vfio-pci" "refusing to change numvfs 8 -> 4" \
	"pfs:
  - name: fpf0
    numvfs: 4"
printf 'pfs:\n  - name: fpf0\n    numvfs: 4\n' >"$work/bad.yaml"
assert_rc "--force: a running domain's hostdev still refused (exit 2)" 2 "${S[@]}" plan --force "$work/bad.yaml"
assert_match "--force: names the domain" "running domain 'dpdk-guest': the plan would destroy it" "$OUT"
assert_eq "--force refusal: tree byte-identical" "$h1" "$(tree_hash "$fs")"
bad "unknown domain" "bad.yaml:3: domain 'nosuch' not found" \
	"domains:
  - name: afxdp-ready
  - name: nosuch"
bad "malformed YAML" "bad.yaml:[0-9]+: not YAML: did not find expected" \
	"pfs:
  - name: fpf0
    vfio: [0"
bad "unknown key" "bad.yaml:3: pfs\[0\].vf: unknown key" \
	"pfs:
  - name: fpf0
    vf: 1"
bad "bad VF setting" "bad.yaml:5: fpf0 vf 4: invalid --vlan '4095'" \
	"pfs:
  - name: fpf0
    vfs:
      4:
        vlan: 4095"
bad "bad domain setting" "bad.yaml:3: domain 'afxdp-guest': invalid --queues '0'" \
	"domains:
  - name: afxdp-guest
    queues: 0"
assert_rc "missing plan file (exit 2)" 2 "${S[@]}" plan "$work/nosuch.yaml"
assert_match "missing plan file: clear message" "nosuch.yaml: cannot read" "$OUT"
J=$("${S[@]}" -j plan "$work/bad.yaml" 2>/dev/null)
assert_eq "refusal --json: error, changed false, no changes" "True False 0" \
	"$(printf '%s' "$J" | jq_get '"invalid --queues" in d["error"], d["changed"], len(d["changes"])' | tr -d '(),')"

# VF settings go through the PF over netlink; the fake PF has no netdev
printf 'pfs:\n  - name: fpf0\n    vfs:\n      4: {trust: on}\n' >"$work/vf.yaml"
assert_rc "VF settings on the fake PF: no netdev (exit 1)" 1 "${S[@]}" -n plan "$work/vf.yaml"
assert_match "VF settings: clear message" "fpf0: no such netdev" "$OUT"
assert_eq "VF settings failure: tree byte-identical" "$h1" "$(tree_hash "$fs")"

# ---- numvfs 0 -> 8 on a fresh host: planned in two steps ----
fs2=$work/sys2
make_fake_tree "$fs2" fpf0 8 0
S2=("$H" --sysfs-root "$fs2" --proc-root "$work/proc" -c "$URI")
h2=$(tree_hash "$fs2")
cat >"$work/fresh.yaml" <<'EOF'
pfs:
  - name: fpf0
    numvfs: 8
    autoprobe: off
    vfio: 0-3
    kernel: 4-7
    vfs:
      4: { mac: "02:00:00:00:00:04", vlan: 20, trust: on }
EOF
assert_rc "fresh host: dry run" 0 "${S2[@]}" -n plan "$work/fresh.yaml"
assert_match "fresh host: autoprobe first" "sriov_drivers_autoprobe: 1 -> 0" "$OUT"
assert_match "fresh host: numvfs" "sriov_numvfs: 0 -> 8" "$OUT"
assert_match "fresh host: the drivers come after numvfs" "fpf0 vf 0: driver vfio-pci \(planned once numvfs is applied\)" "$OUT"
assert_match "fresh host: the kernel group" "fpf0 vf 7: driver kernel" "$OUT"
assert_match "fresh host: the VF settings" "fpf0 vf 4: mac 02:00:00:00:00:04, vlan 20, trust on" "$OUT"
J=$("${S2[@]}" -j -n plan "$work/fresh.yaml" 2>/dev/null)
assert_match "fresh host --json: a note" "planned once numvfs is applied" "$(printf '%s' "$J" | jq_get 'd["note"]')"
assert_eq "fresh host: dry run left the tree byte-identical" "$h2" "$(tree_hash "$fs2")"
# the fake kernel makes no VFs: the drivers step fails, numvfs is undone
assert_rc "fresh host: apply fails after numvfs (exit 1)" 1 "${S2[@]}" plan "$work/fresh.yaml"
assert_match "fresh host: the failure and the rollback" "no virtfn link.*rolled back 2 earlier step" "$OUT"
assert_eq "fresh host: numvfs back to 0, autoprobe back to 1" "0 1" \
	"$(for f in sriov_numvfs sriov_drivers_autoprobe; do cat "$fs2/devices/pci0000:00/0000:00:03.0/$f"; echo; done | xargs)"

# ---- the example in the man page and docs parses ----
sed -n '/^pfs:/,/^```/p' "$top/docs/two-guests.md" | grep -v '^```' >"$work/doc.yaml"
if [ -s "$work/doc.yaml" ]; then
	assert_rc "docs/two-guests.md's example plan is refused only for its unknown PF" 2 "${S[@]}" plan "$work/doc.yaml"
	assert_match "docs example: the PF is what fails" "unknown PF" "$OUT"
else
	not_ok "docs/two-guests.md has an example plan starting with 'pfs:'"
fi

tap_done
