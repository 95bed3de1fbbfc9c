// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm: read a domain (its XML, vCPUs and machine type) and
 * decide what an XDP-ready interface of it looks like (vm_rules.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/vm_internal.h"

int vm_lookup(virConnectPtr conn, const struct vm_opts *o, virDomainPtr *dom,
	      bool want[DOMAIN_NSCOPES], struct vm_result *r)
{
	int err =
		domain_lookup(conn, o->domain, dom, r->error, sizeof(r->error));

	if (!err && want)
		err = domain_scopes(*dom, o->domain, o->config, o->live, want,
				    r->error, sizeof(r->error));
	return vm_logged(r, err);
}

int vm_load(virDomainPtr dom, enum domain_scope scope, const struct vm_opts *o,
	    xmlDocPtr *doc, struct vm_domain_info *info, struct vm_result *r)
{
	char *xml;
	int err;

	err = domain_get_xml(dom, o->domain, scope, &xml, r->error,
			     sizeof(r->error));
	if (err)
		return vm_logged(r, err);
	err = vm_xml_parse(xml, doc);
	free(xml);
	if (err)
		return vm_fail(r, err, "cannot parse the XML of domain '%s'",
			       o->domain);
	err = vm_xml_domain_info(*doc, info);
	if (err) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return vm_fail(r, -EIO, "domain '%s' has no vCPU count",
			       o->domain);
	}
	return 0;
}

int vm_make_spec(const struct vm_opts *o, const struct vm_domain_info *info,
		 xmlDocPtr doc, struct vm_iface_spec *spec, bool soft,
		 bool *machine_ok, struct vm_result *r)
{
	char why[VM_REASON_LEN];
	bool capped;
	int err;

	memset(spec, 0, sizeof(*spec));
	err = vm_rules_machine(info->machine, why, sizeof(why));
	if (machine_ok)
		*machine_ok = !err;
	if (err) {
		if (!soft)
			return vm_fail(r, err, "domain '%s': %s", o->domain,
				       why);
		vm_add_note(r, why);
	}
	err = vm_rules_queues(info->vcpus, o->queues, &o->caps, &spec->queues,
			      &capped, why, sizeof(why));
	if (err)
		return vm_fail(r, err, "domain '%s': %s", o->domain, why);
	vm_add_note(r, why);
	spec->driver_name = vm_rules_backend(o->backend, o->vhost_dev);
	if (o->backend == VM_BACKEND_AUTO)
		vm_add_note(
			r,
			!strcmp(spec->driver_name, "vhost") ?
				"driver vhost: the host has /dev/vhost-net" :
				"driver qemu: the host has no /dev/vhost-net (userspace virtio-net in QEMU)");
	spec->rx_queue_size = o->rx_queue_size;
	spec->mtu = o->mtu;
	if (doc)
		vm_zc_assess(o, info->machine, doc, spec, r->json);
	return 0;
}
