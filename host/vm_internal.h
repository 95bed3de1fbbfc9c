/* SPDX-License-Identifier: GPL-2.0 */
/* What vm_set.c, vm_attach.c and vm_show.c share: the result document
 * (vm_result.c) and reading a domain into the target spec (vm_spec.c). */
#ifndef HOST_VM_INTERNAL_H
#define HOST_VM_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "host/cmd.h"
#include "host/domain.h"
#include "host/vm.h"

#define VM_MAX_IFACES 64

/* The options of the vm verbs (vm_cmd.c), also set from a plan file. */
struct vm_cli {
	struct vm_opts o;
	uint32_t vcpus; /* xml */
	const char *machine; /* xml */
	int driver; /* enum vm_backend */
	int n_src; /* --network, --bridge and --tap given */
};
extern const struct cmd_option vm_set_options[];
/* vm set's check of the tuning values (MTU, rx_queue_size): 0 or -errno
 * with the message in ctx. */
int vm_check_tuning(struct cmd_ctx *ctx, void *opts);
/* The hypervisor's version on a QEMU connection (zero-copy needs 7.2),
 * 0 on others (the test driver) or when libvirt can't tell. */
unsigned long vm_qemu_version(virConnectPtr conn);

/* Record the reason in r->error, log it; returns err. */
int vm_fail(struct vm_result *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A domain_*() call wrote its reason into r->error: log it; returns err. */
int vm_logged(struct vm_result *r, int err);

/* "<what> '<domain>': <libvirt's reason>", -EIO. */
int vm_lv_fail(struct vm_result *r, const char *what, const char *dom);

/* r->json = { "domain": o->domain }. */
int vm_result_init(struct vm_result *r, const struct vm_opts *o);
/* Appends to "notes" unless already there. */
void vm_add_note(struct vm_result *r, const char *note);
json_object *vm_reasons_json(const struct vm_reasons *why);
json_object *vm_iface_json(const struct vm_iface_info *ii, size_t index);

/* set and attach: the result, the diff stream and the interfaces array;
 * then the answer: changed, dry_run, interfaces (taken) and diff, @dom
 * freed. */
int vm_change_begin(struct vm_result *r, const struct vm_opts *o, FILE **df,
		    size_t *dlen, json_object **ifaces);
void vm_change_end(struct vm_result *r, const struct vm_opts *o, int err,
		   virDomainPtr dom, json_object *ifaces, FILE *df);
/* Where an interface entry of set/attach stands and what it changes. */
void vm_iface_scope_json(json_object *j, enum domain_scope scope, bool changed,
			 const struct vm_reasons *why);

/* Look o->domain up and, with @want, resolve its --config/--live scopes. */
int vm_lookup(virConnectPtr conn, const struct vm_opts *o, virDomainPtr *dom,
	      bool want[DOMAIN_NSCOPES], struct vm_result *r);
/* The domain's XML of @scope, parsed, and its vCPUs and machine type. */
int vm_load(virDomainPtr dom, enum domain_scope scope, const struct vm_opts *o,
	    xmlDocPtr *doc, struct vm_domain_info *info, struct vm_result *r);
/* The target interface for this domain. -ENOTSUP: machine type too old;
 * with @soft that is only noted in *machine_ok (vm show). Also the
 * zero-copy part (vm_zc_assess) when @doc is given. */
int vm_make_spec(const struct vm_opts *o, const struct vm_domain_info *info,
		 xmlDocPtr doc, struct vm_iface_spec *spec, bool soft,
		 bool *machine_ok, struct vm_result *r);

/* Zero-copy (vm_zc.c): spec->iommu from o->zero_copy, the model the
 * machine type needs, and r->json "zero_copy": {requested, ready,
 * blockers, notes} for the domain (@doc may be NULL: vm xml). Returns
 * the number of blockers. */
size_t vm_zc_assess(const struct vm_opts *o, const char *machine, xmlDocPtr doc,
		    struct vm_iface_spec *spec, json_object *result);
/* vm show: each interface's zero-copy reasons (iommu, model) against
 * @zc_spec; its "zero_copy_ready" and "zero_copy_reasons". */
bool vm_zc_iface(xmlNodePtr iface, const struct vm_iface_spec *zc_spec,
		 json_object *j);

#endif
