// SPDX-License-Identifier: GPL-2.0
/* afxdp-host publish: the facts a report supports, the name rules (os_traits
 * custom traits, NFD labels, host names, UUIDs), each output's text, the
 * Prometheus escaping, the unified diff and the atomic write. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/probe.h"
#include "host/publish.h"
#include "tests/unit/tmptree.h"

static struct probe_netdev nds[2];
static struct sriov_vf vfs[2];

/* A supported report: eth0 (native, no zero-copy) and ens1f0 (an SR-IOV PF
 * with one vfio-pci and one kernel VF, zero-copy unknown). */
static void report(struct probe_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	memset(nds, 0, sizeof(nds));
	memset(vfs, 0, sizeof(vfs));
	strcpy(nds[0].name, "eth0");
	strcpy(nds[0].driver, "virtio_net");
	nds[0].xdp_native = PT_YES;
	nds[0].xdp_zc = PT_NO;
	nds[0].rx_queues = 4;
	strcpy(nds[1].name, "ens1f0");
	strcpy(nds[1].driver, "ice");
	nds[1].xdp_native = PT_YES;
	nds[1].xdp_zc = PT_UNKNOWN;
	nds[1].rx_queues = 8;
	nds[1].sriov = true;
	nds[1].totalvfs = 8;
	nds[1].numvfs = 2;
	vfs[0].group = SRIOV_GROUP_VFIO;
	vfs[1].group = SRIOV_GROUP_KERNEL;
	vfs[1].index = 1;
	nds[1].vfs = vfs;
	nds[1].n_vfs = 2;
	rep->netdevs = nds;
	rep->n_netdevs = 2;
	rep->supported = true;
}

static void test_facts(void **state)
{
	struct probe_report rep;
	struct publish_facts f;

	(void)state;
	report(&rep);
	publish_facts(&rep, &f);
	assert_true(f.has[PUB_CAP_AF_XDP]);
	assert_false(f.has[PUB_ZEROCOPY]); /* no, and unknown */
	assert_false(f.has[PUB_VIRTIO_MQ]); /* libvirt not reachable */
	assert_false(f.has[PUB_SRIOV_VF]); /* a kernel VF but no IOMMU */

	rep.iommu_groups = 3;
	rep.libvirt_reachable = true;
	nds[0].xdp_zc = PT_YES;
	publish_facts(&rep, &f);
	assert_true(f.has[PUB_ZEROCOPY]);
	assert_true(f.has[PUB_VIRTIO_MQ]);
	assert_true(f.has[PUB_SRIOV_VF]);

	vfs[1].group = SRIOV_GROUP_UNBOUND; /* no VF left for AF_XDP guests */
	publish_facts(&rep, &f);
	assert_false(f.has[PUB_SRIOV_VF]);

	/* Without the capability, no sub-trait, whatever the evidence. */
	rep.supported = false;
	publish_facts(&rep, &f);
	for (int i = 0; i < PUB_NFACTS; i++)
		assert_false(f.has[i]);
}

static void test_names(void **state)
{
	char longest[300];

	(void)state;
	for (int i = 0; i < PUB_NFACTS; i++) {
		assert_true(publish_trait_valid(publish_trait(i)));
		assert_true(publish_label_valid(publish_label(i)));
	}
	assert_false(publish_trait_valid("CUSTOM_"));
	assert_false(publish_trait_valid("HW_NIC_SRIOV"));
	assert_false(publish_trait_valid("CUSTOM_af_xdp"));
	assert_false(publish_trait_valid("CUSTOM_AF-XDP"));
	memset(longest, 'A', sizeof(longest));
	memcpy(longest, "CUSTOM_", 7);
	longest[255] = '\0';
	assert_true(publish_trait_valid(longest));
	longest[255] = 'A';
	longest[256] = '\0';
	assert_false(publish_trait_valid(longest));

	assert_true(publish_label_valid("a"));
	assert_false(publish_label_valid(""));
	assert_false(publish_label_valid("-afxdp"));
	assert_false(publish_label_valid("afxdp."));
	assert_false(publish_label_valid("afxdp/x"));
	assert_false(publish_label_valid("af xdp"));
	memset(longest, 'a', 64);
	longest[64] = '\0';
	assert_false(publish_label_valid(longest));
	longest[63] = '\0';
	assert_true(publish_label_valid(longest));
}

static void test_hostname_uuid(void **state)
{
	char name[260];

	(void)state;
	assert_int_equal(publish_check_hostname("compute-1"), 0);
	assert_int_equal(publish_check_hostname("c1.example.org"), 0);
	assert_int_equal(publish_check_hostname("1234"), 0);
	assert_int_equal(publish_check_hostname(""), -EINVAL);
	assert_int_equal(publish_check_hostname("-a"), -EINVAL);
	assert_int_equal(publish_check_hostname("a-"), -EINVAL);
	assert_int_equal(publish_check_hostname("a..b"), -EINVAL);
	assert_int_equal(publish_check_hostname(".a"), -EINVAL);
	assert_int_equal(publish_check_hostname("a."), -EINVAL);
	assert_int_equal(publish_check_hostname("a b"), -EINVAL);
	assert_int_equal(publish_check_hostname("a'b"), -EINVAL);
	assert_int_equal(publish_check_hostname("a_b"), -EINVAL);
	memset(name, 'a', 64);
	name[64] = '\0';
	assert_int_equal(publish_check_hostname(name), -EINVAL);
	for (int i = 0; i < 200; i++)
		name[i] = i % 50 == 10 ? '.' : 'a';
	name[200] = '\0';
	assert_int_equal(publish_check_hostname(name), 0);
	name[200] = 'a';
	name[201] = '\0';
	assert_int_equal(publish_check_hostname(name), -EINVAL);

	assert_int_equal(
		publish_check_uuid("0b5e2a2c-7f1d-4c1e-9a63-3f2b6c8d9e01"), 0);
	assert_int_equal(publish_check_uuid("$COMPUTE_NODE"), 0);
	assert_int_equal(
		publish_check_uuid("0b5e2a2c7f1d-4c1e-9a63-3f2b6c8d9e01-"),
		-EINVAL);
	assert_int_equal(
		publish_check_uuid("0b5e2a2c-7f1d-4c1e-9a63-3f2b6c8d9e0g"),
		-EINVAL);
	assert_int_equal(publish_check_uuid("x"), -EINVAL);
}

static void test_nova_yaml(void **state)
{
	struct publish_facts f = { .has = { true, true, false, false } };
	struct publish_ident id = { .name = "compute-1" };
	char *y;

	(void)state;
	y = publish_nova_yaml(&f, &id);
	assert_non_null(y);
	assert_non_null(strstr(y, "meta:\n  schema_version: '1.0'\n"
				  "providers:\n  - identification:\n"
				  "      name: 'compute-1'\n    traits:\n"
				  "      additional:\n"
				  "        - CUSTOM_CAP_AF_XDP\n"
				  "        - CUSTOM_AF_XDP_ZEROCOPY\n"));
	assert_null(strstr(y, "VIRTIO_MQ"));
	free(y);

	/* Nothing offered: the provider without a traits key. */
	memset(&f, 0, sizeof(f));
	id = (struct publish_ident){ .uuid = "$COMPUTE_NODE" };
	y = publish_nova_yaml(&f, &id);
	assert_non_null(strstr(y, "      uuid: '$COMPUTE_NODE'\n"));
	assert_null(strstr(y, "traits"));
	assert_null(strstr(y, "name:"));
	free(y);
}

static void test_nfd(void **state)
{
	struct publish_facts f = { .has = { true, false, true, false } };
	char *t = publish_nfd(&f);

	(void)state;
	assert_non_null(t);
	assert_non_null(strstr(t,
			       "\nafxdp.capable=true\nafxdp.zerocopy=false\n"
			       "afxdp.virtio-mq=true\nafxdp.sriov-vf=false\n"));
	/* Every line a comment that is no directive, or name=value. */
	for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n"))
		assert_true((l[0] == '#' && strncmp(l, "# +", 3)) ||
			    strchr(l, '='));
	free(t);
}

static void test_prom(void **state)
{
	struct probe_report rep;
	struct publish_facts f;
	char esc[16], *t;

	(void)state;
	assert_int_equal(publish_prom_escape("a\"b\\c\nd", esc, sizeof(esc)),
			 0);
	assert_string_equal(esc, "a\\\"b\\\\c\\nd");
	assert_int_equal(publish_prom_escape("\"\"\"\"\"\"\"\"", esc, 16),
			 -ENOSPC);
	assert_int_equal(publish_prom_escape("1234567", esc, 8), 0);
	assert_int_equal(publish_prom_escape("12345678", esc, 8), -ENOSPC);

	report(&rep);
	strcpy(nds[0].name, "we\"ird\\");
	publish_facts(&rep, &f);
	t = publish_prom(&rep, &f);
	assert_non_null(t);
	assert_non_null(strstr(
		t,
		"# TYPE afxdp_capability_supported gauge\n"
		"afxdp_capability_supported{capability=\"e.cap.025\",name=\"AF_XDP\"} 1\n"));
	assert_non_null(strstr(
		t,
		"afxdp_trait{trait=\"CUSTOM_CAP_AF_XDP\",label=\"afxdp.capable\"} 1\n"));
	assert_non_null(strstr(
		t,
		"afxdp_trait{trait=\"CUSTOM_AF_XDP_SRIOV_VF\",label=\"afxdp.sriov-vf\"} 0\n"));
	assert_non_null(strstr(
		t,
		"afxdp_netdev_xdp_native{netdev=\"we\\\"ird\\\\\",driver=\"virtio_net\"} 1\n"));
	/* Unknown zero-copy: no sample for ens1f0. */
	assert_null(strstr(t, "afxdp_netdev_xdp_zero_copy{netdev=\"ens1f0\""));
	assert_non_null(strstr(
		t,
		"afxdp_netdev_sriov_totalvfs{netdev=\"ens1f0\",driver=\"ice\"} 8\n"));
	assert_non_null(strstr(
		t,
		"afxdp_netdev_sriov_kernel_vfs{netdev=\"ens1f0\",driver=\"ice\"} 1\n"));
	assert_non_null(strstr(t, "# HELP afxdp_netdev_rx_queues "));
	free(t);

	/* No SR-IOV netdev: those families are left out, not empty. */
	rep.n_netdevs = 1;
	t = publish_prom(&rep, &f);
	assert_null(strstr(t, "afxdp_netdev_sriov"));
	free(t);
}

static void test_extra_specs(void **state)
{
	struct publish_facts f = { .has = { true, true, false, false } };
	char *t = publish_extra_specs(&f);

	(void)state;
	assert_non_null(strstr(t, "\ntrait:CUSTOM_CAP_AF_XDP=required\n"));
	assert_non_null(
		strstr(t, "\ntrait:CUSTOM_AF_XDP_VIRTIO_MQ=required\n"));
	assert_non_null(strstr(t, "\nhw:vif_multiqueue_enabled=true\n"));
	assert_non_null(strstr(t, "hw_vif_multiqueue_enabled=true"));
	assert_non_null(strstr(
		t, "trait:CUSTOM_AF_XDP_ZEROCOPY=required (this host: yes)"));
	assert_non_null(strstr(
		t, "trait:CUSTOM_AF_XDP_SRIOV_VF=required (this host: no)"));
	assert_non_null(strstr(t, "2 x vCPUs"));
	free(t);
}

static void test_diff(void **state)
{
	char *d;

	(void)state;
	d = publish_diff(NULL, "a\nb\n", "/x/f");
	assert_string_equal(
		d, "--- /dev/null\n+++ /x/f\n@@ -0,0 +1,2 @@\n+a\n+b\n");
	free(d);
	d = publish_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			 "1\n2\n3\n4\nV\n6\n7\n8\n9\n", "f");
	assert_string_equal(
		d, "--- f\n+++ f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+V\n"
		   " 6\n 7\n 8\n");
	free(d);
	/* Two changes 7 kept lines apart: two hunks; 6 apart: one. */
	d = publish_diff("a\n1\n2\n3\n4\n5\n6\n7\nb\n",
			 "A\n1\n2\n3\n4\n5\n6\n7\nB\n", "f");
	assert_string_equal(
		d, "--- f\n+++ f\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
		   "@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n");
	free(d);
	d = publish_diff("a\n1\n2\n3\n4\n5\n6\nb\n", "A\n1\n2\n3\n4\n5\n6\nB\n",
			 "f");
	assert_string_equal(
		d, "--- f\n+++ f\n@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n"
		   " 4\n 5\n 6\n-b\n+B\n");
	free(d);
	d = publish_diff("same\n", "same\n", "f");
	assert_string_equal(d, "--- f\n+++ f\n");
	free(d);
	d = publish_diff("x", "x\n", "f");
	assert_string_equal(d, "--- f\n+++ f\n@@ -1,1 +1,1 @@\n-x\n"
			       "\\ No newline at end of file\n+x\n");
	free(d);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_publish.XXXXXX", path[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	char *old;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/afxdp-kit.yaml", dir);
	assert_int_equal(publish_read(path, &old), 0);
	assert_null(old);

	assert_int_equal(publish_stage(path, "one\n", tmp, sizeof(tmp)), 0);
	assert_non_null(strstr(tmp, "/.afxdp-kit.yaml."));
	assert_int_equal(stat(tmp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(publish_commit(tmp, path), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(publish_read(path, &old), 0);
	assert_string_equal(old, "one\n");
	free(old);

	/* A temp path that cannot be made: no file left behind. */
	assert_int_equal(
		publish_stage("/nonexistent/dir/f", "x", tmp, sizeof(tmp)),
		-ENOENT);
	assert_string_equal(tmp, "");
	assert_int_equal(publish_read(dir, &old), -EISDIR);
	assert_int_equal(tmptree_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hostname_uuid),
		cmocka_unit_test(test_nova_yaml),
		cmocka_unit_test(test_nfd),
		cmocka_unit_test(test_prom),
		cmocka_unit_test(test_extra_specs),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
