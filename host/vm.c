// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm: make a libvirt domain's virtio-net interfaces XDP-ready
 * through the libvirt C API. XML work lives in vm_xml.c, the rules in
 * vm_rules.c; this file talks to libvirt and prints. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "host/cmds.h"
#include "host/vm.h"
#include "util/log.h"
#include "util/parse.h"

#define VM_MAX_IFACES 64

enum { SCOPE_LIVE = 0, SCOPE_CONFIG = 1, SCOPE_N };
static const char *const scope_names[SCOPE_N] = { "live", "config" };

static void silent_error(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

void vm_errors_silence(void)
{
	virSetErrorFunc(NULL, silent_error);
}

static int fail(struct vm_result *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vm_result *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	pr_err("%s", r->error);
	return err;
}

static int lv_fail(struct vm_result *r, const char *what, const char *dom)
{
	return fail(r, -EIO, "%s '%s': %s", what, dom,
		    virGetLastErrorMessage());
}

int vm_connect(const char *uri, bool readonly, virConnectPtr *conn, char *err,
	       size_t err_len)
{
	vm_errors_silence();
	*conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
	if (*conn)
		return 0;
	snprintf(err, err_len, "cannot connect to libvirt at %s: %s",
		 uri ? uri : "the default URI", virGetLastErrorMessage());
	return -ECONNREFUSED;
}

int vm_exit_code(int err)
{
	switch (err) {
	case 0:
		return HOST_EXIT_OK;
	case -EINVAL:
	case -ERANGE:
	case -ENOTSUP:
	case -EPERM:
		return HOST_EXIT_USAGE; /* refused: nothing changed */
	default:
		return HOST_EXIT_FAIL;
	}
}

void vm_result_free(struct vm_result *r)
{
	free(r->diff);
	r->diff = NULL;
	if (r->json)
		json_object_put(r->json);
	r->json = NULL;
}

static int result_init(struct vm_result *r, const struct vm_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->json = json_object_new_object();
	if (!r->json)
		return -ENOMEM;
	json_object_object_add(r->json, "domain",
			       json_object_new_string(o->domain));
	return 0;
}

static int lookup(virConnectPtr conn, const char *name, virDomainPtr *dom,
		  struct vm_result *r)
{
	virErrorPtr e;

	*dom = virDomainLookupByName(conn, name);
	if (*dom)
		return 0;
	e = virGetLastError();
	if (e && e->code != VIR_ERR_NO_DOMAIN)
		return lv_fail(r, "cannot look up domain", name);
	if (strlen(name) == 36 || strlen(name) == 32)
		*dom = virDomainLookupByUUIDString(conn, name);
	if (*dom)
		return 0;
	return fail(r, -ENOENT, "domain '%s' not found", name);
}

/* virsh semantics: --live, --config, both, or neither (current: live when
 * the domain runs, config otherwise). */
static int resolve_scopes(virDomainPtr dom, const struct vm_opts *o,
			  bool want[SCOPE_N], struct vm_result *r)
{
	int active = virDomainIsActive(dom);
	int persistent = virDomainIsPersistent(dom);

	if (active < 0 || persistent < 0)
		return lv_fail(r, "cannot read the state of domain", o->domain);
	want[SCOPE_LIVE] = o->live;
	want[SCOPE_CONFIG] = o->config;
	if (!o->live && !o->config)
		want[active ? SCOPE_LIVE : SCOPE_CONFIG] = true;
	if (want[SCOPE_LIVE] && !active)
		return fail(
			r, -ESRCH,
			"domain '%s' is not running: --live needs a running domain (use --config)",
			o->domain);
	if (want[SCOPE_CONFIG] && !persistent)
		return fail(
			r, -EINVAL,
			"domain '%s' is transient: it has no persistent config for --config",
			o->domain);
	return 0;
}

static int load(virDomainPtr dom, int scope, const struct vm_opts *o,
		xmlDocPtr *doc, struct vm_domain_info *info,
		struct vm_result *r)
{
	unsigned int flags =
		scope == SCOPE_CONFIG ? VIR_DOMAIN_XML_INACTIVE : 0;
	char *xml;
	int err;

	/* SECURE keeps passwords in the XML we may define back. */
	xml = virDomainGetXMLDesc(dom, flags | VIR_DOMAIN_XML_SECURE);
	if (!xml)
		xml = virDomainGetXMLDesc(dom, flags);
	if (!xml)
		return lv_fail(r, "cannot read the XML of domain", o->domain);
	err = vm_xml_parse(xml, doc);
	free(xml);
	if (err)
		return fail(r, err, "cannot parse the XML of domain '%s'",
			    o->domain);
	err = vm_xml_domain_info(*doc, info);
	if (err) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return fail(r, -EIO, "domain '%s' has no vCPU count",
			    o->domain);
	}
	return 0;
}

static void add_note(struct vm_result *r, const char *note)
{
	json_object *notes;

	if (!json_object_object_get_ex(r->json, "notes", &notes)) {
		notes = json_object_new_array();
		json_object_object_add(r->json, "notes", notes);
	}
	for (size_t i = 0; i < json_object_array_length(notes); i++)
		if (!strcmp(json_object_get_string(
				    json_object_array_get_idx(notes, i)),
			    note))
			return;
	json_object_array_add(notes, json_object_new_string(note));
}

/* The target interface for this domain. -ENOTSUP: machine type too old;
 * with @soft that is only noted in *machine_ok (vm show). */
static int make_spec(const struct vm_opts *o, const struct vm_domain_info *info,
		     struct vm_iface_spec *spec, bool soft, bool *machine_ok,
		     struct vm_result *r)
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
			return fail(r, err, "domain '%s': %s", o->domain, why);
		add_note(r, why);
	}
	err = vm_rules_queues(info->vcpus, o->queues, &o->caps, &spec->queues,
			      &capped, why, sizeof(why));
	if (err)
		return fail(r, err, "domain '%s': %s", o->domain, why);
	add_note(r, why);
	spec->driver_name = vm_rules_backend(o->backend, o->vhost_dev);
	if (o->backend == VM_BACKEND_AUTO)
		add_note(
			r,
			!strcmp(spec->driver_name, "vhost") ?
				"driver vhost: the host has /dev/vhost-net" :
				"driver qemu: the host has no /dev/vhost-net (userspace virtio-net in QEMU)");
	spec->rx_queue_size = o->rx_queue_size;
	spec->mtu = o->mtu;
	return 0;
}

static json_object *reasons_json(const struct vm_reasons *why)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < why->n; i++)
		json_object_array_add(a, json_object_new_string(why->msg[i]));
	return a;
}

static json_object *iface_json(const struct vm_iface_info *ii, size_t index)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "index", json_object_new_int((int)index));
	json_object_object_add(j, "type", json_object_new_string(ii->type));
	json_object_object_add(j, "mac", json_object_new_string(ii->mac));
	json_object_object_add(j, "source", json_object_new_string(ii->source));
	json_object_object_add(j, "target", json_object_new_string(ii->target));
	json_object_object_add(j, "model", json_object_new_string(ii->model));
	json_object_object_add(j, "driver", json_object_new_string(ii->driver));
	json_object_object_add(j, "queues", json_object_new_int(ii->queues));
	json_object_object_add(j, "rx_queue_size",
			       json_object_new_int(ii->rx_queue_size));
	json_object_object_add(j, "mtu", json_object_new_int(ii->mtu));
	return j;
}

/* The answer of set/attach: @err, the domain and the diff stream end. */
static void finish(struct vm_result *r, const struct vm_opts *o, int err,
		   virDomainPtr dom, json_object *ifaces, FILE *df)
{
	/* Failed runs change nothing or roll back. */
	if (err)
		r->changed = false;
	if (dom)
		virDomainFree(dom);
	fclose(df);
	if (!r->diff)
		r->diff = strdup("");
	json_object_object_add(r->json, "changed",
			       json_object_new_boolean(r->changed));
	json_object_object_add(r->json, "dry_run",
			       json_object_new_boolean(o->dry_run));
	json_object_object_add(r->json, "interfaces", ifaces);
	json_object_object_add(r->json, "diff",
			       json_object_new_string(r->diff ? r->diff : ""));
}

/* What set and attach start with: the result and the diff stream. */
static int change_begin(struct vm_result *r, const struct vm_opts *o, FILE **df,
			size_t *dlen)
{
	int err = result_init(r, o);

	if (err)
		return err;
	*df = open_memstream(&r->diff, dlen);
	return *df ? 0 : -ENOMEM;
}

/* Where an interface entry of set/attach stands and what it changes. */
static void iface_scope_json(json_object *j, int scope, bool changed,
			     const struct vm_reasons *why)
{
	json_object_object_add(j, "scope",
			       json_object_new_string(scope_names[scope]));
	json_object_object_add(j, "changed", json_object_new_boolean(changed));
	json_object_object_add(j, "changes", reasons_json(why));
}

struct change {
	char *old_xml, *new_xml;
};

static const char *live_refusal =
	"driver queues, rx_queue_size, guest offloads, MTU and model of a virtio-net interface can't change on a running domain (QEMU fixes them when it creates the device): use --config and restart the domain";

int vm_set(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r)
{
	struct change ch[SCOPE_N][VM_MAX_IFACES] = { 0 };
	size_t nch[SCOPE_N] = { 0 }, done = 0;
	xmlDocPtr docs[SCOPE_N] = { NULL, NULL };
	bool want[SCOPE_N] = { false, false };
	virDomainPtr dom = NULL;
	json_object *ifaces = json_object_new_array();
	size_t dlen = 0;
	FILE *df;
	int err;

	err = change_begin(r, o, &df, &dlen);
	if (err)
		return err;
	err = lookup(conn, o->domain, &dom, r);
	if (!err)
		err = resolve_scopes(dom, o, want, r);
	for (int s = 0; !err && s < SCOPE_N; s++) {
		xmlNodePtr nodes[VM_MAX_IFACES];
		struct vm_domain_info info;
		struct vm_iface_spec spec;
		size_t n, selected = 0;

		if (!want[s])
			continue;
		err = load(dom, s, o, &docs[s], &info, r);
		if (!err)
			err = make_spec(o, &info, &spec, false, NULL, r);
		if (!err)
			err = vm_xml_interfaces(docs[s], nodes, VM_MAX_IFACES,
						&n);
		for (size_t i = 0; !err && i < n; i++) {
			struct vm_reasons why = { 0 };
			struct vm_iface_info ii;
			char *old = NULL, *new = NULL, label[128];
			json_object *j;

			vm_xml_iface_info(nodes[i], &ii);
			if (o->iface ?
				    !vm_xml_iface_match(nodes[i], i, o->iface) :
				    strcmp(ii.model, "virtio"))
				continue;
			selected++;
			err = vm_xml_node_str(nodes[i], &old);
			if (!err)
				err = vm_xml_iface_apply(nodes[i], &spec, true,
							 &why);
			if (err == -ERANGE) {
				free(old);
				err = fail(r, err,
					   "domain '%s' interface %s: %s",
					   o->domain, ii.mac,
					   why.n ? why.msg[0] : "");
				break;
			}
			if (!err)
				err = vm_xml_node_str(nodes[i], &new);
			if (err) {
				free(old);
				free(new);
				break;
			}
			snprintf(label, sizeof(label), "%s interface %s (%s)",
				 o->domain, ii.mac, scope_names[s]);
			if (why.n) {
				char *d = NULL;

				if (!vm_xml_diff(old, new, label, &d))
					fputs(d, df);
				free(d);
				ch[s][nch[s]].old_xml = old;
				ch[s][nch[s]++].new_xml = new;
			} else {
				free(old);
				free(new);
			}
			vm_xml_iface_info(nodes[i], &ii);
			j = iface_json(&ii, i);
			iface_scope_json(j, s, why.n, &why);
			json_object_array_add(ifaces, j);
		}
		if (!err && !selected)
			err = o->iface ?
				      fail(r, -ENODEV,
					   "domain '%s' has no interface '%s' (a MAC, target dev or index) in its %s XML",
					   o->domain, o->iface,
					   scope_names[s]) :
				      fail(r, -ENODEV,
					   "domain '%s' has no virtio interface in its %s XML: name one with --iface to convert it to virtio",
					   o->domain, scope_names[s]);
	}
	if (!err && nch[SCOPE_LIVE])
		err = fail(r, -EPERM, "domain '%s': %s", o->domain,
			   live_refusal);
	r->changed = !err && nch[SCOPE_CONFIG];
	if (err || !r->changed || o->dry_run)
		goto out;

	/* Per device first; drivers without it (e.g. the test driver) get
	 * the whole edited definition instead, which is one atomic step. */
	for (done = 0; done < nch[SCOPE_CONFIG]; done++) {
		virErrorPtr e;
		char *xml;

		if (!virDomainUpdateDeviceFlags(dom,
						ch[SCOPE_CONFIG][done].new_xml,
						VIR_DOMAIN_AFFECT_CONFIG))
			continue;
		e = virGetLastError();
		if (done == 0 && e && e->code == VIR_ERR_NO_SUPPORT) {
			virDomainPtr nd;

			err = vm_xml_doc_str(docs[SCOPE_CONFIG], &xml);
			if (err)
				break;
			nd = virDomainDefineXML(conn, xml);
			free(xml);
			if (!nd) {
				err = lv_fail(r, "cannot redefine domain",
					      o->domain);
				break;
			}
			virDomainFree(nd);
			done = nch[SCOPE_CONFIG];
			break;
		}
		err = lv_fail(r, "cannot update an interface of domain",
			      o->domain);
		/* Roll back what this run already changed. */
		while (done-- > 0)
			if (virDomainUpdateDeviceFlags(
				    dom, ch[SCOPE_CONFIG][done].old_xml,
				    VIR_DOMAIN_AFFECT_CONFIG))
				pr_err("rollback of domain '%s' failed: %s",
				       o->domain, virGetLastErrorMessage());
		break;
	}
out:
	for (int s = 0; s < SCOPE_N; s++) {
		for (size_t i = 0; i < nch[s]; i++) {
			free(ch[s][i].old_xml);
			free(ch[s][i].new_xml);
		}
		xmlFreeDoc(docs[s]);
	}
	finish(r, o, err, dom, ifaces, df);
	return err;
}

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

int vm_attach(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r)
{
	char *xml[SCOPE_N] = { NULL, NULL };
	xmlDocPtr docs[SCOPE_N] = { NULL, NULL };
	bool want[SCOPE_N] = { false, false }, need[SCOPE_N] = { false, false };
	struct vm_new_iface nif = o->nif;
	char mac[MAC_STR_LEN];
	virDomainPtr dom = NULL;
	json_object *ifaces = json_object_new_array();
	size_t dlen = 0;
	uint8_t m[6];
	FILE *df;
	int err;

	err = change_begin(r, o, &df, &dlen);
	if (err)
		return err;
	if (nif.mac && parse_mac(nif.mac, m)) {
		err = fail(r, -EINVAL, "bad MAC '%s'", nif.mac);
		goto out;
	}
	err = lookup(conn, o->domain, &dom, r);
	if (!err)
		err = resolve_scopes(dom, o, want, r);
	if (!err && !nif.mac) {
		derive_mac(dom, &nif, mac);
		nif.mac = mac;
	}
	for (int s = 0; !err && s < SCOPE_N; s++) {
		xmlNodePtr nodes[VM_MAX_IFACES], found = NULL;
		struct vm_domain_info info;
		struct vm_iface_spec spec;
		struct vm_reasons why = { 0 };
		struct vm_iface_info ii;
		char label[128], *d = NULL;
		size_t n, idx = 0;
		json_object *j;

		if (!want[s])
			continue;
		err = load(dom, s, o, &docs[s], &info, r);
		if (!err)
			err = make_spec(o, &info, &spec, false, NULL, r);
		if (!err)
			err = vm_xml_build_iface(&nif, &spec, &xml[s]);
		if (!err)
			err = vm_xml_interfaces(docs[s], nodes, VM_MAX_IFACES,
						&n);
		if (err)
			break;
		for (size_t i = 0; i < n && !found; i++) {
			vm_xml_iface_info(nodes[i], &ii);
			if (vm_xml_iface_match(nodes[i], i, nif.mac) ||
			    (nif.kind == VM_IFACE_ETHERNET &&
			     same_source(&ii, &nif))) {
				found = nodes[i];
				idx = i;
			}
		}
		if (found) {
			/* Already there: fine when it is what we would add. */
			int aerr =
				vm_xml_iface_apply(found, &spec, false, &why);

			if (aerr || why.n || !same_source(&ii, &nif) ||
			    !vm_xml_iface_match(found, idx, nif.mac)) {
				err = fail(
					r, -EEXIST,
					"domain '%s' already has interface %s (%s %s) in its %s XML and it differs from the request: use 'afxdp-host vm set %s --iface %s'",
					o->domain, ii.mac, ii.type,
					ii.source[0] ? ii.source : ii.target,
					scope_names[s], o->domain, ii.mac);
				break;
			}
			j = iface_json(&ii, idx);
		} else {
			xmlDocPtr tmp;

			need[s] = true;
			snprintf(label, sizeof(label), "%s interface %s (%s)",
				 o->domain, nif.mac, scope_names[s]);
			if (!vm_xml_diff("", xml[s], label, &d))
				fputs(d, df);
			free(d);
			snprintf(why.msg[0], sizeof(why.msg[0]),
				 "new %s interface on %s",
				 vm_iface_kind_name(nif.kind), nif.source);
			why.n = 1;
			memset(&ii, 0, sizeof(ii));
			if (!vm_xml_parse(xml[s], &tmp)) {
				vm_xml_iface_info(xmlDocGetRootElement(tmp),
						  &ii);
				xmlFreeDoc(tmp);
			}
			j = iface_json(&ii, n);
		}
		iface_scope_json(j, s, need[s], &why);
		if (need[s])
			json_object_object_add(j, "xml",
					       json_object_new_string(xml[s]));
		json_object_array_add(ifaces, j);
	}
	r->changed = !err && (need[SCOPE_LIVE] || need[SCOPE_CONFIG]);
	if (err || !r->changed || o->dry_run)
		goto out;

	if (need[SCOPE_LIVE] &&
	    virDomainAttachDeviceFlags(dom, xml[SCOPE_LIVE],
				       VIR_DOMAIN_AFFECT_LIVE)) {
		err = lv_fail(r, "cannot hot-plug the interface into domain",
			      o->domain);
		goto out;
	}
	if (need[SCOPE_CONFIG] &&
	    virDomainAttachDeviceFlags(dom, xml[SCOPE_CONFIG],
				       VIR_DOMAIN_AFFECT_CONFIG)) {
		virErrorPtr e = virGetLastError();
		virDomainPtr nd = NULL;
		char *full = NULL;

		/* No per-device call (test driver): define the edited XML. */
		if (e && e->code == VIR_ERR_NO_SUPPORT &&
		    !vm_xml_append_iface(docs[SCOPE_CONFIG],
					 xml[SCOPE_CONFIG]) &&
		    !vm_xml_doc_str(docs[SCOPE_CONFIG], &full))
			nd = virDomainDefineXML(conn, full);
		free(full);
		if (nd) {
			virDomainFree(nd);
		} else {
			err = lv_fail(r, "cannot add the interface to domain",
				      o->domain);
			if (need[SCOPE_LIVE] &&
			    virDomainDetachDeviceFlags(dom, xml[SCOPE_LIVE],
						       VIR_DOMAIN_AFFECT_LIVE))
				pr_err("rollback (hot-unplug) in domain '%s' failed: %s",
				       o->domain, virGetLastErrorMessage());
		}
	}
out:
	for (int s = 0; s < SCOPE_N; s++) {
		free(xml[s]);
		xmlFreeDoc(docs[s]);
	}
	finish(r, o, err, dom, ifaces, df);
	return err;
}

int vm_show(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r)
{
	xmlNodePtr nodes[VM_MAX_IFACES];
	struct vm_domain_info info;
	struct vm_iface_spec spec;
	virDomainPtr dom = NULL;
	xmlDocPtr doc = NULL;
	json_object *ifaces;
	bool machine_ok = true;
	int active, err;
	size_t n = 0;

	err = result_init(r, o);
	if (err)
		return err;
	err = lookup(conn, o->domain, &dom, r);
	if (err)
		return err;
	active = virDomainIsActive(dom);
	if (active < 0) {
		err = lv_fail(r, "cannot read the state of domain", o->domain);
		goto out;
	}
	err = load(dom, o->inactive || !active ? SCOPE_CONFIG : SCOPE_LIVE, o,
		   &doc, &info, r);
	if (!err)
		err = make_spec(o, &info, &spec, true, &machine_ok, r);
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
		j = iface_json(&ii, i);
		json_object_object_add(j, "xdp_ready",
				       json_object_new_boolean(!why.n));
		json_object_object_add(j, "reasons", reasons_json(&why));
		json_object_array_add(ifaces, j);
	}
	json_object_object_add(r->json, "interfaces", ifaces);
out:
	xmlFreeDoc(doc);
	if (dom)
		virDomainFree(dom);
	return err;
}

/* ---- command line ---- */

enum {
	OPT_VCPUS = 256,
	OPT_NETWORK,
	OPT_BRIDGE,
	OPT_TAP,
	OPT_MAC,
	OPT_QUEUES,
	OPT_MTU,
	OPT_RXQ,
	OPT_IFACE,
	OPT_CONFIG,
	OPT_LIVE,
	OPT_DRIVER,
	OPT_VHOST_DEV,
	OPT_MAX_QUEUES,
	OPT_MACHINE,
	OPT_INACTIVE,
};

static const struct option vm_long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "bridge", required_argument, NULL, OPT_BRIDGE },
	{ "tap", required_argument, NULL, OPT_TAP },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "rx-queue-size", required_argument, NULL, OPT_RXQ },
	{ "iface", required_argument, NULL, OPT_IFACE },
	{ "config", no_argument, NULL, OPT_CONFIG },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "driver", required_argument, NULL, OPT_DRIVER },
	{ "vhost-dev", required_argument, NULL, OPT_VHOST_DEV },
	{ "max-queues", required_argument, NULL, OPT_MAX_QUEUES },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "inactive", no_argument, NULL, OPT_INACTIVE },
	{ NULL, 0, NULL, 0 },
};

enum vm_sub { SUB_XML, SUB_SET, SUB_ATTACH, SUB_SHOW };

static const char *const sub_usage[] = {
	[SUB_XML] =
		"usage: afxdp-host vm xml --vcpus N (--network NAME | --bridge BR | --tap TAP)\n"
		"                         [--mac MAC] [--queues N] [--mtu N] [--rx-queue-size N]\n"
		"                         [--driver auto|vhost|qemu] [--machine TYPE] [--max-queues N]\n"
		"Print an XDP-ready <interface> for a guest with N vCPUs (nothing else on stdout).\n",
	[SUB_SET] =
		"usage: afxdp-host [-c URI] [-n] [-j] vm set DOMAIN [--iface MAC|TARGET-DEV|INDEX]\n"
		"                         [--queues N] [--mtu N] [--rx-queue-size N] [--config] [--live]\n"
		"                         [--driver auto|vhost|qemu] [--max-queues N]\n"
		"Make existing interfaces XDP-ready: every virtio one, or the one --iface names\n"
		"(converted to virtio). Driver settings can't change live: use --config.\n",
	[SUB_ATTACH] =
		"usage: afxdp-host [-c URI] [-n] [-j] vm attach DOMAIN (--network NAME | --bridge BR | --tap TAP)\n"
		"                         [--mac MAC] [--queues N] [--mtu N] [--rx-queue-size N]\n"
		"                         [--config] [--live] [--driver auto|vhost|qemu] [--max-queues N]\n"
		"Add an XDP-ready virtio interface. Without --mac the MAC is derived from the\n"
		"domain UUID and the source, so a second run finds it and reports no change.\n",
	[SUB_SHOW] =
		"usage: afxdp-host [-c URI] [-j] vm show DOMAIN [--inactive] [--driver auto|vhost|qemu]\n"
		"Show vCPUs, machine type and interfaces, whether each is XDP-ready and why not.\n",
};

static const char common_usage[] =
	"options:\n"
	"  --queues N          queue pairs (default 2 x vCPUs, capped at the host limit)\n"
	"  --max-queues N      host queue cap (default 256: tun/tap MAX_TAP_QUEUES)\n"
	"  --mtu N             set <mtu size=N/>, 68..4064 (XDP single-page limit)\n"
	"  --rx-queue-size N   256, 512 or 1024 (default 1024)\n"
	"  --driver D          auto (vhost if --vhost-dev exists, else qemu), vhost, qemu\n"
	"  --vhost-dev PATH    vhost-net device checked by auto (default /dev/vhost-net)\n"
	"  --config, --live    persistent config, running domain, or both; neither: the\n"
	"                      current state (live if running), like virsh\n"
	"  -n, --dry-run       print the XML diff, change nothing\n"
	"  -j, --json          JSON: {changed, dry_run, domain, interfaces, diff}\n"
	"See afxdp-host-vm(8).\n";

static void vm_usage(FILE *f)
{
	fputs("usage: afxdp-host [-c URI] [-n] [-j] vm {xml|set|attach|show} ... [--help]\n"
	      "Make libvirt virtio-net interfaces XDP-ready (multiqueue, guest offloads off,\n"
	      "MTU <= 4064, modern virtio machine type).\n",
	      f);
	for (size_t i = 0; i < sizeof(sub_usage) / sizeof(*sub_usage); i++)
		fprintf(f, "\n%s", sub_usage[i]);
	fprintf(f, "\n%s", common_usage);
}

struct vm_cli {
	struct vm_opts o;
	bool json;
	unsigned int vcpus;
	const char *machine;
	int n_src;
};

static int num_opt(const char *name, const char *arg, uint32_t min,
		   uint32_t max, unsigned int *out)
{
	uint32_t v;

	if (parse_u32(arg, min, max, &v)) {
		pr_err("invalid %s '%s': want a number in %u..%u", name, arg,
		       min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_cli(enum vm_sub sub, int argc, char **argv, struct vm_cli *c)
{
	char why[VM_REASON_LEN];
	uint8_t mac[6];
	int opt, err = 0;

	optind = 0; /* main.c may have used getopt already */
	opterr = 0;
	while (!err && (opt = getopt_long(argc, argv, "hjn", vm_long_opts,
					  NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(sub_usage[sub], stdout);
			fputs(common_usage, stdout);
			return 1;
		case 'j':
			c->json = true;
			break;
		case 'n':
			c->o.dry_run = true;
			break;
		case OPT_VCPUS:
			err = num_opt("--vcpus", optarg, 1, VM_MAX_VCPUS,
				      &c->vcpus);
			break;
		case OPT_NETWORK:
		case OPT_BRIDGE:
		case OPT_TAP:
			c->n_src++;
			c->o.nif.kind = opt == OPT_NETWORK ? VM_IFACE_NETWORK :
					opt == OPT_BRIDGE  ? VM_IFACE_BRIDGE :
							     VM_IFACE_ETHERNET;
			c->o.nif.source = optarg;
			if (!*optarg) {
				pr_err("empty interface source");
				err = -EINVAL;
			}
			break;
		case OPT_MAC:
			if (parse_mac(optarg, mac)) {
				pr_err("bad MAC '%s': want six hex octets like 52:54:00:12:34:56",
				       optarg);
				err = -EINVAL;
			} else if (mac[0] & 1) {
				pr_err("bad MAC '%s': multicast bit set",
				       optarg);
				err = -EINVAL;
			}
			c->o.nif.mac = optarg;
			break;
		case OPT_QUEUES:
			err = num_opt("--queues", optarg, 1, 65535,
				      &c->o.queues);
			break;
		case OPT_MTU:
			err = num_opt("--mtu", optarg, 1, 65535, &c->o.mtu);
			if (!err && vm_rules_mtu(c->o.mtu, why, sizeof(why))) {
				pr_err("%s", why);
				err = -ERANGE;
			}
			break;
		case OPT_RXQ:
			err = num_opt("--rx-queue-size", optarg, 1, 65535,
				      &c->o.rx_queue_size);
			if (!err && vm_rules_rx_queue_size(c->o.rx_queue_size,
							   why, sizeof(why))) {
				pr_err("%s", why);
				err = -EINVAL;
			}
			break;
		case OPT_IFACE:
			c->o.iface = optarg;
			break;
		case OPT_CONFIG:
			c->o.config = true;
			break;
		case OPT_LIVE:
			c->o.live = true;
			break;
		case OPT_DRIVER:
			if (!strcmp(optarg, "auto")) {
				c->o.backend = VM_BACKEND_AUTO;
			} else if (!strcmp(optarg, "vhost")) {
				c->o.backend = VM_BACKEND_VHOST;
			} else if (!strcmp(optarg, "qemu")) {
				c->o.backend = VM_BACKEND_QEMU;
			} else {
				pr_err("invalid --driver '%s': want auto, vhost or qemu",
				       optarg);
				err = -EINVAL;
			}
			break;
		case OPT_VHOST_DEV:
			c->o.vhost_dev = optarg;
			break;
		case OPT_MAX_QUEUES:
			err = num_opt("--max-queues", optarg, 1,
				      VM_TAP_MAX_QUEUES, &c->o.caps.max_queues);
			break;
		case OPT_MACHINE:
			c->machine = optarg;
			break;
		case OPT_INACTIVE:
			c->o.inactive = true;
			break;
		default:
			pr_err("vm: unknown or incomplete option '%s' (see --help)",
			       argv[optind - 1]);
			err = -EINVAL;
		}
		if (err)
			return err;
		/* Reject options that mean nothing for this subcommand. */
		if ((opt == OPT_VCPUS || opt == OPT_MACHINE) && sub != SUB_XML)
			goto misplaced;
		if ((opt == OPT_NETWORK || opt == OPT_BRIDGE ||
		     opt == OPT_TAP || opt == OPT_MAC) &&
		    sub != SUB_XML && sub != SUB_ATTACH)
			goto misplaced;
		if (opt == OPT_IFACE && sub != SUB_SET)
			goto misplaced;
		if ((opt == OPT_CONFIG || opt == OPT_LIVE) &&
		    (sub == SUB_XML || sub == SUB_SHOW))
			goto misplaced;
		if (opt == OPT_INACTIVE && sub != SUB_SHOW)
			goto misplaced;
		if ((opt == OPT_QUEUES || opt == OPT_MTU || opt == OPT_RXQ) &&
		    sub == SUB_SHOW)
			goto misplaced;
	}
	if (sub != SUB_XML) {
		if (optind != argc - 1) {
			pr_err("vm: %s needs exactly one DOMAIN (see --help)",
			       sub == SUB_SET	 ? "set" :
			       sub == SUB_ATTACH ? "attach" :
						   "show");
			return -EINVAL;
		}
		c->o.domain = argv[optind];
	} else if (optind != argc) {
		pr_err("vm xml: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if ((sub == SUB_XML || sub == SUB_ATTACH) && c->n_src != 1) {
		pr_err("vm: give exactly one of --network, --bridge, --tap");
		return -EINVAL;
	}
	if (sub == SUB_XML && !c->vcpus) {
		pr_err("vm xml: --vcpus N is required (queues = 2 x vCPUs)");
		return -EINVAL;
	}
	return 0;
misplaced:
	pr_err("vm: option '%s' does not apply here (see --help)",
	       argv[optind - 1]);
	return -EINVAL;
}

static void print_json(json_object *j)
{
	puts(json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void print_notes(json_object *doc, FILE *f)
{
	json_object *notes;

	if (!json_object_object_get_ex(doc, "notes", &notes))
		return;
	for (size_t i = 0; i < json_object_array_length(notes); i++)
		fprintf(f, "note: %s\n",
			json_object_get_string(
				json_object_array_get_idx(notes, i)));
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static int jint(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) :
						       0;
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_get_boolean(v);
}

static void print_change(const struct vm_result *r, const struct vm_opts *o)
{
	json_object *ifaces, *changes;

	if (o->dry_run && r->diff && *r->diff)
		fputs(r->diff, stdout);
	if (json_object_object_get_ex(r->json, "interfaces", &ifaces)) {
		for (size_t i = 0; i < json_object_array_length(ifaces); i++) {
			json_object *j = json_object_array_get_idx(ifaces, i);

			printf("%s interface %s (%s): ", o->domain,
			       jstr(j, "mac"), jstr(j, "scope"));
			if (!json_object_object_get_ex(j, "changes",
						       &changes) ||
			    !json_object_array_length(changes))
				printf("no change");
			for (size_t k = 0;
			     changes && k < json_object_array_length(changes);
			     k++)
				printf("%s%s", k ? "; " : "",
				       json_object_get_string(
					       json_object_array_get_idx(
						       changes, k)));
			putchar('\n');
		}
	}
	print_notes(r->json, stdout);
	if (!r->changed)
		puts("no change");
	else if (o->dry_run)
		puts("dry run: changes shown above, nothing changed");
	else
		puts("changed");
}

static void print_show(const struct vm_result *r)
{
	json_object *ifaces, *reasons;
	json_object *d = r->json;

	printf("domain %s: %s, %d vCPUs, machine %s%s, %s XML\n",
	       jstr(d, "domain"), jbool(d, "running") ? "running" : "shut off",
	       jint(d, "vcpus"),
	       *jstr(d, "machine") ? jstr(d, "machine") : "(default)",
	       jbool(d, "machine_ok") ? "" :
					" (too old: no VIRTIO_F_VERSION_1)",
	       jstr(d, "scope"));
	printf("XDP-ready: model virtio, driver %s, queues %d, rx_queue_size %d, guest csum/tso4/tso6/ecn/ufo off, MTU <= %d\n",
	       jstr(d, "driver_wanted"), jint(d, "queues_wanted"),
	       VM_RX_QUEUE_SIZE, VM_XDP_MAX_MTU);
	if (json_object_object_get_ex(d, "interfaces", &ifaces)) {
		size_t n = json_object_array_length(ifaces);

		if (!n)
			puts("no interfaces");
		for (size_t i = 0; i < n; i++) {
			json_object *j = json_object_array_get_idx(ifaces, i);
			const char *src = *jstr(j, "source") ?
						  jstr(j, "source") :
						  jstr(j, "target");

			printf("#%d %s %s mac %s model %s driver %s queues %d rx_queue_size %d mtu %d: %s\n",
			       jint(j, "index"), jstr(j, "type"),
			       *src ? src : "-", jstr(j, "mac"),
			       *jstr(j, "model") ? jstr(j, "model") : "-",
			       *jstr(j, "driver") ? jstr(j, "driver") : "-",
			       jint(j, "queues"), jint(j, "rx_queue_size"),
			       jint(j, "mtu"),
			       jbool(j, "xdp_ready") ? "XDP-ready" :
						       "not XDP-ready");
			if (!json_object_object_get_ex(j, "reasons", &reasons))
				continue;
			for (size_t k = 0;
			     k < json_object_array_length(reasons); k++)
				printf("    - %s\n",
				       json_object_get_string(
					       json_object_array_get_idx(
						       reasons, k)));
		}
	}
	print_notes(d, stdout);
}

static int cmd_vm_xml(struct vm_cli *c)
{
	struct vm_iface_spec spec = { 0 };
	char why[VM_REASON_LEN];
	json_object *doc, *notes;
	char *xml = NULL;
	bool capped;
	int err;

	if (c->machine && vm_rules_machine(c->machine, why, sizeof(why))) {
		pr_err("%s", why);
		return HOST_EXIT_USAGE;
	}
	doc = json_object_new_object();
	notes = json_object_new_array();
	err = vm_rules_queues(c->vcpus, c->o.queues, &c->o.caps, &spec.queues,
			      &capped, why, sizeof(why));
	if (err) {
		pr_err("%s", why);
		goto out;
	}
	json_object_array_add(notes, json_object_new_string(why));
	spec.driver_name = vm_rules_backend(c->o.backend, c->o.vhost_dev);
	spec.rx_queue_size = c->o.rx_queue_size;
	spec.mtu = c->o.mtu;
	if (c->o.nif.kind == VM_IFACE_ETHERNET && spec.queues > 1)
		json_object_array_add(
			notes,
			json_object_new_string(
				"the tap must exist with multi_queue (ip tuntap add dev TAP mode tap multi_queue)"));
	err = vm_xml_build_iface(&c->o.nif, &spec, &xml);
	if (err) {
		pr_err("cannot build the interface XML: %s", strerror(-err));
		goto out;
	}
	if (c->json) {
		json_object_object_add(doc, "xml", json_object_new_string(xml));
		json_object_object_add(doc, "queues",
				       json_object_new_int((int)spec.queues));
		json_object_object_add(doc, "queues_capped",
				       json_object_new_boolean(capped));
		json_object_object_add(
			doc, "driver",
			json_object_new_string(spec.driver_name));
		json_object_object_add(doc, "notes", json_object_get(notes));
		print_json(doc);
	} else {
		fputs(xml, stdout);
		/* Notes on stderr: stdout is the snippet only. */
		for (size_t i = 0; i < json_object_array_length(notes); i++)
			fprintf(stderr, "note: %s\n",
				json_object_get_string(
					json_object_array_get_idx(notes, i)));
	}
out:
	free(xml);
	json_object_put(notes);
	json_object_put(doc);
	return vm_exit_code(err);
}

int cmd_vm(const struct host_global_opts *g, int argc, char **argv)
{
	static const char *const subs[] = { [SUB_XML] = "xml",
					    [SUB_SET] = "set",
					    [SUB_ATTACH] = "attach",
					    [SUB_SHOW] = "show" };
	struct vm_cli c = { 0 };
	struct vm_result r = { 0 };
	virConnectPtr conn = NULL;
	char cerr[512];
	int sub = -1, err;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		vm_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? HOST_EXIT_USAGE : HOST_EXIT_OK;
	}
	for (int i = 0; i < (int)(sizeof(subs) / sizeof(*subs)); i++)
		if (!strcmp(argv[1], subs[i]))
			sub = i;
	if (sub < 0) {
		pr_err("vm: unknown subcommand '%s' (xml, set, attach, show)",
		       argv[1]);
		return HOST_EXIT_USAGE;
	}
	c.json = g->json;
	c.o.dry_run = g->dry_run;
	err = parse_cli(sub, argc - 1, argv + 1, &c);
	if (err)
		return err > 0 ? HOST_EXIT_OK : HOST_EXIT_USAGE;
	if (sub == SUB_XML)
		return cmd_vm_xml(&c);

	err = vm_connect(g->connect_uri, sub == SUB_SHOW || c.o.dry_run, &conn,
			 cerr, sizeof(cerr));
	if (err) {
		pr_err("%s", cerr);
		if (c.json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "error",
					       json_object_new_string(cerr));
			print_json(j);
			json_object_put(j);
		}
		return HOST_EXIT_FAIL;
	}
	switch (sub) {
	case SUB_SET:
		err = vm_set(conn, &c.o, &r);
		break;
	case SUB_ATTACH:
		err = vm_attach(conn, &c.o, &r);
		break;
	default:
		err = vm_show(conn, &c.o, &r);
		break;
	}
	if (c.json) {
		if (err)
			json_object_object_add(r.json, "error",
					       json_object_new_string(r.error));
		print_json(r.json);
	} else if (!err) {
		if (sub == SUB_SHOW)
			print_show(&r);
		else
			print_change(&r, &c.o);
	}
	vm_result_free(&r);
	virConnectClose(conn);
	return vm_exit_code(err);
}
