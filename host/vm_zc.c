// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm: what zero-copy AF_XDP inside the guest needs from the
 * domain, and what stands in its way. Measured with a Debian 13 guest on
 * the trixie-backports 7.3 kernel under QEMU 7.2 (vm-tests' zerocopy
 * scenario): the guest's virtio-net binds zero-copy sockets only on a
 * device with iommu_platform (its buffers are mapped through the DMA API)
 * and the queue reset (VIRTIO_F_RING_RESET), else the bind fails with
 * EINVAL or EOPNOTSUPP. */
#include <string.h>

#include "host/vm_internal.h"

static void add_reason(struct vm_reasons *why, const char *msg)
{
	if (why->n < VM_REASON_MAX)
		snprintf(why->msg[why->n++], VM_REASON_LEN, "%s", msg);
}

size_t vm_zc_assess(const struct vm_opts *o, const char *machine, xmlDocPtr doc,
		    struct vm_iface_spec *spec, json_object *result)
{
	struct vm_reasons blockers = { 0 }, notes = { 0 };
	char why[VM_REASON_LEN];
	json_object *zc;
	bool q35;

	spec->iommu = o->zero_copy;
	if (vm_rules_zc_machine(machine, &q35, why, sizeof(why)))
		add_reason(&blockers, why);
	else if (!q35)
		add_reason(
			&notes,
			"not a q35 machine: iommu='on' needs the modern-only model virtio-non-transitional there (QEMU refuses iommu_platform on a transitional device)");
	/* Unknown machine families get the model that works everywhere. */
	spec->non_transitional = !q35;
	if (vm_rules_zc_qemu(o->caps.qemu_version, why, sizeof(why)))
		add_reason(&blockers, why);
	if (doc)
		vm_xml_zc_domain(doc, &blockers, &notes);
	if (spec->driver_name && !strcmp(spec->driver_name, "vhost"))
		add_reason(
			&notes,
			"driver vhost: the host's vhost-net must offer the queue reset too (not tested here; driver qemu has it)");
	add_reason(
		&notes,
		"the guest needs Linux 6.13 or newer (virtio-net zero-copy receive from 6.11, transmit and the XSK_ZEROCOPY xdp-feature from 6.13; tested with 7.3)");
	if (!result)
		return blockers.n;
	zc = json_object_new_object();
	json_object_object_add(zc, "requested",
			       json_object_new_boolean(o->zero_copy));
	json_object_object_add(zc, "ready",
			       json_object_new_boolean(!blockers.n));
	json_object_object_add(zc, "blockers", vm_reasons_json(&blockers));
	json_object_object_add(zc, "notes", vm_reasons_json(&notes));
	json_object_object_add(result, "zero_copy", zc);
	return blockers.n;
}

bool vm_zc_iface(xmlNodePtr iface, const struct vm_iface_spec *zc_spec,
		 json_object *j)
{
	struct vm_iface_spec s = *zc_spec;
	struct vm_reasons all = { 0 }, zc = { 0 };

	/* The interface's own part: iommu on and a model that takes it (a
	 * non-virtio model is one too). */
	s.iommu = true;
	vm_xml_iface_apply(iface, &s, false, &all);
	for (size_t i = 0; i < all.n; i++) {
		if (!strncmp(all.msg[i], "iommu ", 6) ||
		    !strncmp(all.msg[i], "model ", 6))
			add_reason(&zc, all.msg[i]);
	}
	json_object_object_add(j, "zero_copy_ready",
			       json_object_new_boolean(!zc.n));
	json_object_object_add(j, "zero_copy_reasons", vm_reasons_json(&zc));
	return !zc.n;
}
