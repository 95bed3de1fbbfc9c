# shellcheck shell=bash
# Fake sysfs trees for the Ansible suites (afxdp-host --sysfs-root), laid
# out like the kernel's: class/net/IF -> devices/.../net/IF, the PCI
# device's driver link, sriov_* files, virtfnN links, VF driver and
# iommu_group links, driver_override, bus/pci/drivers/*. Sourced by
# test_role.sh and test_fleet.sh.

# fake_pf ROOT PF SLOT TOTAL NUMVFS [PF-DRIVER [RXQ]]: PF at 0000:00:SLOT.0
# with NUMVFS VFs on iavf; with PF-DRIVER the PF is bound to it and has
# RXQ (1) RX/TX queues (the probe's driver table then knows its XDP).
fake_pf() {
	local root=$1 pf=$2 slot=$3 total=$4 num=$5 i d
	fake_nic "$root" "$pf" "$slot" "${6:-}" "${7:-1}"
	d=$root/devices/pci0000:00/0000:00:$slot.0
	echo "$total" >"$d/sriov_totalvfs"
	echo "$num" >"$d/sriov_numvfs"
	echo 1 >"$d/sriov_drivers_autoprobe"
	for i in vfio-pci iavf; do
		mkdir -p "$root/bus/pci/drivers/$i"
		: >"$root/bus/pci/drivers/$i/bind"
		: >"$root/bus/pci/drivers/$i/unbind"
	done
	: >"$root/bus/pci/drivers_probe"
	for ((i = 0; i < num; i++)); do fake_vf "$root" "$slot" "$i" iavf; done
}
# fake_nic ROOT IF SLOT [DRIVER [RXQ]]: a PCI netdev without SR-IOV.
fake_nic() {
	local root=$1 nd=$2 slot=$3 drv=${4:-} q=${5:-1} d i
	d=$root/devices/pci0000:00/0000:00:$slot.0
	mkdir -p "$d/net/$nd" "$root/class/net" "$root/kernel/iommu_groups"
	ln -sfn "../../devices/pci0000:00/0000:00:$slot.0/net/$nd" "$root/class/net/$nd"
	ln -sfn "../../../0000:00:$slot.0" "$d/net/$nd/device"
	echo 1500 >"$d/net/$nd/mtu"
	echo $((10#$slot + 1)) >"$d/net/$nd/ifindex"
	for ((i = 0; i < q; i++)); do mkdir -p "$d/net/$nd/queues/rx-$i" "$d/net/$nd/queues/tx-$i"; done
	if [ -n "$drv" ]; then
		mkdir -p "$root/bus/pci/drivers/$drv"
		ln -sfn "../../../bus/pci/drivers/$drv" "$d/driver"
	fi
}
# VF I of the PF in SLOT lives in slot 0x10 + SLOT (one slot, 8 functions).
vf_addr() { printf '0000:00:%02x.%x' $((0x10 + 10#$1)) "$2"; }
# fake_vf ROOT SLOT I DRIVER: what the kernel creates for VF I.
fake_vf() {
	local root=$1 slot=$2 i=$3 drv=$4 vf dir grp
	vf=$(vf_addr "$slot" "$i")
	dir=$root/devices/pci0000:00/$vf
	grp=$((10#$slot * 10 + i))
	mkdir -p "$dir" "$root/kernel/iommu_groups/$grp" "$root/bus/pci/drivers/$drv"
	ln -sfn "../$vf" "$root/devices/pci0000:00/0000:00:$slot.0/virtfn$i"
	ln -sfn "../../../bus/pci/drivers/$drv" "$dir/driver"
	ln -sfn "../../../kernel/iommu_groups/$grp" "$dir/iommu_group"
	[ -e "$dir/driver_override" ] || echo '(null)' >"$dir/driver_override"
}
# tree_hash DIR: names, types, modes, link targets and contents.
tree_hash() {
	[ -e "$1" ] || { echo absent; return; }
	(cd "$1" && find . -printf '%p %y %m %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort) | sha256sum | cut -d' ' -f1
}
