// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/vm_rules.h"

int vm_rules_queues(unsigned int vcpus, unsigned int requested,
		    const struct vm_caps *caps, unsigned int *queues,
		    bool *capped, char *why, size_t why_len)
{
	unsigned int cap =
		caps && caps->max_queues ? caps->max_queues : VM_TAP_MAX_QUEUES;
	unsigned int want;

	*capped = false;
	if (vcpus < 1 || vcpus > VM_MAX_VCPUS) {
		snprintf(why, why_len, "vCPU count %u outside 1..%u", vcpus,
			 VM_MAX_VCPUS);
		return -ERANGE;
	}
	if (requested) {
		if (requested > cap) {
			snprintf(
				why, why_len,
				"%u queues requested, the host allows at most %u (tap devices have at most %u queues)",
				requested, cap, VM_TAP_MAX_QUEUES);
			return -ERANGE;
		}
		*queues = requested;
		snprintf(why, why_len, "queues=%u as requested", requested);
		return 0;
	}
	want = 2 * vcpus;
	if (want > cap) {
		*queues = cap;
		*capped = true;
		snprintf(
			why, why_len,
			"queues=%u: 2 x %u vCPUs = %u capped to the host limit %u (tap devices have at most %u queues); XDP_TX then shares TX queues (locked mode)",
			cap, vcpus, want, cap, VM_TAP_MAX_QUEUES);
		return 0;
	}
	*queues = want;
	snprintf(
		why, why_len,
		"queues=%u: 2 x %u vCPUs, so XDP gets its own TX queue per vCPU beside the stack's",
		want, vcpus);
	return 0;
}

int vm_rules_mtu(unsigned int mtu, char *why, size_t why_len)
{
	if (mtu < VM_MIN_MTU || mtu > VM_XDP_MAX_MTU) {
		snprintf(
			why, why_len,
			"MTU %u refused: XDP in the guest's virtio_net needs a frame in one 4 KiB page (4096 - 32 bytes virtio-net header = %u), minimum %u",
			mtu, VM_XDP_MAX_MTU, VM_MIN_MTU);
		return -ERANGE;
	}
	snprintf(why, why_len, "MTU %u within the single-page XDP limit %u",
		 mtu, VM_XDP_MAX_MTU);
	return 0;
}

int vm_rules_rx_queue_size(unsigned int size, char *why, size_t why_len)
{
	if (size < 256 || size > 1024 || (size & (size - 1))) {
		snprintf(
			why, why_len,
			"rx_queue_size %u refused: QEMU wants a power of two in 256..1024",
			size);
		return -EINVAL;
	}
	snprintf(why, why_len, "rx_queue_size %u", size);
	return 0;
}

/* "X.Y" at @s: 0 and the numbers, or -EINVAL. */
static int parse_version(const char *s, unsigned int *major,
			 unsigned int *minor)
{
	char tail;

	if (sscanf(s, "%u.%u%c", major, minor, &tail) == 2)
		return 0;
	return -EINVAL;
}

static const char *const versioned_prefixes[] = { "pc-i440fx-", "pc-q35-",
						  "pc-" };

int vm_rules_machine(const char *machine, char *why, size_t why_len)
{
	unsigned int major, minor;

	if (!machine || !*machine) {
		snprintf(
			why, why_len,
			"machine type not set: libvirt picks the newest, which has VIRTIO_F_VERSION_1");
		return 0;
	}
	if (!strncmp(machine, "rhel6", 5))
		goto refuse;
	for (size_t i = 0;
	     i < sizeof(versioned_prefixes) / sizeof(versioned_prefixes[0]);
	     i++) {
		size_t n = strlen(versioned_prefixes[i]);

		if (strncmp(machine, versioned_prefixes[i], n))
			continue;
		if (parse_version(machine + n, &major, &minor))
			break; /* e.g. "pc-i440fx-rhel7.6.0": not ours to judge */
		/* hw_compat_2_6 sets virtio-pci disable-modern=on. */
		if (major < 2 || (major == 2 && minor < 7))
			goto refuse;
		break;
	}
	snprintf(why, why_len, "machine type %s offers VIRTIO_F_VERSION_1",
		 machine);
	return 0;
refuse:
	snprintf(
		why, why_len,
		"machine type %s refused: its virtio-pci devices are legacy-only (no VIRTIO_F_VERSION_1), which the guest's XDP needs; use a machine type 2.7 or newer (e.g. 'pc' or 'q35')",
		machine);
	return -ENOTSUP;
}

int vm_rules_zc_machine(const char *machine, bool *q35, char *why,
			size_t why_len)
{
	unsigned int major, minor;
	const char *ver = NULL;

	*q35 = false;
	if (!machine || !*machine) {
		snprintf(
			why, why_len,
			"machine type not set: libvirt's default (i440fx) needs model virtio-non-transitional for iommu='on'");
		return 0;
	}
	if (!strcmp(machine, "q35")) {
		*q35 = true;
	} else if (!strncmp(machine, "pc-q35-", 7)) {
		*q35 = true;
		ver = machine + 7;
	} else if (!strncmp(machine, "pc-i440fx-", 10)) {
		ver = machine + 10;
	} else if (strcmp(machine, "pc")) {
		snprintf(
			why, why_len,
			"machine type %s: queue reset (QEMU 7.2 machine types or newer) not checked",
			machine);
		return 0;
	}
	if (ver && !parse_version(ver, &major, &minor) &&
	    (major < VM_ZC_MACHINE_MAJOR ||
	     (major == VM_ZC_MACHINE_MAJOR && minor < VM_ZC_MACHINE_MINOR))) {
		snprintf(
			why, why_len,
			"machine type %s turns the virtio queue reset off (QEMU's hw_compat_7_1): zero-copy needs a %s machine type of 7.2 or newer",
			machine, *q35 ? "q35" : "pc");
		return -ENOTSUP;
	}
	snprintf(why, why_len,
		 "machine type %s keeps the virtio queue reset on", machine);
	return 0;
}

int vm_rules_zc_qemu(unsigned long version, char *why, size_t why_len)
{
	if (version && version < VM_ZC_QEMU_MIN) {
		snprintf(
			why, why_len,
			"QEMU %lu.%lu.%lu has no virtio queue reset (VIRTIO_F_RING_RESET, QEMU 7.2): the guest cannot bind zero-copy sockets",
			version / 1000000, version / 1000 % 1000,
			version % 1000);
		return -ENOTSUP;
	}
	if (version)
		snprintf(why, why_len,
			 "QEMU %lu.%lu.%lu offers the virtio queue reset",
			 version / 1000000, version / 1000 % 1000,
			 version % 1000);
	else
		snprintf(why, why_len, "hypervisor version not checked");
	return 0;
}

const char *vm_rules_backend(enum vm_backend backend, const char *vhost_dev)
{
	switch (backend) {
	case VM_BACKEND_VHOST:
		return "vhost";
	case VM_BACKEND_QEMU:
		return "qemu";
	default:
		break;
	}
	return access(vhost_dev ? vhost_dev : VM_VHOST_NET_DEV, F_OK) ? "qemu" :
									"vhost";
}
