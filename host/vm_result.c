// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm: the result of set/attach/show (the --json document, the
 * diff, the reason of a failure) and its exit status. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "host/cmd.h"
#include "host/vm_internal.h"
#include "util/log.h"

int vm_fail(struct vm_result *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return vm_logged(r, err);
}

int vm_logged(struct vm_result *r, int err)
{
	if (err)
		pr_err("%s", r->error);
	return err;
}

int vm_lv_fail(struct vm_result *r, const char *what, const char *dom)
{
	return vm_fail(r, -EIO, "%s '%s': %s", what, dom,
		       virGetLastErrorMessage());
}

int vm_exit_code(int err)
{
	/* No such interface in the domain: found out at run time. */
	if (err == -ENODEV)
		return HOST_EXIT_FAIL;
	return cmd_exit_code(err);
}

void vm_result_free(struct vm_result *r)
{
	free(r->diff);
	r->diff = NULL;
	if (r->json)
		json_object_put(r->json);
	r->json = NULL;
}

int vm_result_init(struct vm_result *r, const struct vm_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->json = json_object_new_object();
	if (!r->json)
		return -ENOMEM;
	json_object_object_add(r->json, "domain",
			       json_object_new_string(o->domain));
	return 0;
}

void vm_add_note(struct vm_result *r, const char *note)
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

json_object *vm_reasons_json(const struct vm_reasons *why)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < why->n; i++)
		json_object_array_add(a, json_object_new_string(why->msg[i]));
	return a;
}

json_object *vm_iface_json(const struct vm_iface_info *ii, size_t index)
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
	json_object_object_add(j, "iommu", json_object_new_string(ii->iommu));
	return j;
}

int vm_change_begin(struct vm_result *r, const struct vm_opts *o, FILE **df,
		    size_t *dlen, json_object **ifaces)
{
	int err = vm_result_init(r, o);

	if (err)
		return err;
	*ifaces = json_object_new_array();
	*df = open_memstream(&r->diff, dlen);
	if (*ifaces && *df)
		return 0;
	if (*df)
		fclose(*df);
	json_object_put(*ifaces);
	return -ENOMEM;
}

void vm_change_end(struct vm_result *r, const struct vm_opts *o, int err,
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

void vm_iface_scope_json(json_object *j, enum domain_scope scope, bool changed,
			 const struct vm_reasons *why)
{
	json_object_object_add(
		j, "scope", json_object_new_string(domain_scope_names[scope]));
	json_object_object_add(j, "changed", json_object_new_boolean(changed));
	json_object_object_add(j, "changes", vm_reasons_json(why));
}
