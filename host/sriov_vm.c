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

#include "host/domain.h"
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

/* Scopes of @dom whose XML does not assign the VF yet: need[]. */
static int plan(virDomainPtr dom, const char *name, const bool want[],
		const struct pci_addr *a, bool need[], char *err, size_t errlen)
{
	for (int s = 0; s < DOMAIN_NSCOPES; s++) {
		char *xml;
		bool has;
		int ret;

		if (!want[s])
			continue;
		ret = domain_get_xml(dom, name, s, &xml, err, errlen);
		if (ret)
			return ret;
		ret = xml_has_pci(xml, a, &has);
		free(xml);
		if (ret)
			return ret;
		need[s] = !has;
	}
	return 0;
}

int sriov_vm_attach(const struct sriov_vm_opts *o, bool *changed, char *err,
		    size_t errlen)
{
	bool want[DOMAIN_NSCOPES] = { false, false };
	bool need[DOMAIN_NSCOPES] = { false, false };
	const char *add[DOMAIN_NSCOPES];
	virConnectPtr conn = NULL;
	virDomainPtr dom = NULL;
	struct pci_addr a;
	char ifxml[1024];
	int ret;

	*changed = false;
	err[0] = '\0';
	ret = sriov_vm_xml(o, ifxml, sizeof(ifxml));
	if (ret)
		return ret;
	pci_parse(o->pci, &a);
	ret = domain_connect(o->uri, false, &conn, err, errlen);
	if (!ret)
		ret = domain_lookup(conn, o->domain, &dom, err, errlen);
	if (ret == -ECONNREFUSED || ret == -ENOENT)
		/* The caller names the URI or the domain: the reason only. */
		snprintf(err, errlen, "%s", virGetLastErrorMessage());
	if (!ret)
		ret = domain_scopes(dom, o->domain, o->config, o->live, want,
				    err, errlen);
	if (!ret)
		ret = plan(dom, o->domain, want, &a, need, err, errlen);
	if (!ret)
		*changed = need[DOMAIN_LIVE] || need[DOMAIN_CONFIG];
	if (!ret && *changed && !o->dry_run) {
		for (int s = 0; s < DOMAIN_NSCOPES; s++)
			add[s] = need[s] ? ifxml : NULL;
		ret = domain_attach(conn, dom, o->domain, add, err, errlen);
		*changed = !ret;
	}
	if (dom)
		virDomainFree(dom);
	if (conn)
		virConnectClose(conn);
	return ret;
}
