/* SPDX-License-Identifier: GPL-2.0 */
/* The rules that make a virtio-net interface XDP-ready: queue count, MTU,
 * RX ring size, machine type, vhost or qemu backend. Pure functions, no
 * libvirt, so the unit tests can check every rule. All return 0 or -errno
 * and write a one-line explanation into the caller's buffer. */
#ifndef HOST_VM_RULES_H
#define HOST_VM_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/xdp_mtu.h"

/* tun/tap and macvtap allow at most 256 queues per device
 * (MAX_TAP_QUEUES in drivers/net/tun.c and tap.c); every libvirt interface
 * type this tool writes (network, bridge, ethernet) is backed by one. */
#define VM_TAP_MAX_QUEUES 256
/* guest virtio_net refuses XDP above PAGE_SIZE minus the 32-byte padded
 * virtio-net header (4096 - 32) when the frame must fit one 4 KiB page:
 * the same limit the agent applies in the guest. */
#define VM_XDP_MAX_MTU XDP_MTU_VIRTIO_MAX
#define VM_MIN_MTU XDP_MTU_MIN
#define VM_RX_QUEUE_SIZE 1024 /* QEMU's maximum, fewer drops under bursts */
#define VM_MAX_VCPUS 4096 /* QEMU's upper bound for any machine type */
#define VM_VHOST_NET_DEV "/dev/vhost-net"

struct vm_caps {
	unsigned int max_queues; /* 0: VM_TAP_MAX_QUEUES */
	/* The hypervisor's version as libvirt encodes it (major * 1000000 +
	 * minor * 1000 + micro) for a QEMU connection; 0: unknown. */
	unsigned long qemu_version;
};

/* Zero-copy AF_XDP in the guest (virtio-net, Linux >= 6.11) resets single
 * queues (VIRTIO_F_RING_RESET: QEMU >= 7.2, whose queue_reset property the
 * machine types up to 7.1 turn off through hw_compat_7_1) and maps its
 * buffers through the DMA API (VIRTIO_F_ACCESS_PLATFORM: libvirt's
 * <driver iommu='on'/>, QEMU's iommu_platform), which QEMU allows only on
 * a modern-only device. */
#define VM_ZC_QEMU_MIN 7002000UL
#define VM_ZC_MACHINE_MAJOR 7
#define VM_ZC_MACHINE_MINOR 2

enum vm_backend { VM_BACKEND_AUTO = 0, VM_BACKEND_VHOST, VM_BACKEND_QEMU };

/* Queue pairs for a guest with @vcpus vCPUs: @requested when non-zero
 * (refused with -ERANGE above the cap), else 2 x vCPUs so XDP_TX/redirect
 * gets a TX queue per CPU beside the stack's, capped to the host limit
 * (then *capped is set). */
int vm_rules_queues(unsigned int vcpus, unsigned int requested,
		    const struct vm_caps *caps, unsigned int *queues,
		    bool *capped, char *why, size_t why_len);

/* -ERANGE when @mtu is outside [68, 4064]. */
int vm_rules_mtu(unsigned int mtu, char *why, size_t why_len);

/* -EINVAL unless a power of two in [256, 1024] (QEMU's rule). */
int vm_rules_rx_queue_size(unsigned int size, char *why, size_t why_len);

/* -ENOTSUP for machine types whose virtio-pci devices are legacy-only
 * (no VIRTIO_F_VERSION_1): pc-0.x, pc-1.x, pc-i440fx/pc-q35 before 2.7,
 * rhel6.*. NULL or "" (libvirt picks its newest) is accepted. */
int vm_rules_machine(const char *machine, char *why, size_t why_len);

/* Zero-copy rule for @machine: -ENOTSUP when a versioned machine type
 * before 7.2 turns queue_reset off; *q35 when it is a q35 one (libvirt
 * puts its virtio devices on PCIe root ports, where QEMU makes them
 * modern-only; elsewhere the device must be virtio-non-transitional to
 * take iommu_platform). NULL or "": libvirt's default, i440fx on x86. */
int vm_rules_zc_machine(const char *machine, bool *q35, char *why,
			size_t why_len);

/* -ENOTSUP when @version (libvirt's encoding) is a QEMU before 7.2; 0
 * also when it is 0 (not a QEMU connection: not checked). */
int vm_rules_zc_qemu(unsigned long version, char *why, size_t why_len);

/* "vhost" or "qemu": @backend when forced, else vhost when @vhost_dev
 * (default /dev/vhost-net) exists. */
const char *vm_rules_backend(enum vm_backend backend, const char *vhost_dev);

#endif
