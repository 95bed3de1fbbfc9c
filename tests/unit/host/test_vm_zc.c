// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm --zero-copy: the machine-type and QEMU-version rules
 * (queue reset: QEMU 7.2, off in machine types up to 7.1), the interface
 * it writes (iommu on; virtio-non-transitional where QEMU would keep the
 * device transitional) parsed back and validated against libvirt's
 * RelaxNG schema, idempotent edits, and what in a domain stands in the way
 * (a QEMU command line or override turning queue_reset off, a vIOMMU). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/relaxng.h>

#include "host/vm_internal.h"

#include "xml_assert.h"

#define LIBVIRT_DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"

static const struct vm_iface_spec zc_q35 = { .driver_name = "qemu",
					     .queues = 4,
					     .iommu = true };

static void test_zc_machine_rule(void **state)
{
	static const struct {
		const char *machine;
		int ret;
		bool q35;
	} cases[] = {
		{ "q35", 0, true },
		{ "pc-q35-7.2", 0, true },
		{ "pc-q35-10.0", 0, true },
		{ "pc-q35-7.1", -ENOTSUP, true },
		{ "pc-q35-6.2", -ENOTSUP, true },
		{ "pc", 0, false },
		{ "pc-i440fx-7.2", 0, false },
		{ "pc-i440fx-7.1", -ENOTSUP, false },
		{ "pc-i440fx-2.7", -ENOTSUP, false },
		{ "", 0, false },
		{ "pc-i440fx-rhel7.6.0", 0, false }, /* not ours to judge */
		{ "microvm", 0, false },
	};
	char why[VM_REASON_LEN];
	bool q35;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int ret = vm_rules_zc_machine(cases[i].machine, &q35, why,
					      sizeof(why));

		if (ret != cases[i].ret || q35 != cases[i].q35)
			print_error("%s: %d %d (%s)\n", cases[i].machine, ret,
				    q35, why);
		assert_int_equal(ret, cases[i].ret);
		assert_int_equal(q35, cases[i].q35);
		if (ret) {
			assert_non_null(strstr(why, cases[i].machine));
			assert_non_null(strstr(why, "queue reset"));
			assert_non_null(strstr(why, "7.2"));
		}
	}
	assert_int_equal(vm_rules_zc_machine(NULL, &q35, why, sizeof(why)), 0);
	assert_false(q35);
}

static void test_zc_qemu_rule(void **state)
{
	char why[VM_REASON_LEN];

	(void)state;
	assert_int_equal(vm_rules_zc_qemu(7001000, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "QEMU 7.1.0"));
	assert_non_null(strstr(why, "VIRTIO_F_RING_RESET"));
	assert_int_equal(vm_rules_zc_qemu(6002000, why, sizeof(why)), -ENOTSUP);
	assert_int_equal(vm_rules_zc_qemu(7002022, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "7.2.22"));
	assert_int_equal(vm_rules_zc_qemu(10000000, why, sizeof(why)), 0);
	assert_int_equal(vm_rules_zc_qemu(0, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "not checked"));
}

/* A q35 interface keeps model virtio (libvirt puts it on a PCIe root
 * port: modern-only there); elsewhere virtio-non-transitional. */
static void test_zc_build(void **state)
{
	struct vm_new_iface nif = { .kind = VM_IFACE_ETHERNET,
				    .source = "tap0" };
	struct vm_iface_spec spec = zc_q35;
	char *xml;

	(void)state;
	assert_int_equal(vm_xml_build_iface(&nif, &spec, &xml), 0);
	assert_xp(xml, "string(/interface/driver/@iommu)", "on");
	assert_xp(xml, "string(/interface/model/@type)", "virtio");
	assert_xp(xml, "string(/interface/driver/@queues)", "4");
	assert_xp(xml, "string(/interface/driver/guest/@csum)", "off");
	free(xml);
	spec.non_transitional = true;
	assert_int_equal(vm_xml_build_iface(&nif, &spec, &xml), 0);
	assert_xp(xml, "string(/interface/model/@type)",
		  "virtio-non-transitional");
	assert_xp(xml, "string(/interface/driver/@iommu)", "on");
	free(xml);
	spec.iommu = false; /* without zero-copy: no iommu, plain virtio */
	assert_int_equal(vm_xml_build_iface(&nif, &spec, &xml), 0);
	assert_xp(xml, "count(/interface/driver/@iommu)", "0");
	assert_xp(xml, "string(/interface/model/@type)", "virtio");
	free(xml);
}

static void edit(const char *in, const struct vm_iface_spec *spec, char **out,
		 bool *changed, struct vm_reasons *why)
{
	assert_int_equal(vm_xml_edit_iface(in, spec, out, changed, why), 0);
}

static void test_zc_edit(void **state)
{
	static const char *plain =
		"<interface type='network'><source network='default'/>"
		"<model type='virtio'/></interface>";
	static const char *root_bus =
		"<interface type='network'><source network='default'/>"
		"<model type='virtio'/><address type='pci' domain='0x0000' "
		"bus='0x00' slot='0x03' function='0x0'/></interface>";
	struct vm_iface_spec spec = zc_q35;
	struct vm_reasons why = { 0 };
	char *once, *twice;
	bool changed;

	(void)state;
	edit(plain, &spec, &once, &changed, &why);
	assert_true(changed);
	assert_xp(once, "string(/interface/driver/@iommu)", "on");
	assert_xp(once, "string(/interface/model/@type)", "virtio");
	edit(once, &spec, &twice, &changed, &why);
	assert_false(changed); /* a second run changes nothing */
	assert_int_equal(why.n, 0);
	free(twice);
	/* Without --zero-copy, iommu stays on and the model stays. */
	spec.iommu = false;
	edit(once, &spec, &twice, &changed, &why);
	assert_false(changed);
	free(twice);
	free(once);

	/* On the root bus (q35's pcie.0) QEMU keeps legacy on. */
	spec = zc_q35;
	edit(root_bus, &spec, &once, &changed, &why);
	assert_xp(once, "string(/interface/model/@type)",
		  "virtio-non-transitional");
	free(once);

	/* i440fx: non-transitional, and that model is kept as virtio by a
	 * plain XDP run (no flip back to "virtio"). */
	spec.non_transitional = true;
	edit(plain, &spec, &once, &changed, &why);
	assert_true(changed);
	assert_xp(once, "string(/interface/model/@type)",
		  "virtio-non-transitional");
	assert_non_null(
		strstr(why.msg[0], "model virtio -> virtio-non-transitional"));
	spec.iommu = false;
	edit(once, &spec, &twice, &changed, &why);
	assert_false(changed);
	free(twice);
	free(once);
}

/* Both models with iommu='on' in a minimal domain: libvirt 9.0's schema. */
static void test_zc_libvirt_schema(void **state)
{
	struct vm_new_iface nif = { .kind = VM_IFACE_BRIDGE,
				    .source = "br0",
				    .mac = "52:54:00:00:00:09" };
	struct vm_iface_spec spec = zc_q35;
	xmlRelaxNGParserCtxtPtr pctx;
	xmlRelaxNGValidCtxtPtr vctx;
	xmlRelaxNGPtr rng;

	(void)state;
	if (access(LIBVIRT_DOMAIN_RNG, R_OK)) {
		skip(); /* libvirt's schemas are not installed */
		return;
	}
	pctx = xmlRelaxNGNewParserCtxt(LIBVIRT_DOMAIN_RNG);
	rng = xmlRelaxNGParse(pctx);
	assert_non_null(rng);
	vctx = xmlRelaxNGNewValidCtxt(rng);
	for (int nt = 0; nt < 2; nt++) {
		char *iface, *dom;
		xmlDocPtr doc;

		spec.non_transitional = nt;
		assert_int_equal(vm_xml_build_iface(&nif, &spec, &iface), 0);
		assert_true(
			asprintf(
				&dom,
				"<domain type='kvm'><name>t</name>"
				"<memory>1048576</memory><vcpu>2</vcpu>"
				"<os><type arch='x86_64' machine='%s'>hvm</type></os>"
				"<devices>%s</devices></domain>",
				nt ? "pc" : "q35", iface) > 0);
		doc = xmlReadMemory(dom, (int)strlen(dom), "d.xml", NULL, 0);
		assert_non_null(doc);
		if (xmlRelaxNGValidateDoc(vctx, doc))
			print_error("not valid for libvirt:\n%s\n", iface);
		assert_int_equal(xmlRelaxNGValidateDoc(vctx, doc), 0);
		xmlFreeDoc(doc);
		free(dom);
		free(iface);
	}
	xmlRelaxNGFreeValidCtxt(vctx);
	xmlRelaxNGFree(rng);
	xmlRelaxNGFreeParserCtxt(pctx);
}

static void zc_domain(const char *xml, size_t nblock, size_t nnote,
		      struct vm_reasons *blockers, struct vm_reasons *notes)
{
	xmlDocPtr doc;

	memset(blockers, 0, sizeof(*blockers));
	memset(notes, 0, sizeof(*notes));
	assert_int_equal(vm_xml_parse(xml, &doc), 0);
	vm_xml_zc_domain(doc, blockers, notes);
	xmlFreeDoc(doc);
	assert_int_equal(blockers->n, nblock);
	assert_int_equal(notes->n, nnote);
}

#define QNS "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"

static void test_zc_domain(void **state)
{
	struct vm_reasons b, n;

	(void)state;
	zc_domain("<domain type='kvm'><devices/></domain>", 0, 0, &b, &n);
	zc_domain("<domain type='kvm' " QNS "><devices/><qemu:commandline>"
		  "<qemu:arg value='-global'/>"
		  "<qemu:arg value='virtio-net-pci.queue_reset=off'/>"
		  "</qemu:commandline></domain>",
		  1, 0, &b, &n);
	assert_non_null(strstr(b.msg[0], "queue_reset off"));
	zc_domain("<domain type='kvm' " QNS "><devices/><qemu:commandline>"
		  "<qemu:arg value='-device'/><qemu:arg value="
		  "'virtio-net-pci,netdev=n0,queue_reset=false'/>"
		  "</qemu:commandline></domain>",
		  1, 0, &b, &n);
	zc_domain(
		"<domain type='kvm' " QNS "><devices/><qemu:override>"
		"<qemu:device alias='net0'><qemu:frontend>"
		"<qemu:property name='queue_reset' type='bool' value='false'/>"
		"</qemu:frontend></qemu:device></qemu:override></domain>",
		1, 0, &b, &n);
	/* queue_reset=on, other properties: nothing in the way. */
	zc_domain(
		"<domain type='kvm' " QNS "><devices/><qemu:commandline>"
		"<qemu:arg value='virtio-net-pci.queue_reset=on'/>"
		"<qemu:arg value='-global'/></qemu:commandline><qemu:override>"
		"<qemu:device alias='net0'><qemu:frontend>"
		"<qemu:property name='rx_queue_size' type='unsigned' value='512'/>"
		"</qemu:frontend></qemu:device></qemu:override></domain>",
		0, 0, &b, &n);
	zc_domain("<domain type='kvm'><devices><iommu model='intel'/>"
		  "</devices></domain>",
		  0, 1, &b, &n);
	assert_non_null(strstr(n.msg[0], "vIOMMU intel"));
	assert_non_null(strstr(n.msg[0], "iotlb"));
}

/* vm_zc_assess: spec and the result's zero_copy object. */
static void test_zc_assess(void **state)
{
	struct vm_opts o = { .zero_copy = true };
	struct vm_iface_spec spec = { .driver_name = "vhost" };
	json_object *r = json_object_new_object(), *zc, *v;

	(void)state;
	assert_int_equal(vm_zc_assess(&o, "pc-q35-8.2", NULL, &spec, r), 0);
	assert_true(spec.iommu);
	assert_false(spec.non_transitional);
	assert_true(json_object_object_get_ex(r, "zero_copy", &zc));
	assert_true(json_object_object_get_ex(zc, "ready", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(zc, "notes", &v));
	assert_non_null(strstr(json_object_to_json_string(v), "vhost-net"));

	o.caps.qemu_version = 7001000;
	assert_int_equal(vm_zc_assess(&o, "pc-i440fx-7.1", NULL, &spec, r), 2);
	assert_true(spec.non_transitional);
	assert_true(json_object_object_get_ex(r, "zero_copy", &zc));
	assert_true(json_object_object_get_ex(zc, "ready", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(zc, "blockers", &v));
	assert_int_equal(json_object_array_length(v), 2);

	o.zero_copy = false;
	o.caps.qemu_version = 0;
	assert_int_equal(vm_zc_assess(&o, "q35", NULL, &spec, r), 0);
	assert_false(spec.iommu);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zc_machine_rule),
		cmocka_unit_test(test_zc_qemu_rule),
		cmocka_unit_test(test_zc_build),
		cmocka_unit_test(test_zc_edit),
		cmocka_unit_test(test_zc_libvirt_schema),
		cmocka_unit_test(test_zc_domain),
		cmocka_unit_test(test_zc_assess),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
