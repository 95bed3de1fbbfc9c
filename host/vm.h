/* SPDX-License-Identifier: GPL-2.0 */
/* `afxdp-host vm`: the libvirt side. These functions do the work of `vm
 * set` (vm_set.c), `vm attach` (vm_attach.c) and `vm show` (vm_show.c) on
 * a connection from domain_connect() (host/domain.h), so the unit tests
 * can drive them against libvirt's test driver; the verbs are in
 * vm_cmd.c. They return 0 or -errno; vm_exit_code() maps that to the
 * tool's exit code, and the reason is logged and kept in vm_result.error. */
#ifndef HOST_VM_H
#define HOST_VM_H

#include <stdbool.h>

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "host/vm_rules.h"
#include "host/vm_xml.h"

struct vm_opts {
	const char *domain; /* name or UUID */
	const char *iface; /* set: MAC, target dev or index; NULL: all virtio */
	struct vm_new_iface nif; /* attach: what to add */
	unsigned int queues; /* 0: 2 x vCPUs, capped */
	unsigned int mtu; /* 0: leave as is */
	unsigned int rx_queue_size; /* 0: 1024 */
	enum vm_backend backend;
	const char *vhost_dev; /* NULL: /dev/vhost-net */
	struct vm_caps caps;
	bool config, live; /* neither: current (live if running) */
	bool inactive; /* show: the persistent config */
	bool dry_run;
	/* set, attach, xml: also prepare for zero-copy AF_XDP in the guest
	 * (iommu on, a modern-only model where needed); show always tells. */
	bool zero_copy;
};

struct vm_result {
	bool changed; /* with dry_run: would change */
	char *diff; /* "" when nothing changes */
	json_object *json; /* the --json document */
	char error[512];
};

int vm_set(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r);
int vm_attach(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r);
int vm_show(virConnectPtr conn, const struct vm_opts *o, struct vm_result *r);
void vm_result_free(struct vm_result *r);

/* cmd_exit_code(), but -ENODEV (no such interface) is a failure: 1. */
int vm_exit_code(int err);

#endif
