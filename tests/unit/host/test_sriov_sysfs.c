// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov against a fake sysfs tree (this host has no SR-IOV):
 * fake_sysfs.h's tree and its fake kernel, with failures injected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cmds.h"
#include "host/sriov_persist.h"
#include "host/sriov_sysfs.h"

#include "fake_sysfs.h"

/* ---- tests ---- */

static void test_zero_to_n(void **state)
{
	struct fake *f = *state;
	struct sriov_numvfs_opts o = { .numvfs = 4, .autoprobe = -1 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;

	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(pf.totalvfs, 8);
	assert_int_equal(pf.numvfs, 0);
	assert_int_equal(pf.autoprobe, 1);
	assert_string_equal(pf.pci, "0000:00:03.0");
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(sriov_plan_apply(&f->s, &p, NULL), 0);
	assert_int_equal(f->nlog, 1);
	assert_string_equal(f->log[0],
			    "class/net/" PF "/device/sriov_numvfs=4");
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(pf.numvfs, 4);
	assert_int_equal(pf.nvfs, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_not_equal(pf.vfs[i].pci, "");
		assert_string_equal(pf.vfs[i].driver, "iavf");
		assert_int_equal(pf.vfs[i].group, SRIOV_GROUP_KERNEL);
		assert_string_equal(pf.vfs[i].override, "");
	}
	sriov_plan_free(&p);
}

static void test_n_to_m_through_zero(void **state)
{
	struct fake *f = *state;
	struct sriov_numvfs_opts o = { .numvfs = 6, .autoprobe = -1 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	char v[16];

	fake_numvfs(f, 4);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.steps[0].val, "0");
	assert_string_equal(p.steps[0].old, "4");
	assert_string_equal(p.steps[1].val, "6");
	assert_string_equal(p.steps[1].old, "0");
	/* The fake kernel would refuse 4 -> 6 directly with EBUSY. */
	assert_int_equal(sriov_plan_apply(&f->s, &p, NULL), 0);
	assert_int_equal(f->nlog, 2);
	assert_string_equal(f->log[0],
			    "class/net/" PF "/device/sriov_numvfs=0");
	assert_string_equal(f->log[1],
			    "class/net/" PF "/device/sriov_numvfs=6");
	read_rel(f, "class/net/" PF "/device/sriov_numvfs", v, sizeof(v));
	assert_string_equal(v, "6");
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(pf.nvfs, 6);
	assert_string_not_equal(pf.vfs[5].pci, "");
	sriov_plan_free(&p);
}

static void test_n_over_total(void **state)
{
	struct fake *f = *state;
	struct sriov_numvfs_opts o = { .numvfs = 9, .autoprobe = -1 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;

	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), -ERANGE);
	assert_int_equal(p.n, 0);
	o.numvfs = 8; /* the limit itself is fine */
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 1);
	sriov_plan_free(&p);
}

static void test_not_sriov_and_unknown(void **state)
{
	struct fake *f = *state;
	struct sriov_pf pf;

	assert_int_equal(sriov_pf_read(&f->s, "nosriov0", &pf), -EOPNOTSUPP);
	assert_int_equal(sriov_pf_read(&f->s, "nonexist0", &pf), -ENODEV);
	assert_int_equal(sriov_pf_read(&f->s, "../x", &pf), -ENODEV);
}

static void test_permission_denied(void **state)
{
	struct fake *f = *state;
	struct sriov_numvfs_opts o = { .numvfs = 2, .autoprobe = 0 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	char *before, *after, path[PATH_MAX];
	size_t failed = 99;

	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 2); /* autoprobe, then numvfs */
	before = tree_dump(f->root);
	/* Root ignores mode bits, so the kernel's EACCES is injected... */
	f->fail_match = "sriov_numvfs";
	f->fail_nth = 1;
	f->fail_err = -EACCES;
	assert_int_equal(sriov_plan_apply(&f->s, &p, &failed), -EACCES);
	assert_int_equal(failed, 1);
	after = tree_dump(f->root);
	/* ...the autoprobe write before it was undone: 1 -> 0 -> 1. */
	assert_string_equal(before, after);
	assert_int_equal(f->nlog, 2);
	free(after);
	/* ...and without root, the mode bits do it for real. */
	if (geteuid() != 0) {
		f->fail_match = NULL;
		snprintf(path, sizeof(path), "%s/%s/sriov_numvfs", f->root,
			 PFDEV);
		chmod(path, 0444);
		assert_int_equal(sriov_plan_apply(&f->s, &p, &failed), -EACCES);
		chmod(path, 0644);
	}
	free(before);
	sriov_plan_free(&p);
}

/* A real open() failure, no injection: unbind is a directory. */
static void test_write_fails_for_real(void **state)
{
	struct fake *f = *state;
	uint32_t vfs[] = { 0 };
	struct sriov_bind_opts o = { vfs, 1, "vfio-pci", false };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	char path[PATH_MAX], *before, *after;

	fake_numvfs(f, 2);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/iavf/unbind", f->root);
	unlink(path);
	mkdir(path, 0755);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	before = tree_dump(f->root);
	assert_int_equal(sriov_plan_apply(&f->s, &p, NULL), -EISDIR);
	after = tree_dump(f->root);
	assert_string_equal(before, after);
	free(before);
	free(after);
	sriov_plan_free(&p);
}

static void test_bind_rollback(void **state)
{
	struct fake *f = *state;
	uint32_t vfs[] = { 0, 1, 2, 3 };
	struct sriov_bind_opts o = { vfs, 4, "vfio-pci", false };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	size_t failed = 0;

	fake_numvfs(f, 8);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	assert_int_equal(p.n, 12); /* unbind, override, probe per VF */
	/* drivers_probe of VF 2 fails: VFs 0 and 1 were already moved. */
	f->fail_match = "drivers_probe";
	f->fail_nth = 3;
	f->fail_err = -ENODEV;
	assert_int_equal(sriov_plan_apply(&f->s, &p, &failed), -ENODEV);
	assert_int_equal(failed, 8);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	for (int i = 0; i < 8; i++) {
		assert_string_equal(pf.vfs[i].driver, "iavf");
		assert_string_equal(pf.vfs[i].override, "");
		assert_int_equal(pf.vfs[i].group, SRIOV_GROUP_KERNEL);
	}
	/* 8 applied writes, then 8 undo writes. */
	assert_int_equal(f->nlog, 16);
	sriov_plan_free(&p);
}

static void test_numvfs_rollback(void **state)
{
	struct fake *f = *state;
	struct sriov_numvfs_opts o = { .numvfs = 6, .autoprobe = 0 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	size_t failed = 0;

	fake_numvfs(f, 4);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 3);
	f->fail_match = "sriov_numvfs";
	f->fail_nth = 2; /* 0 went in, 6 is refused */
	f->fail_err = -ENOMEM;
	assert_int_equal(sriov_plan_apply(&f->s, &p, &failed), -ENOMEM);
	assert_int_equal(failed, 2);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(pf.numvfs, 4);
	assert_int_equal(pf.nvfs, 4);
	assert_string_not_equal(pf.vfs[3].pci, "");
	assert_int_equal(pf.autoprobe, 1);
	sriov_plan_free(&p);
}

static void test_groups_isolated(void **state)
{
	struct fake *f = *state;
	uint32_t lo[] = { 0, 1, 2, 3 }, hi[] = { 4, 5, 6, 7 };
	struct sriov_bind_opts o = { lo, 4, "vfio-pci", false };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	char addr[32];

	fake_numvfs(f, 8);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	assert_int_equal(sriov_plan_apply(&f->s, &p, NULL), 0);
	sriov_plan_free(&p);
	/* Nothing written names VFs 4-7. */
	for (int i = 0; i < f->nlog; i++) {
		for (int k = 4; k < 8; k++) {
			char vfn[16];

			vf_addr((unsigned int)k, addr, sizeof(addr));
			snprintf(vfn, sizeof(vfn), "virtfn%d/", k);
			assert_null(strstr(f->log[i], addr));
			assert_null(strstr(f->log[i], vfn));
		}
	}
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pf.vfs[i].group,
				 i < 4 ? SRIOV_GROUP_VFIO : SRIOV_GROUP_KERNEL);
	/* And the other way round: 4-7 to "kernel" is a no-op, 0-3 stay. */
	o.vfs = hi;
	o.driver = "kernel";
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	assert_int_equal(p.n, 0);
	/* Idempotent: 0-3 to vfio-pci again plans nothing. */
	o.vfs = lo;
	o.driver = "vfio-pci";
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	assert_int_equal(p.n, 0);
	/* Back to the kernel driver: override cleared, probe. */
	o.driver = "kernel";
	f->nlog = 0;
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	assert_int_equal(sriov_plan_apply(&f->s, &p, NULL), 0);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pf.vfs[i].group, SRIOV_GROUP_KERNEL);
		assert_string_equal(pf.vfs[i].override, "");
	}
	sriov_plan_free(&p);
}

static void test_in_use_refused(void **state)
{
	struct fake *f = *state;
	uint32_t vfs[] = { 1 };
	struct sriov_bind_opts o = { vfs, 1, "kernel", false };
	struct sriov_numvfs_opts no = { .numvfs = 2, .autoprobe = -1 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;
	char path[PATH_MAX];

	fake_numvfs(f, 4);
	make_vf(f->root, 1, "vfio-pci");
	/* A process (QEMU) holds VF 1's group (21) open. */
	snprintf(path, sizeof(path), "%s/4242/fd", f->proc);
	mkdirs(f->proc, "4242/fd");
	snprintf(path, sizeof(path), "%s/4242/fd/7", f->proc);
	assert_int_equal(symlink("/dev/vfio/21", path), 0);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_true(pf.vfs[1].in_use);
	assert_false(pf.vfs[0].in_use);
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), -EBUSY);
	assert_int_equal(p.n, 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &no, &p), -EBUSY);
	o.force = true;
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), 0);
	assert_int_equal(p.n, 2); /* unbind, probe: no override to clear */
	assert_string_equal(p.steps[0].rel, "bus/pci/drivers/vfio-pci/unbind");
	sriov_plan_free(&p);
	no.force = true;
	assert_int_equal(sriov_plan_numvfs(&pf, &no, &p), 0);
	assert_int_equal(p.n, 2);
	sriov_plan_free(&p);
	/* Out of range and missing VF links. */
	vfs[0] = 4;
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), -ERANGE);
	put(f->root, PFDEV "/sriov_numvfs", "5\n"); /* 5th never created */
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_bind(&pf, &o, &p), -ENOENT);
}

static void test_idempotent_set(void **state)
{
	struct fake *f = *state;
	struct sriov_numvfs_opts o = { .numvfs = 4, .autoprobe = 0 };
	struct sriov_plan p = { 0 };
	struct sriov_pf pf;

	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(sriov_plan_apply(&f->s, &p, NULL), 0);
	sriov_plan_free(&p);
	assert_int_equal(sriov_pf_read(&f->s, PF, &pf), 0);
	assert_int_equal(sriov_plan_numvfs(&pf, &o, &p), 0);
	assert_int_equal(p.n, 0);
}

/* Runs the CLI entry point with stdout silenced; returns its exit code. */
static int run_cli(struct fake *f, bool dry_run, bool json, char **argv)
{
	struct host_global_opts g = { .json = json,
				      .dry_run = dry_run,
				      .sysfs_root = f->root,
				      .procfs_root = f->proc };
	int argc = 0, saved, null, rc;

	while (argv[argc])
		argc++;
	fflush(stdout);
	saved = dup(1);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	close(null);
	rc = cmd_sriov(&g, argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static void test_dry_run_identical(void **state)
{
	struct fake *f = *state;
	char persist[PATH_MAX + 16];
	char *set[] = { "sriov",    "set",	 PF,
			"--numvfs", "6",	 "--autoprobe",
			"off",	    "--persist", "--persist-root",
			persist,    NULL };
	char *bind[] = { "sriov", "bind",     PF,	  "--vfs",
			 "0-1",	  "--driver", "vfio-pci", NULL };
	char *before, *after;

	snprintf(persist, sizeof(persist), "%s/etc-root", f->root);
	fake_numvfs(f, 4);
	before = tree_dump(f->root);
	assert_int_equal(run_cli(f, true, false, set), 0);
	assert_int_equal(run_cli(f, true, true, bind), 0);
	after = tree_dump(f->root);
	assert_string_equal(before, after);
	assert_int_equal(f->nlog, 0);
	free(after);
	/* The same without --dry-run changes the tree. */
	assert_int_equal(run_cli(f, false, false, bind), 0);
	after = tree_dump(f->root);
	assert_string_not_equal(before, after);
	free(after);
	free(before);
}

static void test_cli_errors(void **state)
{
	struct fake *f = *state;
	char *big[] = { "sriov", "set", PF, "--numvfs", "9", NULL };
	char *nos[] = { "sriov", "set", "nosriov0", "--numvfs", "1", NULL };
	char *unk[] = { "sriov", "set", "nope0", "--numvfs", "1", NULL };
	char *vfr[] = { "sriov", "bind",     PF,	 "--vfs",
			"7",	 "--driver", "vfio-pci", NULL };
	char *badl[] = { "sriov", "bind",     PF,	  "--vfs",
			 "x",	  "--driver", "vfio-pci", NULL };
	char *mac[] = { "sriov", "vf", PF, "0", "--mac", "zz", NULL };
	char *vlan[] = { "sriov", "vf", PF, "0", "--vlan", "4095", NULL };
	char *qos[] = { "sriov", "vf", PF, "0", "--qos", "3", NULL };
	char *vfi[] = { "sriov", "vf", PF, "9", "--trust", "on", NULL };
	char *sub[] = { "sriov", "frobnicate", NULL };
	char *help[] = { "sriov", "set", "--help", NULL };
	char *before, *after;

	fake_numvfs(f, 2);
	before = tree_dump(f->root);
	assert_int_equal(run_cli(f, false, false, big), 2);
	assert_int_equal(run_cli(f, false, false, nos), 1);
	assert_int_equal(run_cli(f, false, true, unk), 2);
	assert_int_equal(run_cli(f, false, false, vfr), 2);
	assert_int_equal(run_cli(f, false, false, badl), 2);
	assert_int_equal(run_cli(f, false, false, mac), 2);
	assert_int_equal(run_cli(f, false, false, vlan), 2);
	assert_int_equal(run_cli(f, false, false, qos), 2);
	assert_int_equal(run_cli(f, false, false, vfi), 2);
	assert_int_equal(run_cli(f, false, false, sub), 2);
	assert_int_equal(run_cli(f, false, false, help), 0);
	after = tree_dump(f->root);
	assert_string_equal(before, after);
	assert_int_equal(f->nlog, 0);
	free(before);
	free(after);
}

static void test_persist(void **state)
{
	struct fake *f = *state;
	char proot[PATH_MAX + 16], path[PATH_MAX + 128], *text;
	char *set[] = { "sriov",	  "set", PF,
			"--numvfs",	  "4",	 "--persist",
			"--persist-root", proot, NULL };
	char *bind[] = { "sriov",    "bind",	  PF,
			 "--vfs",    "0-1",	  "--driver",
			 "vfio-pci", "--persist", "--persist-root",
			 proot,	     NULL };
	struct sriov_conf c = { 0 };
	struct sriov_persist p;
	FILE *fp;
	char target[64];
	ssize_t n;

	snprintf(proot, sizeof(proot), "%s/etc-root", f->root);
	fake_numvfs(f, 4);
	assert_int_equal(run_cli(f, false, false, set), 0);
	assert_int_equal(run_cli(f, false, false, bind), 0);
	snprintf(path, sizeof(path), "%s/etc/afxdp-kit/sriov/%s.conf", proot,
		 PF);
	assert_int_equal(sriov_conf_load(path, &c), 0);
	assert_string_equal(sriov_conf_get(&c, "numvfs"), "4");
	assert_string_equal(sriov_conf_get(&c, "vf.0.driver"), "vfio-pci");
	assert_string_equal(sriov_conf_get(&c, "vf.1.driver"), "vfio-pci");
	assert_null(sriov_conf_get(&c, "vf.2.driver"));
	/* The same config plans no config file change; only the unit
	 * differs (another ExecStart path). */
	assert_int_equal(sriov_persist_plan(proot, PF, &c, "/x", &p), 0);
	assert_int_equal(p.n, 1);
	assert_non_null(strstr(p.files[0].path, SRIOV_UNIT_NAME));
	sriov_persist_free(&p);
	snprintf(path, sizeof(path), "%s/etc/systemd/system/" SRIOV_UNIT_NAME,
		 proot);
	fp = fopen(path, "r");
	assert_non_null(fp);
	text = calloc(1, 4096);
	assert_true(fread(text, 1, 4095, fp) > 0);
	fclose(fp);
	assert_non_null(strstr(text, "Type=oneshot"));
	assert_non_null(strstr(text, " sriov apply %i\n"));
	assert_non_null(strstr(text, "WantedBy=multi-user.target"));
	free(text);
	snprintf(
		path, sizeof(path),
		"%s/etc/systemd/system/multi-user.target.wants/afxdp-sriov@%s.service",
		proot, PF);
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../" SRIOV_UNIT_NAME);
	/* Shrinking numvfs drops the settings of VFs that go away. */
	sriov_conf_drop_vfs_from(&c, 1);
	assert_non_null(sriov_conf_get(&c, "vf.0.driver"));
	assert_null(sriov_conf_get(&c, "vf.1.driver"));
	sriov_conf_free(&c);
}

static void test_conf_parse(void **state)
{
	struct sriov_conf c = { 0 };
	char *text;

	(void)state;
	assert_int_equal(
		sriov_conf_parse(
			"# c\n numvfs = 8\n\nvf.10.mac=02:00:00:00:00:01\nvf.2.trust=on\nautoprobe=off\n",
			&c),
		0);
	assert_string_equal(sriov_conf_get(&c, "numvfs"), "8");
	assert_string_equal(sriov_conf_get(&c, "vf.10.mac"),
			    "02:00:00:00:00:01");
	text = sriov_conf_format(&c, "eth9");
	assert_non_null(text);
	/* numvfs/autoprobe first, then VF 2 before VF 10 (numeric). */
	assert_true(strstr(text, "autoprobe=off") < strstr(text, "numvfs=8"));
	assert_true(strstr(text, "numvfs=8") < strstr(text, "vf.2.trust"));
	assert_true(strstr(text, "vf.2.trust") < strstr(text, "vf.10.mac"));
	free(text);
	sriov_conf_free(&c);
	assert_int_equal(sriov_conf_parse("garbage line\n", &c), -EINVAL);
	sriov_conf_free(&c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fake_setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_zero_to_n),
		T(test_n_to_m_through_zero),
		T(test_n_over_total),
		T(test_not_sriov_and_unknown),
		T(test_permission_denied),
		T(test_write_fails_for_real),
		T(test_bind_rollback),
		T(test_numvfs_rollback),
		T(test_groups_isolated),
		T(test_in_use_refused),
		T(test_idempotent_set),
		T(test_dry_run_identical),
		T(test_cli_errors),
		T(test_persist),
		cmocka_unit_test(test_conf_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
