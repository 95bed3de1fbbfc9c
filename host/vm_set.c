// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm set: make a domain's existing interfaces XDP-ready (every
 * virtio one, or the one --iface names), in its config and/or live XML,
 * with a diff per interface; rolled back when a step fails. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "host/vm_internal.h"
#include "util/log.h"

struct change {
	char *old_xml, *new_xml;
};

static const char *live_refusal =
	"driver queues, rx_queue_size, guest offloads, MTU and model of a virtio-net interface can't change on a running domain (QEMU fixes them when it creates the device): use --config and restart the domain";

/* Per device first; drivers without it (e.g. the test driver) get the
 * whole edited definition instead, which is one atomic step. A failure
 * rolls back the devices this run already changed. */
static int apply_config(virConnectPtr conn, virDomainPtr dom,
			const struct vm_opts *o, const struct change *ch,
			size_t n, xmlDocPtr doc, struct vm_result *r)
{
	virErrorPtr e;
	size_t done;
	int err;

	for (done = 0; done < n; done++)
		if (virDomainUpdateDeviceFlags(dom, ch[done].new_xml,
					       VIR_DOMAIN_AFFECT_CONFIG))
			break;
	if (done == n)
		return 0;
	e = virGetLastError();
	if (done == 0 && e && e->code == VIR_ERR_NO_SUPPORT) {
		err = domain_define(conn, doc);
		return err == -EIO ? vm_lv_fail(r, "cannot redefine domain",
						o->domain) :
				     err;
	}
	err = vm_lv_fail(r, "cannot update an interface of domain", o->domain);
	while (done-- > 0)
		if (virDomainUpdateDeviceFlags(dom, ch[done].old_xml,
					       VIR_DOMAIN_AFFECT_CONFIG))
			pr_err("rollback of domain '%s' failed: %s", o->domain,
			       virGetLastErrorMessage());
	return err;
}

/* What one scope's edit produced: the changed interfaces, the diff and
 * the interface entries of the answer. */
struct scope_edit {
	struct change ch[VM_MAX_IFACES];
	size_t n;
	FILE *df;
	json_object *ifaces;
};

/* Edit one selected interface node to @spec; record it when it changes. */
static int edit_iface(xmlNodePtr node, size_t index, enum domain_scope s,
		      const struct vm_iface_spec *spec, const struct vm_opts *o,
		      struct scope_edit *ed, struct vm_result *r)
{
	struct vm_reasons why = { 0 };
	struct vm_iface_info ii;
	char *old = NULL, *new = NULL, label[128], *d = NULL;
	json_object *j;
	int err;

	vm_xml_iface_info(node, &ii);
	err = vm_xml_node_str(node, &old);
	if (!err)
		err = vm_xml_iface_apply(node, spec, true, &why);
	if (err == -ERANGE)
		err = vm_fail(r, err, "domain '%s' interface %s: %s", o->domain,
			      ii.mac, why.n ? why.msg[0] : "");
	if (!err)
		err = vm_xml_node_str(node, &new);
	if (err || !why.n) {
		free(old);
		free(new);
		if (err)
			return err;
	} else {
		snprintf(label, sizeof(label), "%s interface %s (%s)",
			 o->domain, ii.mac, domain_scope_names[s]);
		if (!vm_xml_diff(old, new, label, &d))
			fputs(d, ed->df);
		free(d);
		ed->ch[ed->n].old_xml = old;
		ed->ch[ed->n++].new_xml = new;
	}
	vm_xml_iface_info(node, &ii);
	j = vm_iface_json(&ii, index);
	vm_iface_scope_json(j, s, why.n, &why);
	json_object_array_add(ed->ifaces, j);
	return 0;
}

/* Load the XML of scope @s into *doc and edit the selected interfaces:
 * every virtio one, or the one --iface names. */
static int edit_scope(virDomainPtr dom, enum domain_scope s,
		      const struct vm_opts *o, xmlDocPtr *doc,
		      struct scope_edit *ed, struct vm_result *r)
{
	xmlNodePtr nodes[VM_MAX_IFACES];
	struct vm_domain_info info;
	struct vm_iface_spec spec;
	size_t n, selected = 0;
	int err;

	err = vm_load(dom, s, o, doc, &info, r);
	if (!err)
		err = vm_make_spec(o, &info, *doc, &spec, false, NULL, r);
	if (!err)
		err = vm_xml_interfaces(*doc, nodes, VM_MAX_IFACES, &n);
	for (size_t i = 0; !err && i < n; i++) {
		struct vm_iface_info ii;

		vm_xml_iface_info(nodes[i], &ii);
		if (o->iface ? !vm_xml_iface_match(nodes[i], i, o->iface) :
			       strcmp(ii.model, "virtio"))
			continue;
		selected++;
		err = edit_iface(nodes[i], i, s, &spec, o, ed, r);
	}
	if (err || selected)
		return err;
	if (o->iface)
		return vm_fail(
			r, -ENODEV,
			"domain '%s' has no interface '%s' (a MAC, target dev or index) in its %s XML",
			o->domain, o->iface, domain_scope_names[s]);
	return vm_fail(
		r, -ENODEV,
		"domain '%s' has no virtio interface in its %s XML: name one with --iface to convert it to virtio",
		o->domain, domain_scope_names[s]);
}

int vm_set(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r)
{
	struct scope_edit ed[DOMAIN_NSCOPES] = { 0 };
	xmlDocPtr docs[DOMAIN_NSCOPES] = { NULL, NULL };
	bool want[DOMAIN_NSCOPES] = { false, false };
	json_object *ifaces;
	virDomainPtr dom = NULL;
	size_t dlen = 0;
	FILE *df;
	int err;

	err = vm_change_begin(r, o, &df, &dlen, &ifaces);
	if (err)
		return err;
	err = vm_lookup(conn, o, &dom, want, r);
	for (int s = 0; !err && s < DOMAIN_NSCOPES; s++) {
		ed[s].df = df;
		ed[s].ifaces = ifaces;
		if (want[s])
			err = edit_scope(dom, s, o, &docs[s], &ed[s], r);
	}
	if (!err && ed[DOMAIN_LIVE].n)
		err = vm_fail(r, -EPERM, "domain '%s': %s", o->domain,
			      live_refusal);
	r->changed = !err && ed[DOMAIN_CONFIG].n;
	if (!err && r->changed && !o->dry_run)
		err = apply_config(conn, dom, o, ed[DOMAIN_CONFIG].ch,
				   ed[DOMAIN_CONFIG].n, docs[DOMAIN_CONFIG], r);
	for (int s = 0; s < DOMAIN_NSCOPES; s++) {
		for (size_t i = 0; i < ed[s].n; i++) {
			free(ed[s].ch[i].old_xml);
			free(ed[s].ch[i].new_xml);
		}
		xmlFreeDoc(docs[s]);
	}
	vm_change_end(r, o, err, dom, ifaces, df);
	return err;
}
