/* SPDX-License-Identifier: GPL-2.0 */
/* libvirt domain XML for XDP-ready virtio-net interfaces, with libxml2 and
 * no libvirt I/O: build an <interface>, read a domain's vCPUs, machine type
 * and interfaces, edit an interface in place (reporting every change, so a
 * second run reports none), and diff two snippets. All return 0 or -errno. */
#ifndef HOST_VM_XML_H
#define HOST_VM_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* What an XDP-ready interface looks like. */
struct vm_iface_spec {
	const char *driver_name; /* "vhost" or "qemu" */
	unsigned int queues;
	unsigned int rx_queue_size; /* 0: VM_RX_QUEUE_SIZE */
	unsigned int mtu; /* 0: leave <mtu> alone (refused above 4064) */
	/* Zero-copy: <driver iommu='on'/>, and with @non_transitional (or an
	 * interface placed on the PCIe root bus) model
	 * virtio-non-transitional, the modern-only device QEMU allows
	 * iommu_platform on. Without @iommu both are left as they are. */
	bool iommu;
	bool non_transitional;
};

enum vm_iface_kind { VM_IFACE_NETWORK = 0, VM_IFACE_BRIDGE, VM_IFACE_ETHERNET };

/* A new interface: <source network|bridge> or an existing tap as
 * type='ethernet' <target dev managed='no'/>. */
struct vm_new_iface {
	enum vm_iface_kind kind;
	const char *source; /* network, bridge or tap name */
	const char *mac; /* NULL: no <mac>, libvirt generates one */
};

#define VM_REASON_MAX 12
#define VM_REASON_LEN 192

/* Why an interface is not XDP-ready, or what an edit changed. */
struct vm_reasons {
	size_t n;
	char msg[VM_REASON_MAX][VM_REASON_LEN];
};

struct vm_domain_info {
	char name[256];
	unsigned int vcpus; /* maximum vCPUs: the guest may hot-plug to it */
	char machine[64]; /* "" when unset */
};

struct vm_iface_info {
	char type[16];
	char mac[18];
	char source[128]; /* network, bridge, dev ... */
	char target[64]; /* <target dev>, "" when unset */
	char model[32]; /* "" when unset */
	char driver[16];
	unsigned int queues, rx_queue_size, mtu; /* 0 when unset */
	char iommu[8]; /* <driver iommu>, "" when unset */
};

const char *vm_iface_kind_name(enum vm_iface_kind kind);

/* Parse with blank text dropped, so edited output re-indents cleanly. */
int vm_xml_parse(const char *xml, xmlDocPtr *doc);
int vm_xml_domain_info(xmlDocPtr doc, struct vm_domain_info *info);
/* The <interface> elements under <devices>, in document order. */
int vm_xml_interfaces(xmlDocPtr doc, xmlNodePtr *out, size_t max, size_t *n);
int vm_xml_iface_info(xmlNodePtr iface, struct vm_iface_info *info);
/* @sel: a MAC, a target dev name, or the interface's 0-based index. */
bool vm_xml_iface_match(xmlNodePtr iface, size_t index, const char *sel);

/* Compare @iface with @spec; every difference goes into @why (may be NULL).
 * With @modify the node is edited to match. -ERANGE when the interface has
 * an MTU above 4064 and @spec doesn't set one (the reason says so). */
int vm_xml_iface_apply(xmlNodePtr iface, const struct vm_iface_spec *spec,
		       bool modify, struct vm_reasons *why);

/* What in a domain's XML stands in the way of zero-copy beyond its
 * interfaces: a QEMU override or command line turning queue_reset off
 * (into @blockers), a vIOMMU (into @notes: the guest's DMA then goes
 * through it, and vhost needs its device IOTLB). */
void vm_xml_zc_domain(xmlDocPtr doc, struct vm_reasons *blockers,
		      struct vm_reasons *notes);

/* Build a new interface; *xml is malloc'd, indented, no XML declaration. */
int vm_xml_build_iface(const struct vm_new_iface *nif,
		       const struct vm_iface_spec *spec, char **xml);
/* Edit an interface snippet; *changed false means "no change". */
int vm_xml_edit_iface(const char *in, const struct vm_iface_spec *spec,
		      char **out, bool *changed, struct vm_reasons *why);

/* Append an <interface> snippet to the domain's <devices>. */
int vm_xml_append_iface(xmlDocPtr doc, const char *iface_xml);

/* Indented serialisation; malloc'd. */
int vm_xml_node_str(xmlNodePtr node, char **out);
int vm_xml_doc_str(xmlDocPtr doc, char **out);

/* Unified-style line diff (no hunks: the snippets are short) with headers
 * "--- @label (old)" / "+++ @label (new)"; *out "" when equal. */
int vm_xml_diff(const char *old_text, const char *new_text, const char *label,
		char **out);

#endif
