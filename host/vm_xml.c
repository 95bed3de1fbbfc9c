// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "host/vm_rules.h"
#include "host/vm_xml.h"
#include "util/parse.h"

#define X(s) ((const xmlChar *)(s))

static const char *const guest_offloads[] = { "csum", "tso4", "tso6", "ecn",
					      "ufo" };

const char *vm_iface_kind_name(enum vm_iface_kind kind)
{
	switch (kind) {
	case VM_IFACE_NETWORK:
		return "network";
	case VM_IFACE_BRIDGE:
		return "bridge";
	case VM_IFACE_ETHERNET:
		return "ethernet";
	}
	return "?";
}

static void reason(struct vm_reasons *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(struct vm_reasons *why, const char *fmt, ...)
{
	va_list ap;

	if (!why || why->n >= VM_REASON_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(why->msg[why->n++], VM_REASON_LEN, fmt, ap);
	va_end(ap);
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X(name)))
			return c;
	return NULL;
}

/* Copy attribute @attr of @node into @buf ("" when absent). */
static void prop(xmlNodePtr node, const char *attr, char *buf, size_t len)
{
	xmlChar *v = node ? xmlGetProp(node, X(attr)) : NULL;

	snprintf(buf, len, "%s", v ? (const char *)v : "");
	xmlFree(v);
}

static unsigned int prop_uint(xmlNodePtr node, const char *attr)
{
	char buf[32];
	uint32_t v;

	prop(node, attr, buf, sizeof(buf));
	return parse_u32(buf, 0, UINT32_MAX, &v) ? 0 : v;
}

int vm_xml_parse(const char *xml, xmlDocPtr *doc)
{
	*doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			     XML_PARSE_NOBLANKS | XML_PARSE_NONET |
				     XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	return *doc ? 0 : -EINVAL;
}

int vm_xml_domain_info(xmlDocPtr doc, struct vm_domain_info *info)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	xmlChar *text;
	uint32_t v;
	int err = 0;

	memset(info, 0, sizeof(*info));
	if (!root || xmlStrcmp(root->name, X("domain")))
		return -EINVAL;
	n = child(root, "name");
	text = n ? xmlNodeGetContent(n) : NULL;
	snprintf(info->name, sizeof(info->name), "%s",
		 text ? (const char *)text : "");
	xmlFree(text);
	n = child(root, "vcpu");
	text = n ? xmlNodeGetContent(n) : NULL;
	if (!text || parse_u32((const char *)text, 1, UINT32_MAX, &v))
		err = -EINVAL;
	else
		info->vcpus = v;
	xmlFree(text);
	prop(child(child(root, "os"), "type"), "machine", info->machine,
	     sizeof(info->machine));
	return err;
}

int vm_xml_interfaces(xmlDocPtr doc, xmlNodePtr *out, size_t max, size_t *n)
{
	xmlNodePtr devices = child(xmlDocGetRootElement(doc), "devices");

	*n = 0;
	if (!devices)
		return 0;
	for (xmlNodePtr c = devices->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(c->name, X("interface")))
			continue;
		if (*n == max)
			return -E2BIG;
		out[(*n)++] = c;
	}
	return 0;
}

int vm_xml_iface_info(xmlNodePtr iface, struct vm_iface_info *info)
{
	xmlNodePtr src = child(iface, "source"), drv = child(iface, "driver");
	static const char *const src_attrs[] = { "network", "bridge", "dev",
						 "path" };

	memset(info, 0, sizeof(*info));
	prop(iface, "type", info->type, sizeof(info->type));
	prop(child(iface, "mac"), "address", info->mac, sizeof(info->mac));
	for (size_t i = 0; src && i < sizeof(src_attrs) / sizeof(src_attrs[0]);
	     i++) {
		prop(src, src_attrs[i], info->source, sizeof(info->source));
		if (info->source[0])
			break;
	}
	prop(child(iface, "target"), "dev", info->target, sizeof(info->target));
	prop(child(iface, "model"), "type", info->model, sizeof(info->model));
	prop(drv, "name", info->driver, sizeof(info->driver));
	info->queues = prop_uint(drv, "queues");
	info->rx_queue_size = prop_uint(drv, "rx_queue_size");
	info->mtu = prop_uint(child(iface, "mtu"), "size");
	prop(drv, "iommu", info->iommu, sizeof(info->iommu));
	return 0;
}

bool vm_xml_iface_match(xmlNodePtr iface, size_t index, const char *sel)
{
	uint8_t want[6], have[6];
	char buf[64];
	uint32_t idx;

	if (!parse_mac(sel, want)) {
		prop(child(iface, "mac"), "address", buf, sizeof(buf));
		return !parse_mac(buf, have) && !memcmp(want, have, 6);
	}
	if (!parse_u32(sel, 0, UINT32_MAX, &idx))
		return idx == index;
	prop(child(iface, "target"), "dev", buf, sizeof(buf));
	return !strcmp(buf, sel);
}

/* Make @attr of child element @elem_name of @parent equal @value; a
 * difference is described in @why as "LABEL OLD -> NEW". */
static bool want_attr(xmlNodePtr parent, const char *elem_name,
		      const char *attr, const char *value, bool modify,
		      struct vm_reasons *why, const char *label)
{
	xmlNodePtr elem = child(parent, elem_name);
	char old[64];

	prop(elem, attr, old, sizeof(old));
	if (!strcmp(old, value))
		return false;
	reason(why, "%s %s -> %s", label, old[0] ? old : "unset", value);
	if (modify) {
		if (!elem)
			elem = xmlNewChild(parent, NULL, X(elem_name), NULL);
		xmlSetProp(elem, X(attr), X(value));
	}
	return true;
}

/* An explicit PCI address on bus 0: on q35 that is the PCIe root bus,
 * where QEMU keeps a virtio device transitional (legacy on). */
static bool on_root_bus(xmlNodePtr iface)
{
	char bus[16];

	prop(child(iface, "address"), "bus", bus, sizeof(bus));
	return bus[0] && strtoul(bus, NULL, 0) == 0;
}

static bool has_queue_reset_off(const char *v)
{
	return v && strstr(v, "queue_reset=") &&
	       (strstr(v, "queue_reset=off") || strstr(v, "queue_reset=false"));
}

/* Walk @n's subtree for a queue_reset turned off: "-global
 * virtio-net-pci.queue_reset=off" or "-device ...,queue_reset=off" in
 * <qemu:commandline>, or <qemu:property name='queue_reset'
 * value='false'/> in <qemu:override>. */
static bool queue_reset_off(xmlNodePtr n)
{
	for (; n; n = n->next) {
		char name[32], value[512];

		if (n->type != XML_ELEMENT_NODE)
			continue;
		prop(n, "value", value, sizeof(value));
		prop(n, "name", name, sizeof(name));
		if (has_queue_reset_off(value) ||
		    (!strcmp(name, "queue_reset") &&
		     (!strcmp(value, "false") || !strcmp(value, "off"))))
			return true;
		if (queue_reset_off(n->children))
			return true;
	}
	return false;
}

void vm_xml_zc_domain(xmlDocPtr doc, struct vm_reasons *blockers,
		      struct vm_reasons *notes)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char model[32];

	if (root && queue_reset_off(root->children))
		reason(blockers,
		       "the domain's QEMU command line or override turns queue_reset off: the guest's virtio-net needs the queue reset for zero-copy");
	prop(child(child(root, "devices"), "iommu"), "model", model,
	     sizeof(model));
	if (model[0])
		reason(notes,
		       "vIOMMU %s: the guest's zero-copy DMA goes through it (with driver vhost, enable its device IOTLB: <iommu><driver iotlb='on'/>)",
		       model);
}

int vm_xml_iface_apply(xmlNodePtr iface, const struct vm_iface_spec *spec,
		       bool modify, struct vm_reasons *why)
{
	unsigned int rxq =
		spec->rx_queue_size ? spec->rx_queue_size : VM_RX_QUEUE_SIZE;
	xmlNodePtr drv, guest;
	char num[16], on[64] = "", val[32];
	unsigned int mtu = prop_uint(child(iface, "mtu"), "size");

	if (!spec->mtu && mtu > VM_XDP_MAX_MTU) {
		reason(why,
		       "MTU %u above the single-page XDP limit %u: pass an MTU of at most %u",
		       mtu, VM_XDP_MAX_MTU, VM_XDP_MAX_MTU);
		return -ERANGE;
	}
	prop(child(iface, "model"), "type", val, sizeof(val));
	if (spec->iommu && (spec->non_transitional || on_root_bus(iface)))
		want_attr(iface, "model", "type", "virtio-non-transitional",
			  modify, why, "model");
	else if (strcmp(val, "virtio") &&
		 strcmp(val, "virtio-non-transitional") &&
		 strcmp(val, "virtio-transitional"))
		want_attr(iface, "model", "type", "virtio", modify, why,
			  "model");
	if (spec->driver_name)
		want_attr(iface, "driver", "name", spec->driver_name, modify,
			  why, "driver name");
	snprintf(num, sizeof(num), "%u", spec->queues);
	want_attr(iface, "driver", "queues", num, modify, why, "queues");
	snprintf(num, sizeof(num), "%u", rxq);
	want_attr(iface, "driver", "rx_queue_size", num, modify, why,
		  "rx_queue_size");
	/* Zero-copy: the device maps buffers through the DMA API. */
	if (spec->iommu)
		want_attr(iface, "driver", "iommu", "on", modify, why, "iommu");

	/* <guest> offloads off, else "Can't set XDP while host is
	 * implementing GRO_HW/CSUM"; <host> is left as it is. */
	drv = child(iface, "driver");
	guest = child(drv, "guest");
	for (size_t i = 0; i < sizeof(guest_offloads) / sizeof(*guest_offloads);
	     i++) {
		prop(guest, guest_offloads[i], val, sizeof(val));
		if (!strcmp(val, "off"))
			continue;
		snprintf(on + strlen(on), sizeof(on) - strlen(on), "%s%s",
			 on[0] ? "," : "", guest_offloads[i]);
		if (modify && drv) {
			if (!guest)
				guest = xmlNewChild(drv, NULL, X("guest"),
						    NULL);
			xmlSetProp(guest, X(guest_offloads[i]), X("off"));
		}
	}
	if (on[0])
		reason(why,
		       "guest offloads %s -> off (the guest can't load XDP while the host does GRO/csum for it)",
		       on);
	if (spec->mtu) {
		snprintf(num, sizeof(num), "%u", spec->mtu);
		want_attr(iface, "mtu", "size", num, modify, why, "mtu");
	}
	return 0;
}

static int node_to_iface_doc(const char *xml, xmlDocPtr *doc)
{
	xmlNodePtr root;
	int err = vm_xml_parse(xml, doc);

	if (err)
		return err;
	root = xmlDocGetRootElement(*doc);
	if (!root || xmlStrcmp(root->name, X("interface"))) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return -EINVAL;
	}
	return 0;
}

int vm_xml_build_iface(const struct vm_new_iface *nif,
		       const struct vm_iface_spec *spec, char **xml)
{
	xmlDocPtr doc;
	xmlNodePtr root, n;
	uint8_t mac[6];
	char macs[MAC_STR_LEN];
	int err;

	*xml = NULL;
	if (!nif->source || !nif->source[0])
		return -EINVAL;
	if (nif->mac && parse_mac(nif->mac, mac))
		return -EINVAL;
	doc = xmlNewDoc(X("1.0"));
	if (!doc)
		return -ENOMEM;
	root = xmlNewNode(NULL, X("interface"));
	xmlDocSetRootElement(doc, root);
	xmlSetProp(root, X("type"), X(vm_iface_kind_name(nif->kind)));
	if (nif->mac) {
		n = xmlNewChild(root, NULL, X("mac"), NULL);
		xmlSetProp(n, X("address"), X(format_mac(mac, macs)));
	}
	switch (nif->kind) {
	case VM_IFACE_NETWORK:
	case VM_IFACE_BRIDGE:
		n = xmlNewChild(root, NULL, X("source"), NULL);
		xmlSetProp(n, X(vm_iface_kind_name(nif->kind)), X(nif->source));
		break;
	case VM_IFACE_ETHERNET:
		/* An existing tap: libvirt opens it, doesn't create it. */
		n = xmlNewChild(root, NULL, X("target"), NULL);
		xmlSetProp(n, X("dev"), X(nif->source));
		xmlSetProp(n, X("managed"), X("no"));
		break;
	}
	err = vm_xml_iface_apply(root, spec, true, NULL);
	if (!err)
		err = vm_xml_node_str(root, xml);
	xmlFreeDoc(doc);
	return err;
}

int vm_xml_edit_iface(const char *in, const struct vm_iface_spec *spec,
		      char **out, bool *changed, struct vm_reasons *why)
{
	struct vm_reasons local = { 0 };
	xmlDocPtr doc;
	int err;

	*out = NULL;
	*changed = false;
	if (!why)
		why = &local;
	why->n = 0;
	err = node_to_iface_doc(in, &doc);
	if (err)
		return err;
	err = vm_xml_iface_apply(xmlDocGetRootElement(doc), spec, true, why);
	if (!err) {
		*changed = why->n > 0;
		err = vm_xml_node_str(xmlDocGetRootElement(doc), out);
	}
	xmlFreeDoc(doc);
	return err;
}

int vm_xml_append_iface(xmlDocPtr doc, const char *iface_xml)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), devices, copy;
	xmlDocPtr idoc;
	int err;

	if (!root)
		return -EINVAL;
	err = node_to_iface_doc(iface_xml, &idoc);
	if (err)
		return err;
	devices = child(root, "devices");
	if (!devices)
		devices = xmlNewChild(root, NULL, X("devices"), NULL);
	copy = xmlDocCopyNode(xmlDocGetRootElement(idoc), doc, 1);
	xmlFreeDoc(idoc);
	if (!copy)
		return -ENOMEM;
	xmlAddChild(devices, copy);
	return 0;
}

int vm_xml_node_str(xmlNodePtr node, char **out)
{
	xmlBufferPtr buf = xmlBufferCreate();

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	if (xmlNodeDump(buf, node->doc, node, 0, 1) < 0) {
		xmlBufferFree(buf);
		return -EIO;
	}
	if (asprintf(out, "%s\n", (const char *)xmlBufferContent(buf)) < 0)
		*out = NULL;
	xmlBufferFree(buf);
	return *out ? 0 : -ENOMEM;
}

int vm_xml_doc_str(xmlDocPtr doc, char **out)
{
	xmlChar *mem = NULL;
	int len = 0;

	xmlDocDumpFormatMemory(doc, &mem, &len, 1);
	*out = mem ? strdup((const char *)mem) : NULL;
	xmlFree(mem);
	return *out ? 0 : -ENOMEM;
}

/* Split @text into lines (pointers into a copy held in *store). */
static int split_lines(const char *text, char **store, char ***lines, size_t *n)
{
	size_t cap = 1;
	char *p, *save = NULL, *tok;

	*n = 0;
	*store = strdup(text ? text : "");
	if (!*store)
		return -ENOMEM;
	for (p = *store; *p; p++)
		cap += *p == '\n';
	*lines = calloc(cap, sizeof(**lines));
	if (!*lines) {
		/* The caller frees *store too: leave nothing to free twice. */
		free(*store);
		*store = NULL;
		return -ENOMEM;
	}
	for (tok = strtok_r(*store, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save))
		(*lines)[(*n)++] = tok;
	return 0;
}

static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (*len + need + 1 > *cap) {
		size_t ncap = (*len + need + 1) * 2;
		char *nbuf = realloc(*buf, ncap);

		if (!nbuf)
			return -ENOMEM;
		*buf = nbuf;
		*cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += need;
	return 0;
}

int vm_xml_diff(const char *old_text, const char *new_text, const char *label,
		char **out)
{
	char *so = NULL, *sn = NULL, **a = NULL, **b = NULL, *buf = NULL;
	size_t na, nb, i, j, len = 0, cap = 0;
	unsigned int *lcs = NULL;
	int err;

	*out = NULL;
	err = split_lines(old_text, &so, &a, &na);
	if (err)
		return err;
	err = split_lines(new_text, &sn, &b, &nb);
	if (err)
		goto out;
	err = appendf(&buf, &len, &cap, "%s", "");
	if (err)
		goto out;
	if (old_text && new_text && !strcmp(old_text, new_text)) {
		*out = buf;
		buf = NULL;
		goto out;
	}
	/* Longest common subsequence table, suffix form. */
	lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs));
	if (!lcs) {
		err = -ENOMEM;
		goto out;
	}
#define L(x, y) lcs[(x) * (nb + 1) + (y)]
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			L(i, j) = !strcmp(a[i], b[j]) ?
					  L(i + 1, j + 1) + 1 :
					  (L(i + 1, j) > L(i, j + 1) ?
						   L(i + 1, j) :
						   L(i, j + 1));
	err = appendf(&buf, &len, &cap, "--- %s (old)\n+++ %s (new)\n", label,
		      label);
	for (i = 0, j = 0; !err && (i < na || j < nb);) {
		if (i < na && j < nb && !strcmp(a[i], b[j])) {
			err = appendf(&buf, &len, &cap, " %s\n", a[i]);
			i++, j++;
		} else if (i < na && (j == nb || L(i + 1, j) >= L(i, j + 1))) {
			err = appendf(&buf, &len, &cap, "-%s\n", a[i++]);
		} else {
			err = appendf(&buf, &len, &cap, "+%s\n", b[j++]);
		}
	}
#undef L
	if (!err) {
		*out = buf;
		buf = NULL;
	}
out:
	free(lcs);
	free(buf);
	free(a);
	free(b);
	free(so);
	free(sn);
	return err;
}
