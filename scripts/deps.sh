#!/bin/sh
# deps.sh [TIER...]: install the Debian 12 packages a tier needs.
#
#   demo   build the agent and the XDP programs, run them on veth (make demo)
#   test   everything `make test` builds and runs (includes demo)
#   vm     the VM, package and image suites (make vm-test; includes test)
#   bench  the benchmarks' peers (make bench; includes test)
#   fresh  what `make fresh-check` needs on the host (debootstrap)
#   all    every tier above (make deps)
#
# Idempotent and non-interactive: a package already installed is not asked
# for again, and apt-get runs only when something is missing. Root only
# (as root directly, or under sudo).
set -eu

# Building the agent (libxdp, libbpf, ...) and the BPF objects (clang).
DEMO_BUILD="make gcc libc6-dev pkg-config clang libxdp-dev libbpf-dev
 libelf-dev zlib1g-dev libmnl-dev libjson-c-dev libyaml-dev libcap-ng-dev
 libsystemd-dev"
# Running it on veth: ip (netns, veth, attaching the sink's BPF object),
# bpftool + jq (reading the sink's counter), sysctl, mount.
DEMO_RUN="iproute2 bpftool jq procps util-linux"

# make test: the host tool (libvirt, libxml2), cmocka, sanitizers and the
# fuzzers' runtime, the tools the suites call (systemd for systemd-analyze;
# iperf3, curl and python3's http.server as real clients and servers),
# Ansible, and a real libvirtd for the role's suite. libvirt-daemon-system
# brings the libvirt-qemu user and /etc/libvirt/qemu.conf, without which the
# QEMU driver does not load.
TEST_BUILD="libcmocka-dev libvirt-dev libxml2-dev libclang-rt-14-dev llvm"
TEST_RUN="ethtool xdp-tools socat tcpdump kmod iputils-ping python3
 python3-jsonschema valgrind libxml2-utils man-db mandoc
 libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system
 libvirt-clients qemu-system-x86 ansible-core ansible-lint systemd
 iperf3 curl openssh-server openssh-client yamllint debootstrap"
# afxdp-host publish's real consumers, run by tests/host/test_publish.sh.
TEST_PUBLISH="python3-nova python3-os-traits prometheus-node-exporter"

# make vm-test: guests under QEMU (kernel, busybox initramfs, cloud-init
# image build) and the .deb packages (make deb); lintian because
# images/test/deb.sh holds the packages to 0 lintian errors and warnings.
VM="qemu-utils busybox-static linux-image-amd64 cloud-image-utils
 debootstrap e2fsprogs debhelper dpkg-dev fakeroot lintian"

# make bench: DPDK testpmd with its AF_XDP driver; Open vSwitch (afxdp ports).
BENCH="dpdk dpdk-dev librte-net-af-xdp23 openvswitch-switch rt-tests"

# make fresh-check: a minimal Debian 12 root built on the host.
FRESH="debootstrap"

tier_pkgs() {
	case $1 in
	demo) echo "$DEMO_BUILD $DEMO_RUN" ;;
	test) echo "$(tier_pkgs demo) $TEST_BUILD $TEST_RUN $TEST_PUBLISH" ;;
	vm) echo "$(tier_pkgs test) $VM" ;;
	bench) echo "$(tier_pkgs test) $BENCH" ;;
	fresh) echo "$FRESH" ;;
	all) echo "$(tier_pkgs vm) $BENCH $FRESH" ;;
	*) return 1 ;;
	esac
}

[ $# -gt 0 ] || set -- all
want=""
for t in "$@"; do
	p=$(tier_pkgs "$t") || {
		echo "deps: unknown tier '$t' (demo, test, vm, bench, fresh, all)" >&2
		exit 2
	}
	want="$want $p"
done

if [ "$(id -u)" != 0 ]; then
	echo "deps: installing packages needs root: run as root or with sudo" >&2
	exit 2
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps ($*): all packages present"
	exit 0
fi
echo "deps ($*): installing:$missing"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
before=$(dpkg-query -W -f='${Status}\n' 2>/dev/null | grep -c "ok installed")
apt-get update -q
# Recommends would pull a desktop's worth of packages (libvirt, qemu).
apt-get install -y -q --no-install-recommends $missing
after=$(dpkg-query -W -f='${Status}\n' 2>/dev/null | grep -c "ok installed")
echo "deps ($*): $((after - before)) packages installed in $(($(date +%s) - start)) s"
