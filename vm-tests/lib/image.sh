# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Image guests: a Debian root file system built by images/build.sh (the
# kit's .deb installed, cloud-init), booted from a qcow2 overlay with the
# image's own kernel and initrd. The test's scenario reaches the guest in
# a NoCloud seed (write_files + runcmd), so the same scenario code as the
# initramfs guest runs there (vm-tests/guest/image-run.sh).
#
#   VMT_GUEST=bookworm   the initramfs guest (Debian 12 host kernel 6.1)
#   VMT_GUEST=trixie     images/out/trixie: Debian 13 + trixie-backports
#                        kernel 7.x; q35, virtio-net with
#                        iommu_platform=on,disable-legacy=on (libvirt:
#                        <driver iommu='on'/>): zero-copy needs a DMA device

VMT_GUEST=${VMT_GUEST:-bookworm}
VMT_IMAGE_DIR=

# image_guest_setup DIST: builds the image if needed (make images-DIST)
# and sets VMT_KERNEL, VMT_KVER, VMT_IMAGE_DIR.
image_guest_setup() {
	local dist=$1 log="$VMT_WORK/images-$1.log" t0=$SECONDS
	VMT_IMAGE_DIR="$VMT_TOP/images/out/$dist"
	# VMT_DEBS=DIR: images/build.sh with that .deb instead of make's.
	if [ -n "${VMT_DEBS:-}" ]; then
		set -- "$VMT_TOP/images/build.sh" --dist "$dist" --debs "$VMT_DEBS"
	else
		set -- make -C "$VMT_TOP" --no-print-directory "images-$dist"
	fi
	if ! "$@" >"$log" 2>&1; then
		diag_tail "$log" 15 "$*"
		return 1
	fi
	diag "image $dist: $((SECONDS - t0)) s ($(cat "$VMT_IMAGE_DIR/release"))"
	# systemd, cloud-init and the agent's UMEMs: 512 MiB is tight.
	VM_MEM_MB=1024
	VMT_KERNEL="$VMT_IMAGE_DIR/vmlinuz"
	read -r _ VMT_KVER <"$VMT_IMAGE_DIR/release"
}

is_image_guest() { [ -n "$VMT_IMAGE_DIR" ]; }

# b64_file PATH: a write_files entry with the content of PATH.
b64_file() {
	printf '  - path: %s\n    permissions: "0755"\n    encoding: b64\n    content: %s\n' \
		"$2" "$(base64 -w0 "$1")"
}

# image_seed SCRIPT OUT: the NoCloud seed that runs SCRIPT's guest_main.
# No network config beyond "nothing" (the scenario names and addresses
# the NICs itself, as in the initramfs guest); a fresh instance-id so
# cloud-init runs runcmd on this boot.
image_seed() {
	local script=$1 out=$2 d
	d=$(mktemp -d "$VMT_WORK/seed.XXXXXX")
	{
		echo "#cloud-config"
		echo "write_files:"
		b64_file "$VMT_TOP/vm-tests/initramfs/guest-lib.sh" /etc/vmtest/guest-lib.sh
		b64_file "$script" /etc/vmtest/scenario.sh
		b64_file "$VMT_TOP/vm-tests/guest/image-run.sh" /etc/vmtest/image-run.sh
		echo "runcmd:"
		echo "  - [ /bin/bash, /etc/vmtest/image-run.sh ]"
	} >"$d/user-data"
	printf 'instance-id: %s\nlocal-hostname: afxvm\n' "$VM_NAME-$$" >"$d/meta-data"
	printf 'version: 2\nethernets: {}\n' >"$d/network-config"
	cloud-localds -N "$d/network-config" "$out" "$d/user-data" "$d/meta-data"
	local rc=$?
	rm -rf "$d"
	return $rc
}

# image_disks: the overlay on the image and the seed, in VM_DIR.
image_disks() {
	qemu-img create -q -f qcow2 -b "$VMT_IMAGE_DIR/afxdp-guest.qcow2" -F qcow2 \
		"$VM_DIR/disk.qcow2" || return 1
	cp "$VMT_IMAGE_DIR/initrd.img" "$VM_DIR/initrd.img"
	image_seed "$VM_SCRIPT" "$VM_DIR/seed.img" || return 1
	chmod 0666 "$VM_DIR/disk.qcow2" "$VM_DIR/seed.img"
}
