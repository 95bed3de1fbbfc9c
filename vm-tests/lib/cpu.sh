# shellcheck shell=bash
# The guest CPU every test VM boots with, the vm-tests harness's
# (lib/vm.sh, both backends) and images/test/run.sh's domain alike.
#
# VM_CPU: a QEMU CPU model (default QEMU's own, qemu64 under TCG). DPDK
# 24.11 from Debian needs SSE4.2 (qemu64: "Illegal instruction"): the
# DPDK scenarios set Nehalem, the oldest model with it.
VM_CPU=${VM_CPU:-}
# Every guest's CPU has RDRAND and the kernel trusts it: the random
# pool is ready before the second vCPU starts. Without it (qemu64 and
# Nehalem have none) the kernel flips its crng_is_ready static key at
# run time, seconds into the boot, and that live patch (int3) crashed a
# TCG guest in CI ("Oops: int3" in crng_make_state, from journalctl's
# keyctl, 2026-12-04): MTTCG runs live-patched kernel code unreliably.
VM_CPU_FLAGS=+rdrand
# shellcheck disable=SC2034 # used by the files that source this one
VM_CPU_CMDLINE="random.trust_cpu=on"

# The same as a libvirt <cpu> element. check='none': libvirt does not
# compare a TCG guest's model with the host.
domain_xml_cpu() {
	echo "  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>${VM_CPU:-qemu64}</model><feature policy='require' name='${VM_CPU_FLAGS#+}'/></cpu>"
}
