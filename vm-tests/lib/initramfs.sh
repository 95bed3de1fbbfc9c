# shellcheck shell=bash
# Builds the guest's initramfs from host packages (busybox-static, the
# Debian kernel's virtio modules, iproute2, ethtool, the agent with its
# shared libraries and BPF objects, libxdp's own BPF objects). Nothing is
# downloaded. The result is cached under $VMT_WORK keyed on the hash of
# every input, so a rebuilt agent gives a new image and nothing else does.

VMT_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
 virtio_pci failover net_failover virtio_net evdev button"
LIBXDP_BPF_DIR=/usr/lib/x86_64-linux-gnu/bpf
# The agent's compiled-in default BPF directory (Makefile BPFDIR).
GUEST_BPF_DIR=/usr/local/lib/afxdp-kit/bpf

# guest_kernel: newest Debian 6.1 kernel image; sets VMT_KVER.
guest_kernel() {
	local k
	k=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sort -V | tail -1)
	[ -n "$k" ] || return 1
	VMT_KVER=${k#/boot/vmlinuz-}
	echo "$k"
}

# mod_path NAME: the module file of NAME for $VMT_KVER (.ko, .ko.xz, .ko.zst)
mod_path() {
	local f
	f=$(find "/lib/modules/$VMT_KVER/kernel" -name "$1.ko*" | head -1)
	[ -n "$f" ] && echo "$f"
}

# initramfs_inputs: every host file that goes into the image, one a line.
initramfs_inputs() {
	local m bin
	echo /bin/busybox
	echo "$VMT_TOP/vm-tests/initramfs/init"
	echo "$VMT_TOP/vm-tests/initramfs/guest-lib.sh"
	for m in $VMT_MODULES; do mod_path "$m" || return 1; done
	for bin in /sbin/ip /sbin/ethtool ${VMT_AGENT:+"$VMT_AGENT"}; do
		echo "$bin"
		ldd "$bin" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'
	done | sort -u
	ls "$VMT_TOP"/bpf/*.bpf.o
	ls "$LIBXDP_BPF_DIR"/xdp-dispatcher.o "$LIBXDP_BPF_DIR"/xsk_def_xdp_prog*.o
}

# initramfs_build: prints the path of the (cached) image.
initramfs_build() {
	local inputs key out stage f m name
	inputs=$(initramfs_inputs) || { echo "initramfs: missing input" >&2; return 1; }
	key=$( { echo "$VMT_MODULES"; echo "$inputs"; echo "$inputs" | xargs sha256sum; } |
		sha256sum | cut -c1-16)
	out="$VMT_WORK/initramfs-$key.cpio.gz"
	if [ -s "$out" ]; then echo "$out"; return 0; fi
	stage=$(mktemp -d "$VMT_WORK/stage.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,etc/vmtest,lib/modules,lib64,proc,sys,dev,tmp,run,www} \
		"$stage/lib/x86_64-linux-gnu" "$stage$LIBXDP_BPF_DIR" \
		"$stage$GUEST_BPF_DIR" "$stage/usr/local/sbin"
	cp /bin/busybox "$stage/bin/busybox"
	install -m 0755 "$VMT_TOP/vm-tests/initramfs/init" "$stage/init"
	cp "$VMT_TOP/vm-tests/initramfs/guest-lib.sh" "$stage/etc/vmtest/"
	for m in $VMT_MODULES; do
		f=$(mod_path "$m")
		case "$f" in
		*.xz) xz -dc "$f" >"$stage/lib/modules/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$stage/lib/modules/$m.ko" ;;
		*) cp "$f" "$stage/lib/modules/$m.ko" ;;
		esac
	done
	echo "$VMT_MODULES" | tr ' ' '\n' | grep . >"$stage/etc/vmtest/modules"
	cp /sbin/ip /sbin/ethtool "$stage/sbin/"
	[ -n "${VMT_AGENT:-}" ] && cp "$VMT_AGENT" "$stage/usr/local/sbin/afxdp-agent"
	for f in $(echo "$inputs" | grep -E '/lib(64)?/.*\.so'); do
		name=${f##*/}
		case "$f" in
		*/ld-linux*) cp -L "$f" "$stage/lib64/$name" ;;
		*) cp -L "$f" "$stage/lib/x86_64-linux-gnu/$name" ;;
		esac
	done
	cp "$VMT_TOP"/bpf/*.bpf.o "$stage$GUEST_BPF_DIR/"
	cp "$LIBXDP_BPF_DIR"/xdp-dispatcher.o "$LIBXDP_BPF_DIR"/xsk_def_xdp_prog*.o \
		"$stage$LIBXDP_BPF_DIR/"
	(cd "$stage" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp" &&
		mv "$out.tmp" "$out"
	rm -rf "$stage"
	# One image per input set: drop those of older agents and kernels.
	find "$VMT_WORK" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -path "$out" -delete
	[ -s "$out" ] && echo "$out"
}

# initramfs_scenario BASE SCRIPT OUT: BASE plus a second archive holding
# /etc/vmtest/scenario.sh (the kernel unpacks concatenated archives in
# order, later files win).
initramfs_scenario() {
	local base=$1 script=$2 out=$3 d
	d=$(mktemp -d "$VMT_WORK/scn.XXXXXX")
	mkdir -p "$d/etc/vmtest"
	cp "$script" "$d/etc/vmtest/scenario.sh"
	{ cat "$base"; (cd "$d" && find etc | cpio -o -H newc --quiet -R 0:0 | gzip -1); } >"$out"
	rm -rf "$d"
}
