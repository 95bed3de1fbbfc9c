// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm attach: add an XDP-ready virtio interface to a domain
 * (config and/or live), unless it already has that interface. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/vm_internal.h"
#include "util/parse.h"

/* A stable MAC for an attach without --mac, so a second run finds the
 * interface it added: 52:54:00 (QEMU's OUI) + FNV-1a of uuid/kind/source. */
static void derive_mac(virDomainPtr dom, const struct vm_new_iface *nif,
		       char mac[MAC_STR_LEN])
{
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	char seed[512];
	uint32_t h = 2166136261u;
	uint8_t m[6] = { 0x52, 0x54, 0x00 };

	virDomainGetUUIDString(dom, uuid);
	snprintf(seed, sizeof(seed), "%s|%s|%s", uuid,
		 vm_iface_kind_name(nif->kind), nif->source);
	for (const char *p = seed; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	m[3] = h >> 16;
	m[4] = h >> 8;
	m[5] = h;
	format_mac(m, mac);
}

static bool same_source(const struct vm_iface_info *ii,
			const struct vm_new_iface *nif)
{
	if (strcmp(ii->type, vm_iface_kind_name(nif->kind)))
		return false;
	if (nif->kind == VM_IFACE_ETHERNET)
		return !strcmp(ii->target, nif->source);
	return !strcmp(ii->source, nif->source);
}

/* The interface of @nodes that is @nif (its MAC, or for a tap the same
 * target dev), or NULL. */
static xmlNodePtr find_iface(xmlNodePtr *nodes, size_t n,
			     const struct vm_new_iface *nif, size_t *idx,
			     struct vm_iface_info *ii)
{
	for (size_t i = 0; i < n; i++) {
		vm_xml_iface_info(nodes[i], ii);
		if (vm_xml_iface_match(nodes[i], i, nif->mac) ||
		    (nif->kind == VM_IFACE_ETHERNET && same_source(ii, nif))) {
			*idx = i;
			return nodes[i];
		}
	}
	return NULL;
}

/* Scope @s: build the interface into *xml and decide whether it is
 * needed (*need), adding its entry to @ifaces and its diff to @df. */
static int plan_scope(virDomainPtr dom, enum domain_scope s,
		      const struct vm_opts *o, const struct vm_new_iface *nif,
		      char **xml, bool *need, FILE *df, json_object *ifaces,
		      struct vm_result *r)
{
	xmlNodePtr nodes[VM_MAX_IFACES], found;
	struct vm_domain_info info;
	struct vm_iface_spec spec;
	struct vm_reasons why = { 0 };
	struct vm_iface_info ii;
	char label[128], *d = NULL;
	xmlDocPtr doc = NULL, tmp;
	size_t n, idx = 0;
	json_object *j;
	int err;

	err = vm_load(dom, s, o, &doc, &info, r);
	if (!err)
		err = vm_make_spec(o, &info, doc, &spec, false, NULL, r);
	if (!err)
		err = vm_xml_build_iface(nif, &spec, xml);
	if (!err)
		err = vm_xml_interfaces(doc, nodes, VM_MAX_IFACES, &n);
	if (err) {
		xmlFreeDoc(doc);
		return err;
	}
	found = find_iface(nodes, n, nif, &idx, &ii);
	if (found) {
		/* Already there: fine when it is what we would add. */
		if (vm_xml_iface_apply(found, &spec, false, &why) || why.n ||
		    !same_source(&ii, nif) ||
		    !vm_xml_iface_match(found, idx, nif->mac))
			err = vm_fail(
				r, -EEXIST,
				"domain '%s' already has interface %s (%s %s) in its %s XML and it differs from the request: use 'afxdp-host vm set %s --iface %s'",
				o->domain, ii.mac, ii.type,
				ii.source[0] ? ii.source : ii.target,
				domain_scope_names[s], o->domain, ii.mac);
	} else {
		*need = true;
		snprintf(label, sizeof(label), "%s interface %s (%s)",
			 o->domain, nif->mac, domain_scope_names[s]);
		if (!vm_xml_diff("", *xml, label, &d))
			fputs(d, df);
		free(d);
		snprintf(why.msg[0], sizeof(why.msg[0]),
			 "new %s interface on %s",
			 vm_iface_kind_name(nif->kind), nif->source);
		why.n = 1;
		memset(&ii, 0, sizeof(ii));
		if (!vm_xml_parse(*xml, &tmp)) {
			vm_xml_iface_info(xmlDocGetRootElement(tmp), &ii);
			xmlFreeDoc(tmp);
		}
	}
	xmlFreeDoc(doc);
	if (err)
		return err;
	j = vm_iface_json(&ii, found ? idx : n);
	vm_iface_scope_json(j, s, *need, &why);
	if (*need)
		json_object_object_add(j, "xml", json_object_new_string(*xml));
	json_object_array_add(ifaces, j);
	return 0;
}

int vm_attach(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r)
{
	char *xml[DOMAIN_NSCOPES] = { NULL, NULL };
	bool want[DOMAIN_NSCOPES] = { false, false };
	bool need[DOMAIN_NSCOPES] = { false, false };
	const char *add[DOMAIN_NSCOPES] = { NULL, NULL };
	json_object *ifaces;
	struct vm_new_iface nif = o->nif;
	char mac[MAC_STR_LEN];
	virDomainPtr dom = NULL;
	size_t dlen = 0;
	uint8_t m[6];
	FILE *df;
	int err;

	err = vm_change_begin(r, o, &df, &dlen, &ifaces);
	if (err)
		return err;
	if (nif.mac && parse_mac(nif.mac, m))
		err = vm_fail(r, -EINVAL, "bad MAC '%s'", nif.mac);
	if (!err)
		err = vm_lookup(conn, o, &dom, want, r);
	if (!err && !nif.mac) {
		derive_mac(dom, &nif, mac);
		nif.mac = mac;
	}
	for (int s = 0; !err && s < DOMAIN_NSCOPES; s++)
		if (want[s])
			err = plan_scope(dom, s, o, &nif, &xml[s], &need[s], df,
					 ifaces, r);
	r->changed = !err && (need[DOMAIN_LIVE] || need[DOMAIN_CONFIG]);
	if (!err && r->changed && !o->dry_run) {
		for (int s = 0; s < DOMAIN_NSCOPES; s++)
			add[s] = need[s] ? xml[s] : NULL;
		err = vm_logged(r, domain_attach(conn, dom, o->domain, add,
						 r->error, sizeof(r->error)));
	}
	for (int s = 0; s < DOMAIN_NSCOPES; s++)
		free(xml[s]);
	vm_change_end(r, o, err, dom, ifaces, df);
	return err;
}
