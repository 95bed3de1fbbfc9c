// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm show: a domain's vCPUs, machine type and interfaces,
 * whether each is XDP-ready and why not. Changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/vm_internal.h"

/* The domain is zero-copy-ready when nothing in it stands in the way
 * (vm_zc_assess) and each virtio interface is (@ifaces_ok). */
static void zc_ready(json_object *d, bool ifaces_ok)
{
	json_object *zc, *blockers;

	if (!json_object_object_get_ex(d, "zero_copy", &zc) ||
	    !json_object_object_get_ex(zc, "blockers", &blockers))
		return;
	json_object_object_add(
		zc, "ready",
		json_object_new_boolean(ifaces_ok &&
					!json_object_array_length(blockers)));
}

int vm_show(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r)
{
	xmlNodePtr nodes[VM_MAX_IFACES];
	struct vm_domain_info info;
	struct vm_iface_spec spec;
	virDomainPtr dom = NULL;
	xmlDocPtr doc = NULL;
	json_object *ifaces;
	bool machine_ok = true, zc_ifaces_ok = true;
	size_t nvirtio = 0;
	int active, err;
	size_t n = 0;

	err = vm_result_init(r, o);
	if (err)
		return err;
	err = vm_lookup(conn, o, &dom, NULL, r);
	if (err)
		return err;
	active = virDomainIsActive(dom);
	if (active < 0) {
		err = vm_lv_fail(r, "cannot read the state of domain",
				 o->domain);
		goto out;
	}
	err = vm_load(dom, o->inactive || !active ? DOMAIN_CONFIG : DOMAIN_LIVE,
		      o, &doc, &info, r);
	if (!err)
		err = vm_make_spec(o, &info, doc, &spec, true, &machine_ok, r);
	if (!err)
		err = vm_xml_interfaces(doc, nodes, VM_MAX_IFACES, &n);
	if (err)
		goto out;
	json_object_object_add(r->json, "running",
			       json_object_new_boolean(active));
	json_object_object_add(r->json, "scope",
			       json_object_new_string(o->inactive || !active ?
							      "config" :
							      "live"));
	json_object_object_add(r->json, "vcpus",
			       json_object_new_int((int)info.vcpus));
	json_object_object_add(r->json, "machine",
			       json_object_new_string(info.machine));
	json_object_object_add(r->json, "machine_ok",
			       json_object_new_boolean(machine_ok));
	json_object_object_add(r->json, "queues_wanted",
			       json_object_new_int((int)spec.queues));
	json_object_object_add(r->json, "driver_wanted",
			       json_object_new_string(spec.driver_name));
	ifaces = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct vm_reasons why = { 0 };
		struct vm_iface_info ii;
		json_object *j;

		vm_xml_iface_info(nodes[i], &ii);
		vm_xml_iface_apply(nodes[i], &spec, false, &why);
		if (!machine_ok)
			snprintf(why.msg[why.n < VM_REASON_MAX ?
						 why.n++ :
						 VM_REASON_MAX - 1],
				 VM_REASON_LEN,
				 "machine type %s has no VIRTIO_F_VERSION_1",
				 info.machine);
		j = vm_iface_json(&ii, i);
		json_object_object_add(j, "xdp_ready",
				       json_object_new_boolean(!why.n));
		json_object_object_add(j, "reasons", vm_reasons_json(&why));
		if (!strncmp(ii.model, "virtio", 6)) {
			nvirtio++;
			zc_ifaces_ok &= vm_zc_iface(nodes[i], &spec, j);
		} else {
			vm_zc_iface(nodes[i], &spec, j);
		}
		json_object_array_add(ifaces, j);
	}
	json_object_object_add(r->json, "interfaces", ifaces);
	zc_ready(r->json, nvirtio && zc_ifaces_ok);
out:
	xmlFreeDoc(doc);
	if (dom)
		virDomainFree(dom);
	return err;
}
