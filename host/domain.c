// SPDX-License-Identifier: GPL-2.0
/* The libvirt domain plumbing of vm and sriov vm (see domain.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "host/domain.h"
#include "host/vm_xml.h"
#include "util/log.h"

const char *const domain_scope_names[DOMAIN_NSCOPES] = { "live", "config" };

static void silent_error(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

void domain_errors_silence(void)
{
	virSetErrorFunc(NULL, silent_error);
}

static int fail(int ret, char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int ret, char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return ret;
}

/* "<what> '<domain>': <libvirt's reason>", -EIO */
static int lv_fail(char *err, size_t err_len, const char *what,
		   const char *name)
{
	return fail(-EIO, err, err_len, "%s '%s': %s", what, name,
		    virGetLastErrorMessage());
}

int domain_connect(const char *uri, bool readonly, virConnectPtr *conn,
		   char *err, size_t err_len)
{
	domain_errors_silence();
	*conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
	if (*conn)
		return 0;
	return fail(-ECONNREFUSED, err, err_len,
		    "cannot connect to libvirt at %s: %s",
		    uri ? uri : "the default URI", virGetLastErrorMessage());
}

int domain_lookup(virConnectPtr conn, const char *name, virDomainPtr *dom,
		  char *err, size_t err_len)
{
	virErrorPtr e;

	*dom = virDomainLookupByName(conn, name);
	if (*dom)
		return 0;
	e = virGetLastError();
	if (e && e->code != VIR_ERR_NO_DOMAIN)
		return lv_fail(err, err_len, "cannot look up domain", name);
	if (strlen(name) == VIR_UUID_STRING_BUFLEN - 1 ||
	    strlen(name) == 2 * VIR_UUID_BUFLEN)
		*dom = virDomainLookupByUUIDString(conn, name);
	if (*dom)
		return 0;
	return fail(-ENOENT, err, err_len, "domain '%s' not found", name);
}

int domain_scopes(virDomainPtr dom, const char *name, bool config, bool live,
		  bool want[DOMAIN_NSCOPES], char *err, size_t err_len)
{
	int active = virDomainIsActive(dom);
	int persistent = virDomainIsPersistent(dom);

	if (active < 0 || persistent < 0)
		return lv_fail(err, err_len, "cannot read the state of domain",
			       name);
	want[DOMAIN_LIVE] = live;
	want[DOMAIN_CONFIG] = config;
	if (!live && !config)
		want[active ? DOMAIN_LIVE : DOMAIN_CONFIG] = true;
	if (want[DOMAIN_LIVE] && !active)
		return fail(
			-ESRCH, err, err_len,
			"domain '%s' is not running: --live needs a running domain (use --config)",
			name);
	if (want[DOMAIN_CONFIG] && !persistent)
		return fail(
			-EINVAL, err, err_len,
			"domain '%s' is transient: it has no persistent config for --config",
			name);
	return 0;
}

/* SECURE needs a read-write connection: fall back without it. */
static char *get_xml(virDomainPtr dom, enum domain_scope scope)
{
	unsigned int flags =
		scope == DOMAIN_CONFIG ? VIR_DOMAIN_XML_INACTIVE : 0;
	char *xml = virDomainGetXMLDesc(dom, flags | VIR_DOMAIN_XML_SECURE);

	return xml ? xml : virDomainGetXMLDesc(dom, flags);
}

int domain_get_xml(virDomainPtr dom, const char *name, enum domain_scope scope,
		   char **xml, char *err, size_t err_len)
{
	*xml = get_xml(dom, scope);
	if (!*xml)
		return lv_fail(err, err_len, "cannot read the XML of domain",
			       name);
	return 0;
}

int domain_define(virConnectPtr conn, xmlDocPtr doc)
{
	virDomainPtr nd;
	char *xml;
	int err;

	err = vm_xml_doc_str(doc, &xml);
	if (err)
		return err;
	nd = virDomainDefineXML(conn, xml);
	free(xml);
	if (!nd)
		return -EIO;
	virDomainFree(nd);
	return 0;
}

/* For drivers without a per-device call on the config: the persistent
 * XML with the device appended, defined. -EIO: libvirt's reason in
 * virGetLastErrorMessage(). */
static int define_with(virConnectPtr conn, virDomainPtr dom, const char *dev)
{
	char *xml = get_xml(dom, DOMAIN_CONFIG);
	xmlDocPtr doc = NULL;
	int err;

	if (!xml)
		return -EIO;
	err = vm_xml_parse(xml, &doc);
	if (!err)
		err = vm_xml_append_iface(doc, dev);
	if (!err)
		err = domain_define(conn, doc);
	xmlFreeDoc(doc);
	free(xml);
	return err;
}

int domain_attach(virConnectPtr conn, virDomainPtr dom, const char *name,
		  const char *const xml[DOMAIN_NSCOPES], char *err,
		  size_t err_len)
{
	const char *live = xml[DOMAIN_LIVE], *config = xml[DOMAIN_CONFIG];
	char why[512];
	virErrorPtr e;
	int ret;

	if (live &&
	    virDomainAttachDeviceFlags(dom, live, VIR_DOMAIN_AFFECT_LIVE))
		return lv_fail(err, err_len,
			       "cannot hot-plug the interface into domain",
			       name);
	if (!config ||
	    !virDomainAttachDeviceFlags(dom, config, VIR_DOMAIN_AFFECT_CONFIG))
		return 0;
	e = virGetLastError();
	snprintf(why, sizeof(why), "%s", virGetLastErrorMessage());
	if (e && e->code == VIR_ERR_NO_SUPPORT) {
		ret = define_with(conn, dom, config);
		if (!ret)
			return 0;
		if (ret == -EIO) /* else: ours, keep the attach's reason */
			snprintf(why, sizeof(why), "%s",
				 virGetLastErrorMessage());
	}
	fail(-EIO, err, err_len, "cannot add the interface to domain '%s': %s",
	     name, why);
	if (live &&
	    virDomainDetachDeviceFlags(dom, live, VIR_DOMAIN_AFFECT_LIVE))
		pr_err("rollback (hot-unplug) in domain '%s' failed: %s", name,
		       virGetLastErrorMessage());
	return -EIO;
}
