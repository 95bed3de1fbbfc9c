// SPDX-License-Identifier: GPL-2.0
/* host/vm_xml.c and host/vm_rules.c: the generated <interface> parsed back
 * with libxml2 (and validated against libvirt's own RelaxNG schema), the
 * queue-count rules for 1, 2, 3, 64 vCPUs and host caps, the MTU and
 * machine-type refusals, in-place edits and their idempotency, the diff
 * (also when an allocation fails). */
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

#include "host/vm_rules.h"
#include "host/vm_xml.h"

#include "xml_assert.h"

/* Allocation-failure hook: tests/Build.mk links this test with
 * -Wl,--wrap=calloc, so every calloc() of the code under test comes here;
 * with calloc_fail_at = N the Nth call from then on returns NULL. */
void *__real_calloc(size_t nmemb, size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
static int calloc_fail_at;

void *__wrap_calloc(size_t nmemb, size_t size)
{
	if (calloc_fail_at > 0 && --calloc_fail_at == 0)
		return NULL;
	return __real_calloc(nmemb, size);
}

#define LIBVIRT_DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"

static const struct vm_iface_spec spec4 = { .driver_name = "qemu",
					    .queues = 4 };

static void assert_offloads_off(const char *xml)
{
	static const char *const names[] = { "csum", "tso4", "tso6", "ecn",
					     "ufo" };
	char expr[128];

	for (size_t i = 0; i < 5; i++) {
		snprintf(expr, sizeof(expr),
			 "string(/interface/driver/guest/@%s)", names[i]);
		assert_xp(xml, expr, "off");
	}
}

static void test_build_network(void **state)
{
	struct vm_new_iface nif = { .kind = VM_IFACE_NETWORK,
				    .source = "default" };
	char *xml;

	(void)state;
	assert_int_equal(vm_xml_build_iface(&nif, &spec4, &xml), 0);
	assert_xp(xml, "string(/interface/@type)", "network");
	assert_xp(xml, "string(/interface/source/@network)", "default");
	assert_xp(xml, "string(/interface/model/@type)", "virtio");
	assert_xp(xml, "string(/interface/driver/@name)", "qemu");
	assert_xp(xml, "string(/interface/driver/@queues)", "4");
	assert_xp(xml, "string(/interface/driver/@rx_queue_size)", "1024");
	assert_offloads_off(xml);
	assert_xp(xml, "count(/interface/mtu)", "0");
	assert_xp(xml, "count(/interface/mac)", "0");
	assert_xp(xml, "count(/interface/driver/host)", "0");
	free(xml);
}

static void test_build_bridge_mac_mtu(void **state)
{
	struct vm_new_iface nif = { .kind = VM_IFACE_BRIDGE,
				    .source = "br0",
				    .mac = "52:54:00:AB:cd:01" };
	struct vm_iface_spec spec = { .driver_name = "vhost",
				      .queues = 128,
				      .rx_queue_size = 512,
				      .mtu = 4064 };
	char *xml;

	(void)state;
	assert_int_equal(vm_xml_build_iface(&nif, &spec, &xml), 0);
	assert_xp(xml, "string(/interface/@type)", "bridge");
	assert_xp(xml, "string(/interface/source/@bridge)", "br0");
	assert_xp(xml, "string(/interface/mac/@address)", "52:54:00:ab:cd:01");
	assert_xp(xml, "string(/interface/driver/@name)", "vhost");
	assert_xp(xml, "string(/interface/driver/@queues)", "128");
	assert_xp(xml, "string(/interface/driver/@rx_queue_size)", "512");
	assert_xp(xml, "string(/interface/mtu/@size)", "4064");
	free(xml);

	nif.mac = "52:54:00:zz:00:01";
	assert_int_equal(vm_xml_build_iface(&nif, &spec, &xml), -EINVAL);
	assert_null(xml);
}

static void test_build_tap(void **state)
{
	struct vm_new_iface nif = { .kind = VM_IFACE_ETHERNET,
				    .source = "afxtap0" };
	char *xml;

	(void)state;
	assert_int_equal(vm_xml_build_iface(&nif, &spec4, &xml), 0);
	assert_xp(xml, "string(/interface/@type)", "ethernet");
	assert_xp(xml, "string(/interface/target/@dev)", "afxtap0");
	assert_xp(xml, "string(/interface/target/@managed)", "no");
	assert_xp(xml, "count(/interface/source)", "0");
	assert_offloads_off(xml);
	free(xml);
}

/* The snippets inside a minimal domain must satisfy libvirt 9.0's schema,
 * the same check `virsh define --validate` does. */
static void test_libvirt_schema(void **state)
{
	static const struct vm_new_iface nifs[] = {
		{ .kind = VM_IFACE_NETWORK, .source = "default" },
		{ .kind = VM_IFACE_BRIDGE,
		  .source = "br0",
		  .mac = "52:54:00:00:00:09" },
		{ .kind = VM_IFACE_ETHERNET, .source = "tap0" },
	};
	struct vm_iface_spec spec = spec4;
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
	spec.mtu = 1500;
	for (size_t i = 0; i < sizeof(nifs) / sizeof(nifs[0]); i++) {
		char *iface, *dom;
		xmlDocPtr doc;

		assert_int_equal(vm_xml_build_iface(&nifs[i], &spec, &iface),
				 0);
		assert_true(
			asprintf(
				&dom,
				"<domain type='kvm'><name>t</name>"
				"<memory>1048576</memory><vcpu>2</vcpu>"
				"<os><type arch='x86_64' machine='q35'>hvm</type></os>"
				"<devices>%s</devices></domain>",
				iface) > 0);
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

static void expect_queues(unsigned int vcpus, unsigned int requested,
			  unsigned int cap, int ret, unsigned int queues,
			  bool capped)
{
	struct vm_caps caps = { .max_queues = cap };
	unsigned int q = 0;
	bool c = !capped;
	char why[VM_REASON_LEN];

	assert_int_equal(vm_rules_queues(vcpus, requested, &caps, &q, &c, why,
					 sizeof(why)),
			 ret);
	assert_true(why[0] != '\0');
	if (ret)
		return;
	assert_int_equal(q, queues);
	assert_int_equal(c, capped);
	if (capped)
		assert_non_null(strstr(why, "capped"));
}

static void test_queue_rules(void **state)
{
	(void)state;
	expect_queues(1, 0, 0, 0, 2, false);
	expect_queues(2, 0, 0, 0, 4, false);
	expect_queues(3, 0, 0, 0, 6, false);
	expect_queues(64, 0, 0, 0, 128, false);
	/* Default cap is the tap limit, 256 queues. */
	expect_queues(128, 0, 0, 0, 256, false);
	expect_queues(129, 0, 0, 0, 256, true);
	expect_queues(200, 0, 0, 0, 256, true);
	/* A host cap below 2 x vCPUs. */
	expect_queues(64, 0, 8, 0, 8, true);
	expect_queues(3, 0, 8, 0, 6, false);
	expect_queues(4, 0, 8, 0, 8, false);
	/* Explicit requests: honoured within the cap, refused above it. */
	expect_queues(2, 16, 0, 0, 16, false);
	expect_queues(2, 300, 0, -ERANGE, 0, false);
	expect_queues(64, 9, 8, -ERANGE, 0, false);
	/* vCPU bounds. */
	expect_queues(0, 0, 0, -ERANGE, 0, false);
	expect_queues(VM_MAX_VCPUS + 1, 0, 0, -ERANGE, 0, false);
}

static void test_mtu_rule(void **state)
{
	char why[VM_REASON_LEN];

	(void)state;
	assert_int_equal(vm_rules_mtu(1500, why, sizeof(why)), 0);
	assert_int_equal(vm_rules_mtu(4064, why, sizeof(why)), 0);
	assert_int_equal(vm_rules_mtu(68, why, sizeof(why)), 0);
	assert_int_equal(vm_rules_mtu(4065, why, sizeof(why)), -ERANGE);
	assert_non_null(strstr(why, "4064"));
	assert_int_equal(vm_rules_mtu(9000, why, sizeof(why)), -ERANGE);
	assert_non_null(strstr(why, "page"));
	assert_int_equal(vm_rules_mtu(67, why, sizeof(why)), -ERANGE);
}

static void test_rx_queue_size_rule(void **state)
{
	static const unsigned int ok[] = { 256, 512, 1024 };
	static const unsigned int bad[] = { 0, 128, 300, 2048, 1023 };
	char why[VM_REASON_LEN];

	(void)state;
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(
			vm_rules_rx_queue_size(ok[i], why, sizeof(why)), 0);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(
			vm_rules_rx_queue_size(bad[i], why, sizeof(why)),
			-EINVAL);
}

static void test_machine_rule(void **state)
{
	static const char *const refused[] = { "pc-i440fx-1.5", "pc-i440fx-1.7",
					       "pc-0.15",	"pc-1.2",
					       "rhel6.6.0",	"pc-i440fx-2.6",
					       "pc-q35-2.4" };
	static const char *const accepted[] = { "pc-i440fx-2.7",
						"pc-q35-7.2",
						"pc-i440fx-7.2",
						"pc",
						"q35",
						"",
						"pc-i440fx-rhel7.6.0",
						"pc-q35-10.0" };
	char why[VM_REASON_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		assert_int_equal(vm_rules_machine(refused[i], why, sizeof(why)),
				 -ENOTSUP);
		assert_non_null(strstr(why, "VIRTIO_F_VERSION_1"));
		assert_non_null(strstr(why, refused[i]));
	}
	for (size_t i = 0; i < sizeof(accepted) / sizeof(*accepted); i++)
		assert_int_equal(
			vm_rules_machine(accepted[i], why, sizeof(why)), 0);
	assert_int_equal(vm_rules_machine(NULL, why, sizeof(why)), 0);
}

static void test_backend_rule(void **state)
{
	char path[] = "/tmp/test_vm_xml.vhost.XXXXXX";
	int fd;

	(void)state;
	assert_string_equal(
		vm_rules_backend(VM_BACKEND_AUTO, "/nonexistent/vhost-net"),
		"qemu");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(vm_rules_backend(VM_BACKEND_AUTO, path), "vhost");
	unlink(path);
	assert_string_equal(vm_rules_backend(VM_BACKEND_VHOST, "/nonexistent"),
			    "vhost");
	assert_string_equal(vm_rules_backend(VM_BACKEND_QEMU, path), "qemu");
}

static const char plain_iface[] = "<interface type='network'>\n"
				  "  <mac address='52:54:00:00:00:02'/>\n"
				  "  <source network='default'/>\n"
				  "  <model type='e1000'/>\n"
				  "  <driver name='vhost' txmode='iothread'>\n"
				  "    <host csum='on' tso4='on'/>\n"
				  "    <guest csum='on' ecn='off'/>\n"
				  "  </driver>\n"
				  "</interface>\n";

static void test_edit_idempotent(void **state)
{
	struct vm_reasons why;
	char *once, *twice;
	bool changed;

	(void)state;
	assert_int_equal(
		vm_xml_edit_iface(plain_iface, &spec4, &once, &changed, &why),
		0);
	assert_true(changed);
	/* model, driver name, queues, rx_queue_size, offloads. */
	assert_int_equal(why.n, 5);
	assert_string_equal(why.msg[0], "model e1000 -> virtio");
	assert_string_equal(why.msg[1], "driver name vhost -> qemu");
	assert_non_null(strstr(why.msg[4], "csum,tso4,tso6,ufo"));
	assert_xp(once, "string(/interface/model/@type)", "virtio");
	assert_xp(once, "string(/interface/driver/@queues)", "4");
	assert_xp(once, "string(/interface/driver/@txmode)", "iothread");
	assert_offloads_off(once);
	/* <host> is left as it was. */
	assert_xp(once, "string(/interface/driver/host/@csum)", "on");
	assert_xp(once, "string(/interface/driver/host/@tso4)", "on");
	assert_xp(once, "count(/interface/driver/guest)", "1");

	assert_int_equal(
		vm_xml_edit_iface(once, &spec4, &twice, &changed, &why), 0);
	assert_false(changed); /* "no change" */
	assert_int_equal(why.n, 0);
	assert_string_equal(once, twice);
	free(once);
	free(twice);
}

static void test_edit_mtu(void **state)
{
	static const char jumbo[] =
		"<interface type='bridge'>"
		"<source bridge='br0'/><model type='virtio'/>"
		"<mtu size='9000'/></interface>";
	struct vm_iface_spec spec = spec4;
	struct vm_reasons why;
	bool changed;
	char *out;

	(void)state;
	/* An MTU above the XDP limit is refused unless one is given. */
	assert_int_equal(vm_xml_edit_iface(jumbo, &spec, &out, &changed, &why),
			 -ERANGE);
	assert_null(out);
	assert_int_equal(why.n, 1);
	assert_non_null(strstr(why.msg[0], "4064"));
	spec.mtu = 1500;
	assert_int_equal(vm_xml_edit_iface(jumbo, &spec, &out, &changed, &why),
			 0);
	assert_true(changed);
	assert_xp(out, "string(/interface/mtu/@size)", "1500");
	assert_xp(out, "count(/interface/mtu)", "1");
	free(out);
}

static const char domain_xml[] =
	"<domain type='kvm'>\n"
	"  <name>guest1</name>\n"
	"  <vcpu placement='static' current='2'>4</vcpu>\n"
	"  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
	"  <devices>\n"
	"    <disk type='file' device='disk'/>\n"
	"    <interface type='network'><mac address='52:54:00:00:00:0A'/>"
	"<source network='default'/><target dev='vnet3'/>"
	"<model type='virtio'/></interface>\n"
	"    <interface type='ethernet'><mac address='52:54:00:00:00:0b'/>"
	"<target dev='tap9' managed='no'/><model type='virtio'/>"
	"<driver name='qemu' queues='8' rx_queue_size='1024'/>"
	"<mtu size='1500'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

static void test_domain_read(void **state)
{
	struct vm_domain_info info;
	struct vm_iface_info ii;
	xmlNodePtr nodes[4];
	xmlDocPtr doc;
	size_t n;

	(void)state;
	assert_int_equal(vm_xml_parse(domain_xml, &doc), 0);
	assert_int_equal(vm_xml_domain_info(doc, &info), 0);
	assert_string_equal(info.name, "guest1");
	assert_int_equal(info.vcpus, 4); /* the maximum, not current */
	assert_string_equal(info.machine, "pc-q35-7.2");
	assert_int_equal(vm_xml_interfaces(doc, nodes, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vm_xml_interfaces(doc, nodes, 1, &n), -E2BIG);

	vm_xml_iface_info(nodes[1], &ii);
	assert_string_equal(ii.type, "ethernet");
	assert_string_equal(ii.target, "tap9");
	assert_string_equal(ii.driver, "qemu");
	assert_int_equal(ii.queues, 8);
	assert_int_equal(ii.rx_queue_size, 1024);
	assert_int_equal(ii.mtu, 1500);
	vm_xml_iface_info(nodes[0], &ii);
	assert_string_equal(ii.source, "default");
	assert_int_equal(ii.queues, 0);

	/* Selectors: MAC (any case), target dev, index. */
	assert_true(vm_xml_iface_match(nodes[0], 0, "52:54:00:00:00:0a"));
	assert_false(vm_xml_iface_match(nodes[1], 1, "52:54:00:00:00:0a"));
	assert_true(vm_xml_iface_match(nodes[1], 1, "tap9"));
	assert_false(vm_xml_iface_match(nodes[0], 0, "tap9"));
	assert_true(vm_xml_iface_match(nodes[1], 1, "1"));
	assert_false(vm_xml_iface_match(nodes[0], 0, "1"));

	/* Appending a built interface. */
	{
		struct vm_new_iface nif = { .kind = VM_IFACE_BRIDGE,
					    .source = "br1" };
		char *xml, *all;

		assert_int_equal(vm_xml_build_iface(&nif, &spec4, &xml), 0);
		assert_int_equal(vm_xml_append_iface(doc, xml), 0);
		assert_int_equal(vm_xml_interfaces(doc, nodes, 4, &n), 0);
		assert_int_equal(n, 3);
		assert_int_equal(vm_xml_doc_str(doc, &all), 0);
		assert_xp(all,
			  "string(/domain/devices/interface[3]/source/@bridge)",
			  "br1");
		assert_xp(all,
			  "string(/domain/devices/interface[3]/driver/@queues)",
			  "4");
		assert_int_equal(vm_xml_append_iface(doc, "<disk/>"), -EINVAL);
		free(all);
		free(xml);
	}
	xmlFreeDoc(doc);

	assert_int_equal(vm_xml_parse("<domain><name>x</name></domain>", &doc),
			 0);
	assert_int_equal(vm_xml_domain_info(doc, &info), -EINVAL);
	xmlFreeDoc(doc);
	assert_int_equal(vm_xml_parse("<domain", &doc), -EINVAL);
}

static void test_diff(void **state)
{
	struct vm_reasons why;
	char *edited, *d;
	bool changed;

	(void)state;
	assert_int_equal(vm_xml_diff("a\nb\n", "a\nb\n", "x", &d), 0);
	assert_string_equal(d, "");
	free(d);
	assert_int_equal(vm_xml_diff("a\nb\nc\n", "a\nB\nc\nd\n", "x", &d), 0);
	assert_string_equal(d,
			    "--- x (old)\n+++ x (new)\n a\n-b\n+B\n c\n+d\n");
	free(d);
	assert_int_equal(vm_xml_diff("", "n1\nn2\n", "new", &d), 0);
	assert_string_equal(d, "--- new (old)\n+++ new (new)\n+n1\n+n2\n");
	free(d);

	assert_int_equal(
		vm_xml_edit_iface(plain_iface, &spec4, &edited, &changed, &why),
		0);
	{
		xmlDocPtr doc;
		char *orig;

		/* Old text in the same serialisation as the new. */
		assert_int_equal(vm_xml_parse(plain_iface, &doc), 0);
		assert_int_equal(
			vm_xml_node_str(xmlDocGetRootElement(doc), &orig), 0);
		xmlFreeDoc(doc);
		assert_int_equal(vm_xml_diff(orig, edited, "if", &d), 0);
		assert_non_null(strstr(d, "\n-  <model type=\"e1000\"/>\n"));
		assert_non_null(strstr(d, "\n+  <model type=\"virtio\"/>\n"));
		assert_non_null(
			strstr(d, "\n   <source network=\"default\"/>\n"));
		assert_non_null(
			strstr(d, "\n     <host csum=\"on\" tso4=\"on\"/>\n"));
		free(orig);
		free(d);
	}
	free(edited);
}

/* vm_xml_diff's three callocs (the old text's lines, the new text's, the
 * LCS table) each failing: -ENOMEM, no output, nothing freed twice (the
 * new text's line store was freed by split_lines and again at `out`). */
static void test_diff_calloc_failure(void **state)
{
	char *d;

	(void)state;
	for (int n = 1; n <= 3; n++) {
		calloc_fail_at = n;
		d = (char *)"unset";
		assert_int_equal(vm_xml_diff("a\nb\n", "a\nc\n", "x", &d),
				 -ENOMEM);
		assert_int_equal(calloc_fail_at, 0); /* the hook was reached */
		assert_null(d);
	}
	assert_int_equal(vm_xml_diff("a\nb\n", "a\nc\n", "x", &d), 0);
	assert_string_equal(d, "--- x (old)\n+++ x (new)\n a\n-b\n+c\n");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_network),
		cmocka_unit_test(test_build_bridge_mac_mtu),
		cmocka_unit_test(test_build_tap),
		cmocka_unit_test(test_libvirt_schema),
		cmocka_unit_test(test_queue_rules),
		cmocka_unit_test(test_mtu_rule),
		cmocka_unit_test(test_rx_queue_size_rule),
		cmocka_unit_test(test_machine_rule),
		cmocka_unit_test(test_backend_rule),
		cmocka_unit_test(test_edit_idempotent),
		cmocka_unit_test(test_edit_mtu),
		cmocka_unit_test(test_domain_read),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_calloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
