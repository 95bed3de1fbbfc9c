#!/bin/sh
# Install every Debian package that building, testing, the demo, the VM
# harness, the image build, Ansible and the benchmarks need.
# Idempotent and non-interactive: apt-get skips what is already installed.
set -eu

BUILD_PKGS="build-essential pkg-config clang llvm libc6-dev-i386 linux-libc-dev
 libxdp-dev libbpf-dev libelf-dev zlib1g-dev libmnl-dev libjson-c-dev
 libyaml-dev libcmocka-dev libvirt-dev libxml2-dev libcap-ng-dev
 libsystemd-dev libclang-rt-14-dev"
RUN_PKGS="iproute2 ethtool xdp-tools bpftool socat tcpdump kmod procps jq iputils-ping
 python3 python3-jsonschema valgrind libxml2-utils man-db"
VM_PKGS="qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu
 libvirt-clients busybox-static linux-image-amd64 cloud-image-utils
 debootstrap e2fsprogs"
PKG_PKGS="debhelper dpkg-dev fakeroot"
ANSIBLE_PKGS="ansible-core ansible-lint"
BENCH_PKGS="dpdk dpdk-dev librte-net-af-xdp23"

want="$BUILD_PKGS $RUN_PKGS $VM_PKGS $PKG_PKGS $ANSIBLE_PKGS $BENCH_PKGS"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Recommends would pull a desktop's worth of packages (libvirt, qemu).
apt-get install -y -q --no-install-recommends $missing
