// SPDX-License-Identifier: GPL-2.0
/* afxdp-host plan: the checks and the apply (host/plan_check.c,
 * host/plan_apply.c) on fake_sysfs.h's tree and fake kernel, with
 * libvirt's test driver on tests/host/data/libvirt-plan.xml (dpdk-guest
 * runs and holds VF 1 = 0000:00:10.1 as a hostdev; afxdp-guest is shut
 * off with a virtio interface to prepare; afxdp-ready is ready). */
#include "fake_sysfs.h"

#include <libvirt/libvirt.h>

#include "host/plan_run.h"

struct run {
	struct cmd_ctx c;
	struct host_global_opts g;
	struct plan_run pr;
	char uri[PATH_MAX + 16];
	int err;
};

/* Runs plan text on the fake tree as plan_cmd.c does; r->pr is kept for
 * the test to look at (run_free). */
static void run_plan(struct fake *f, struct run *r, const char *text,
		     bool dry_run, bool force)
{
	char msg[PLAN_ERR_LEN], cwd[PATH_MAX];
	const char *top = getenv("AFXDP_TOP"); /* tests/run.sh sets it */

	memset(r, 0, sizeof(*r));
	snprintf(r->uri, sizeof(r->uri),
		 "test://%s/tests/host/data/libvirt-plan.xml",
		 top ? top : getcwd(cwd, sizeof(cwd)));
	r->g = (struct host_global_opts){ .json = true,
					  .dry_run = dry_run,
					  .sysfs_root = f->root,
					  .procfs_root = f->proc,
					  .connect_uri = r->uri };
	r->c.g = &r->g;
	r->c.verb = "plan";
	r->pr.sr.c = &r->c;
	r->pr.sr.g = &r->g;
	r->pr.force = force;
	assert_int_equal(report_init(&r->pr.sr.rep, true, dry_run), 0);
	r->pr.sr.s = f->s; /* the fake kernel's hook with it */
	r->err = plan_parse(text, strlen(text), "t.yaml", &r->pr.plan, msg,
			    sizeof(msg));
	if (r->err) /* as plan_cmd.c: a refusal */
		r->err = cmd_fail_status(&r->c, HOST_EXIT_USAGE, r->err, "%s",
					 msg);
	if (!r->err)
		r->err = plan_check_values(&r->pr);
	if (!r->err)
		r->err = plan_check_host(&r->pr);
	if (!r->err)
		r->err = plan_apply(&r->pr);
}

static void run_free(struct run *r)
{
	report_free(&r->pr.sr.rep);
	plan_run_free(&r->pr);
}

static int status(const struct run *r)
{
	return cmd_status(&r->c, r->err);
}

/* A refusal: exit 2, the words, and the tree untouched. */
static void refused(struct fake *f, const char *text, const char *want)
{
	char *before = tree_dump(f->root), *after;
	struct run r;

	run_plan(f, &r, text, false, false);
	if (status(&r) != 2 || !strstr(r.c.err, want))
		fail_msg("plan:\n%s\nexit %d '%s', want 2 '%s'", text,
			 status(&r), r.c.err, want);
	assert_int_equal(report_count(&r.pr.sr.rep), 0);
	after = tree_dump(f->root);
	assert_string_equal(before, after);
	assert_int_equal(f->nlog, 0);
	run_free(&r);
	free(before);
	free(after);
}

static void vf_driver(struct fake *f, unsigned int i, char *buf, size_t len)
{
	char rel[PATH_MAX], addr[32];

	vf_addr(i, addr, sizeof(addr));
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver", addr);
	if (sysfs_link_basename(&f->s.fs, rel, buf, len))
		snprintf(buf, len, "none");
}

/* Eight VFs, VF 1 on vfio-pci (the one dpdk-guest holds). */
static void eight_vfs(struct fake *f)
{
	fake_numvfs(f, 8);
	link_to(f->root, "devices/pci0000:00/0000:00:10.1/driver",
		"../../../bus/pci/drivers/vfio-pci");
	put(f->root, "devices/pci0000:00/0000:00:10.1/driver_override",
	    "vfio-pci\n");
}

static void test_values_refused(void **state)
{
	struct fake *f = *state;

	eight_vfs(f);
	refused(f, "pfs:\n  - name: fpf0\n    vfs:\n      2: {vlan: 4095}\n",
		"t.yaml:4: fpf0 vf 2: invalid --vlan '4095'");
	refused(f, "pfs:\n  - name: fpf0\n    vfs:\n      2:\n        qos: 3\n",
		"t.yaml:4: fpf0 vf 2: --qos/--vlan-proto need --vlan");
	refused(f, "pfs:\n  - name: fpf0\n    vfs:\n      2: {mac: zz}\n",
		"bad --mac 'zz'");
	refused(f, "domains:\n  - name: afxdp-guest\n    queues: 0\n",
		"t.yaml:3: domain 'afxdp-guest': invalid --queues '0'");
	refused(f, "domains:\n  - name: afxdp-guest\n    mtu: 9000\n",
		"t.yaml:2: domain 'afxdp-guest': ");
	refused(f, "domains:\n  - name: afxdp-guest\n    zero-copy: maybe\n",
		"bad zero-copy 'maybe'");
	refused(f, "domains:\n  - name: afxdp-guest\n    driver: tcp\n",
		"invalid --driver 'tcp'");
}

static void test_host_refused(void **state)
{
	struct fake *f = *state;

	eight_vfs(f);
	refused(f, "pfs:\n  - name: nosuch0\n", "unknown PF 'nosuch0'");
	refused(f, "pfs:\n  - name: fpf0\n    numvfs: 9\n",
		"t.yaml:2: fpf0: numvfs 9 exceeds sriov_totalvfs 8");
	refused(f, "pfs:\n  - name: fpf0\n    numvfs: 8\n    kernel: 2-8\n",
		"VF 8 is beyond numvfs 8");
	/* numvfs comes from sysfs when the plan does not say */
	refused(f, "pfs:\n  - name: fpf0\n    kernel: 7-9\n",
		"t.yaml:3: fpf0: VF 8 is beyond numvfs 8");
	refused(f, "domains:\n  - name: afxdp-ready\n  - name: nosuch\n",
		"t.yaml:3: domain 'nosuch' not found");
}

static void test_hostdev_refused(void **state)
{
	struct fake *f = *state;

	eight_vfs(f);
	/* dpdk-guest runs with VF 1: moving it, or any numvfs change */
	refused(f, "pfs:\n  - name: fpf0\n    kernel: 1\n",
		"fpf0: VF 1 (0000:00:10.1) is a hostdev of the running domain 'dpdk-guest': the plan would rebind it");
	refused(f, "pfs:\n  - name: fpf0\n    numvfs: 4\n    vfio: 0-1\n",
		"refusing to change numvfs 8 -> 4");
	/* --force lifts the vfio-pci refusal, never the running hostdev */
	{
		char *before = tree_dump(f->root), *after;
		struct run r;

		run_plan(f, &r, "pfs:\n  - name: fpf0\n    numvfs: 4\n", false,
			 true);
		assert_int_equal(status(&r), 2);
		assert_non_null(strstr(
			r.c.err,
			"running domain 'dpdk-guest': the plan would destroy it"));
		after = tree_dump(f->root);
		assert_string_equal(before, after);
		run_free(&r);
		free(before);
		free(after);
	}
}

static void test_split_idempotent(void **state)
{
	static const char plan[] = "pfs:\n"
				   "  - name: fpf0\n"
				   "    vfio: 0-1\n"
				   "    kernel: 2-7\n"
				   "domains:\n"
				   "  - name: afxdp-ready\n";
	struct fake *f = *state;
	char *before, *after, drv[64];
	struct run r;

	eight_vfs(f);
	before = tree_dump(f->root);
	run_plan(f, &r, plan, true, false);
	assert_int_equal(status(&r), 0);
	/* VF 0 only: unbind, override, probe; VF 1 is there already */
	assert_int_equal(report_count(&r.pr.sr.rep), 3);
	run_free(&r);
	after = tree_dump(f->root);
	assert_string_equal(before, after);
	assert_int_equal(f->nlog, 0);
	run_plan(f, &r, plan, false, false);
	assert_int_equal(status(&r), 0);
	assert_int_equal(report_count(&r.pr.sr.rep), 3);
	run_free(&r);
	vf_driver(f, 0, drv, sizeof(drv));
	assert_string_equal(drv, "vfio-pci");
	vf_driver(f, 2, drv, sizeof(drv));
	assert_string_equal(drv, "iavf");
	run_plan(f, &r, plan, false, false);
	assert_int_equal(status(&r), 0);
	assert_int_equal(report_count(&r.pr.sr.rep), 0);
	run_free(&r);
	free(before);
	free(after);
}

/* numvfs 0 -> 4: the drivers are planned once the VFs exist. */
static void test_reshape(void **state)
{
	static const char plan[] = "pfs:\n"
				   "  - name: fpf0\n"
				   "    numvfs: 4\n"
				   "    autoprobe: on\n"
				   "    vfio: [0, 1]\n"
				   "    kernel: 2-3\n";
	struct fake *f = *state;
	char drv[64], v[16];
	struct run r;

	run_plan(f, &r, plan, true, false);
	assert_int_equal(status(&r), 0);
	/* numvfs, then 4 pending drivers */
	assert_int_equal(report_count(&r.pr.sr.rep), 5);
	run_free(&r);
	assert_int_equal(f->nlog, 0);
	run_plan(f, &r, plan, false, false);
	assert_int_equal(status(&r), 0);
	/* numvfs, then unbind/override/probe for VFs 0 and 1 */
	assert_int_equal(report_count(&r.pr.sr.rep), 7);
	run_free(&r);
	read_rel(f, PFDEV "/sriov_numvfs", v, sizeof(v));
	assert_string_equal(v, "4");
	for (unsigned int i = 0; i < 4; i++) {
		vf_driver(f, i, drv, sizeof(drv));
		assert_string_equal(drv, i < 2 ? "vfio-pci" : "iavf");
	}
	run_plan(f, &r, plan, false, false);
	assert_int_equal(status(&r), 0);
	assert_int_equal(report_count(&r.pr.sr.rep), 0);
	run_free(&r);
}

/* VF 1's probe fails: everything before it is undone, newest first. */
static void test_undo_binds(void **state)
{
	static const char plan[] = "pfs:\n"
				   "  - name: fpf0\n"
				   "    numvfs: 4\n"
				   "    vfio: 0-1\n";
	struct fake *f = *state;
	char drv[64], v[16];
	struct run r;

	f->fail_match = "drivers_probe";
	f->fail_nth = 2;
	f->fail_err = -EIO;
	run_plan(f, &r, plan, false, false);
	assert_int_equal(status(&r), 1);
	assert_non_null(strstr(r.c.err, "rolled back"));
	run_free(&r);
	read_rel(f, PFDEV "/sriov_numvfs", v, sizeof(v));
	assert_string_equal(v, "0");
	/* the log: numvfs, VF 0 moved, VF 1 unbound and overridden, then
	 * the undo: VF 1 and VF 0 back, numvfs 0 last */
	assert_string_equal(f->log[0], "class/net/fpf0/device/sriov_numvfs=4");
	assert_string_equal(f->log[f->nlog - 1],
			    "class/net/fpf0/device/sriov_numvfs=0");
	assert_non_null(
		strstr(f->log[f->nlog - 2], "drivers_probe=0000:00:10.0"));
	(void)drv;
}

/* A step after the domain fails (the VF settings go over netlink to a
 * PF netdev this namespace has not): the domain's definition and the
 * sysfs steps are undone. */
static void test_undo_domain(void **state)
{
	static const char plan[] = "pfs:\n"
				   "  - name: fpf0\n"
				   "    numvfs: 2\n"
				   "    vfs:\n"
				   "      1: {trust: on}\n"
				   "domains:\n"
				   "  - name: afxdp-guest\n";
	struct fake *f = *state;
	virDomainPtr dom;
	char v[16], *xml;
	struct run r;

	run_plan(f, &r, plan, false, false);
	assert_int_equal(status(&r), 1);
	assert_non_null(strstr(r.c.err, "no such netdev"));
	assert_non_null(strstr(r.c.err, "rolled back 2 earlier step(s)"));
	dom = virDomainLookupByName(r.pr.conn, "afxdp-guest");
	assert_non_null(dom);
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_non_null(xml);
	assert_null(strstr(xml, "queues="));
	free(xml);
	virDomainFree(dom);
	run_free(&r);
	read_rel(f, PFDEV "/sriov_numvfs", v, sizeof(v));
	assert_string_equal(v, "0");
}

/* The same plan applied to the domain, in one connection: changed. */
static void test_domain_applied(void **state)
{
	struct fake *f = *state;
	virDomainPtr dom;
	char *xml;
	struct run r;

	run_plan(f, &r, "domains:\n  - name: afxdp-guest\n    queues: 2\n",
		 false, false);
	assert_int_equal(status(&r), 0);
	assert_int_equal(report_count(&r.pr.sr.rep), 1);
	dom = virDomainLookupByName(r.pr.conn, "afxdp-guest");
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_non_null(strstr(xml, "queues='2'"));
	free(xml);
	virDomainFree(dom);
	run_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_values_refused),	 T(test_host_refused),
		T(test_hostdev_refused), T(test_split_idempotent),
		T(test_reshape),	 T(test_undo_binds),
		T(test_undo_domain),	 T(test_domain_applied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
