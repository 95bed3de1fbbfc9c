// SPDX-License-Identifier: GPL-2.0
/* host/vm_{set,attach,show}.c against libvirt's test driver
 * (test:///default): real virConnectOpen / virDomainDefineXML /
 * virDomainGetXMLDesc calls, no hypervisor. Each test opens its own connection, and so its own fresh
 * in-memory state (the driver ships one running domain, "test"). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libvirt/virterror.h>

#include "host/domain.h"
#include "host/vm.h"

#include "xml_assert.h"

#define URI "test:///default"

static const char guest_xml[] =
	"<domain type='test'>"
	"  <name>guest2</name>"
	"  <memory unit='KiB'>1048576</memory>"
	"  <vcpu placement='static'>2</vcpu>"
	"  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
	"  <devices>"
	"    <interface type='network'>"
	"      <mac address='52:54:00:10:00:01'/>"
	"      <source network='default'/>"
	"      <model type='virtio'/>"
	"    </interface>"
	"    <interface type='bridge'>"
	"      <mac address='52:54:00:10:00:02'/>"
	"      <source bridge='br0'/>"
	"      <model type='e1000'/>"
	"    </interface>"
	"  </devices>"
	"</domain>";

struct fixture {
	virConnectPtr conn;
	virDomainPtr dom; /* guest2: defined, shut off */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	if (!f || domain_connect(URI, false, &f->conn, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		free(f);
		return -1;
	}
	f->dom = virDomainDefineXML(f->conn, guest_xml);
	if (!f->dom) {
		fprintf(stderr, "define: %s\n", virGetLastErrorMessage());
		virConnectClose(f->conn);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virDomainFree(f->dom);
	virConnectClose(f->conn);
	free(f);
	return 0;
}

static char *dom_xml(virConnectPtr conn, const char *name, bool inactive)
{
	virDomainPtr d = virDomainLookupByName(conn, name);
	char *xml;

	assert_non_null(d);
	xml = virDomainGetXMLDesc(d, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	virDomainFree(d);
	assert_non_null(xml);
	return xml;
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_boolean(v);
}

static void base_opts(struct vm_opts *o, const char *domain)
{
	memset(o, 0, sizeof(*o));
	o->domain = domain;
	o->backend = VM_BACKEND_AUTO;
	o->vhost_dev = "/nonexistent/vhost-net"; /* -> driver qemu */
}

#define IF1 "/domain/devices/interface[mac/@address='52:54:00:10:00:01']"
#define IF2 "/domain/devices/interface[mac/@address='52:54:00:10:00:02']"

static void test_set_config(void **state)
{
	struct fixture *f = *state;
	struct vm_result r;
	struct vm_opts o;
	char *xml, *again;

	base_opts(&o, "guest2");
	assert_int_equal(vm_set(f->conn, &o, &r), 0);
	assert_true(r.changed);
	assert_true(jbool(r.json, "changed"));
	assert_false(jbool(r.json, "dry_run"));
	assert_non_null(
		strstr(r.diff, "+  <driver name=\"qemu\" queues=\"4\""));
	vm_result_free(&r);

	xml = dom_xml(f->conn, "guest2", true);
	assert_xp(xml, "string(" IF1 "/driver/@queues)", "4");
	assert_xp(xml, "string(" IF1 "/driver/@name)", "qemu");
	assert_xp(xml, "string(" IF1 "/driver/@rx_queue_size)", "1024");
	assert_xp(xml, "string(" IF1 "/driver/guest/@csum)", "off");
	assert_xp(xml, "string(" IF1 "/driver/guest/@ufo)", "off");
	/* Without --iface only virtio interfaces are touched. */
	assert_xp(xml, "string(" IF2 "/model/@type)", "e1000");
	assert_xp(xml, "count(" IF2 "/driver)", "0");

	/* Second run: no change, nothing redefined. */
	assert_int_equal(vm_set(f->conn, &o, &r), 0);
	assert_false(r.changed);
	assert_false(jbool(r.json, "changed"));
	assert_string_equal(r.diff, "");
	vm_result_free(&r);
	again = dom_xml(f->conn, "guest2", true);
	assert_string_equal(xml, again);
	free(again);
	free(xml);
}

static void test_set_iface_convert_mtu(void **state)
{
	struct fixture *f = *state;
	struct vm_result r;
	struct vm_opts o;
	char *xml;

	base_opts(&o, "guest2");
	o.iface = "52:54:00:10:00:02";
	o.mtu = 1500;
	o.queues = 3;
	o.config = true;
	assert_int_equal(vm_set(f->conn, &o, &r), 0);
	assert_true(r.changed);
	vm_result_free(&r);
	xml = dom_xml(f->conn, "guest2", true);
	assert_xp(xml, "string(" IF2 "/model/@type)", "virtio");
	assert_xp(xml, "string(" IF2 "/driver/@queues)", "3");
	assert_xp(xml, "string(" IF2 "/mtu/@size)", "1500");
	assert_xp(xml, "count(" IF1 "/driver)", "0"); /* not selected */
	free(xml);

	o.iface = "7";
	assert_int_equal(vm_set(f->conn, &o, &r), -ENODEV);
	assert_non_null(strstr(r.error, "no interface '7'"));
	vm_result_free(&r);
}

static void test_set_dry_run(void **state)
{
	struct fixture *f = *state;
	char *before = dom_xml(f->conn, "guest2", true), *after;
	struct vm_result r;
	struct vm_opts o;

	base_opts(&o, "guest2");
	o.dry_run = true;
	assert_int_equal(vm_set(f->conn, &o, &r), 0);
	assert_true(r.changed); /* would change */
	assert_true(jbool(r.json, "dry_run"));
	assert_non_null(
		strstr(r.diff, "--- guest2 interface 52:54:00:10:00:01"));
	assert_non_null(strstr(r.diff, "+  <driver"));
	vm_result_free(&r);
	after = dom_xml(f->conn, "guest2", true);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* The driver's own running domain "test": current means live, and driver
 * settings can't change live; --config edits its persistent definition. */
static void test_set_running(void **state)
{
	struct fixture *f = *state;
	char *live = dom_xml(f->conn, "test", false), *xml;
	struct vm_result r;
	struct vm_opts o;

	base_opts(&o, "test");
	o.iface = "0"; /* its interface has no model: convert it */
	assert_int_equal(vm_set(f->conn, &o, &r), -EPERM);
	assert_int_equal(vm_exit_code(-EPERM), 2);
	assert_non_null(strstr(r.error, "--config"));
	vm_result_free(&r);
	xml = dom_xml(f->conn, "test", false);
	assert_string_equal(live, xml);
	free(xml);

	o.config = true;
	assert_int_equal(vm_set(f->conn, &o, &r), 0);
	assert_true(r.changed);
	vm_result_free(&r);
	xml = dom_xml(f->conn, "test", true);
	assert_xp(xml, "string(/domain/devices/interface/driver/@queues)",
		  "4"); /* the test domain has 2 vCPUs */
	assert_xp(xml, "string(/domain/devices/interface/model/@type)",
		  "virtio");
	free(xml);
	xml = dom_xml(f->conn, "test", false); /* live XML untouched */
	assert_string_equal(live, xml);
	free(xml);
	free(live);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct vm_result r;
	struct vm_opts o;
	virDomainPtr d;

	base_opts(&o, "no-such-domain");
	assert_int_equal(vm_set(f->conn, &o, &r), -ENOENT);
	assert_string_equal(r.error, "domain 'no-such-domain' not found");
	assert_int_equal(vm_exit_code(-ENOENT), 1);
	vm_result_free(&r);
	assert_int_equal(vm_show(f->conn, &o, &r), -ENOENT);
	vm_result_free(&r);

	base_opts(&o, "guest2");
	o.live = true; /* guest2 is shut off */
	assert_int_equal(vm_set(f->conn, &o, &r), -ESRCH);
	assert_non_null(strstr(r.error, "not running"));
	vm_result_free(&r);

	/* More queues than a tap can have: refused, exit 2. */
	base_opts(&o, "guest2");
	o.queues = VM_TAP_MAX_QUEUES + 1;
	assert_int_equal(vm_set(f->conn, &o, &r), -ERANGE);
	assert_int_equal(vm_exit_code(-ERANGE), 2);
	vm_result_free(&r);

	/* An ancient machine type is refused before anything changes. */
	d = virDomainDefineXML(
		f->conn,
		"<domain type='test'><name>old</name><memory>524288</memory>"
		"<vcpu>1</vcpu><os><type arch='x86_64' machine='pc-i440fx-1.5'>hvm</type></os>"
		"<devices><interface type='network'><source network='default'/>"
		"<model type='virtio'/></interface></devices></domain>");
	assert_non_null(d);
	virDomainFree(d);
	base_opts(&o, "old");
	assert_int_equal(vm_set(f->conn, &o, &r), -ENOTSUP);
	assert_non_null(strstr(r.error, "VIRTIO_F_VERSION_1"));
	vm_result_free(&r);
}

static void test_attach(void **state)
{
	struct fixture *f = *state;
	struct vm_result r;
	struct vm_opts o;
	char *xml, *again;

	base_opts(&o, "guest2");
	o.nif.kind = VM_IFACE_ETHERNET;
	o.nif.source = "afxtap0";
	o.dry_run = true;
	xml = dom_xml(f->conn, "guest2", true);
	assert_int_equal(vm_attach(f->conn, &o, &r), 0);
	assert_true(r.changed);
	assert_non_null(
		strstr(r.diff, "+  <target dev=\"afxtap0\" managed=\"no\"/>"));
	vm_result_free(&r);
	again = dom_xml(f->conn, "guest2", true);
	assert_string_equal(xml, again); /* dry run changed nothing */
	free(again);
	free(xml);

	o.dry_run = false;
	assert_int_equal(vm_attach(f->conn, &o, &r), 0);
	assert_true(r.changed);
	vm_result_free(&r);
	xml = dom_xml(f->conn, "guest2", true);
	assert_xp(xml, "count(/domain/devices/interface)", "3");
	assert_xp(
		xml,
		"string(/domain/devices/interface[target/@dev='afxtap0']/@type)",
		"ethernet");
	assert_xp(
		xml,
		"string(/domain/devices/interface[target/@dev='afxtap0']/target/@managed)",
		"no");
	assert_xp(
		xml,
		"string(/domain/devices/interface[target/@dev='afxtap0']/driver/@queues)",
		"4");
	assert_xp(
		xml,
		"string(/domain/devices/interface[target/@dev='afxtap0']/driver/guest/@tso6)",
		"off");
	/* The derived MAC is QEMU's OUI. */
	assert_xp(
		xml,
		"substring(/domain/devices/interface[target/@dev='afxtap0']/mac/@address, 1, 9)",
		"52:54:00:");

	/* Second run: found by its derived MAC, no change. */
	assert_int_equal(vm_attach(f->conn, &o, &r), 0);
	assert_false(r.changed);
	assert_string_equal(r.diff, "");
	vm_result_free(&r);
	again = dom_xml(f->conn, "guest2", true);
	assert_string_equal(xml, again);
	free(again);
	free(xml);

	/* A MAC that an interface with another source already has. */
	o.nif.kind = VM_IFACE_NETWORK;
	o.nif.source = "other";
	o.nif.mac = "52:54:00:10:00:01";
	assert_int_equal(vm_attach(f->conn, &o, &r), -EEXIST);
	vm_result_free(&r);
	o.nif.mac = "52:54:00:zz:00:01";
	assert_int_equal(vm_attach(f->conn, &o, &r), -EINVAL);
	assert_int_equal(vm_exit_code(-EINVAL), 2);
	vm_result_free(&r);
}

/* Live attach needs the hypervisor: the test driver refuses it and the
 * error is libvirt's, reported as a failure (exit 1), nothing changed. */
static void test_attach_live_unsupported(void **state)
{
	struct fixture *f = *state;
	char *before = dom_xml(f->conn, "test", false), *after;
	struct vm_result r;
	struct vm_opts o;

	base_opts(&o, "test");
	o.nif.kind = VM_IFACE_BRIDGE;
	o.nif.source = "br0";
	assert_int_equal(vm_attach(f->conn, &o, &r), -EIO);
	assert_non_null(strstr(r.error, "not supported"));
	assert_false(r.changed);
	vm_result_free(&r);
	after = dom_xml(f->conn, "test", false);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_show(void **state)
{
	struct fixture *f = *state;
	json_object *ifaces, *j, *v;
	struct vm_result r;
	struct vm_opts o;

	base_opts(&o, "guest2");
	assert_int_equal(vm_show(f->conn, &o, &r), 0);
	assert_true(json_object_object_get_ex(r.json, "vcpus", &v));
	assert_int_equal(json_object_get_int(v), 2);
	assert_true(json_object_object_get_ex(r.json, "queues_wanted", &v));
	assert_int_equal(json_object_get_int(v), 4);
	assert_true(jbool(r.json, "machine_ok"));
	assert_true(json_object_object_get_ex(r.json, "interfaces", &ifaces));
	assert_int_equal(json_object_array_length(ifaces), 2);
	j = json_object_array_get_idx(ifaces, 0);
	assert_false(jbool(j, "xdp_ready"));
	assert_true(json_object_object_get_ex(j, "reasons", &v));
	assert_true(json_object_array_length(v) > 0);
	vm_result_free(&r);

	assert_int_equal(vm_set(f->conn, &o, &r), 0);
	vm_result_free(&r);
	assert_int_equal(vm_show(f->conn, &o, &r), 0);
	json_object_object_get_ex(r.json, "interfaces", &ifaces);
	assert_true(jbool(json_object_array_get_idx(ifaces, 0), "xdp_ready"));
	assert_false(jbool(json_object_array_get_idx(ifaces, 1), "xdp_ready"));
	vm_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_iface_convert_mtu,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_dry_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_running, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_live_unsupported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_show, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
