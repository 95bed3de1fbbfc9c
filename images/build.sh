#!/bin/bash
# Build a Debian guest image with afxdp-agent installed from its .deb,
# offline after the first debootstrap, without loop mounts:
#
#   1. base root filesystem: debootstrap --variant=minbase with the
#      packages of images/packages.list for the distribution (cached under
#      CACHE/base-DIST-HASH/); for trixie also the trixie-backports kernel
#      (linux-image-amd64 7.x) and its initramfs, installed with apt in
#      the chroot (the only other step that uses the network)
#   1b. trixie: the DPDK layer, images/packages-dpdk.list installed with
#      apt in a copy of the base (cached under CACHE/dpdk-trixie-HASH/)
#   2. image: a copy of the base (trixie: of the DPDK layer) + the .deb (dpkg -i in a chroot, no
#      network) + for bookworm the build host's 6.1 kernel modules that
#      the seed and the NICs need (isofs, virtio_net, ...) + depmod, then
#      mkfs.ext4 -d and qemu-img convert -c to OUT/afxdp-guest.qcow2, with
#      the kernel and initrd next to it (boot with -kernel/-initrd)
#   3. seeds: cloud-localds for every images/seed/NAME/ -> OUT/seed-NAME.img
#
# Each stage is skipped when the hash of its inputs (package list, mirror
# suite, this script, the .deb files, the kernel, the seed files) matches
# the stamp of the previous run.
#
# usage: images/build.sh [--dist bookworm|trixie] [--out DIR] [--debs DIR]
#                        [--base-only] [--seeds-only]
#   --dist D     bookworm (Debian 12, its 6.1 kernel from the build host;
#                the default) or trixie (Debian 13 with the
#                trixie-backports kernel); env GUEST_DIST
#   --out DIR    default images/out for bookworm, images/out/trixie
#   --debs DIR   where afxdp-agent_*.deb is (default: the parent directory
#                of the source tree, where dpkg-buildpackage writes it)
#   env: DEBIAN_MIRROR (default: the one apt uses), GUEST_KVER (bookworm:
#        default the newest /lib/modules/*-amd64 of the installed
#        linux-image-amd64),
#        IMAGE_SIZE (default 1500M), IMAGE_CACHE (default
#        /var/cache/afxdp-kit/images as root, else images/out/cache: the
#        debootstrapped base, shared by every --out and every clone)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# Removes a root even with mounts a killed debootstrap or chroot_apt left.
rm_root=$top/scripts/rm-root.sh
out=
# Outside the tree as root, so a fresh clone (CI) reuses the base.
if [ "$(id -u)" = 0 ]; then
	cache=${IMAGE_CACHE:-/var/cache/afxdp-kit/images}
else
	cache=${IMAGE_CACHE:-$here/out/cache}
fi
debs=$(cd "$top/.." && pwd)
stage=all
dist=${GUEST_DIST:-bookworm}
image_size=${IMAGE_SIZE:-1500M}

while [ $# -gt 0 ]; do
	case $1 in
	--dist) dist=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--debs) debs=$2; shift 2 ;;
	--base-only) stage=base; shift ;;
	--seeds-only) stage=seeds; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

log() { echo "images: $*" >&2; }
die() { echo "images: error: $*" >&2; exit 1; }
case $dist in
bookworm) out=${out:-$here/out} ;;
trixie) out=${out:-$here/out/trixie} ;;
*) echo "build.sh: unknown distribution '$dist' (bookworm | trixie)" >&2; exit 2 ;;
esac
suite=$dist
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, file ownership)"
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)
cache=$(cd "$cache" && pwd)

# Hash of files and strings: the cache key of a stage.
hash_of() {
	local f
	for f in "$@"; do
		if [ -f "$f" ]; then sha256sum "$f" | cut -d' ' -f1; else echo "$f"; fi
	done | sha256sum | cut -c1-16
}

# The packages of $dist: every line of packages.list without a tag, and
# those tagged "@$dist" (a package that only one release has or needs).
packages() {
	sed 's/#.*//' "$here/packages.list" | awk -v d="@$dist" \
		'NF == 1 || (NF == 2 && $2 == d) { print $1 }'
}

# trixie: the kernel comes from trixie-backports (virtio-net AF_XDP
# zero-copy needs Linux >= 6.11/6.13; trixie itself has 6.12).
BPO_KERNEL_PKGS="linux-image-amd64 initramfs-tools"
# Modules the initramfs needs to mount / on a virtio disk (virtio_pci is
# built into the backports kernel): a short list instead of MODULES=most
# keeps the initrd small, which counts under TCG.
INITRD_MODULES="virtio_blk ext4"

# ---- 1. base root filesystem -------------------------------------------
if [ "$dist" = trixie ]; then
	base_key=$(hash_of "$(packages | paste -sd' ')" "$suite" \
		"$BPO_KERNEL_PKGS" "$INITRD_MODULES" "base-v2")
else
	base_key=$(hash_of "$(packages | paste -sd' ')" "$suite" "base-v2")
fi
base=$cache/base-$dist-$base_key

# chroot_apt ROOT ARGS...: apt-get in the new root with /proc mounted.
chroot_apt() {
	local root=$1 rc=0
	shift
	mount -t proc proc "$root/proc" || return 1
	DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -y \
		-o Dpkg::Use-Pty=0 "$@" || rc=$?
	umount "$root/proc"
	return $rc
}

# The backports kernel and an initramfs that mounts / from virtio_blk.
install_bpo_kernel() {
	local root=$1 mirror=$2 m
	echo "deb $mirror trixie-backports main" \
		>"$root/etc/apt/sources.list.d/afxdp-build-bpo.list"
	mkdir -p "$root/etc/initramfs-tools/conf.d"
	echo "MODULES=list" >"$root/etc/initramfs-tools/conf.d/afxdp.conf"
	for m in $INITRD_MODULES; do echo "$m"; done >>"$root/etc/initramfs-tools/modules"
	chroot_apt "$root" update && chroot_apt "$root" install \
		--no-install-recommends -t trixie-backports $BPO_KERNEL_PKGS ||
		return 1
	rm -f "$root/etc/apt/sources.list.d/afxdp-build-bpo.list"
	ls "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* >/dev/null
}

build_base() {
	if [ -f "$base/.afxdp-base-done" ]; then
		log "base root filesystem cached ($base)"
		return
	fi
	local mirror tmp
	mirror=$("$here/mirror.sh")
	tmp=$base.tmp
	"$rm_root" "$tmp" || die "cannot remove $tmp"
	log "debootstrap $suite from $mirror (a few minutes)"
	debootstrap --variant=minbase --merged-usr \
		--include="$(packages | paste -sd, -)" \
		"$suite" "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
	if [ "$dist" = trixie ]; then
		log "trixie-backports kernel and initramfs (apt in the chroot)"
		install_bpo_kernel "$tmp" "$mirror" >>"$cache/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$cache/debootstrap.log" >&2; die "backports kernel install failed (log: $cache/debootstrap.log)"; }
	fi
	# Nothing from the build host's network setup leaks into the image.
	rm -f "$tmp/etc/hostname" "$tmp/etc/resolv.conf"
	rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
	touch "$tmp/.afxdp-base-done"
	"$rm_root" "$base" || die "cannot remove $base"
	mv "$tmp" "$base"
	# Old bases are dead weight (one per distribution is kept: the
	# current one); base-HASH is the name before --dist.
	find "$cache" -maxdepth 1 \( -name "base-$dist-*" -o -regex '.*/base-[0-9a-f]+' \) \
		! -name "base-$dist-$base_key" -exec "$rm_root" {} +
}

# ---- 1b. trixie: the DPDK layer ------------------------------------------
# images/packages-dpdk.list on top of the base, in its own cache entry
# (dpdk-trixie-HASH): the base keeps its key, so a tree without the list
# and one with it share the base instead of rebuilding it in turns.
dpdk_packages() { sed 's/#.*//' "$here/packages-dpdk.list" | awk 'NF == 1 { print $1 }'; }
layer=$base
layer_key=$base_key
if [ "$dist" = trixie ]; then
	layer_key=$(hash_of "$base_key" "$(dpdk_packages | paste -sd' ')" "dpdk-v1")
	layer=$cache/dpdk-$dist-$layer_key
fi

build_dpdk_layer() {
	[ "$dist" = trixie ] || return 0
	if [ -f "$layer/.afxdp-dpdk-done" ]; then
		log "DPDK layer cached ($layer)"
		return
	fi
	local tmp=$layer.tmp pmd
	"$rm_root" "$tmp" || die "cannot remove $tmp"
	log "DPDK layer: $(dpdk_packages | paste -sd' ') (apt in a copy of the base)"
	cp -a "$base" "$tmp"
	rm -f "$tmp/.afxdp-base-done"
	# apt needs a resolver for the mirror's name; removed again below.
	cp -L /etc/resolv.conf "$tmp/etc/resolv.conf"
	{ chroot_apt "$tmp" update && chroot_apt "$tmp" install \
		--no-install-recommends $(dpdk_packages); } >>"$cache/dpdk.log" 2>&1 ||
		{ tail -n 20 "$cache/dpdk.log" >&2; "$rm_root" "$tmp"; die "DPDK layer: apt failed (log: $cache/dpdk.log)"; }
	rm -f "$tmp/etc/resolv.conf"
	rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
	# What the scenarios run: testpmd, and the PMDs in EAL's plugin directory.
	chroot "$tmp" dpdk-testpmd -h >/dev/null 2>&1 || { "$rm_root" "$tmp"; die "DPDK layer: dpdk-testpmd -h fails"; }
	for pmd in net_af_xdp net_virtio mempool_ring; do
		ls "$tmp"/usr/lib/*/dpdk/pmds-*/librte_"$pmd".so* >/dev/null 2>&1 ||
			{ "$rm_root" "$tmp"; die "DPDK layer: no librte_$pmd.so in a dpdk/pmds-* directory"; }
	done
	touch "$tmp/.afxdp-dpdk-done"
	"$rm_root" "$layer" || die "cannot remove $layer"
	mv "$tmp" "$layer"
	find "$cache" -maxdepth 1 -name "dpdk-$dist-*" ! -name "dpdk-$dist-$layer_key" \
		-exec "$rm_root" {} +
}

# ---- 2. the image ------------------------------------------------------
guest_kver() {
	if [ "$dist" = trixie ]; then
		# The backports kernel installed in the base.
		ls -1 "$base/usr/lib/modules" | sort -V | tail -n 1
		return
	fi
	if [ -n "${GUEST_KVER:-}" ]; then echo "$GUEST_KVER"; return; fi
	# The Debian kernel installed on the build host by linux-image-amd64
	# (deps.sh); not `uname -r`: the host may run another kernel.
	local k
	k=$(ls -1d /lib/modules/*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$k" ] || die "no /lib/modules/*-amd64: apt-get install linux-image-amd64"
	basename "$k"
}

# Modules the guest needs after the initrd: the seed's ISO 9660 file
# system, virtio NICs and disks (the initrd loads its own copies).
GUEST_MODULES="fs/isofs drivers/net/virtio_net.ko drivers/net/net_failover.ko
 net/core/failover.ko drivers/virtio drivers/block/virtio_blk.ko
 drivers/char/hw_random/virtio-rng.ko drivers/cdrom"

find_deb() {
	local d
	d=$(ls -1t "$debs"/afxdp-agent_*.deb 2>/dev/null | head -n 1)
	[ -n "$d" ] || die "no afxdp-agent_*.deb in $debs: run dpkg-buildpackage -us -uc -b first (see images/README.md)"
	echo "$d"
}

# add_host_modules ROOT KVER: bookworm takes the build host's 6.1 kernel;
# its modules the boot needs after the initrd go into the image.
add_host_modules() {
	local root=$1 kver=$2 m
	log "guest kernel $kver: modules for the seed and virtio"
	mkdir -p "$root/lib/modules/$kver/kernel"
	for m in $GUEST_MODULES; do
		[ -e "/lib/modules/$kver/kernel/$m" ] || continue
		mkdir -p "$root/lib/modules/$kver/kernel/$(dirname "$m")"
		cp -a "/lib/modules/$kver/kernel/$m" "$root/lib/modules/$kver/kernel/$(dirname "$m")/"
	done
	cp -a /lib/modules/"$kver"/modules.order /lib/modules/"$kver"/modules.builtin* \
		"$root/lib/modules/$kver/"
	depmod -b "$root" "$kver"
}

build_image() {
	local deb kver key root kdir
	deb=$(find_deb)
	kver=$(guest_kver)
	[ -n "$kver" ] || die "no kernel in $base/usr/lib/modules"
	kdir=/boot
	[ "$dist" = trixie ] && kdir=$base/boot
	[ -f "$kdir/vmlinuz-$kver" ] && [ -f "$kdir/initrd.img-$kver" ] ||
		die "no $kdir/vmlinuz-$kver or initrd"
	key=$(hash_of "$layer_key" "$deb" "$0" "$here/cloud.cfg.d/90-afxdp.cfg" \
		"$kdir/vmlinuz-$kver" "$image_size")
	if [ -f "$out/afxdp-guest.qcow2" ] && [ "$(cat "$out/image.stamp" 2>/dev/null)" = "$key" ]; then
		log "image up to date ($out/afxdp-guest.qcow2)"
		return
	fi
	root=$cache/rootfs-$dist
	"$rm_root" "$root" || die "cannot remove $root"
	log "copying the root filesystem ($(basename "$layer"))"
	cp -a "$layer" "$root"
	rm -f "$root/.afxdp-base-done" "$root/.afxdp-dpdk-done"

	log "installing $(basename "$deb") (dpkg, offline)"
	cp "$deb" "$root/tmp/"
	# No daemons start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	chroot "$root" dpkg -i "/tmp/$(basename "$deb")" >"$cache/dpkg.log" 2>&1 ||
		{ cat "$cache/dpkg.log" >&2; die "dpkg -i failed: a run-time library missing from images/packages.list?"; }
	rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/$(basename "$deb")"
	chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' afxdp-agent >&2

	[ "$dist" = bookworm ] && add_host_modules "$root" "$kver"
	printf 'isofs\n' >"$root/etc/modules-load.d/afxdp-seed.conf"

	# A guest: a serial console, a plain hostname until cloud-init sets it,
	# no root password (cloud-init manages users), an fstab for / on vda.
	echo "afxdp-guest" >"$root/etc/hostname"
	printf '/dev/vda / ext4 defaults 0 1\n' >"$root/etc/fstab"
	# cloud-init: only the NoCloud source (no 77 s probe of the others)
	# and only the modules a minimal offline guest can run.
	mkdir -p "$root/etc/cloud/cloud.cfg.d"
	cp "$here/cloud.cfg.d/90-afxdp.cfg" "$root/etc/cloud/cloud.cfg.d/"
	rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"
	: >"$root/etc/machine-id"

	log "mkfs.ext4 -d ($image_size) and qemu-img convert -c"
	local raw=$cache/disk-$dist.raw
	rm -f "$raw"
	mkfs.ext4 -q -F -L afxdp-root -d "$root" "$raw" "$image_size"
	qemu-img convert -c -O qcow2 "$raw" "$out/afxdp-guest.qcow2.tmp"
	mv "$out/afxdp-guest.qcow2.tmp" "$out/afxdp-guest.qcow2"
	cp "$kdir/vmlinuz-$kver" "$out/vmlinuz"
	cp "$kdir/initrd.img-$kver" "$out/initrd.img"
	echo "$dist $kver" >"$out/release"
	"$rm_root" "$root"
	rm -f "$raw"
	echo "$key" >"$out/image.stamp"
	log "built $out/afxdp-guest.qcow2 ($(du -h "$out/afxdp-guest.qcow2" | cut -f1))"
}

# ---- 3. seeds ----------------------------------------------------------
build_seeds() {
	local d name key
	for d in "$here"/seed/*/; do
		name=$(basename "$d")
		[ -f "$d/user-data" ] || continue
		key=$(hash_of "$d/user-data" "$d/meta-data" "$d/network-config")
		if [ -f "$out/seed-$name.img" ] && [ "$(cat "$out/seed-$name.stamp" 2>/dev/null)" = "$key" ]; then
			continue
		fi
		cloud-localds -N "$d/network-config" "$out/seed-$name.img" \
			"$d/user-data" "$d/meta-data"
		echo "$key" >"$out/seed-$name.stamp"
		log "seed $out/seed-$name.img"
	done
}

case $stage in
base) build_base ;;
seeds) build_seeds ;;
all) build_base; build_dpdk_layer; build_image; build_seeds ;;
esac
