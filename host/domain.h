/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libvirt domain plumbing shared by `afxdp-host vm` and `sriov vm`:
 * connect (libvirt's own error printing silenced), look a domain up by
 * name or UUID, resolve virsh's --config/--live scopes, read its XML, and
 * attach a device (defining the edited XML where the driver has no
 * per-device call, e.g. the test driver).
 *
 * One error convention: every function returns 0 or -errno and writes one
 * line, naming the domain and libvirt's reason, into err:
 *   -ECONNREFUSED  the URI is unreachable
 *   -ENOENT        no such domain
 *   -ESRCH         --live on a domain that is not running
 *   -EINVAL        --config on a transient domain (it has no config)
 *   -ENOMEM        out of memory
 *   -EIO           libvirt refused or failed
 */
#ifndef HOST_DOMAIN_H
#define HOST_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#include <libvirt/libvirt.h>
#include <libxml/tree.h>

enum domain_scope { DOMAIN_LIVE = 0, DOMAIN_CONFIG = 1, DOMAIN_NSCOPES };

/* "live", "config" */
extern const char *const domain_scope_names[DOMAIN_NSCOPES];

/* Report libvirt errors through our messages only, not on stderr. */
void domain_errors_silence(void);

int domain_connect(const char *uri, bool readonly, virConnectPtr *conn,
		   char *err, size_t err_len);

/* @name: a domain name, or its UUID (with or without dashes). */
int domain_lookup(virConnectPtr conn, const char *name, virDomainPtr *dom,
		  char *err, size_t err_len);

/* virsh semantics: --live, --config, both, or neither (the current state:
 * live when the domain runs, config otherwise) into want[]. */
int domain_scopes(virDomainPtr dom, const char *name, bool config, bool live,
		  bool want[DOMAIN_NSCOPES], char *err, size_t err_len);

/* The domain XML of @scope (with secrets where the connection may read
 * them, so a definition written back keeps them); *xml is malloc'd. */
int domain_get_xml(virDomainPtr dom, const char *name, enum domain_scope scope,
		   char **xml, char *err, size_t err_len);

/* Define @doc as the domain's persistent config: 0, -ENOMEM, or -EIO with
 * libvirt's reason in virGetLastErrorMessage() (the caller says what it
 * was doing). */
int domain_define(virConnectPtr conn, xmlDocPtr doc);

/* Attach the device xml[scope] in every scope where it is not NULL, live
 * first; when the config step fails the live one is rolled back. */
int domain_attach(virConnectPtr conn, virDomainPtr dom, const char *name,
		  const char *const xml[DOMAIN_NSCOPES], char *err,
		  size_t err_len);

#endif
