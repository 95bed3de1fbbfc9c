# shellcheck shell=bash
# A fake sysfs tree for the afxdp-host suites (this host has no SR-IOV):
# sourced by tests/host/test_sriov.sh and test_plan.sh. Nothing here
# emulates the kernel: a numvfs write creates no VFs (make_fake_vf does).

# make_fake_tree ROOT PF TOTAL NUMVFS: a PCI PF with NUMVFS VFs on iavf,
# laid out like sysfs (class/net/PF -> devices/.../net/PF, virtfnN links,
# VF driver/iommu_group links, driver_override, bus/pci/drivers/*).
make_fake_tree() {
	local root=$1 pf=$2 total=$3 num=$4 pfdev i vf
	pfdev=$root/devices/pci0000:00/0000:00:03.0
	mkdir -p "$pfdev/net/$pf" "$root/class/net" "$root/bus/pci/drivers/vfio-pci" \
		"$root/bus/pci/drivers/iavf" "$root/kernel/iommu_groups"
	ln -sfn "../../devices/pci0000:00/0000:00:03.0/net/$pf" "$root/class/net/$pf"
	ln -sfn ../../../0000:00:03.0 "$pfdev/net/$pf/device"
	echo "$total" >"$pfdev/sriov_totalvfs"
	echo "$num" >"$pfdev/sriov_numvfs"
	echo 1 >"$pfdev/sriov_drivers_autoprobe"
	for d in vfio-pci iavf; do
		: >"$root/bus/pci/drivers/$d/bind"
		: >"$root/bus/pci/drivers/$d/unbind"
	done
	: >"$root/bus/pci/drivers_probe"
	for ((i = 0; i < num; i++)); do make_fake_vf "$root" "$pf" "$i" iavf; done
}
vf_addr() { printf '0000:00:%02x.%x' $((0x10 + $1 / 8)) $(($1 % 8)); }
# make_fake_vf ROOT PF I DRIVER: what the kernel creates for VF I
make_fake_vf() {
	local root=$1 pf=$2 i=$3 drv=$4 vf dir
	vf=$(vf_addr "$i")
	dir=$root/devices/pci0000:00/$vf
	mkdir -p "$dir/net/${pf}v$i" "$root/kernel/iommu_groups/$((20 + i))"
	ln -sfn "../$vf" "$root/devices/pci0000:00/0000:00:03.0/virtfn$i"
	ln -sfn "../../../bus/pci/drivers/$drv" "$dir/driver"
	ln -sfn "../../../kernel/iommu_groups/$((20 + i))" "$dir/iommu_group"
	echo '(null)' >"$dir/driver_override"
}
# tree_hash ROOT: names, types, modes, link targets and contents
tree_hash() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort) | sha256sum | cut -d' ' -f1
}
