/* SPDX-License-Identifier: GPL-2.0 */
/* Hands a VF to a libvirt domain as <interface type='hostdev'
 * managed='yes'> (libvirt detaches it from the host driver to vfio-pci on
 * start and gives it back on shutdown), through the libvirt C API. */
#ifndef HOST_SRIOV_VM_H
#define HOST_SRIOV_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sriov_vm_opts {
	const char *uri; /* NULL: libvirt's default */
	const char *domain;
	const char *pci; /* the VF, "0000:00:03.1" */
	bool has_mac;
	uint8_t mac[6];
	int vlan; /* -1: none */
	bool config, live; /* neither: the domain's current state */
	bool dry_run;
};

/* The interface XML; -EINVAL when pci is not DDDD:BB:SS.F. */
int sriov_vm_xml(const struct sriov_vm_opts *o, char *buf, size_t len);
/* Attaches unless the domain already has a hostdev interface with that PCI
 * address (then *changed = false), in the scopes --config/--live select,
 * through host/domain.h. Returns 0 or its -errno: -ECONNREFUSED and
 * -ENOENT with libvirt's own message in err (the caller names the URI or
 * domain), -ESRCH (not running, --live), -EINVAL (bad PCI address, or
 * --config on a transient domain) or -EIO with a sentence in err. */
int sriov_vm_attach(const struct sriov_vm_opts *o, bool *changed, char *err,
		    size_t errlen);

#endif
