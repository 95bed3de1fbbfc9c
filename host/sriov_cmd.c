// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov: the group of verbs, how each one runs (sysfs root,
 * report, answer, exit status) and the steps they share: reading the PF,
 * reporting and applying a sysfs plan, --persist. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sriov_cmd.h"

/* "sriov set" -> "set": the "command" of the JSON answer. */
static const char *verb_name(const struct cmd_ctx *c)
{
	const char *sp = strrchr(c->verb, ' ');

	return sp ? sp + 1 : c->verb;
}

void sriov_init(void *opts)
{
	struct sriov_common *co = opts;

	co->persist_root = "/";
}

void sriov_usage_error(struct cmd_ctx *c, void *opts)
{
	struct report rep;

	(void)opts;
	if (!c->g->json || report_init(&rep, true, c->g->dry_run))
		return;
	report_print(&rep, verb_name(c), c->err, false);
	report_free(&rep);
}

int sriov_run(struct cmd_ctx *c, void *opts, int argc, char **argv, sriov_fn fn,
	      bool summary)
{
	const struct sriov_common *co = opts;
	struct sriov_run r = { .c = c,
			       .g = c->g,
			       .persist = co->persist,
			       .persist_root = co->persist_root };
	int err;

	if (report_init(&r.rep, c->g->json, c->g->dry_run))
		return cmd_status(c, cmd_fail(c, -ENOMEM, "out of memory"));
	if (sriov_sysfs_init(&r.s, c->g->sysfs_root, c->g->procfs_root))
		err = cmd_fail(c, -EINVAL, "bad --sysfs-root");
	else
		err = fn(&r, opts, argc, argv);
	if (report_print(&r.rep, verb_name(c), err ? c->err : NULL, summary) &&
	    !err)
		err = cmd_fail(c, -EIO, "cannot write the answer");
	report_free(&r.rep);
	return cmd_status(c, err);
}

int sriov_pf_error(struct sriov_run *r, const char *pf, int err)
{
	if (err == -ENODEV)
		return cmd_fail(r->c, err,
				"unknown PF '%s' (no %s/class/net/%s)", pf,
				r->s.fs.root, pf);
	if (err == -EOPNOTSUPP)
		return cmd_fail_status(
			r->c, HOST_EXIT_FAIL, err,
			"%s: not SR-IOV capable (no device/sriov_totalvfs in sysfs)",
			pf);
	return cmd_fail_status(r->c, HOST_EXIT_FAIL, err,
			       "%s: cannot read SR-IOV state: %s", pf,
			       strerror(-err));
}

int sriov_load_pf(struct sriov_run *r, const char *name, struct sriov_pf **out)
{
	int err;

	*out = malloc(sizeof(**out));
	if (!*out)
		return cmd_fail(r->c, -ENOMEM, "out of memory");
	err = sriov_pf_read(&r->s, name, *out);
	return err ? sriov_pf_error(r, name, err) : 0;
}

int sriov_check_vf_index(struct sriov_run *r, const struct sriov_pf *pf,
			 uint32_t vf)
{
	if (vf >= pf->numvfs)
		return cmd_fail(
			r->c, -ERANGE,
			"%s: VF index %u out of range (the PF has %u VFs)",
			pf->name, vf, pf->numvfs);
	return 0;
}

const char *sriov_shown(const char *v)
{
	return !strcmp(v, "\n") ? "(null)" : v;
}

void sriov_report_plan(struct sriov_run *r, const struct sriov_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct sriov_step *st = &p->steps[i];
		json_object *c = json_object_new_object();
		char path[PATH_MAX];

		sysfs_path(&r->s.fs, path, sizeof(path), "%s", st->rel);
		json_object_object_add(c, "kind",
				       json_object_new_string("sysfs"));
		json_object_object_add(c, "path", json_object_new_string(path));
		json_object_object_add(c, "old", report_str(st->old));
		json_object_object_add(
			c, "new", json_object_new_string(sriov_shown(st->val)));
		if (st->old[0])
			report_change(&r->rep, c, "sysfs %s: %s -> %s", path,
				      st->old, sriov_shown(st->val));
		else
			report_change(&r->rep, c, "sysfs %s <- %s", path,
				      st->val);
	}
}

int sriov_write_files(struct sriov_run *r, const struct sriov_persist *p)
{
	int err = sriov_persist_apply(p);

	if (err)
		return cmd_fail_status(r->c, HOST_EXIT_FAIL, err,
				       "--persist: %s", strerror(-err));
	return 0;
}

static void report_persist(struct sriov_run *r, const struct sriov_persist *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct sriov_file_change *f = &p->files[i];
		json_object *c = json_object_new_object();
		const char *act = f->symlink ? "link" :
				  f->old     ? "update" :
					       "create";

		json_object_object_add(c, "kind",
				       json_object_new_string("file"));
		json_object_object_add(c, "path",
				       json_object_new_string(f->path));
		json_object_object_add(c, "action",
				       json_object_new_string(act));
		json_object_object_add(c, "old", report_str(f->old));
		json_object_object_add(c, "new",
				       json_object_new_string(f->new));
		if (f->symlink)
			report_change(&r->rep, c, "file %s: link -> %s",
				      f->path, f->new);
		else
			report_change(&r->rep, c, "file %s: %s (%zu bytes)",
				      f->path, act, strlen(f->new));
	}
}

int sriov_plan_files(struct sriov_run *r, const char *pf,
		     int (*edit)(struct sriov_conf *c, void *data), void *data,
		     struct sriov_persist *p)
{
	char path[PATH_MAX], exe[PATH_MAX] = "/usr/sbin/afxdp-host";
	struct sriov_conf conf = { 0 };
	ssize_t n;
	int err;

	memset(p, 0, sizeof(*p));
	if (!r->persist)
		return 0;
	/* ExecStart runs the binary that wrote the unit. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	err = sriov_conf_path(r->persist_root, pf, path, sizeof(path));
	if (!err)
		err = sriov_conf_load(path, &conf);
	if (!err)
		err = edit(&conf, data);
	if (!err)
		err = sriov_persist_plan(r->persist_root, pf, &conf, exe, p);
	sriov_conf_free(&conf);
	if (err)
		return cmd_fail_status(r->c, HOST_EXIT_FAIL, err,
				       "--persist: %s: %s", path,
				       strerror(-err));
	report_persist(r, p);
	return 0;
}

static int apply_plan(struct sriov_run *r, const char *pf,
		      const struct sriov_plan *p,
		      const struct sriov_persist *per)
{
	char path[PATH_MAX];
	size_t failed = 0;
	int err = sriov_plan_apply(&r->s, p, &failed);

	if (err) {
		sysfs_path(&r->s.fs, path, sizeof(path), "%s",
			   p->steps[failed].rel);
		return cmd_fail_status(
			r->c, HOST_EXIT_FAIL, err,
			"%s: writing %s to %s failed: %s; rolled back %zu earlier step(s)",
			pf, sriov_shown(p->steps[failed].val), path,
			strerror(-err), failed);
	}
	err = sriov_write_files(r, per);
	if (err)
		sriov_plan_undo(&r->s, p, p->n);
	return err;
}

int sriov_commit(struct sriov_run *r, const char *pf,
		 const struct sriov_plan *p,
		 int (*edit)(struct sriov_conf *c, void *data), void *data)
{
	struct sriov_persist per = { 0 };
	int err;

	sriov_report_plan(r, p);
	err = sriov_plan_files(r, pf, edit, data, &per);
	if (!err && !r->g->dry_run)
		err = apply_plan(r, pf, p, &per);
	sriov_persist_free(&per);
	return err;
}

static const struct cmd_verb *const sriov_verbs[] = {
	&sriov_set_verb,
	&sriov_vf_verb,
	&sriov_bind_verb,
	&sriov_show_verb,
	&sriov_vm_verb,
	&sriov_apply_verb,
	NULL,
};

const struct cmd_verb sriov_verb = {
	.name = "sriov",
	.summary = "create, configure and show SR-IOV VFs",
	.description =
		"Creates SR-IOV VFs, splits them between vfio-pci (DPDK guests) and\n"
		"the kernel VF driver (AF_XDP guests), sets per-VF options, hands a\n"
		"VF to a domain, persists it all for boot. Exit: 0 ok, 1 failed,\n"
		"2 bad usage (nothing changed). See afxdp-host-sriov(8).",
	.subs = sriov_verbs,
	.usage_error = sriov_usage_error,
};

int cmd_sriov(const struct host_global_opts *g, int argc, char **argv)
{
	return cmd_run("afxdp-host", &sriov_verb, g, argc, argv);
}
