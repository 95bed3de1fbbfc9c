// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov vm: the hostdev interface XML (checked by parsing it
 * with libxml2) and the real libvirt API calls against libvirt's test
 * driver (test:///default, domain "test"), no hypervisor needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "host/sriov_vm.h"

#include "xml_assert.h"

static void test_xml(void **state)
{
	struct sriov_vm_opts o = { .pci = "0000:3b:02.5",
				   .has_mac = true,
				   .mac = { 0x52, 0x54, 0, 0xab, 0xcd, 0xef },
				   .vlan = 300 };
	char xml[1024];

	(void)state;
	assert_int_equal(sriov_vm_xml(&o, xml, sizeof(xml)), 0);
	assert_xp(xml, "string(/interface/@type)", "hostdev");
	assert_xp(xml, "string(/interface/@managed)", "yes");
	assert_xp(xml, "string(/interface/source/address/@type)", "pci");
	assert_xp(xml, "string(/interface/source/address/@domain)", "0x0000");
	assert_xp(xml, "string(/interface/source/address/@bus)", "0x3b");
	assert_xp(xml, "string(/interface/source/address/@slot)", "0x02");
	assert_xp(xml, "string(/interface/source/address/@function)", "0x5");
	assert_xp(xml, "string(/interface/mac/@address)", "52:54:00:ab:cd:ef");
	assert_xp(xml, "string(/interface/vlan/tag/@id)", "300");
	/* No MAC, no VLAN: no elements for them. */
	o.has_mac = false;
	o.vlan = -1;
	assert_int_equal(sriov_vm_xml(&o, xml, sizeof(xml)), 0);
	assert_xp(xml, "string(count(/interface/mac))", "0");
	assert_xp(xml, "string(count(/interface/vlan))", "0");
	o.pci = "0000:3b:02.8"; /* function > 7 */
	assert_int_equal(sriov_vm_xml(&o, xml, sizeof(xml)), -EINVAL);
	o.pci = "3b:02.1";
	assert_int_equal(sriov_vm_xml(&o, xml, sizeof(xml)), -EINVAL);
}

static void test_attach_config_idempotent(void **state)
{
	/* The test driver's state lives while a connection is open. */
	virConnectPtr keep = virConnectOpen("test:///default");
	struct sriov_vm_opts o = { .uri = "test:///default",
				   .domain = "test",
				   .pci = "0000:00:10.1",
				   .has_mac = true,
				   .mac = { 0x52, 0x54, 0, 1, 2, 3 },
				   .vlan = 10,
				   .config = true };
	virDomainPtr dom;
	char err[256], *xml;
	bool changed;

	(void)state;
	assert_non_null(keep);
	dom = virDomainLookupByName(keep, "test");
	assert_non_null(dom);
	/* Dry run: would change, and doesn't. */
	o.dry_run = true;
	assert_int_equal(sriov_vm_attach(&o, &changed, err, sizeof(err)), 0);
	assert_true(changed);
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_xp(xml, "string(count(//interface[@type='hostdev']))", "0");
	free(xml);
	o.dry_run = false;
	assert_int_equal(sriov_vm_attach(&o, &changed, err, sizeof(err)), 0);
	assert_true(changed);
	virDomainFree(dom);
	dom = virDomainLookupByName(keep, "test");
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_xp(xml, "string(count(//interface[@type='hostdev']))", "1");
	assert_xp(xml, "string(//interface[@type='hostdev']/@managed)", "yes");
	assert_xp(xml,
		  "string(//interface[@type='hostdev']/source/address/@slot)",
		  "0x10");
	assert_xp(
		xml,
		"string(//interface[@type='hostdev']/source/address/@function)",
		"0x1");
	assert_xp(xml, "string(//interface[@type='hostdev']/mac/@address)",
		  "52:54:00:01:02:03");
	assert_xp(xml, "string(//interface[@type='hostdev']/vlan/tag/@id)",
		  "10");
	free(xml);
	/* Second run: already there. */
	assert_int_equal(sriov_vm_attach(&o, &changed, err, sizeof(err)), 0);
	assert_false(changed);
	virDomainFree(dom);
	virConnectClose(keep);
}

static void test_attach_errors(void **state)
{
	struct sriov_vm_opts o = { .uri = "test:///default",
				   .domain = "no-such-domain",
				   .pci = "0000:00:10.1",
				   .vlan = -1,
				   .config = true };
	char err[256];
	bool changed = true;

	(void)state;
	assert_int_equal(sriov_vm_attach(&o, &changed, err, sizeof(err)),
			 -ENOENT);
	assert_false(changed);
	assert_true(strlen(err) > 0);
	/* --live on a shut-off domain: -ESRCH, as afxdp-host vm (domain.h). */
	{
		virConnectPtr keep = virConnectOpen("test:///default");
		virDomainPtr off = virDomainDefineXML(
			keep, "<domain type='test'><name>off2</name>"
			      "<memory>1024</memory><os><type>hvm</type></os>"
			      "</domain>");

		assert_non_null(off);
		o.domain = "off2";
		o.config = false;
		o.live = true;
		assert_int_equal(sriov_vm_attach(&o, &changed, err, sizeof(err)),
				 -ESRCH);
		assert_non_null(strstr(err, "not running"));
		virDomainFree(off);
		virConnectClose(keep);
	}
	o.domain = "test";
	o.uri = "qemu+unix:///system?socket=/nonexistent/sock";
	assert_int_equal(sriov_vm_attach(&o, &changed, err, sizeof(err)),
			 -ECONNREFUSED);
	assert_non_null(strstr(err, "/nonexistent/sock"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_attach_config_idempotent),
		cmocka_unit_test(test_attach_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
