// SPDX-License-Identifier: GPL-2.0
/* afxdp-host plan: the plan file's parser (host/plan_parse.c): what a good
 * plan turns into, and every refusal with its FILE:LINE and words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/plan.h"

static int parse(const char *text, struct host_plan *p, char *err)
{
	return plan_parse(text, strlen(text), "t.yaml", p, err, PLAN_ERR_LEN);
}

/* text is refused with a message that contains want (and is freed). */
static void refused(const char *text, const char *want)
{
	char err[PLAN_ERR_LEN];
	struct host_plan p;
	int ret = parse(text, &p, err);

	if (ret != -EINVAL || !strstr(err, want))
		fail_msg("plan:\n%s\nret %d, err '%s', want '%s'", text, ret,
			 err, want);
	plan_free(&p);
}

static void test_good(void **state)
{
	static const char text[] =
		"# a host for both kinds of guest\n"
		"host: compute-1\n"
		"pfs:\n"
		"  - name: enp1s0f0\n"
		"    numvfs: 8\n"
		"    autoprobe: off\n"
		"    vfio: 0-3\n"
		"    kernel: [4, 5-6, \"7\"]\n"
		"    vfs:\n"
		"      4: { mac: \"02:00:00:00:00:04\", vlan: 20, trust: on }\n"
		"      5:\n"
		"        spoofchk: off\n"
		"  - name: enp1s0f1\n"
		"    vfio: []\n"
		"domains:\n"
		"  - name: afxdp-guest\n"
		"    zero-copy: true\n"
		"    queues: 4\n"
		"  - name: other\n";
	char err[PLAN_ERR_LEN];
	struct host_plan p;

	(void)state;
	assert_int_equal(parse(text, &p, err), 0);
	assert_string_equal(p.host, "compute-1");
	assert_int_equal(p.npfs, 2);
	assert_string_equal(p.pfs[0].name, "enp1s0f0");
	assert_int_equal(p.pfs[0].line, 4);
	assert_true(p.pfs[0].has_numvfs);
	assert_int_equal(p.pfs[0].numvfs, 8);
	assert_int_equal(p.pfs[0].autoprobe, 0);
	assert_int_equal(p.pfs[0].nvfio, 4);
	assert_int_equal(p.pfs[0].vfio[3], 3);
	assert_int_equal(p.pfs[0].nkernel, 4);
	assert_int_equal(p.pfs[0].kernel[0], 4);
	assert_int_equal(p.pfs[0].kernel[3], 7);
	assert_int_equal(p.pfs[0].kernel_line, 8);
	assert_int_equal(p.pfs[0].nvfs, 2);
	assert_int_equal(p.pfs[0].vfs[0].vf, 4);
	assert_int_equal(p.pfs[0].vfs[0].n, 3);
	assert_string_equal(p.pfs[0].vfs[0].kv[0].key, "mac");
	assert_string_equal(p.pfs[0].vfs[0].kv[0].val, "02:00:00:00:00:04");
	assert_string_equal(p.pfs[0].vfs[0].kv[2].val, "on");
	assert_int_equal(p.pfs[0].vfs[1].kv[0].line, 12);
	assert_false(p.pfs[1].has_numvfs);
	assert_int_equal(p.pfs[1].autoprobe, -1);
	assert_int_equal(p.pfs[1].nvfio, 0);
	assert_int_equal(p.ndoms, 2);
	assert_string_equal(p.doms[0].name, "afxdp-guest");
	assert_int_equal(p.doms[0].n, 2);
	assert_string_equal(p.doms[0].kv[0].key, "zero-copy");
	assert_string_equal(p.doms[0].kv[0].val, "true");
	assert_int_equal(p.doms[1].n, 0);
	plan_free(&p);
}

static void test_domains_only(void **state)
{
	char err[PLAN_ERR_LEN];
	struct host_plan p;

	(void)state;
	assert_int_equal(parse("domains: [{name: a}]\n", &p, err), 0);
	assert_int_equal(p.npfs, 0);
	assert_int_equal(p.ndoms, 1);
	plan_free(&p);
}

static void test_vf_refusals(void **state)
{
	(void)state;
	refused("pfs:\n  - name: p\n    vfio: 0-3\n    kernel: 3-5\n",
		"t.yaml:2: pfs[0] (p): VF 3 is given to both vfio (DPDK) and kernel (AF_XDP)");
	refused("pfs:\n  - name: p\n    vfio: 0,1,1\n",
		"t.yaml:3: pfs[0].vfio: VF 1 is listed twice");
	refused("pfs:\n  - name: p\n    kernel: [0-2, 2]\n",
		"t.yaml:3: pfs[0].kernel: VF 2 is listed twice");
	refused("pfs:\n  - name: p\n    numvfs: 4\n    vfio: 0-4\n",
		"VF 4 is beyond numvfs 4");
	refused("pfs:\n  - name: p\n    numvfs: 2\n    vfs:\n      3: {trust: on}\n",
		"settings for VF 3, beyond numvfs 2");
	refused("pfs:\n  - name: p\n    vfio: 0-x\n",
		"t.yaml:3: pfs[0].vfio: bad VF list '0-x'");
	refused("pfs:\n  - name: p\n    vfio: 256\n", "bad VF list '256'");
	refused("pfs:\n  - name: p\n    vfio: \"\"\n", "bad VF list ''");
	refused("pfs:\n  - name: p\n    vfio: {a: 1}\n",
		"pfs[0].vfio: expected a value, got a mapping");
	refused("pfs:\n  - name: p\n    vfs:\n      4: {trust: on}\n      04: {trust: off}\n",
		"bad VF index '04'");
	refused("pfs:\n  - name: p\n    vfs:\n      4: {trust: on}\n      4: {trust: off}\n",
		"t.yaml:5: pfs[0].vfs: VF 4 is listed twice");
	refused("pfs:\n  - name: p\n    vfs:\n      1: {colour: red}\n",
		"t.yaml:4: pfs[0].vfs.1.colour: unknown key");
	refused("pfs:\n  - name: p\n    vfs:\n      1: {}\n",
		"pfs[0].vfs.1: no settings");
	refused("pfs:\n  - name: p\n    vfs:\n      1: {vlan: [1]}\n",
		"pfs[0].vfs.1.vlan: expected a value, got a list");
	refused("pfs:\n  - name: p\n    vfs: [1]\n",
		"pfs[0].vfs: expected a mapping, got a list");
}

static void test_pf_refusals(void **state)
{
	(void)state;
	refused("pfs:\n  - name: p\n  - name: p\n",
		"t.yaml:3: pfs[1]: PF 'p' is listed twice");
	refused("pfs:\n  - numvfs: 2\n", "pfs[0]: no name");
	refused("pfs:\n  - name: p\n    numvfs: -1\n",
		"t.yaml:3: pfs[0].numvfs: bad number '-1'");
	refused("pfs:\n  - name: p\n    numvfs: 257\n", "bad number '257'");
	refused("pfs:\n  - name: p\n    autoprobe: maybe\n",
		"pfs[0].autoprobe: bad value 'maybe' (on|off)");
	refused("pfs:\n  - name: p\n    force: 1\n",
		"t.yaml:3: pfs[0].force: unknown key");
	refused("pfs:\n  - name: p\n    name: q\n", "pfs[0].name: given twice");
	refused("pfs:\n  - name: \"\"\n", "is empty");
	refused("pfs:\n  - name: [a]\n", "expected a value, got a list");
	refused("pfs:\n  - just-a-string\n",
		"pfs[0]: expected a mapping, got a scalar");
	refused("pfs: p\n", "pfs: expected a list, got a scalar");
}

static void test_domain_refusals(void **state)
{
	(void)state;
	refused("domains:\n  - name: a\n  - name: a\n",
		"t.yaml:3: domains[1]: domain 'a' is listed twice");
	refused("domains:\n  - queues: 4\n", "domains[0]: no name");
	refused("domains:\n  - name: a\n    live: true\n",
		"t.yaml:3: domains[0].live: unknown key");
	refused("domains:\n  - name: a\n    queues: 4\n    queues: 5\n",
		"given twice");
}

static void test_file_refusals(void **state)
{
	char big[200];

	(void)state;
	refused("", "t.yaml:1: empty plan");
	refused("# only a comment\n", "empty plan");
	refused("pfs: [\n", "t.yaml:2: not YAML");
	refused("- a\n- b\n", "plan: expected a mapping, got a list");
	refused("colour: red\n",
		"t.yaml:1: colour: unknown key (host, pfs, domains)");
	refused("pfs: []\ndomains: []\n", "names no PF and no domain");
	refused("pfs: []\npfs: []\n", "plan.pfs: given twice");
	refused("host: {a: 1}\n", "host: expected a value, got a mapping");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char text[300];

		snprintf(text, sizeof(text), "host: %s\n", big);
		refused(text, "longer than 127");
	}
}

static void test_load(void **state)
{
	char path[] = "/tmp/test_plan.XXXXXX", err[PLAN_ERR_LEN];
	struct host_plan p;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "domains: [{name: a}]\n", 21), 21);
	close(fd);
	assert_int_equal(plan_load(path, &p, err, sizeof(err)), 0);
	assert_string_equal(p.file, path);
	plan_free(&p);
	unlink(path);
	assert_int_equal(plan_load(path, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot read"));
	plan_free(&p);
}

static void test_keys(void **state)
{
	(void)state;
	assert_true(plan_vf_key_ok("link-state"));
	assert_true(plan_vf_key_ok("max-rate"));
	assert_false(plan_vf_key_ok("persist"));
	assert_true(plan_domain_key_ok("zero-copy"));
	assert_true(plan_domain_key_ok("rx-queue-size"));
	assert_false(plan_domain_key_ok("config"));
	assert_false(plan_domain_key_ok("live"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_domains_only),
		cmocka_unit_test(test_vf_refusals),
		cmocka_unit_test(test_pf_refusals),
		cmocka_unit_test(test_domain_refusals),
		cmocka_unit_test(test_file_refusals),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
