#!/bin/bash
# ansible/: lint (ansible-lint, production profile), syntax check, and real
# runs of ansible/site.yml against localhost (connection=local) in a
# sandbox: a fake sysfs tree with two SR-IOV PFs (--sysfs-root), a
# private libvirtd (in a private mount namespace, its state on tmpfs) with
# one defined domain, and every path the role writes (prefix, persist
# root, local facts) in a work directory. Checks: check mode changes
# nothing and shows the tool's plan, a real run changes, the second run
# reports changed=0, bad variables (and a bad host plan) fail with the
# tool's message, a host plan of the current state changes nothing, a
# high-performance host without e.cap.025 fails. Root; no network.
# TAP through tests/lib/tap.sh.
set -u
# A private mount namespace: libvirt's state directories become tmpfs and
# die with the run; the host's libvirt (if any) is never touched.
if [ -z "${AFXT_IN_MNTNS:-}" ] && [ "$(id -u)" = 0 ]; then
	export AFXT_IN_MNTNS=1
	exec unshare --mount --propagation private "$0" "$@"
fi
top=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
H=$top/host/afxdp-host
A=$top/ansible
work=$(mktemp -d /tmp/test_ansible.XXXXXX)
LIBVIRTD_PID=
cleanup() {
	if [ -n "$LIBVIRTD_PID" ]; then
		kill "$LIBVIRTD_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$LIBVIRTD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$LIBVIRTD_PID" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# Ansible keeps its temporary files and caches in the sandbox; no colour.
export ANSIBLE_LOCAL_TEMP=$work/ansible-local ANSIBLE_REMOTE_TEMP=$work/ansible-remote
export ANSIBLE_HOME=$work/ansible-home ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_CONFIG=$A/ansible.cfg ANSIBLE_RETRY_FILES_ENABLED=0
export XDG_CACHE_HOME=$work/cache NO_COLOR=1 PY_COLORS=0

for tool in ansible-playbook ansible-lint; do
	if ! command -v "$tool" >/dev/null; then
		not_ok "$tool installed (scripts/deps.sh: ansible-core, ansible-lint)"
		tap_done
		exit 1
	fi
done
if [ ! -x "$H" ]; then
	not_ok "afxdp-host built at $H"
	tap_done
	exit 1
fi
diag "$(ansible-playbook --version 2>/dev/null | sed -n 1p), $(ansible-lint --version 2>/dev/null | sed -n 1p)"

# ---- static checks -----------------------------------------------------
assert_rc "ansible-lint --profile production: clean" 0 \
	env -C "$top" ansible-lint --offline --profile production ansible/site.yml ansible/roles/afxdp_host
assert_match "ansible-lint passed the production profile" "Passed with production profile" "$OUT"
assert_rc "ansible-playbook --syntax-check site.yml (example inventory)" 0 \
	ansible-playbook --syntax-check -i "$A/inventory/example.yml" "$A/site.yml"
assert_rc "example inventory lists both compute hosts" 0 \
	ansible-inventory -i "$A/inventory/example.yml" --graph afxdp_compute
assert_match "example inventory: high-performance group" "afxdp_high_performance:.*compute1" "$(printf '%s' "$OUT" | tr -d '\n')"

if ! need_root "sandboxed runs (mount namespace, libvirtd, fake sysfs)"; then
	tap_done
	exit
fi

# ---- fake sysfs: two PCI PFs -------------------------------------------
. "$top/tests/ansible/fake_sysfs.sh"
fs=$work/sys
fake_pf "$fs" fpf0 03 8 0 # the role creates 4 VFs
fake_pf "$fs" fpf1 04 8 8 # the role moves VFs 0-3 to vfio-pci
mkdir -p "$work/proc"
numvfs() { cat "$fs/devices/pci0000:00/0000:00:$1.0/sriov_numvfs"; }

# ---- a private libvirtd with one defined (not started) qemu domain ------
URI=qemu:///system
virsh_() { virsh -q -c "$URI" "$@"; }
DOM=afxt-guest
have_libvirt=
if command -v libvirtd >/dev/null && command -v virsh >/dev/null; then
	ok_mounts=1
	for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt/qemu; do
		mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d" || ok_mounts=
	done
	# Warnings and errors to a file, shown below if the daemon fails.
	if [ -n "$ok_mounts" ] && LIBVIRT_LOG_OUTPUTS="3:file:/run/libvirt/libvirtd.log" \
		libvirtd -d -p /run/libvirt/libvirtd.pid; then
		for _ in $(seq 100); do [ -s /run/libvirt/libvirtd.pid ] && break; sleep 0.1; done
		LIBVIRTD_PID=$(cat /run/libvirt/libvirtd.pid 2>/dev/null)
		for _ in $(seq 150); do virsh_ version >/dev/null 2>&1 && break; sleep 0.2; done
		cat >"$work/dom.xml" <<EOX
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>128</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <interface type='ethernet'>
      <mac address='52:54:00:aa:00:01'/>
      <target dev='afxt0' managed='no'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
EOX
		virsh_ define "$work/dom.xml" >"$work/define.out" 2>&1 && have_libvirt=1
	fi
fi
if [ -n "$have_libvirt" ]; then
	ok "private libvirtd (pid $LIBVIRTD_PID) with domain $DOM defined"
else
	not_ok "private libvirtd started and domain defined (libvirt-daemon-system, libvirt-daemon-driver-qemu)"
	id libvirt-qemu >/dev/null 2>&1 ||
		diag "  no libvirt-qemu user: libvirt-daemon-system is not installed (make deps-test)"
	[ -n "$ok_mounts" ] || diag "  tmpfs mounts for libvirt's state directories failed"
	diag_tail "$work/define.out" 5 "virsh define"
	diag_tail /run/libvirt/libvirtd.log 20 "libvirtd's log"
fi
dom_xml() { virsh_ dumpxml --inactive "$DOM" 2>&1; }

# ---- inventory and runner ----------------------------------------------
persist=$work/persist
prefix=$work/prefix
facts=$work/facts
# write_inventory [HOST-LINE...]: the sandbox settings as group vars;
# each HOST-LINE is "NAME: {HOST VARS}" (host vars override group vars).
# Default: one host, localhost. Every host is in the high-performance group.
write_inventory() {
	[ $# -gt 0 ] || set -- "localhost: {}"
	cat >"$work/inventory.yml" <<EOY
all:
  children:
    afxdp_compute:
      vars:
        ansible_connection: local
        ansible_python_interpreter: /usr/bin/python3
        afxdp_install_from: build_tree
        afxdp_build_tree: "$top"
        afxdp_prefix: "$prefix"
        afxdp_sysfs_root: "$fs"
        afxdp_probe_sysfs_root: /sys
        afxdp_proc_root: "$work/proc"
        afxdp_persist_root: "$persist"
        afxdp_facts_dir: "$facts/{{ inventory_hostname }}"
        afxdp_libvirt_uri: "$URI"
        afxdp_vhost_dev: /nonexistent/vhost-net
        afxdp_sriov_pfs:
          - name: fpf0
            numvfs: 4
            autoprobe: true
          - name: fpf1
            numvfs: 8
            bind:
              - vfs: "0-3"
                driver: vfio-pci
        afxdp_vm_domains:
          - name: $DOM
            scope: config
        afxdp_publish_nova_dir: "$work/publish/{{ inventory_hostname }}/nova"
        afxdp_publish_nfd_dir: "$work/publish/{{ inventory_hostname }}/nfd"
        afxdp_publish_prom_dir: "$work/publish/{{ inventory_hostname }}/prom"
        # A Nova host name has no '_' (the tool refuses it).
        afxdp_publish_hostname: "{{ inventory_hostname | replace('_', '-') }}"
      children:
        afxdp_high_performance:
          hosts:
$(printf '%s\n' "$@" | sed 's/^/            /')
EOY
}
# play [ANSIBLE-PLAYBOOK ARGS]: output in $OUT, exit status in $RC
play() {
	local t0=$SECONDS
	OUT=$(ansible-playbook -i "$work/inventory.yml" "$A/site.yml" "$@" 2>&1)
	RC=$?
	diag "ansible-playbook $* (exit $RC, $((SECONDS - t0)) s)"
	printf '%s\n' "$OUT" >>"$work/ansible.log"
}
# recap FIELD [HOST]: a PLAY RECAP counter (of localhost by default)
recap() { printf '%s\n' "$OUT" | sed -n "s/^${2:-localhost} *:.* $1=\([0-9]*\).*/\1/p" | tail -1; }
# fatal HOST: the failure line(s) of HOST
fatal() { printf '%s\n' "$OUT" | grep -E "^(fatal|failed): \[$1\]"; }
dump_on_fail() { [ "$RC" = 0 ] || printf '%s\n' "$OUT" | grep -E 'fatal|FAILED|msg|stderr' | head -8 | sed 's/^/#   /'; }

# ---- install (the only play that runs the install tasks for real) ----
# Under load every module run costs seconds: later plays skip the install
# tasks, except the second run, which also shows them idempotent.
write_inventory
h_fs=$(tree_hash "$fs")
play --tags afxdp_install
dump_on_fail
assert_eq "install from the build tree: exit 0" 0 "$RC"
assert_ge "install reported as a change" 1 "$(recap changed)"
assert_rc "installed binary is the build tree's" 0 cmp "$H" "$prefix/sbin/afxdp-host"
assert_eq "man pages installed" "$(ls "$top"/host/*.8 | wc -l)" "$(ls "$prefix/share/man/man8/" | wc -l)"
assert_eq "install touched no SR-IOV state" "$h_fs" "$(tree_hash "$fs")"

# ---- check mode with the tool present ----------------------------------
h_fs=$(tree_hash "$fs")
x0=$(dom_xml)
play --check --diff --skip-tags afxdp_install
dump_on_fail
assert_eq "check mode: exit 0" 0 "$RC"
assert_ge "check mode reports what would change" 2 "$(recap changed)"
assert_eq "check mode: the fake sysfs tree is byte-identical" "$h_fs" "$(tree_hash "$fs")"
assert_eq "check mode: nothing persisted" absent "$(tree_hash "$persist")"
assert_eq "check mode: domain XML unchanged" "$x0" "$(dom_xml)"
assert_match "check --diff shows the VF count plan" "sriov_numvfs: 0 -> 4" "$OUT"
assert_match "check --diff shows the driver plan" "virtfn0/driver_override: \(null\) -> vfio-pci" "$OUT"
assert_match "check --diff shows the persisted unit" "afxdp-sriov@.service: create" "$OUT"
assert_match "check --diff shows the domain XML diff" "\+ *<driver name=.{1,2}qemu.{1,2} queues=.{1,2}4" "$OUT"
assert_match "probe verdict recorded and shown" "e.cap.025 \(AF_XDP\) supported; profile high-performance" "$OUT"

# ---- real run ----------------------------------------------------------
play --skip-tags afxdp_install
dump_on_fail
assert_eq "first run: exit 0" 0 "$RC"
assert_ge "first run: changes reported" 3 "$(recap changed)"
assert_eq "first run: nothing failed" 0 "$(recap failed)"
assert_eq "fpf0 has 4 VFs" 4 "$(numvfs 03)"
assert_eq "fpf1 VF 0 override vfio-pci" vfio-pci "$(cat "$fs/devices/pci0000:00/$(vf_addr 04 0)/driver_override")"
assert_eq "fpf1 VF 4 untouched" "(null)" "$(cat "$fs/devices/pci0000:00/$(vf_addr 04 4)/driver_override")"
assert_match "fpf0 persisted" "^numvfs=4$" "$(cat "$persist/etc/afxdp-kit/sriov/fpf0.conf" 2>&1)"
assert_eq "fpf1 split persisted" 4 "$(grep -c 'driver=vfio-pci' "$persist/etc/afxdp-kit/sriov/fpf1.conf" 2>/dev/null)"
assert_eq "boot unit enabled for fpf1" "../afxdp-sriov@.service" \
	"$(readlink "$persist/etc/systemd/system/multi-user.target.wants/afxdp-sriov@fpf1.service")"
assert_match "handler notified for the persisted unit" "RUNNING HANDLER \[afxdp_host : Reload systemd units\]" "$OUT"
x1=$(dom_xml)
assert_eq "domain: queues 4 (2 x 2 vCPUs)" 4 "$(printf '%s' "$x1" | xmllint --xpath 'string(//interface/driver/@queues)' - 2>&1)"
assert_eq "domain: guest csum off" off "$(printf '%s' "$x1" | xmllint --xpath 'string(//interface/driver/guest/@csum)' - 2>&1)"
assert_match "domain handler says a restart is due" "Domains changed: $DOM" "$OUT"
assert_match "published: Nova provider config with the capability trait" "^ *- CUSTOM_CAP_AF_XDP$" \
	"$(cat "$work/publish/localhost/nova/afxdp-kit.yaml" 2>&1)"
assert_match "published: NFD label" "^afxdp.capable=true$" "$(cat "$work/publish/localhost/nfd/afxdp-kit" 2>&1)"
assert_match "published: Prometheus gauge" '^afxdp_capability_supported\{capability="e.cap.025",name="AF_XDP"\} 1$' \
	"$(cat "$work/publish/localhost/prom/afxdp-kit.prom" 2>&1)"
assert_eq "local fact: e.cap.025 supported" True \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ecap025_supported"])' "$facts/localhost/afxdp.fact" 2>&1)"

# What the kernel does on those writes, which a fake tree can't: fpf0's
# 4 VFs appear, fpf1's VFs 0-3 come up on vfio-pci.
for i in 0 1 2 3; do
	fake_vf "$fs" 03 "$i" iavf
	ln -sfn ../../../bus/pci/drivers/vfio-pci "$fs/devices/pci0000:00/$(vf_addr 04 "$i")/driver"
done

# ---- idempotency -------------------------------------------------------
h_fs=$(tree_hash "$fs")
h_p=$(tree_hash "$persist")
play
dump_on_fail
assert_eq "second run: exit 0" 0 "$RC"
assert_eq "second run (install included): changed=0 (PLAY RECAP)" 0 "$(recap changed)"
assert_eq "second run: sysfs tree untouched" "$h_fs" "$(tree_hash "$fs")"
assert_eq "second run: persisted files untouched" "$h_p" "$(tree_hash "$persist")"
assert_eq "second run: domain XML untouched" "$x1" "$(dom_xml)"
assert_no_match "second run: no handler" "RUNNING HANDLER" "$OUT"
play --check --diff --skip-tags afxdp_install
assert_eq "check mode after the run: changed=0" "0 0" "$RC $(recap changed)"

# ---- bad variables, e.cap.025 and profiles: one play, one host each ----
# All hosts run locally and in parallel; each fails (or not) on its own.
write_inventory \
	"bad_numvfs: {afxdp_sriov_pfs: [{name: fpf0, numvfs: 9}], afxdp_vm_domains: []}" \
	"bad_domain: {afxdp_sriov_pfs: [], afxdp_vm_domains: [{name: nosuchdom}]}" \
	"bad_vf: {afxdp_sriov_pfs: [{name: fpf1, vfs: [{vf: 8, trust: true}]}], afxdp_vm_domains: []}" \
	"bad_type: {afxdp_sriov_pfs: [{name: fpf0, numvfs: lots}]}" \
	"vf_netlink: {afxdp_sriov_pfs: [{name: fpf1, vfs: [{vf: 4, mac: \"52:54:00:00:10:04\", vlan: 100, qos: 3, vlan_proto: 802.1Q, trust: true, spoofchk: false, link_state: enable, min_rate: 10, max_rate: 1000}]}], afxdp_vm_domains: []}" \
	"hp_noxdp: {afxdp_probe_sysfs_root: \"$fs\"}" \
	"basic_noxdp: {afxdp_probe_sysfs_root: \"$fs\", afxdp_profile: basic, afxdp_sriov_pfs: [], afxdp_vm_domains: []}" \
	"plan_both: {afxdp_sriov_pfs: [], afxdp_vm_domains: [], afxdp_host_plan_path: \"$work/plan/both.yaml\", afxdp_host_plan: {pfs: [{name: fpf1, vfio: '0-3', kernel: '3-7'}]}}" \
	"plan_ok: {afxdp_sriov_pfs: [], afxdp_vm_domains: [], afxdp_host_plan_path: \"$work/plan/ok.yaml\", afxdp_host_plan: {host: compute-1, pfs: [{name: fpf1, numvfs: 8, vfio: '0-3', kernel: '4-7'}], domains: [{name: $DOM, vhost-dev: /nonexistent/vhost-net}]}}"
h_p=$(tree_hash "$persist")
play --skip-tags afxdp_install
assert_eq "failing hosts: the play exits 2" 2 "$RC"
assert_eq "numvfs 9 > totalvfs 8: the host fails" 1 "$(recap failed bad_numvfs)"
assert_match "numvfs above total: the tool's message" "exceeds sriov_totalvfs 8" "$(fatal bad_numvfs)"
assert_eq "unknown domain: the host fails" 1 "$(recap failed bad_domain)"
assert_match "unknown domain: the tool's message" "domain 'nosuchdom' not found" "$(fatal bad_domain)"
assert_eq "VF index 8 on an 8-VF PF: the host fails" 1 "$(recap failed bad_vf)"
assert_match "VF index: the tool's message" "VF index 8 out of range" "$(fatal bad_vf)"
assert_eq "numvfs not a number: the host fails" 1 "$(recap failed bad_type)"
assert_match "rejected by the role's argument_specs" "argument_spec|arg spec" "$(fatal bad_type)"
assert_match "argument_specs names the option" "numvfs" "$(fatal bad_type)"
# Every per-VF option gets past the tool's parser (a bad one is exit 2);
# the settings then need the PF over netlink, which a fake tree lacks.
assert_eq "per-VF settings on a fake PF: the host fails" 1 "$(recap failed vf_netlink)"
assert_match "per-VF settings: the tool's netlink message, exit 1" \
	"\"rc\": 1.*no such netdev in this network namespace" "$(fatal vf_netlink)"
assert_match "per-VF settings: every option passed" \
	"--mac.*--vlan.*--qos.*--vlan-proto.*--trust.*--spoofchk.*--link-state.*--min-rate.*--max-rate.*--persist" "$(fatal vf_netlink)"
# probe on the fake tree: no netdev with native XDP, so no AF_XDP.
assert_eq "high-performance host without e.cap.025: fails" 1 "$(recap failed hp_noxdp)"
assert_match "failure names the profile and the capability" \
	"profile high-performance .*needs capability e.cap.025" "$(fatal hp_noxdp)"
assert_match "failure gives the probe's reason" "no network device with native XDP" "$(fatal hp_noxdp)"
assert_eq "high-performance host failed before SR-IOV" 0 "$(recap changed hp_noxdp)"
assert_eq "basic host without e.cap.025: does not fail" 0 "$(recap failed basic_noxdp)"
assert_match "verdict shown as unsupported" "e.cap.025 \(AF_XDP\) NOT supported; profile basic" "$OUT"
assert_eq "local fact: e.cap.025 unsupported" "False basic" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ecap025_supported"], d["profile"])' "$facts/basic_noxdp/afxdp.fact" 2>&1)"
# The host plan (afxdp_host_plan): a VF in both groups fails the host with
# the tool's message; the plan of what the first run made changes nothing.
assert_eq "plan with a VF in both groups: the host fails" 1 "$(recap failed plan_both)"
assert_match "plan: the tool's refusal" "VF 3 is given to both vfio \\(DPDK\\) and kernel \\(AF_XDP\\)" "$(fatal plan_both)"
assert_eq "plan of the current state: the host does not fail" 0 "$(recap failed plan_ok)"
assert_match "plan rendered from the variable" "name: fpf1$" "$(cat "$work/plan/ok.yaml" 2>&1)"
assert_match "plan of the current state: the plan task reports no change" "^ok: \[plan_ok\]" \
	"$(printf '%s\n' "$OUT" | sed -n '/^TASK \[afxdp_host : Apply the host plan\]/,/^TASK/p')"
assert_eq "bad variables: sysfs tree untouched" "$h_fs" "$(tree_hash "$fs")"
assert_eq "bad variables: persisted files untouched" "$h_p" "$(tree_hash "$persist")"
assert_eq "bad variables: domain XML untouched" "$x1" "$(dom_xml)"

# ---- installing from a .deb (check mode only: this host is shared) -----
# A package of the build tree's binary, found the way the role finds the
# one dpkg-buildpackage leaves beside the source tree.
pk=$work/pkg
mkdir -p "$pk/DEBIAN" "$pk/usr/sbin" "$work/debs" "$work/nodebs"
cp "$H" "$pk/usr/sbin/afxdp-host"
printf 'Package: afxdp-host\nVersion: %s-1\nArchitecture: %s\nMaintainer: test <t@example.invalid>\nDescription: test package\n' \
	"$(cat "$top/VERSION")" "$(dpkg --print-architecture)" >"$pk/DEBIAN/control"
dpkg-deb -b "$pk" "$work/debs/afxdp-host_$(cat "$top/VERSION")-1_$(dpkg --print-architecture).deb" >/dev/null
# fresh: a build-tree install in check mode on a host without afxdp-host.
write_inventory \
	"deb_none: {afxdp_install_from: deb, afxdp_deb_dir: \"$work/nodebs\", afxdp_install_runtime_packages: false}" \
	"deb_auto: {afxdp_install_from: auto, afxdp_deb_dir: \"$work/debs\", afxdp_deb_cache_dir: \"$work/debcache\", afxdp_install_runtime_packages: false}" \
	"fresh: {afxdp_prefix: \"$work/prefix-fresh\"}" \
	"plan_check: {afxdp_sriov_pfs: [], afxdp_vm_domains: [], afxdp_host_plan_path: \"$work/plan/check.yaml\", afxdp_host_plan: {pfs: [{name: fpf1, vfio: '0-4', kernel: '5-7'}]}}"
play --check
assert_eq "deb asked for, none built: the host fails" 1 "$(recap failed deb_none)"
assert_match "missing package: clear message" "no afxdp-host_\*\.deb was found" "$(fatal deb_none)"
assert_eq "auto finds the .deb: check mode does not fail" 0 "$(recap failed deb_auto)"
assert_match "check mode names the package it would install" "would install afxdp-host_$(cat "$top/VERSION")-1_.*\.deb" "$OUT"
assert_eq "check mode copied no package" absent "$(tree_hash "$work/debcache")"
assert_eq "fresh host in check mode: does not fail" 0 "$(recap failed fresh)"
assert_ge "fresh host in check mode: the install is a change" 1 "$(recap changed fresh)"
assert_match "fresh host: check mode says why the tool does not run yet" \
	"$work/prefix-fresh/sbin/afxdp-host is not installed yet \(check mode\)" "$OUT"
assert_eq "fresh host: check mode installed nothing" absent "$(tree_hash "$work/prefix-fresh")"
assert_eq "plan in check mode: does not fail" 0 "$(recap failed plan_check)"
assert_match "plan in check mode: the dry run reports the change (VF 4 to vfio-pci)" "^changed: \[plan_check\]" \
	"$(printf '%s\n' "$OUT" | sed -n '/^TASK \[afxdp_host : Apply the host plan\]/,/^TASK/p')"
assert_eq "plan in check mode: the plan file not written" absent "$(tree_hash "$work/plan/check.yaml")"
assert_eq "check mode: sysfs tree untouched" "$h_fs" "$(tree_hash "$fs")"

tap_done
