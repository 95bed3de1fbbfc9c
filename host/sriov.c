// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov: create and configure SR-IOV VFs, split them between
 * vfio-pci (DPDK guests) and the kernel VF driver (AF_XDP guests), read it
 * all back, persist it, hand a VF to a domain. Every changing command
 * plans first (sysfs writes, netlink settings, files), prints the plan for
 * --dry-run, and undoes what it applied when a later step fails. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>

#include <json-c/json.h>

#include "host/cmds.h"
#include "host/sriov_netlink.h"
#include "host/sriov_persist.h"
#include "host/sriov_sysfs.h"
#include "host/sriov_vm.h"
#include "util/parse.h"

struct run {
	bool json, dry_run;
	const struct host_global_opts *g;
	struct sriov_sysfs s;
	json_object *changes; /* [{kind, target, old, new, ...}] */
	json_object *lines; /* the same, as text for humans */
	json_object *result; /* extra keys for the JSON answer */
	bool persist;
	const char *persist_root;
	bool helped; /* --help printed: no result */
};

enum {
	OPT_PERSIST = 0x100,
	OPT_PERSIST_ROOT,
	OPT_AUTOPROBE,
	OPT_NUMVFS,
	OPT_FORCE,
	OPT_MAC,
	OPT_VLAN,
	OPT_QOS,
	OPT_VLAN_PROTO,
	OPT_TRUST,
	OPT_SPOOFCHK,
	OPT_LINK_STATE,
	OPT_MIN_RATE,
	OPT_MAX_RATE,
	OPT_VFS,
	OPT_DRIVER,
	OPT_PF,
	OPT_VF,
	OPT_CONFIG,
	OPT_LIVE,
	OPT_CONFFILE,
};

static const char usage_text[] =
	"Usage: afxdp-host [GLOBAL OPTIONS] sriov COMMAND ...\n"
	"  set PF [--numvfs N] [--autoprobe on|off] [--force] [--persist]\n"
	"  vf PF VF [--mac MAC] [--vlan 0-4094 [--qos 0-7]\n"
	"           [--vlan-proto 802.1Q|802.1ad]] [--trust on|off]\n"
	"           [--spoofchk on|off] [--link-state auto|enable|disable]\n"
	"           [--min-rate Mbps] [--max-rate Mbps] [--persist]\n"
	"  bind PF --vfs LIST --driver vfio-pci|kernel|DRIVER [--force]\n"
	"           [--persist]\n"
	"  show [PF]\n"
	"  vm DOMAIN --pf PF --vf N [--mac MAC] [--vlan V] [--config] [--live]\n"
	"  apply PF [--config-file FILE]   (what the boot unit runs)\n"
	"Every command takes -n/--dry-run, -j/--json, -h/--help;\n"
	"--persist-root DIR (default /) places the --persist files.\n"
	"See afxdp-host-sriov(8).\n";

static int usage(FILE *f, int code)
{
	fputs(usage_text, f);
	return code;
}

static int help(struct run *r)
{
	r->helped = true;
	return usage(stdout, HOST_EXIT_OK);
}

static int fail(struct run *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct run *r, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "afxdp-host sriov: %s\n", msg);
	if (r->json && !json_object_object_get_ex(r->result, "error", NULL))
		json_object_object_add(r->result, "error",
				       json_object_new_string(msg));
	return code;
}

static void add_change(struct run *r, json_object *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_change(struct run *r, json_object *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_object_array_add(r->changes, c);
	json_object_array_add(r->lines, json_object_new_string(line));
}

static json_object *jstr_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static const char *shown(const char *v)
{
	return !strcmp(v, "\n") ? "(null)" : v;
}

static void record_plan(struct run *r, const struct sriov_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct sriov_step *st = &p->steps[i];
		json_object *c = json_object_new_object();
		char path[PATH_MAX];

		sysfs_path(&r->s.fs, path, sizeof(path), "%s", st->rel);
		json_object_object_add(c, "kind",
				       json_object_new_string("sysfs"));
		json_object_object_add(c, "path", json_object_new_string(path));
		json_object_object_add(c, "old", jstr_or_null(st->old));
		json_object_object_add(c, "new",
				       json_object_new_string(shown(st->val)));
		if (st->old[0])
			add_change(r, c, "sysfs %s: %s -> %s", path, st->old,
				   shown(st->val));
		else
			add_change(r, c, "sysfs %s <- %s", path, st->val);
	}
}

static void record_persist(struct run *r, const struct sriov_persist *p)
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
		json_object_object_add(c, "old", jstr_or_null(f->old));
		json_object_object_add(c, "new",
				       json_object_new_string(f->new));
		if (f->symlink)
			add_change(r, c, "file %s: link -> %s", f->path,
				   f->new);
		else
			add_change(r, c, "file %s: %s (%zu bytes)", f->path,
				   act, strlen(f->new));
	}
}

static int read_pf(struct run *r, const char *pf, struct sriov_pf *out)
{
	int err = sriov_pf_read(&r->s, pf, out);

	if (err == -ENODEV)
		return fail(r, HOST_EXIT_USAGE,
			    "unknown PF '%s' (no %s/class/net/%s)", pf,
			    r->s.fs.root, pf);
	if (err == -EOPNOTSUPP)
		return fail(
			r, HOST_EXIT_FAIL,
			"%s: not SR-IOV capable (no device/sriov_totalvfs in sysfs)",
			pf);
	if (err)
		return fail(r, HOST_EXIT_FAIL,
			    "%s: cannot read SR-IOV state: %s", pf,
			    strerror(-err));
	return 0;
}

/* A PF read afresh from sysfs; the caller frees *out, also on error. */
static int load_pf(struct run *r, const char *name, struct sriov_pf **out)
{
	*out = malloc(sizeof(**out));
	if (!*out)
		return fail(r, HOST_EXIT_FAIL, "out of memory");
	return read_pf(r, name, *out);
}

/* The VF of a command exists: numvfs covers it. */
static int check_vf_index(struct run *r, const struct sriov_pf *pf, uint32_t vf)
{
	if (vf >= pf->numvfs)
		return fail(r, HOST_EXIT_USAGE,
			    "%s: VF index %u out of range (the PF has %u VFs)",
			    pf->name, vf, pf->numvfs);
	return 0;
}

/* --persist: merge into the PF's config and plan the files. */
static int persist_plan(struct run *r, const char *pf,
			int (*edit)(struct sriov_conf *c, void *data),
			void *data, struct sriov_persist *p)
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
		return fail(r, HOST_EXIT_FAIL, "--persist: %s: %s", path,
			    strerror(-err));
	record_persist(r, p);
	return 0;
}

static int persist_apply(struct run *r, const struct sriov_persist *p)
{
	int err = sriov_persist_apply(p);

	if (err)
		return fail(r, HOST_EXIT_FAIL, "--persist: %s", strerror(-err));
	return 0;
}

#define COMMON_OPTS                                                       \
	{ "help", no_argument, NULL, 'h' },                               \
		{ "dry-run", no_argument, NULL, 'n' },                    \
		{ "json", no_argument, NULL, 'j' },                       \
		{ "persist", no_argument, NULL, OPT_PERSIST },            \
	{                                                                 \
		"persist-root", required_argument, NULL, OPT_PERSIST_ROOT \
	}

/* Options every subcommand shares; returns 1 when handled. */
static int common_opt(struct run *r, int c)
{
	switch (c) {
	case 'n':
		r->dry_run = true;
		return 1;
	case 'j':
		r->json = true;
		return 1;
	case OPT_PERSIST:
		r->persist = true;
		return 1;
	case OPT_PERSIST_ROOT:
		r->persist_root = optarg;
		return 1;
	}
	return 0;
}

/* getopt_long over a subcommand's options, the common ones handled here. */
static int next_opt(struct run *r, int argc, char **argv,
		    const struct option *opts)
{
	int c;

	do
		c = getopt_long(argc, argv, "hnj", opts, NULL);
	while (c != -1 && common_opt(r, c));
	return c;
}

static int parse_onoff(const char *s, int *out)
{
	bool b;

	if (strcmp(s, "on") && strcmp(s, "off"))
		return parse_bool(s, &b) ? -EINVAL : (*out = b, 0);
	*out = !strcmp(s, "on");
	return 0;
}

/* ---- set ---- */

struct set_edit {
	uint32_t numvfs;
	bool has_numvfs;
	int autoprobe;
};

static int set_edit(struct sriov_conf *c, void *data)
{
	struct set_edit *e = data;
	char v[16];
	int err = 0;

	if (e->has_numvfs) {
		snprintf(v, sizeof(v), "%u", e->numvfs);
		err = sriov_conf_set(c, "numvfs", v);
		sriov_conf_drop_vfs_from(c, e->numvfs);
	}
	if (!err && e->autoprobe >= 0)
		err = sriov_conf_set(c, "autoprobe",
				     e->autoprobe ? "on" : "off");
	return err;
}

static int do_set(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "numvfs", required_argument, NULL, OPT_NUMVFS },
		{ "autoprobe", required_argument, NULL, OPT_AUTOPROBE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ 0 },
	};
	struct sriov_numvfs_opts o = { .autoprobe = -1 };
	struct set_edit e = { .autoprobe = -1 };
	struct sriov_plan plan = { 0 };
	struct sriov_persist per = { 0 };
	struct sriov_pf *pf = NULL;
	size_t failed = 0;
	int c, err, ret;

	optind = 0;
	while ((c = next_opt(r, argc, argv, opts)) != -1) {
		switch (c) {
		case 'h':
			return help(r);
		case OPT_NUMVFS:
			if (parse_u32(optarg, 0, 65535, &o.numvfs))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --numvfs '%s'", optarg);
			e.has_numvfs = true;
			break;
		case OPT_AUTOPROBE:
			if (parse_onoff(optarg, &o.autoprobe))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --autoprobe '%s' (on|off)",
					    optarg);
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		default:
			return usage(stderr, HOST_EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		return fail(r, HOST_EXIT_USAGE, "set: expected one PF");
	if (!e.has_numvfs && o.autoprobe < 0)
		return fail(r, HOST_EXIT_USAGE,
			    "set: nothing to do (--numvfs and/or --autoprobe)");
	ret = load_pf(r, argv[optind], &pf);
	if (ret)
		goto out;
	if (!e.has_numvfs)
		o.numvfs = pf->numvfs;
	e.numvfs = o.numvfs;
	e.autoprobe = o.autoprobe;
	err = sriov_plan_numvfs(pf, &o, &plan);
	if (err == -ERANGE) {
		ret = fail(r, HOST_EXIT_USAGE,
			   "%s: --numvfs %u exceeds sriov_totalvfs %u",
			   pf->name, o.numvfs, pf->totalvfs);
		goto out;
	}
	if (err == -EBUSY) {
		char list[256] = "";

		for (size_t i = 0; i < pf->nvfs; i++)
			if (pf->vfs[i].group == SRIOV_GROUP_VFIO)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%zu%s",
					 list[0] ? "," : "", i,
					 pf->vfs[i].in_use ? "(in use)" : "");
		ret = fail(
			r, HOST_EXIT_FAIL,
			"%s: refusing to change numvfs %u -> %u: VFs %s are bound to vfio-pci (DPDK/assigned); changing numvfs destroys every VF; use --force",
			pf->name, pf->numvfs, o.numvfs, list);
		goto out;
	}
	if (err == -EOPNOTSUPP) {
		ret = fail(r, HOST_EXIT_FAIL,
			   "%s: no sriov_drivers_autoprobe in sysfs", pf->name);
		goto out;
	}
	if (err) {
		ret = fail(r, HOST_EXIT_FAIL, "%s: %s", pf->name,
			   strerror(-err));
		goto out;
	}
	record_plan(r, &plan);
	ret = persist_plan(r, pf->name, set_edit, &e, &per);
	if (ret || r->dry_run)
		goto out;
	err = sriov_plan_apply(&r->s, &plan, &failed);
	if (err) {
		char path[PATH_MAX];

		sysfs_path(&r->s.fs, path, sizeof(path), "%s",
			   plan.steps[failed].rel);
		ret = fail(
			r, HOST_EXIT_FAIL,
			"%s: writing %s to %s failed: %s; rolled back %zu earlier step(s)",
			pf->name, plan.steps[failed].val, path, strerror(-err),
			failed);
		goto out;
	}
	ret = persist_apply(r, &per);
	if (ret)
		sriov_plan_undo(&r->s, &plan, plan.n);
out:
	sriov_persist_free(&per);
	sriov_plan_free(&plan);
	free(pf);
	return ret;
}

/* ---- bind ---- */

struct bind_edit {
	const uint32_t *vfs;
	size_t n;
	const char *driver;
};

static int bind_edit(struct sriov_conf *c, void *data)
{
	struct bind_edit *e = data;
	char key[48];
	int err = 0;

	for (size_t i = 0; i < e->n && !err; i++) {
		snprintf(key, sizeof(key), "vf.%u.driver", e->vfs[i]);
		err = sriov_conf_set(c, key, e->driver);
	}
	return err;
}

static int do_bind(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "vfs", required_argument, NULL, OPT_VFS },
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ 0 },
	};
	static uint32_t vfs[SRIOV_MAX_VFS];
	struct sriov_bind_opts o = { .vfs = vfs };
	struct sriov_plan plan = { 0 };
	struct sriov_persist per = { 0 };
	struct sriov_pf *pf = NULL;
	const char *list = NULL;
	size_t failed = 0;
	int c, err, ret;

	optind = 0;
	while ((c = next_opt(r, argc, argv, opts)) != -1) {
		switch (c) {
		case 'h':
			return help(r);
		case OPT_VFS:
			list = optarg;
			break;
		case OPT_DRIVER:
			o.driver = optarg;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		default:
			return usage(stderr, HOST_EXIT_USAGE);
		}
	}
	if (argc - optind != 1 || !list || !o.driver)
		return fail(
			r, HOST_EXIT_USAGE,
			"bind: expected PF --vfs LIST --driver vfio-pci|kernel|DRIVER");
	if (!*o.driver || strchr(o.driver, '/') ||
	    strlen(o.driver) >= SRIOV_NAME_LEN)
		return fail(r, HOST_EXIT_USAGE, "bad --driver '%s'", o.driver);
	if (parse_u32_list(list, SRIOV_MAX_VFS - 1, vfs, SRIOV_MAX_VFS,
			   &o.nvfs))
		return fail(r, HOST_EXIT_USAGE,
			    "bad --vfs '%s' (e.g. 0-3 or 0,2,5)", list);
	ret = load_pf(r, argv[optind], &pf);
	if (ret)
		goto out;
	err = sriov_plan_bind(pf, &o, &plan);
	if (err == -ERANGE) {
		ret = fail(
			r, HOST_EXIT_USAGE,
			"%s: VF index out of range in '%s' (the PF has %u VFs)",
			pf->name, list, pf->numvfs);
		goto out;
	}
	if (err == -ENOENT) {
		ret = fail(
			r, HOST_EXIT_FAIL,
			"%s: a VF of '%s' has no virtfn link in sysfs (not created?)",
			pf->name, list);
		goto out;
	}
	if (err == -EBUSY) {
		ret = fail(
			r, HOST_EXIT_FAIL,
			"%s: a VF of '%s' is in use (its /dev/vfio group is open, e.g. by a running domain); use --force",
			pf->name, list);
		goto out;
	}
	if (err) {
		ret = fail(r, HOST_EXIT_FAIL, "%s: %s", pf->name,
			   strerror(-err));
		goto out;
	}
	record_plan(r, &plan);
	{
		struct bind_edit be = { vfs, o.nvfs, o.driver };

		ret = persist_plan(r, pf->name, bind_edit, &be, &per);
	}
	if (ret || r->dry_run)
		goto out;
	err = sriov_plan_apply(&r->s, &plan, &failed);
	if (err) {
		ret = fail(
			r, HOST_EXIT_FAIL,
			"%s: writing %s to %s failed: %s; rolled back %zu earlier step(s)",
			pf->name, shown(plan.steps[failed].val),
			plan.steps[failed].rel, strerror(-err), failed);
		goto out;
	}
	ret = persist_apply(r, &per);
	if (ret)
		sriov_plan_undo(&r->s, &plan, plan.n);
out:
	sriov_persist_free(&per);
	sriov_plan_free(&plan);
	free(pf);
	return ret;
}

/* ---- vf ---- */

static int vf_edit(struct sriov_conf *c, void *data)
{
	const struct sriov_vf_cfg *w = data;
	char key[48], v[64];
	int err = 0;

#define SETKV(name, ...)                                          \
	do {                                                      \
		snprintf(key, sizeof(key), "vf.%u." name, w->vf); \
		snprintf(v, sizeof(v), __VA_ARGS__);              \
		if (!err)                                         \
			err = sriov_conf_set(c, key, v);          \
	} while (0)
	if (w->mask & SRIOV_VF_MAC) {
		char mac[MAC_STR_LEN];

		SETKV("mac", "%s", format_mac(w->mac, mac));
	}
	if (w->mask & SRIOV_VF_VLAN) {
		SETKV("vlan", "%u", w->vlan);
		SETKV("qos", "%u", w->qos);
		SETKV("vlan-proto", "%s",
		      w->vlan_proto == ETH_P_8021AD ? "802.1ad" : "802.1Q");
	}
	if (w->mask & SRIOV_VF_TRUST)
		SETKV("trust", "%s", w->trust ? "on" : "off");
	if (w->mask & SRIOV_VF_SPOOFCHK)
		SETKV("spoofchk", "%s", w->spoofchk ? "on" : "off");
	if (w->mask & SRIOV_VF_LINK_STATE)
		SETKV("link-state", "%s", sriov_link_state_name(w->link_state));
	if (w->mask & SRIOV_VF_RATE) {
		SETKV("min-rate", "%u", w->min_rate);
		SETKV("max-rate", "%u", w->max_rate);
	}
#undef SETKV
	return err;
}

static int do_vf(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "vlan", required_argument, NULL, OPT_VLAN },
		{ "qos", required_argument, NULL, OPT_QOS },
		{ "vlan-proto", required_argument, NULL, OPT_VLAN_PROTO },
		{ "trust", required_argument, NULL, OPT_TRUST },
		{ "spoofchk", required_argument, NULL, OPT_SPOOFCHK },
		{ "link-state", required_argument, NULL, OPT_LINK_STATE },
		{ "min-rate", required_argument, NULL, OPT_MIN_RATE },
		{ "max-rate", required_argument, NULL, OPT_MAX_RATE },
		{ 0 },
	};
	struct sriov_vf_cfg want = { .vlan_proto = ETH_P_8021Q }, delta, *cur;
	bool has_qos = false, has_proto = false, has_min = false,
	     has_max = false;
	struct sriov_vf_cfg *vfs = NULL;
	struct sriov_persist per = { 0 };
	struct nl_handle nl = { 0 };
	struct sriov_pf *pf = NULL;
	uint32_t v, num_vf, applied = 0;
	size_t n = 0;
	int c, err, ret, ifindex, b;

	optind = 0;
	while ((c = next_opt(r, argc, argv, opts)) != -1) {
		switch (c) {
		case 'h':
			return help(r);
		case OPT_MAC:
			if (parse_mac(optarg, want.mac))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --mac '%s'", optarg);
			want.mask |= SRIOV_VF_MAC;
			break;
		case OPT_VLAN:
			if (parse_u32(optarg, 0, 4094, &v))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --vlan '%s' (0-4094)", optarg);
			want.vlan = (uint16_t)v;
			want.mask |= SRIOV_VF_VLAN;
			break;
		case OPT_QOS:
			if (parse_u32(optarg, 0, 7, &v))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --qos '%s' (0-7)", optarg);
			want.qos = (uint8_t)v;
			has_qos = true;
			break;
		case OPT_VLAN_PROTO:
			if (!strcasecmp(optarg, "802.1Q"))
				want.vlan_proto = ETH_P_8021Q;
			else if (!strcasecmp(optarg, "802.1ad"))
				want.vlan_proto = ETH_P_8021AD;
			else
				return fail(
					r, HOST_EXIT_USAGE,
					"bad --vlan-proto '%s' (802.1Q|802.1ad)",
					optarg);
			has_proto = true;
			break;
		case OPT_TRUST:
		case OPT_SPOOFCHK:
			if (parse_onoff(optarg, &b))
				return fail(r, HOST_EXIT_USAGE,
					    "bad %s '%s' (on|off)",
					    c == OPT_TRUST ? "--trust" :
							     "--spoofchk",
					    optarg);
			if (c == OPT_TRUST)
				want.trust = b, want.mask |= SRIOV_VF_TRUST;
			else
				want.spoofchk = b,
				want.mask |= SRIOV_VF_SPOOFCHK;
			break;
		case OPT_LINK_STATE:
			if (sriov_link_state_parse(optarg, &want.link_state))
				return fail(
					r, HOST_EXIT_USAGE,
					"bad --link-state '%s' (auto|enable|disable)",
					optarg);
			want.mask |= SRIOV_VF_LINK_STATE;
			break;
		case OPT_MIN_RATE:
		case OPT_MAX_RATE:
			if (parse_u32(optarg, 0, UINT32_MAX, &v))
				return fail(r, HOST_EXIT_USAGE,
					    "bad rate '%s' (Mbps)", optarg);
			if (c == OPT_MIN_RATE)
				want.min_rate = v, has_min = true;
			else
				want.max_rate = v, has_max = true;
			want.mask |= SRIOV_VF_RATE;
			break;
		default:
			return usage(stderr, HOST_EXIT_USAGE);
		}
	}
	if (argc - optind != 2)
		return fail(r, HOST_EXIT_USAGE, "vf: expected PF VF");
	if ((has_qos || has_proto) && !(want.mask & SRIOV_VF_VLAN))
		return fail(r, HOST_EXIT_USAGE,
			    "--qos/--vlan-proto need --vlan");
	if (want.qos && !want.vlan)
		return fail(r, HOST_EXIT_USAGE,
			    "--qos needs a VLAN id (--vlan 1-4094)");
	if (!want.mask)
		return fail(r, HOST_EXIT_USAGE, "vf: nothing to set");
	if (parse_u32(argv[optind + 1], 0, SRIOV_MAX_VFS - 1, &want.vf))
		return fail(r, HOST_EXIT_USAGE, "bad VF index '%s'",
			    argv[optind + 1]);
	if (has_min && has_max && want.max_rate &&
	    want.min_rate > want.max_rate)
		return fail(r, HOST_EXIT_USAGE, "--min-rate > --max-rate");
	vfs = calloc(SRIOV_MAX_VFS, sizeof(*vfs));
	if (!vfs) {
		ret = fail(r, HOST_EXIT_FAIL, "out of memory");
		goto out;
	}
	ret = load_pf(r, argv[optind], &pf);
	if (!ret)
		ret = check_vf_index(r, pf, want.vf);
	if (ret)
		goto out;
	ifindex = (int)if_nametoindex(pf->name);
	if (!ifindex) {
		ret = fail(
			r, HOST_EXIT_FAIL,
			"%s: no such netdev in this network namespace (VF settings go through the PF over netlink)",
			pf->name);
		goto out;
	}
	err = nl_open(&nl, NETLINK_ROUTE);
	if (!err)
		err = sriov_nl_get_vfs(&nl, ifindex, vfs, SRIOV_MAX_VFS, &n,
				       &num_vf);
	if (err) {
		ret = fail(r, HOST_EXIT_FAIL, "%s: RTM_GETLINK: %s", pf->name,
			   strerror(-err));
		goto out;
	}
	cur = NULL;
	for (size_t i = 0; i < n; i++)
		if (vfs[i].vf == want.vf)
			cur = &vfs[i];
	if (!cur) {
		ret = fail(r, HOST_EXIT_FAIL,
			   "%s: the kernel reports no VF %u over netlink",
			   pf->name, want.vf);
		goto out;
	}
	/* A rate sets both bounds: keep the one not given. */
	if (!has_min)
		want.min_rate = cur->min_rate;
	if (!has_max)
		want.max_rate = cur->max_rate;
	sriov_vf_diff(cur, &want, &delta);
	for (uint32_t f = 1; f <= SRIOV_VF_RATE; f <<= 1) {
		char o[64], nw[64];
		json_object *jc;

		if (!(delta.mask & f))
			continue;
		sriov_vf_field_str(cur, f, o, sizeof(o));
		sriov_vf_field_str(&delta, f, nw, sizeof(nw));
		jc = json_object_new_object();
		json_object_object_add(jc, "kind",
				       json_object_new_string("netlink"));
		json_object_object_add(jc, "pf",
				       json_object_new_string(pf->name));
		json_object_object_add(jc, "vf", json_object_new_int(want.vf));
		json_object_object_add(
			jc, "field",
			json_object_new_string(sriov_vf_field_name(f)));
		json_object_object_add(jc, "old", json_object_new_string(o));
		json_object_object_add(jc, "new", json_object_new_string(nw));
		add_change(r, jc, "netlink %s vf %u %s: %s -> %s", pf->name,
			   want.vf, sriov_vf_field_name(f), o, nw);
	}
	ret = persist_plan(r, pf->name, vf_edit, &want, &per);
	if (ret || r->dry_run)
		goto out;
	/* One RTM_SETLINK per field: a refused field is known exactly and
	 * the ones before it are set back to their old values. */
	for (uint32_t f = 1; f <= SRIOV_VF_RATE; f <<= 1) {
		struct sriov_vf_cfg one = delta;

		if (!(delta.mask & f))
			continue;
		one.mask = f;
		err = sriov_nl_set_vf(&nl, ifindex, &one);
		if (err) {
			struct sriov_vf_cfg undo = *cur;

			undo.vf = want.vf;
			undo.mask = applied & cur->mask;
			if (undo.mask)
				sriov_nl_set_vf(&nl, ifindex, &undo);
			ret = fail(
				r, HOST_EXIT_FAIL,
				"%s vf %u: setting %s failed: %s; earlier fields rolled back",
				pf->name, want.vf, sriov_vf_field_name(f),
				strerror(-err));
			goto out;
		}
		applied |= f;
	}
	ret = persist_apply(r, &per);
	if (ret && applied) {
		struct sriov_vf_cfg undo = *cur;

		undo.mask = applied & cur->mask;
		sriov_nl_set_vf(&nl, ifindex, &undo);
	}
out:
	nl_close(&nl);
	sriov_persist_free(&per);
	free(vfs);
	free(pf);
	return ret;
}

/* ---- show ---- */

static void list_ranges(const struct sriov_pf *pf, enum sriov_vf_group g,
			char *buf, size_t len, json_object *arr)
{
	size_t i = 0, o = 0;

	buf[0] = '\0';
	while (i < pf->nvfs) {
		size_t j;

		if (!pf->vfs[i].pci[0] || pf->vfs[i].group != g) {
			i++;
			continue;
		}
		for (j = i; j + 1 < pf->nvfs && pf->vfs[j + 1].pci[0] &&
			    pf->vfs[j + 1].group == g;
		     j++)
			;
		for (size_t k = i; k <= j; k++)
			json_object_array_add(arr, json_object_new_int((int)k));
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o,
					      j > i ? "%s%zu-%zu" : "%s%zu",
					      o ? "," : "", i, j);
		i = j + 1;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static json_object *vf_nl_json(const struct sriov_vf_cfg *c)
{
	json_object *o = json_object_new_object();
	char mac[MAC_STR_LEN];

	if (c->mask & SRIOV_VF_MAC)
		json_object_object_add(
			o, "mac",
			json_object_new_string(format_mac(c->mac, mac)));
	if (c->mask & SRIOV_VF_VLAN) {
		json_object_object_add(o, "vlan", json_object_new_int(c->vlan));
		json_object_object_add(o, "qos", json_object_new_int(c->qos));
		json_object_object_add(
			o, "vlan_proto",
			json_object_new_string(c->vlan_proto == ETH_P_8021AD ?
						       "802.1ad" :
						       "802.1Q"));
	}
	if (c->mask & SRIOV_VF_TRUST)
		json_object_object_add(o, "trust",
				       json_object_new_boolean(c->trust));
	if (c->mask & SRIOV_VF_SPOOFCHK)
		json_object_object_add(o, "spoofchk",
				       json_object_new_boolean(c->spoofchk));
	if (c->mask & SRIOV_VF_LINK_STATE)
		json_object_object_add(
			o, "link_state",
			json_object_new_string(
				sriov_link_state_name(c->link_state)));
	if (c->mask & SRIOV_VF_RATE) {
		json_object_object_add(o, "min_rate",
				       json_object_new_int64(c->min_rate));
		json_object_object_add(o, "max_rate",
				       json_object_new_int64(c->max_rate));
	}
	return o;
}

static int show_pf(struct run *r, const struct sriov_pf *pf, json_object *arr)
{
	static const enum sriov_vf_group groups[] = { SRIOV_GROUP_VFIO,
						      SRIOV_GROUP_KERNEL,
						      SRIOV_GROUP_UNBOUND };
	struct sriov_vf_cfg *nlv = calloc(SRIOV_MAX_VFS, sizeof(*nlv));
	json_object *jp = json_object_new_object(), *split, *jvfs;
	struct nl_handle nl = { 0 };
	char ranges[3][256];
	int ifindex = (int)if_nametoindex(pf->name);
	uint32_t num_vf = 0;
	size_t n = 0;
	bool have_nl = false;

	/* Netlink only knows netdevs of this namespace: a fake sysfs tree
	 * or a PF elsewhere shows the sysfs part alone. */
	if (nlv && ifindex && !nl_open(&nl, NETLINK_ROUTE)) {
		have_nl = !sriov_nl_get_vfs(&nl, ifindex, nlv, SRIOV_MAX_VFS,
					    &n, &num_vf);
		nl_close(&nl);
	}
	split = json_object_new_object();
	for (int i = 0; i < 3; i++) {
		json_object *ga = json_object_new_array();

		list_ranges(pf, groups[i], ranges[i], sizeof(ranges[i]), ga);
		json_object_object_add(split, sriov_group_name(groups[i]), ga);
	}
	json_object_object_add(jp, "name", json_object_new_string(pf->name));
	json_object_object_add(jp, "pci", json_object_new_string(pf->pci));
	json_object_object_add(jp, "totalvfs",
			       json_object_new_int64(pf->totalvfs));
	json_object_object_add(jp, "numvfs", json_object_new_int64(pf->numvfs));
	json_object_object_add(jp, "autoprobe",
			       pf->autoprobe < 0 ?
				       NULL :
				       json_object_new_boolean(pf->autoprobe));
	json_object_object_add(jp, "split", split);
	json_object_object_add(jp, "netlink", json_object_new_boolean(have_nl));
	if (!r->json) {
		printf("%s (%s): numvfs %u of %u, autoprobe %s, netlink %s\n",
		       pf->name, pf->pci, pf->numvfs, pf->totalvfs,
		       pf->autoprobe < 0 ? "n/a" :
		       pf->autoprobe	 ? "on" :
					   "off",
		       have_nl ? "yes" : "n/a");
		printf("  split: vfio (dpdk) %s; kernel (af_xdp) %s; unbound %s\n",
		       ranges[0], ranges[1], ranges[2]);
	}
	jvfs = json_object_new_array();
	for (size_t i = 0; i < pf->nvfs; i++) {
		const struct sriov_vf *vf = &pf->vfs[i];
		const struct sriov_vf_cfg *nv = NULL;
		json_object *jv = json_object_new_object();

		for (size_t k = 0; k < n; k++)
			if (nlv[k].vf == vf->index)
				nv = &nlv[k];
		json_object_object_add(jv, "vf",
				       json_object_new_int((int)vf->index));
		json_object_object_add(jv, "pci", jstr_or_null(vf->pci));
		json_object_object_add(jv, "driver", jstr_or_null(vf->driver));
		json_object_object_add(
			jv, "group",
			json_object_new_string(
				vf->pci[0] ? sriov_group_name(vf->group) :
					     "missing"));
		json_object_object_add(jv, "driver_override",
				       jstr_or_null(vf->override));
		json_object_object_add(jv, "netdev", jstr_or_null(vf->netdev));
		json_object_object_add(jv, "iommu_group",
				       jstr_or_null(vf->iommu_group));
		json_object_object_add(jv, "in_use",
				       json_object_new_boolean(vf->in_use));
		json_object_object_add(jv, "netlink",
				       nv ? vf_nl_json(nv) : NULL);
		json_object_array_add(jvfs, jv);
		if (r->json)
			continue;
		if (!vf->pci[0]) {
			printf("  vf %zu: missing (no virtfn%zu link)\n", i, i);
			continue;
		}
		printf("  vf %zu: %s driver %s group %s", i, vf->pci,
		       vf->driver[0] ? vf->driver : "-",
		       sriov_group_name(vf->group));
		if (vf->override[0])
			printf(" override %s", vf->override);
		if (vf->netdev[0])
			printf(" netdev %s", vf->netdev);
		if (vf->iommu_group[0])
			printf(" iommu_group %s", vf->iommu_group);
		if (vf->in_use)
			printf(" IN-USE");
		if (nv) {
			for (uint32_t f = 1; f <= SRIOV_VF_RATE; f <<= 1) {
				char val[64];

				if (!(nv->mask & f))
					continue;
				sriov_vf_field_str(nv, f, val, sizeof(val));
				printf(" %s %s", sriov_vf_field_name(f), val);
			}
		}
		printf("\n");
	}
	json_object_object_add(jp, "vfs", jvfs);
	json_object_array_add(arr, jp);
	free(nlv);
	return 0;
}

/* Says why a netdev is not a PF, and asks netlink too: a real
 * RTM_GETLINK with RTEXT_FILTER_VF, so the message shows both views. */
static int not_sriov(struct run *r, const char *name)
{
	struct sriov_vf_cfg vfs[4];
	struct nl_handle nl = { 0 };
	int ifindex = (int)if_nametoindex(name), err = -ENODEV;
	uint32_t num_vf = 0;
	size_t n = 0;

	if (ifindex && !(err = nl_open(&nl, NETLINK_ROUTE))) {
		err = sriov_nl_get_vfs(&nl, ifindex, vfs, 4, &n, &num_vf);
		nl_close(&nl);
	}
	if (err)
		return fail(
			r, HOST_EXIT_FAIL,
			"%s: not SR-IOV capable (no device/sriov_totalvfs in sysfs)",
			name);
	return fail(
		r, HOST_EXIT_FAIL,
		"%s: not SR-IOV capable (no device/sriov_totalvfs in sysfs; netlink reports %zu VFs)",
		name, n);
}

static int do_show(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, { 0 } };
	struct sriov_pf *pf = malloc(sizeof(*pf));
	json_object *arr = json_object_new_array();
	int c, ret = 0, err;

	json_object_object_add(r->result, "pfs", arr);
	if (!pf)
		return fail(r, HOST_EXIT_FAIL, "out of memory");
	optind = 0;
	while ((c = next_opt(r, argc, argv, opts)) != -1) {
		free(pf);
		return c == 'h' ? help(r) : usage(stderr, HOST_EXIT_USAGE);
	}
	if (argc - optind > 1) {
		free(pf);
		return fail(r, HOST_EXIT_USAGE, "show: at most one PF");
	}
	if (argc - optind == 1) {
		err = sriov_pf_read(&r->s, argv[optind], pf);
		if (err == -EOPNOTSUPP)
			ret = not_sriov(r, argv[optind]);
		else if (err)
			ret = read_pf(r, argv[optind], pf);
		else
			show_pf(r, pf, arr);
	} else {
		char path[PATH_MAX];
		struct dirent **ents;
		int nents;

		sysfs_path(&r->s.fs, path, sizeof(path), "class/net");
		nents = scandir(path, &ents, NULL, alphasort);
		for (int i = 0; i < nents; i++) {
			if (ents[i]->d_name[0] != '.' &&
			    !sriov_pf_read(&r->s, ents[i]->d_name, pf))
				show_pf(r, pf, arr);
			free(ents[i]);
		}
		if (nents >= 0)
			free(ents);
		if (!r->json && !json_object_array_length(arr))
			printf("no SR-IOV capable PF under %s/class/net\n",
			       r->s.fs.root);
	}
	free(pf);
	return ret;
}

/* ---- vm ---- */

static int do_vm(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "pf", required_argument, NULL, OPT_PF },
		{ "vf", required_argument, NULL, OPT_VF },
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "vlan", required_argument, NULL, OPT_VLAN },
		{ "config", no_argument, NULL, OPT_CONFIG },
		{ "live", no_argument, NULL, OPT_LIVE },
		{ 0 },
	};
	struct sriov_vm_opts o = { .uri = r->g->connect_uri, .vlan = -1 };
	const char *pfname = NULL;
	struct sriov_pf *pf = NULL;
	char xml[1024], err[512];
	uint32_t vf = 0, v;
	bool has_vf = false, changed;
	json_object *jc;
	int c, ret;

	optind = 0;
	while ((c = next_opt(r, argc, argv, opts)) != -1) {
		switch (c) {
		case 'h':
			return help(r);
		case OPT_PF:
			pfname = optarg;
			break;
		case OPT_VF:
			if (parse_u32(optarg, 0, SRIOV_MAX_VFS - 1, &vf))
				return fail(r, HOST_EXIT_USAGE, "bad --vf '%s'",
					    optarg);
			has_vf = true;
			break;
		case OPT_MAC:
			if (parse_mac(optarg, o.mac))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --mac '%s'", optarg);
			o.has_mac = true;
			break;
		case OPT_VLAN:
			if (parse_u32(optarg, 1, 4094, &v))
				return fail(r, HOST_EXIT_USAGE,
					    "bad --vlan '%s' (1-4094)", optarg);
			o.vlan = (int)v;
			break;
		case OPT_CONFIG:
			o.config = true;
			break;
		case OPT_LIVE:
			o.live = true;
			break;
		default:
			return usage(stderr, HOST_EXIT_USAGE);
		}
	}
	if (argc - optind != 1 || !pfname || !has_vf)
		return fail(r, HOST_EXIT_USAGE,
			    "vm: expected DOMAIN --pf PF --vf N");
	if (r->persist)
		return fail(r, HOST_EXIT_USAGE,
			    "vm: use --config to make it persistent");
	o.domain = argv[optind];
	o.dry_run = r->dry_run;
	ret = load_pf(r, pfname, &pf);
	if (!ret)
		ret = check_vf_index(r, pf, vf);
	if (ret)
		goto out;
	if (vf >= pf->nvfs || !pf->vfs[vf].pci[0]) {
		ret = fail(r, HOST_EXIT_FAIL, "%s: VF %u has no virtfn link",
			   pf->name, vf);
		goto out;
	}
	o.pci = pf->vfs[vf].pci;
	sriov_vm_xml(&o, xml, sizeof(xml));
	ret = sriov_vm_attach(&o, &changed, err, sizeof(err));
	if (ret == -EINVAL) {
		ret = fail(r, HOST_EXIT_USAGE, "domain '%s': %s", o.domain,
			   err);
		goto out;
	}
	if (ret == -ENOENT) {
		/* As afxdp-host vm: a lookup that fails at run time. */
		ret = fail(r, HOST_EXIT_FAIL, "domain '%s' not found: %s",
			   o.domain, err);
		goto out;
	}
	if (ret) {
		ret = fail(r, HOST_EXIT_FAIL, "libvirt%s%s: %s",
			   o.uri ? " " : "", o.uri ? o.uri : "", err);
		goto out;
	}
	json_object_object_add(r->result, "xml", json_object_new_string(xml));
	if (changed) {
		jc = json_object_new_object();
		json_object_object_add(jc, "kind",
				       json_object_new_string("domain"));
		json_object_object_add(jc, "domain",
				       json_object_new_string(o.domain));
		json_object_object_add(jc, "attach",
				       json_object_new_string(xml));
		add_change(r, jc, "domain %s: attach\n%s", o.domain, xml);
	}
out:
	free(pf);
	return ret;
}

/* ---- apply (the boot unit) ---- */

static int do_apply(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "config-file", required_argument, NULL, OPT_CONFFILE },
		{ 0 },
	};
	struct sriov_conf conf = { 0 };
	const char *file = NULL, *val;
	char path[PATH_MAX], pfname[IFNAMSIZ + 1];
	int c, err, ret = 0;

	optind = 0;
	while ((c = next_opt(r, argc, argv, opts)) != -1) {
		if (c == OPT_CONFFILE) {
			file = optarg;
			continue;
		}
		return c == 'h' ? help(r) : usage(stderr, HOST_EXIT_USAGE);
	}
	if (argc - optind != 1 || strlen(argv[optind]) > IFNAMSIZ)
		return fail(r, HOST_EXIT_USAGE, "apply: expected one PF");
	snprintf(pfname, sizeof(pfname), "%s", argv[optind]);
	if (!file) {
		sriov_conf_path(r->persist_root, pfname, path, sizeof(path));
		file = path;
	}
	if (access(file, R_OK))
		return fail(r, HOST_EXIT_USAGE, "apply: cannot read %s: %m",
			    file);
	err = sriov_conf_load(file, &conf);
	if (err) {
		sriov_conf_free(&conf);
		return fail(r, HOST_EXIT_USAGE, "apply: %s: bad config (%s)",
			    file, strerror(-err));
	}
	r->persist = false; /* replaying the config must not rewrite it */
	/* In the order a boot needs: VFs, drivers, then per-VF settings. */
	{
		char *av[8] = { "set", pfname };
		int ac = 2;

		if ((val = sriov_conf_get(&conf, "numvfs"))) {
			av[ac++] = "--numvfs";
			av[ac++] = (char *)val;
		}
		if ((val = sriov_conf_get(&conf, "autoprobe"))) {
			av[ac++] = "--autoprobe";
			av[ac++] = (char *)val;
		}
		if (ac > 2)
			ret = do_set(r, ac, av);
	}
	/* The VFs to bind and configure exist only once numvfs is written:
	 * a dry run cannot plan further than that. */
	if (!ret && r->dry_run && json_object_array_length(r->changes)) {
		const char *note =
			"the driver and VF steps are planned once numvfs is applied";

		if (!r->json)
			fprintf(stderr, "afxdp-host sriov: note: %s\n", note);
		json_object_object_add(r->result, "note",
				       json_object_new_string(note));
		sriov_conf_free(&conf);
		return 0;
	}
	for (size_t i = 0; !ret && i < conf.n; i++) {
		unsigned int vf;
		char field[32], num[16];

		if (sscanf(conf.kv[i].key, "vf.%u.%31s", &vf, field) != 2 ||
		    strcmp(field, "driver"))
			continue;
		snprintf(num, sizeof(num), "%u", vf);
		{
			char *bv[] = { "bind",	   pfname,	   "--vfs", num,
				       "--driver", conf.kv[i].val, NULL };

			ret = do_bind(r, 6, bv);
		}
	}
	for (uint32_t vf = 0; !ret && vf < SRIOV_MAX_VFS; vf++) {
		static const char *const keys[] = { "mac",	  "vlan",
						    "qos",	  "vlan-proto",
						    "trust",	  "spoofchk",
						    "link-state", "min-rate",
						    "max-rate" };
		char num[16], key[48], opt[9][24];
		char *av[2 + 1 + 18 + 1] = { "vf", pfname, num };
		int ac = 3;

		snprintf(num, sizeof(num), "%u", vf);
		for (size_t k = 0; k < 9; k++) {
			snprintf(key, sizeof(key), "vf.%u.%s", vf, keys[k]);
			val = sriov_conf_get(&conf, key);
			if (!val)
				continue;
			snprintf(opt[k], sizeof(opt[k]), "--%s", keys[k]);
			av[ac++] = opt[k];
			av[ac++] = (char *)val;
		}
		if (ac > 3)
			ret = do_vf(r, ac, av);
	}
	sriov_conf_free(&conf);
	return ret;
}

static void print_result(struct run *r, const char *cmd, int ret)
{
	size_t n = json_object_array_length(r->changes);

	if (r->json) {
		json_object_object_add(r->result, "command",
				       json_object_new_string(cmd));
		json_object_object_add(
			r->result, "changed",
			/* In a dry run: would change (as vm, and Ansible's
			 * check mode, read it). */
			json_object_new_boolean(!ret && n));
		json_object_object_add(r->result, "dry_run",
				       json_object_new_boolean(r->dry_run));
		json_object_object_add(r->result, "changes",
				       json_object_get(r->changes));
		printf("%s\n", json_object_to_json_string_ext(
				       r->result,
				       JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
		return;
	}
	if (!strcmp(cmd, "show") || ret)
		return;
	if (!n) {
		printf("no change\n");
		return;
	}
	printf(r->dry_run ?
		       "dry run, nothing changed; would make %zu change(s):\n" :
		       "made %zu change(s):\n",
	       n);
	for (size_t i = 0; i < n; i++)
		printf("  %s\n",
		       json_object_get_string(
			       json_object_array_get_idx(r->lines, i)));
}

int cmd_sriov(const struct host_global_opts *g, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct run *r, int argc, char **argv);
	} cmds[] = {
		{ "set", do_set },   { "vf", do_vf }, { "bind", do_bind },
		{ "show", do_show }, { "vm", do_vm }, { "apply", do_apply },
	};
	struct run r = {
		.json = g->json,
		.dry_run = g->dry_run,
		.g = g,
		.persist_root = "/",
	};
	const char *sub = argc > 1 ? argv[1] : NULL;
	int ret = -1;

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help") ||
	    !strcmp(sub, "help"))
		return usage(sub ? stdout : stderr,
			     sub ? HOST_EXIT_OK : HOST_EXIT_USAGE);
	if (sriov_sysfs_init(&r.s, g->sysfs_root, g->procfs_root)) {
		fprintf(stderr, "afxdp-host sriov: bad --sysfs-root\n");
		return HOST_EXIT_USAGE;
	}
	r.changes = json_object_new_array();
	r.lines = json_object_new_array();
	r.result = json_object_new_object();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(sub, cmds[i].name))
			ret = cmds[i].fn(&r, argc - 1, argv + 1);
	if (ret < 0) {
		fprintf(stderr, "afxdp-host sriov: unknown command '%s'\n",
			sub);
		ret = usage(stderr, HOST_EXIT_USAGE);
	} else if (!r.helped) {
		print_result(&r, sub, ret);
	}
	json_object_put(r.changes);
	json_object_put(r.lines);
	json_object_put(r.result);
	return ret;
}
