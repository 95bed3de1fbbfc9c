// SPDX-License-Identifier: GPL-2.0
/* host/domain.c against libvirt's test driver (test:///default, one
 * running domain "test"): the one error convention vm and sriov vm share
 * (lookup by name or UUID, scopes, attach with the define fallback). */
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

#include "xml_assert.h"

#define URI "test:///default"

static const char off_xml[] = "<domain type='test'>"
			      "  <name>off1</name>"
			      "  <memory unit='KiB'>1048576</memory>"
			      "  <vcpu>1</vcpu>"
			      "  <os><type arch='x86_64'>hvm</type></os>"
			      "  <devices/>"
			      "</domain>";

static const char iface_xml[] = "<interface type='network'>\n"
				"  <mac address='52:54:00:20:00:01'/>\n"
				"  <source network='default'/>\n"
				"  <model type='virtio'/>\n"
				"</interface>\n";

struct fixture {
	virConnectPtr conn;
	virDomainPtr off; /* off1: defined, shut off */
	virDomainPtr test; /* test: running, persistent */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	if (!f || domain_connect(URI, false, &f->conn, err, sizeof(err))) {
		free(f);
		return -1;
	}
	f->off = virDomainDefineXML(f->conn, off_xml);
	f->test = virDomainLookupByName(f->conn, "test");
	*state = f;
	return f->off && f->test ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virDomainFree(f->off);
	virDomainFree(f->test);
	virConnectClose(f->conn);
	free(f);
	return 0;
}

static void test_connect_refused(void **state)
{
	virConnectPtr conn;
	char err[512];

	(void)state;
	assert_int_equal(
		domain_connect("qemu+unix:///system?socket=/nonexistent/s",
			       true, &conn, err, sizeof(err)),
		-ECONNREFUSED);
	assert_null(conn);
	assert_non_null(strstr(err, "cannot connect to libvirt at qemu+unix"));
}

static void test_lookup(void **state)
{
	struct fixture *f = *state;
	char uuid[VIR_UUID_STRING_BUFLEN], bare[VIR_UUID_STRING_BUFLEN];
	char err[512];
	virDomainPtr d;
	size_t n = 0;

	assert_int_equal(domain_lookup(f->conn, "test", &d, err, sizeof(err)),
			 0);
	virDomainFree(d);
	/* By UUID, with and without dashes. */
	assert_int_equal(virDomainGetUUIDString(f->off, uuid), 0);
	assert_int_equal(domain_lookup(f->conn, uuid, &d, err, sizeof(err)), 0);
	assert_string_equal(virDomainGetName(d), "off1");
	virDomainFree(d);
	for (const char *p = uuid; *p; p++)
		if (*p != '-')
			bare[n++] = *p;
	bare[n] = '\0';
	assert_int_equal(domain_lookup(f->conn, bare, &d, err, sizeof(err)), 0);
	virDomainFree(d);
	assert_int_equal(domain_lookup(f->conn, "nosuch", &d, err, sizeof(err)),
			 -ENOENT);
	assert_null(d);
	assert_string_equal(err, "domain 'nosuch' not found");
}

static void test_scopes(void **state)
{
	struct fixture *f = *state;
	bool want[DOMAIN_NSCOPES];
	char err[512];
	virDomainPtr tr;

	/* Neither: the current state. */
	assert_int_equal(domain_scopes(f->test, "test", false, false, want, err,
				       sizeof(err)),
			 0);
	assert_true(want[DOMAIN_LIVE]);
	assert_false(want[DOMAIN_CONFIG]);
	assert_int_equal(domain_scopes(f->off, "off1", false, false, want, err,
				       sizeof(err)),
			 0);
	assert_false(want[DOMAIN_LIVE]);
	assert_true(want[DOMAIN_CONFIG]);
	assert_int_equal(domain_scopes(f->test, "test", true, true, want, err,
				       sizeof(err)),
			 0);
	assert_true(want[DOMAIN_LIVE] && want[DOMAIN_CONFIG]);
	/* --live on a shut-off domain: -ESRCH, for vm and sriov vm alike. */
	assert_int_equal(domain_scopes(f->off, "off1", false, true, want, err,
				       sizeof(err)),
			 -ESRCH);
	assert_non_null(strstr(err, "domain 'off1' is not running"));
	/* --config on a transient domain. */
	tr = virDomainCreateXML(f->conn,
				"<domain type='test'><name>tr1</name>"
				"<memory>1024</memory><os><type>hvm</type></os>"
				"</domain>",
				0);
	assert_non_null(tr);
	assert_int_equal(
		domain_scopes(tr, "tr1", true, false, want, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "transient"));
	virDomainDestroy(tr);
	virDomainFree(tr);
}

static void test_attach_config(void **state)
{
	struct fixture *f = *state;
	const char *const add[DOMAIN_NSCOPES] = { NULL, iface_xml };
	const char *const live[DOMAIN_NSCOPES] = { iface_xml, NULL };
	char err[512], *xml;

	/* The test driver has no per-device call: the define fallback. */
	assert_int_equal(
		domain_attach(f->conn, f->off, "off1", add, err, sizeof(err)),
		0);
	assert_int_equal(domain_get_xml(f->off, "off1", DOMAIN_CONFIG, &xml,
					err, sizeof(err)),
			 0);
	assert_xp(xml, "string(//interface/mac/@address)", "52:54:00:20:00:01");
	free(xml);
	/* Live: libvirt's refusal, named. */
	assert_int_equal(
		domain_attach(f->conn, f->test, "test", live, err, sizeof(err)),
		-EIO);
	assert_non_null(strstr(
		err, "cannot hot-plug the interface into domain 'test'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scopes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_config, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
