// SPDX-License-Identifier: GPL-2.0
/* afxdp-host publish: the verb. Probes, turns the verdict into the files of
 * the chosen outputs, writes only those whose content changed (all staged
 * as temp files first, then renamed, so a failed write changes nothing),
 * reports each change (with --dry-run: the diff) and the extra specs. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "host/cmd.h"
#include "host/probe.h"
#include "host/publish.h"
#include "host/report.h"

#define PUB_MAX_DEVS 256

struct publish_cli {
	const char *devs[PUB_MAX_DEVS + 1];
	size_t n_devs;
	unsigned int outputs; /* 1 << enum publish_output; 0: all */
	const char *dir[PUB_NOUTS];
	const char *hostname, *node_uuid;
	bool print_extra_specs;
};

/* One output's file: what it holds and what it will hold. */
struct pub_file {
	enum publish_output out;
	char path[PATH_MAX];
	char tmp[PATH_MAX]; /* staged, not yet renamed; "" when none */
	char *old, *new;
	bool changed;
};

static int parse_output(const char *arg, void *opts, char *err, size_t len)
{
	struct publish_cli *cli = opts;
	char copy[64], *save = NULL;

	if (snprintf(copy, sizeof(copy), "%s", arg) >= (int)sizeof(copy))
		goto bad;
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		int o = 0;

		while (o < PUB_NOUTS && strcmp(t, publish_output_name(o)))
			o++;
		if (o == PUB_NOUTS)
			goto bad;
		cli->outputs |= 1u << o;
	}
	if (cli->outputs)
		return 0;
bad:
	snprintf(err, len,
		 "bad --output '%s' (nova, nfd, prom; comma-separated)", arg);
	return -EINVAL;
}

static int parse_hostname(const char *arg, void *opts, char *err, size_t len)
{
	if (publish_check_hostname(arg)) {
		snprintf(
			err, len,
			"bad --hostname '%s' (a host name: labels of letters, digits "
			"and '-', dot-separated, at most 200 characters)",
			arg);
		return -EINVAL;
	}
	((struct publish_cli *)opts)->hostname = arg;
	return 0;
}

static int parse_uuid(const char *arg, void *opts, char *err, size_t len)
{
	if (publish_check_uuid(arg)) {
		snprintf(err, len,
			 "bad --node-uuid '%s' (a UUID, or $COMPUTE_NODE)",
			 arg);
		return -EINVAL;
	}
	((struct publish_cli *)opts)->node_uuid = arg;
	return 0;
}

#define DIR_OPT(o) offsetof(struct publish_cli, dir) + (o) * sizeof(char *)

/* clang-format off */
static const struct cmd_option publish_options[] = {
	{ .name = "output", .short_opt = 'o', .type = CMD_FN,
	  .parse = parse_output, .metavar = "LIST",
	  .help = "write these: nova, nfd, prom (comma-separated, repeatable; default: all)" },
	{ .name = "nova-dir", .type = CMD_STR, .off = DIR_OPT(PUB_OUT_NOVA),
	  .metavar = "DIR",
	  .help = "Nova's provider_config_location (default /etc/nova/provider_config)" },
	{ .name = "nfd-dir", .type = CMD_STR, .off = DIR_OPT(PUB_OUT_NFD),
	  .metavar = "DIR",
	  .help = "NFD's features.d (default /etc/kubernetes/node-feature-discovery/features.d)" },
	{ .name = "prom-dir", .type = CMD_STR, .off = DIR_OPT(PUB_OUT_PROM),
	  .metavar = "DIR",
	  .help = "node_exporter's textfile directory (default /var/lib/prometheus/node-exporter)" },
	{ .name = "hostname", .type = CMD_FN, .parse = parse_hostname,
	  .metavar = "NAME",
	  .help = "Nova resource provider name (default: this host's name)" },
	{ .name = "node-uuid", .type = CMD_FN, .parse = parse_uuid,
	  .metavar = "UUID",
	  .help = "Nova resource provider UUID, or $COMPUTE_NODE (instead of the name)" },
	{ .name = "dev", .short_opt = 'd', .type = CMD_LIST,
	  .off = offsetof(struct publish_cli, devs),
	  .count_off = offsetof(struct publish_cli, n_devs),
	  .max = PUB_MAX_DEVS, .metavar = "IFNAME",
	  .help = "probe only this device (repeatable; default: all but lo)" },
	{ .name = "print-extra-specs", .short_opt = 'e', .type = CMD_FLAG,
	  .off = offsetof(struct publish_cli, print_extra_specs),
	  .help = "print the flavor extra specs for the traits; write nothing" },
	{ .name = NULL },
};
/* clang-format on */

static void publish_init(void *opts)
{
	struct publish_cli *cli = opts;

	cli->dir[PUB_OUT_NOVA] = "/etc/nova/provider_config";
	cli->dir[PUB_OUT_NFD] =
		"/etc/kubernetes/node-feature-discovery/features.d";
	cli->dir[PUB_OUT_PROM] = "/var/lib/prometheus/node-exporter";
}

static int publish_check(struct cmd_ctx *c, void *opts)
{
	struct publish_cli *cli = opts;

	if (cli->hostname && cli->node_uuid)
		return cmd_fail(
			c, -EINVAL,
			"publish: give --hostname or --node-uuid, not both");
	return 0;
}

static void publish_usage_error(struct cmd_ctx *c, void *opts)
{
	struct report rep;

	(void)opts;
	if (!c->g->json || report_init(&rep, true, c->g->dry_run))
		return;
	report_print(&rep, "publish", c->err, false);
	report_free(&rep);
}

static bool is_real_sysfs(const char *root)
{
	char path[PATH_MAX];

	return !root || (realpath(root, path) && !strcmp(path, "/sys"));
}

static int probe(struct cmd_ctx *c, const struct publish_cli *cli,
		 struct probe_report *rep)
{
	struct probe_opts o = {
		.devs = cli->devs,
		.n_devs = cli->n_devs,
		.sysfs_root = c->g->sysfs_root,
		.procfs_root = c->g->procfs_root,
		.connect_uri = c->g->connect_uri,
		.live = is_real_sysfs(c->g->sysfs_root),
	};
	int err = probe_run(&o, rep);

	if (err == -ENODEV)
		return cmd_fail(c, err,
				"publish: no such device; nothing written");
	if (err)
		return cmd_fail_status(
			c, HOST_EXIT_FAIL, err,
			"publish: the probe failed (%s); nothing written",
			strerror(-err));
	return 0;
}

/* The identification: as given, else this host's name (which must be one
 * Nova's schema and our check accept). */
static int ident(struct cmd_ctx *c, const struct publish_cli *cli,
		 struct publish_ident *id, char *buf, size_t len)
{
	*id = (struct publish_ident){ .name = cli->hostname,
				      .uuid = cli->node_uuid };
	if (id->name || id->uuid)
		return 0;
	if (gethostname(buf, len - 1))
		return cmd_fail_status(c, HOST_EXIT_FAIL, -errno,
				       "publish: cannot read the host name: %s",
				       strerror(errno));
	buf[len - 1] = '\0';
	if (publish_check_hostname(buf))
		return cmd_fail(
			c, -EINVAL,
			"publish: this host's name '%s' is not a valid host "
			"name; give --hostname or --node-uuid",
			buf);
	id->name = buf;
	return 0;
}

static char *render(enum publish_output o, const struct probe_report *rep,
		    const struct publish_facts *f,
		    const struct publish_ident *id)
{
	switch (o) {
	case PUB_OUT_NOVA:
		return publish_nova_yaml(f, id);
	case PUB_OUT_NFD:
		return publish_nfd(f);
	default:
		return publish_prom(rep, f);
	}
}

/* Fills pf: the path (its directory must exist), old and new content. */
static int plan_file(struct cmd_ctx *c, const struct publish_cli *cli,
		     struct pub_file *pf, const struct probe_report *rep,
		     const struct publish_facts *f,
		     const struct publish_ident *id)
{
	const char *dir = cli->dir[pf->out],
		   *name = publish_output_name(pf->out);
	struct stat st;
	int err;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return cmd_fail_status(
			c, HOST_EXIT_USAGE, errno ? -errno : -ENOTDIR,
			"publish: --%s-dir %s: %s; nothing written (create it, or "
			"leave %s out of --output)",
			name, dir, errno ? strerror(errno) : "not a directory",
			name);
	if (snprintf(pf->path, sizeof(pf->path), "%s/%s", dir,
		     publish_output_file(pf->out)) >= (int)sizeof(pf->path))
		return cmd_fail(c, -ENAMETOOLONG, "publish: %s: path too long",
				dir);
	err = publish_read(pf->path, &pf->old);
	if (err)
		return cmd_fail_status(
			c, HOST_EXIT_FAIL, err,
			"publish: cannot read %s: %s; nothing written",
			pf->path, strerror(-err));
	pf->new = render(pf->out, rep, f, id);
	if (!pf->new)
		return cmd_fail(c, -ENOMEM, "out of memory");
	pf->changed = !pf->old || strcmp(pf->old, pf->new);
	return 0;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void report_file(struct report *r, const struct pub_file *pf,
			const char *diff)
{
	const char *act = pf->old ? "update" : "create";
	json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string("file"));
	json_object_object_add(
		o, "output",
		json_object_new_string(publish_output_name(pf->out)));
	json_object_object_add(o, "path", json_object_new_string(pf->path));
	json_object_object_add(o, "action", json_object_new_string(act));
	json_object_object_add(o, "diff", report_str(diff));
	report_change(r, o, "%s %s: %s (%zu lines)",
		      publish_output_name(pf->out), pf->path, act,
		      count_lines(pf->new));
}

/* Stage every changed file, then rename them: a write that fails leaves
 * every file as it was and no temp file behind. */
static int write_files(struct cmd_ctx *c, struct pub_file *pf, size_t n)
{
	size_t i, done;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		if (pf[i].changed)
			err = publish_stage(pf[i].path, pf[i].new, pf[i].tmp,
					    sizeof(pf[i].tmp));
	if (err) {
		for (size_t k = 0; k + 1 < i; k++)
			if (pf[k].tmp[0])
				unlink(pf[k].tmp);
		return cmd_fail_status(
			c, HOST_EXIT_FAIL, err,
			"publish: cannot write %s: %s; nothing written",
			pf[i - 1].path, strerror(-err));
	}
	for (done = 0; done < n; done++) {
		if (!pf[done].changed)
			continue;
		err = publish_commit(pf[done].tmp, pf[done].path);
		pf[done].tmp[0] = '\0';
		if (err)
			break;
	}
	if (!err)
		return 0;
	for (size_t k = done + 1; k < n; k++)
		if (pf[k].tmp[0])
			unlink(pf[k].tmp);
	return cmd_fail_status(
		c, HOST_EXIT_FAIL, err,
		"publish: cannot replace %s: %s (files before it "
		"in nova, nfd, prom order were written)",
		pf[done].path, strerror(-err));
}

static void report_facts(struct report *r, const struct probe_report *rep,
			 const struct publish_facts *f, const char *specs,
			 const struct pub_file *pf, size_t n)
{
	json_object *traits = json_object_new_array();
	json_object *labels = json_object_new_object();
	json_object *files = json_object_new_array();
	json_object *cap = json_object_new_object();

	for (int i = 0; i < PUB_NFACTS; i++) {
		char key[128];

		if (f->has[i])
			json_object_array_add(
				traits,
				json_object_new_string(publish_trait(i)));
		snprintf(key, sizeof(key), "feature.node.kubernetes.io/%s",
			 publish_label(i));
		json_object_object_add(
			labels, key,
			json_object_new_string(f->has[i] ? "true" : "false"));
	}
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(
			o, "output",
			json_object_new_string(publish_output_name(pf[i].out)));
		json_object_object_add(o, "path",
				       json_object_new_string(pf[i].path));
		json_object_object_add(
			o, "status",
			json_object_new_string(!pf[i].changed ? "unchanged" :
					       pf[i].old      ? "update" :
								"create"));
		json_object_array_add(files, o);
	}
	json_object_object_add(cap, "name", json_object_new_string("AF_XDP"));
	json_object_object_add(cap, "supported",
			       json_object_new_boolean(rep->supported));
	report_set(r, "e.cap.025", cap);
	report_set(r, "traits", traits);
	report_set(r, "labels", labels);
	report_set(r, "extra_specs", report_str(specs));
	report_set(r, "files", files);
}

static void print_head(const struct probe_report *rep,
		       const struct publish_facts *f)
{
	printf("e.cap.025 AF_XDP: %s; traits:",
	       rep->supported ? "supported" : "not supported");
	for (int i = 0; i < PUB_NFACTS; i++)
		if (f->has[i])
			printf(" %s", publish_trait(i));
	printf("%s\n", f->has[PUB_CAP_AF_XDP] ? "" : " (none)");
}

static int publish(struct cmd_ctx *c, struct publish_cli *cli, struct report *r,
		   struct probe_report *rep, char **specs, struct pub_file *pf,
		   size_t *n)
{
	struct publish_facts f;
	struct publish_ident id;
	char host[256];
	int err;

	err = probe(c, cli, rep);
	if (!err)
		err = ident(c, cli, &id, host, sizeof(host));
	if (err)
		return err;
	publish_facts(rep, &f);
	*specs = publish_extra_specs(&f);
	if (!*specs)
		return cmd_fail(c, -ENOMEM, "out of memory");
	for (int o = 0; o < PUB_NOUTS && !cli->print_extra_specs; o++) {
		if (cli->outputs && !(cli->outputs & (1u << o)))
			continue;
		pf[*n].out = o;
		err = plan_file(c, cli, &pf[(*n)++], rep, &f, &id);
		if (err)
			return err;
	}
	for (size_t i = 0; i < *n; i++) {
		char *diff;

		if (!pf[i].changed)
			continue;
		diff = publish_diff(pf[i].old, pf[i].new, pf[i].path);
		report_file(r, &pf[i], diff);
		if (c->g->dry_run && !c->g->json && diff)
			fputs(diff, stdout);
		free(diff);
	}
	report_facts(r, rep, &f, *specs, pf, *n);
	if (!c->g->json && !cli->print_extra_specs)
		print_head(rep, &f);
	if (!c->g->dry_run)
		err = write_files(c, pf, *n);
	return err;
}

static int publish_run(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	struct publish_cli *cli = opts;
	struct pub_file pf[PUB_NOUTS] = { 0 };
	struct probe_report rep = { 0 };
	struct report r;
	char *specs = NULL;
	size_t n = 0;
	int err;

	(void)argc;
	(void)argv;
	if (report_init(&r, c->g->json, c->g->dry_run))
		return cmd_status(c, cmd_fail(c, -ENOMEM, "out of memory"));
	err = publish(c, cli, &r, &rep, &specs, pf, &n);
	if (!err && cli->print_extra_specs && !c->g->json)
		fputs(specs, stdout);
	else if (report_print(&r, "publish", err ? c->err : NULL, true) && !err)
		err = cmd_fail(c, -EIO, "cannot write the answer");
	for (size_t i = 0; i < n; i++) {
		free(pf[i].old);
		free(pf[i].new);
	}
	free(specs);
	probe_report_free(&rep);
	report_free(&r);
	return cmd_status(c, err);
}

const struct cmd_verb publish_verb = {
	.name = "publish",
	.summary =
		"write e.cap.025 for Nova, node-feature-discovery, Prometheus",
	.description =
		"Probes the host and writes its verdict as a Nova provider config\n"
		"(custom traits), a node-feature-discovery features.d file (labels)\n"
		"and a node_exporter textfile (gauges): atomically, and only when\n"
		"the content changes. --print-extra-specs prints the flavor extra\n"
		"specs that select these hosts. Exit: 0 ok, 1 failed (nothing\n"
		"written), 2 bad usage or a missing directory (nothing written).\n"
		"See afxdp-host-publish(8).",
	.options = publish_options,
	.opts_size = sizeof(struct publish_cli),
	.max_args = 0,
	.init = publish_init,
	.check = publish_check,
	.run = publish_run,
	.usage_error = publish_usage_error,
};
