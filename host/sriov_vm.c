// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "host/sriov_vm.h"
#include "util/parse.h"

struct pci_addr {
	unsigned int domain, bus, slot, function;
};

static int pci_parse(const char *s, struct pci_addr *a)
{
	char tail;

	if (sscanf(s, "%x:%x:%x.%x%c", &a->domain, &a->bus, &a->slot,
		   &a->function, &tail) != 4 ||
	    a->domain > 0xffff || a->bus > 0xff || a->slot > 0x1f ||
	    a->function > 7)
		return -EINVAL;
	return 0;
}

int sriov_vm_xml(const struct sriov_vm_opts *o, char *buf, size_t len)
{
	char mac[MAC_STR_LEN], macl[64] = "", vlan[64] = "";
	struct pci_addr a;
	int n;

	if (pci_parse(o->pci, &a))
		return -EINVAL;
	if (o->vlan > 4094)
		return -ERANGE;
	/* Every value is a validated number or MAC: nothing to escape. */
	if (o->has_mac)
		snprintf(macl, sizeof(macl), "  <mac address='%s'/>\n",
			 format_mac(o->mac, mac));
	if (o->vlan > 0)
		snprintf(vlan, sizeof(vlan),
			 "  <vlan>\n    <tag id='%d'/>\n  </vlan>\n", o->vlan);
	n = snprintf(buf, len,
		     "<interface type='hostdev' managed='yes'>\n"
		     "  <source>\n"
		     "    <address type='pci' domain='0x%04x' bus='0x%02x' "
		     "slot='0x%02x' function='0x%x'/>\n"
		     "  </source>\n%s%s"
		     "</interface>\n",
		     a.domain, a.bus, a.slot, a.function, macl, vlan);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static unsigned int attr_num(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	unsigned int r = v ? (unsigned int)strtoul((char *)v, NULL, 0) : ~0u;

	xmlFree(v);
	return r;
}

/* Whether the domain XML already assigns this PCI device, either as a
 * hostdev interface or as a plain <hostdev>. */
static int xml_has_pci(const char *xml, const struct pci_addr *a, bool *has)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR);
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res;

	*has = false;
	if (!doc)
		return -EINVAL;
	ctx = xmlXPathNewContext(doc);
	res = ctx ? xmlXPathEvalExpression(
			    (const xmlChar
				     *)"/domain/devices/*"
				       "[self::interface[@type='hostdev'] or "
				       "self::hostdev]/source/address",
			    ctx) :
		    NULL;
	if (res && res->nodesetval) {
		for (int i = 0; i < res->nodesetval->nodeNr; i++) {
			xmlNodePtr n = res->nodesetval->nodeTab[i];

			if (attr_num(n, "domain") == a->domain &&
			    attr_num(n, "bus") == a->bus &&
			    attr_num(n, "slot") == a->slot &&
			    attr_num(n, "function") == a->function)
				*has = true;
		}
	}
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return 0;
}

/* For drivers without AttachDeviceFlags on the persistent config (the
 * test driver): add the interface to the inactive XML and define it. */
static int define_with(virConnectPtr conn, virDomainPtr dom, const char *ifxml)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	xmlDocPtr doc = NULL, frag = NULL;
	xmlChar *out = NULL;
	xmlNodePtr devices;
	virDomainPtr nd;
	int len, err = -EIO;

	if (!xml)
		return -EIO;
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	frag = xmlReadMemory(ifxml, (int)strlen(ifxml), "if.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!doc || !frag)
		goto out;
	devices = xmlDocGetRootElement(doc)->children;
	while (devices &&
	       (devices->type != XML_ELEMENT_NODE ||
		xmlStrcmp(devices->name, (const xmlChar *)"devices")))
		devices = devices->next;
	if (!devices)
		goto out;
	xmlAddChild(devices,
		    xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1));
	xmlDocDumpMemory(doc, &out, &len);
	nd = out ? virDomainDefineXML(conn, (const char *)out) : NULL;
	if (nd) {
		virDomainFree(nd);
		err = 0;
	}
out:
	xmlFree(out);
	xmlFreeDoc(frag);
	xmlFreeDoc(doc);
	free(xml);
	return err;
}

static void quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static int has_in(virDomainPtr dom, unsigned int xml_flags,
		  const struct pci_addr *a, bool *has)
{
	char *xml = virDomainGetXMLDesc(dom, xml_flags);
	int err;

	if (!xml)
		return -EIO;
	err = xml_has_pci(xml, a, has);
	free(xml);
	return err;
}

int sriov_vm_attach(const struct sriov_vm_opts *o, bool *changed, char *err,
		    size_t errlen)
{
	unsigned int flags = 0;
	bool config = o->config, live = o->live, has;
	virConnectPtr conn;
	virDomainPtr dom = NULL;
	struct pci_addr a;
	char ifxml[1024];
	int ret, active;

	*changed = false;
	err[0] = '\0';
	ret = sriov_vm_xml(o, ifxml, sizeof(ifxml));
	if (ret)
		return ret;
	pci_parse(o->pci, &a);
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen(o->uri);
	if (!conn) {
		snprintf(err, errlen, "%s", virGetLastErrorMessage());
		return -ECONNREFUSED;
	}
	dom = virDomainLookupByName(conn, o->domain);
	if (!dom) {
		snprintf(err, errlen, "%s", virGetLastErrorMessage());
		ret = -ENOENT;
		goto out;
	}
	active = virDomainIsActive(dom);
	if (!config && !live) /* like virsh: the current state */
		config = active != 1, live = active == 1;
	if (live && active != 1) {
		snprintf(err, errlen, "domain '%s' is not running (--live)",
			 o->domain);
		ret = -EINVAL;
		goto out;
	}
	ret = 0;
	if (config) {
		ret = has_in(dom, VIR_DOMAIN_XML_INACTIVE, &a, &has);
		if (!ret && !has)
			flags |= VIR_DOMAIN_AFFECT_CONFIG;
	}
	if (!ret && live) {
		ret = has_in(dom, 0, &a, &has);
		if (!ret && !has)
			flags |= VIR_DOMAIN_AFFECT_LIVE;
	}
	if (ret) {
		snprintf(err, errlen, "cannot read the domain XML: %s",
			 virGetLastErrorMessage());
		goto out;
	}
	if (!flags || o->dry_run) {
		*changed = flags != 0;
		goto out;
	}
	if (virDomainAttachDeviceFlags(dom, ifxml, flags) == 0) {
		*changed = true;
		goto out;
	}
	if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT &&
	    flags == VIR_DOMAIN_AFFECT_CONFIG) {
		ret = define_with(conn, dom, ifxml);
		*changed = !ret;
	} else {
		ret = -EIO;
	}
	if (ret)
		snprintf(err, errlen, "%s", virGetLastErrorMessage());
out:
	if (dom)
		virDomainFree(dom);
	virConnectClose(conn);
	return ret;
}
