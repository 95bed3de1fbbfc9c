#!/bin/bash
# shellcheck disable=SC2034 # variables are shared with the sourced files
# vm-tests/run.sh: boots real guests under QEMU (TCG) and libvirt and checks
# that afxdp-agent forwards inside a VM. TAP on stdout (tests/lib/tap.sh);
# `make vm-test` runs it through tests/run.sh for the closing line.
#
#   VM_BACKENDS="qemu libvirt"   which backends to run (default both)
#   VMT_SCENARIOS="..."          subset of scenario names (default all)
#   VMT_GUESTS="bookworm trixie" which guests (default both): bookworm is
#                                the initramfs guest on Debian 12's 6.1
#                                kernel (every scenario); trixie the Debian
#                                13 image with the backports 7.x kernel
#                                (images/, make images-trixie): zerocopy,
#                                kill, jumbo, upgrade and dpdk-adopt
#                                (qemu), zerocopy-libvirt and two-guests
#                                (libvirt)
#   CI=true                      a missing facility is a failure
set -u
# A private mount namespace: libvirt's state directories become tmpfs here
# and netns mounts die with the run, whatever happens to this script.
if [ -z "${VMT_IN_MNTNS:-}" ] && [ "$(id -u)" = 0 ]; then
	export VMT_IN_MNTNS=1
	exec unshare --mount --propagation private "$0" "$@"
fi

VMT_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$VMT_TOP" || exit 1
# shellcheck source=../tests/lib/tap.sh
. tests/lib/tap.sh
for f in vm-tests/lib/*.sh vm-tests/scenarios/*.sh; do
	# shellcheck disable=SC1090
	. "$f"
done

VM_BACKENDS=${VM_BACKENDS:-qemu libvirt}
if ! need_root "vm-tests"; then tap_done; exit 0; fi
mkdir -p "$VMT_WORK"
: >"$VMT_PIDS_FILE"
# Artifacts are those of this run only.
rm -rf "$VMT_WORK/artifacts" "$VMT_WORK/run"

# Final sweep: whatever a scenario could not clean up (it was KILLed, ...).
final_sweep() {
	local pid ns
	[ -n "${VIRTLOGD_PID:-}" ] && libvirt_env_teardown
	while read -r pid; do
		pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	done <"$VMT_PIDS_FILE"
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$VMT_PREFIX-$$-"); do
		ip netns del "$ns"
	done
}
trap final_sweep EXIT

facility() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then return 0; fi
	skip "$what" "not available on this machine"
	return 1
}

VMT_KERNEL=$(guest_kernel)
VMT_KVER=${VMT_KERNEL#/boot/vmlinuz-}
facility "qemu-system-x86_64" command -v qemu-system-x86_64 &&
	facility "guest kernel /boot/vmlinuz-6.1.*-amd64 (linux-image-amd64)" test -n "$VMT_KERNEL" &&
	facility "busybox-static" test -x /bin/busybox ||
	{ tap_done; exit 1; }

VMT_AGENT=
if [ -x guest/afxdp-agent ]; then VMT_AGENT=$VMT_TOP/guest/afxdp-agent; fi
start=$SECONDS
VMT_BASE_INITRD=$(initramfs_build)
if [ -s "$VMT_BASE_INITRD" ]; then
	ok "initramfs built from host packages ($(du -h "$VMT_BASE_INITRD" | cut -f1), $((SECONDS - start)) s)"
else
	not_ok "initramfs build"
	tap_done; exit 1
fi
[ -n "$VMT_AGENT" ] || not_ok "guest/afxdp-agent is built (run make first)"

want() { [ -z "${VMT_SCENARIOS:-}" ] || [[ " $VMT_SCENARIOS " == *" $1 "* ]]; }

VMT_GUESTS=${VMT_GUESTS:-bookworm trixie}
want_guest() { [[ " $VMT_GUESTS " == *" $1 "* ]]; }

want_guest bookworm && for VM_BACKEND in $VM_BACKENDS; do
	case $VM_BACKEND in
	qemu)
		want forward && scenario forward scn_forward
		want nicprep-queues && scenario nicprep-queues scn_nicprep_queues
		want nicprep-offloads && scenario nicprep-offloads scn_nicprep_offloads
		want kill && scenario kill scn_kill_midtraffic
		want fail-cleanup && scenario fail-cleanup scn_fail_cleanup
		;;
	libvirt)
		if facility "libvirtd" command -v libvirtd &&
			facility "virtlogd" command -v virtlogd &&
			facility "virsh" command -v virsh; then
			if libvirt_env_setup; then
				want forward && scenario forward scn_forward
				want shutdown && scenario shutdown scn_virsh_shutdown
				want destroy && scenario destroy scn_virsh_destroy
				want real-tcp && scenario real-tcp scn_real_tcp
				libvirt_env_teardown
			else
				not_ok "libvirt: virtlogd and state directories set up"
			fi
		fi
		;;
	*) not_ok "unknown VM_BACKEND '$VM_BACKEND'" ;;
	esac
done

# Debian 13 + trixie-backports kernel: zero-copy AF_XDP on virtio-net.
if want_guest trixie && { want zerocopy || want kill || want zerocopy-libvirt ||
	want jumbo || want upgrade || want dpdk-adopt || want two-guests; }; then
	t0=$SECONDS
	if image_guest_setup trixie; then
		ok "Debian 13 image with the kit's .deb and kernel $VMT_KVER ($((SECONDS - t0)) s)"
		VMT_GUEST=trixie
		# One boot, seven agent runs: more than the default time budget.
		want zerocopy && VM_BACKEND=qemu SCN_TIMEOUT=${ZC_TIMEOUT:-600} scenario zerocopy scn_zerocopy
		want kill && VM_BACKEND=qemu scenario kill scn_kill_midtraffic
		want jumbo && VM_BACKEND=qemu scenario jumbo scn_jumbo
		want upgrade && VM_BACKEND=qemu SCN_TIMEOUT=600 scenario upgrade scn_upgrade
		# DPDK 24.11's testpmd on the agent's claims (use_cni).
		want dpdk-adopt && VM_BACKEND=qemu SCN_TIMEOUT=${DA_TIMEOUT:-600} scenario dpdk-adopt scn_dpdk_adopt
		if [[ " $VM_BACKENDS " == *" libvirt "* ]] && { want zerocopy-libvirt || want two-guests; } &&
			facility "libvirtd" command -v libvirtd &&
			facility "virtlogd" command -v virtlogd &&
			facility "virsh" command -v virsh; then
			if libvirt_env_setup; then
				want zerocopy-libvirt && VM_BACKEND=libvirt scenario zerocopy-libvirt scn_zerocopy_libvirt
				# Issue 20: a DPDK guest and an AF_XDP guest at once.
				want two-guests && VM_BACKEND=libvirt SCN_TIMEOUT=${TG_TIMEOUT:-900} \
					scenario two-guests scn_two_guests
				libvirt_env_teardown
			else
				not_ok "libvirt: virtlogd and state directories set up"
			fi
		fi
		diag "Debian 13 guest scenarios took $((SECONDS - t0)) s"
	else
		not_ok "Debian 13 image built (images/build.sh --dist trixie)"
	fi
fi
diag "vm-tests took $((SECONDS - start)) s"
tap_done
