// SPDX-License-Identifier: GPL-2.0
/* afxdp-host vm: the verb group (xml, set, attach, show) on the command
 * layer (host/cmd.h): option tables, checks that need no domain, running
 * set/attach/show on a libvirt connection, and the text and JSON output. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cmd.h"
#include "host/domain.h"
#include "host/vm_internal.h"
#include "util/json.h"
#include "util/log.h"
#include "util/parse.h"

/* CMD_U32 stores a uint32_t into vm_opts' unsigned int fields. */
_Static_assert(sizeof(unsigned int) == sizeof(uint32_t), "u32 fields");

static int set_source(void *opts, enum vm_iface_kind kind, const char *arg,
		      char *err, size_t err_len)
{
	struct vm_cli *c = opts;

	c->n_src++;
	c->o.nif.kind = kind;
	c->o.nif.source = arg;
	if (*arg)
		return 0;
	snprintf(err, err_len, "empty interface source");
	return -EINVAL;
}

static int parse_network(const char *arg, void *opts, char *err, size_t len)
{
	return set_source(opts, VM_IFACE_NETWORK, arg, err, len);
}

static int parse_bridge(const char *arg, void *opts, char *err, size_t len)
{
	return set_source(opts, VM_IFACE_BRIDGE, arg, err, len);
}

static int parse_tap(const char *arg, void *opts, char *err, size_t len)
{
	return set_source(opts, VM_IFACE_ETHERNET, arg, err, len);
}

/* A guest's unicast MAC, kept as given. */
static int parse_guest_mac(const char *arg, void *opts, char *err, size_t len)
{
	struct vm_cli *c = opts;
	uint8_t mac[6];

	if (parse_mac(arg, mac)) {
		snprintf(
			err, len,
			"bad MAC '%s': want six hex octets like 52:54:00:12:34:56",
			arg);
		return -EINVAL;
	}
	if (mac[0] & 1) {
		snprintf(err, len, "bad MAC '%s': multicast bit set", arg);
		return -EINVAL;
	}
	c->o.nif.mac = arg;
	return 0;
}

static const char *const driver_names[] = { [VM_BACKEND_AUTO] = "auto",
					    [VM_BACKEND_VHOST] = "vhost",
					    [VM_BACKEND_QEMU] = "qemu",
					    NULL };

#define VM_OPT(field) .off = offsetof(struct vm_cli, field)

/* The rows each subcommand takes, grouped by what they are about (one
 * row per option, as in cmd.c). */
/* clang-format off */
#define SOURCE_OPTIONS							\
	{ .name = "network", .type = CMD_FN, .parse = parse_network,	\
	  .metavar = "NAME", .help = "source: a libvirt network" },	\
	{ .name = "bridge", .type = CMD_FN, .parse = parse_bridge,	\
	  .metavar = "BR", .help = "source: a host bridge" },		\
	{ .name = "tap", .type = CMD_FN, .parse = parse_tap,		\
	  .metavar = "TAP",						\
	  .help = "source: an existing tap (type='ethernet', managed='no')" }, \
	{ .name = "mac", .type = CMD_FN, .parse = parse_guest_mac,	\
	  .metavar = "MAC",						\
	  .help = "the interface's MAC (default: derived or libvirt's)" }

#define TUNING_OPTIONS							\
	{ .name = "queues", .type = CMD_U32, VM_OPT(o.queues),		\
	  .min = 1, .max = 65535, .metavar = "N",			\
	  .help = "queue pairs (default 2 x vCPUs, capped at the host limit)" }, \
	{ .name = "mtu", .type = CMD_U32, VM_OPT(o.mtu),		\
	  .min = 1, .max = 65535, .metavar = "N",			\
	  .help = "set <mtu size=N/>, 68..4064 (XDP single-page limit)" }, \
	{ .name = "rx-queue-size", .type = CMD_U32,			\
	  VM_OPT(o.rx_queue_size), .min = 1, .max = 65535,		\
	  .metavar = "N", .help = "256, 512 or 1024 (default 1024)" }

#define ZC_OPTION							\
	{ .name = "zero-copy", .type = CMD_FLAG, VM_OPT(o.zero_copy),	\
	  .help = "also prepare for zero-copy AF_XDP in the guest (iommu on)" }

#define BACKEND_OPTIONS							\
	{ .name = "driver", .type = CMD_ENUM, VM_OPT(driver),		\
	  .names = driver_names, .metavar = "D",			\
	  .help = "auto (vhost if --vhost-dev exists, else qemu), vhost, qemu" }, \
	{ .name = "vhost-dev", .type = CMD_STR, VM_OPT(o.vhost_dev),	\
	  .metavar = "PATH",						\
	  .help = "vhost-net device checked by auto (default /dev/vhost-net)" }, \
	{ .name = "max-queues", .type = CMD_U32,			\
	  VM_OPT(o.caps.max_queues), .min = 1,				\
	  .max = VM_TAP_MAX_QUEUES, .metavar = "N",			\
	  .help = "host queue cap (default 256: tun/tap MAX_TAP_QUEUES)" }

#define SCOPE_OPTIONS							\
	{ .name = "config", .type = CMD_FLAG, VM_OPT(o.config),	\
	  .help = "the persistent config (with --live: both)" },	\
	{ .name = "live", .type = CMD_FLAG, VM_OPT(o.live),		\
	  .help = "the running domain; neither: the current state, like virsh" }

static const struct cmd_option xml_options[] = {
	{ .name = "vcpus", .type = CMD_U32, VM_OPT(vcpus), .min = 1,
	  .max = VM_MAX_VCPUS, .metavar = "N",
	  .help = "the guest's vCPUs (required: queues = 2 x vCPUs)" },
	SOURCE_OPTIONS,
	TUNING_OPTIONS,
	ZC_OPTION,
	BACKEND_OPTIONS,
	{ .name = "machine", .type = CMD_STR, VM_OPT(machine),
	  .metavar = "TYPE",
	  .help = "refuse a machine type without VIRTIO_F_VERSION_1" },
	{ .name = NULL },
};

const struct cmd_option vm_set_options[] = {
	{ .name = "iface", .type = CMD_STR, VM_OPT(o.iface), .metavar = "SEL",
	  .help = "only this interface: MAC, target dev or index" },
	TUNING_OPTIONS,
	ZC_OPTION,
	SCOPE_OPTIONS,
	BACKEND_OPTIONS,
	{ .name = NULL },
};

static const struct cmd_option attach_options[] = {
	SOURCE_OPTIONS,
	TUNING_OPTIONS,
	ZC_OPTION,
	SCOPE_OPTIONS,
	BACKEND_OPTIONS,
	{ .name = NULL },
};

static const struct cmd_option show_options[] = {
	{ .name = "inactive", .type = CMD_FLAG, VM_OPT(o.inactive),
	  .help = "the persistent config of a running domain" },
	BACKEND_OPTIONS,
	{ .name = NULL },
};
/* clang-format on */

/* ---- checks that need no domain (exit 2, nothing looked at) ---- */

int vm_check_tuning(struct cmd_ctx *ctx, void *opts)
{
	struct vm_cli *c = opts;
	char why[VM_REASON_LEN];

	c->o.backend = (enum vm_backend)c->driver;
	if (c->o.mtu && vm_rules_mtu(c->o.mtu, why, sizeof(why)))
		return cmd_fail(ctx, -ERANGE, "%s", why);
	if (c->o.rx_queue_size &&
	    vm_rules_rx_queue_size(c->o.rx_queue_size, why, sizeof(why)))
		return cmd_fail(ctx, -EINVAL, "%s", why);
	return 0;
}

static int check_attach(struct cmd_ctx *ctx, void *opts)
{
	struct vm_cli *c = opts;
	int err = vm_check_tuning(ctx, opts);

	if (!err && c->n_src != 1)
		err = cmd_fail(
			ctx, -EINVAL,
			"vm: give exactly one of --network, --bridge, --tap");
	return err;
}

static int check_xml(struct cmd_ctx *ctx, void *opts)
{
	struct vm_cli *c = opts;
	char why[VM_REASON_LEN];
	int err = check_attach(ctx, opts);

	if (!err && !c->vcpus)
		err = cmd_fail(
			ctx, -EINVAL,
			"vm xml: --vcpus N is required (queues = 2 x vCPUs)");
	if (!err && c->machine &&
	    vm_rules_machine(c->machine, why, sizeof(why)))
		err = cmd_fail(ctx, -ENOTSUP, "%s", why);
	return err;
}

/* ---- output ---- */

static void print_notes(json_object *doc, FILE *f)
{
	json_object *notes;

	if (!json_object_object_get_ex(doc, "notes", &notes))
		return;
	for (size_t i = 0; i < json_object_array_length(notes); i++)
		fprintf(f, "note: %s\n",
			json_object_get_string(
				json_object_array_get_idx(notes, i)));
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static int jint(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) :
						       0;
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_get_boolean(v);
}

/* The "zero_copy" object: ready or the blockers, then its notes. */
static void print_zc(json_object *doc, FILE *f)
{
	json_object *zc, *a;

	if (!json_object_object_get_ex(doc, "zero_copy", &zc))
		return;
	fprintf(f, "zero-copy: %s\n",
		jbool(zc, "ready") ? "ready" : "not ready");
	if (json_object_object_get_ex(zc, "blockers", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++)
			fprintf(f, "zero-copy blocker: %s\n",
				json_object_get_string(
					json_object_array_get_idx(a, i)));
	if (json_object_object_get_ex(zc, "notes", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++)
			fprintf(f, "zero-copy note: %s\n",
				json_object_get_string(
					json_object_array_get_idx(a, i)));
}

static void print_change(const struct vm_result *r, const struct vm_opts *o)
{
	json_object *ifaces, *changes;

	if (o->dry_run && r->diff && *r->diff)
		fputs(r->diff, stdout);
	if (json_object_object_get_ex(r->json, "interfaces", &ifaces)) {
		for (size_t i = 0; i < json_object_array_length(ifaces); i++) {
			json_object *j = json_object_array_get_idx(ifaces, i);

			printf("%s interface %s (%s): ", o->domain,
			       jstr(j, "mac"), jstr(j, "scope"));
			if (!json_object_object_get_ex(j, "changes",
						       &changes) ||
			    !json_object_array_length(changes))
				printf("no change");
			for (size_t k = 0;
			     changes && k < json_object_array_length(changes);
			     k++)
				printf("%s%s", k ? "; " : "",
				       json_object_get_string(
					       json_object_array_get_idx(
						       changes, k)));
			putchar('\n');
		}
	}
	print_notes(r->json, stdout);
	if (o->zero_copy)
		print_zc(r->json, stdout);
	if (!r->changed)
		puts("no change");
	else if (o->dry_run)
		puts("dry run: changes shown above, nothing changed");
	else
		puts("changed");
}

static void print_show(const struct vm_result *r)
{
	json_object *ifaces, *reasons;
	json_object *d = r->json;

	printf("domain %s: %s, %d vCPUs, machine %s%s, %s XML\n",
	       jstr(d, "domain"), jbool(d, "running") ? "running" : "shut off",
	       jint(d, "vcpus"),
	       *jstr(d, "machine") ? jstr(d, "machine") : "(default)",
	       jbool(d, "machine_ok") ? "" :
					" (too old: no VIRTIO_F_VERSION_1)",
	       jstr(d, "scope"));
	printf("XDP-ready: model virtio, driver %s, queues %d, rx_queue_size %d, guest csum/tso4/tso6/ecn/ufo off, MTU <= %d\n",
	       jstr(d, "driver_wanted"), jint(d, "queues_wanted"),
	       VM_RX_QUEUE_SIZE, VM_XDP_MAX_MTU);
	if (json_object_object_get_ex(d, "interfaces", &ifaces)) {
		size_t n = json_object_array_length(ifaces);

		if (!n)
			puts("no interfaces");
		for (size_t i = 0; i < n; i++) {
			json_object *j = json_object_array_get_idx(ifaces, i);
			const char *src = *jstr(j, "source") ?
						  jstr(j, "source") :
						  jstr(j, "target");

			printf("#%d %s %s mac %s model %s driver %s queues %d rx_queue_size %d mtu %d: %s\n",
			       jint(j, "index"), jstr(j, "type"),
			       *src ? src : "-", jstr(j, "mac"),
			       *jstr(j, "model") ? jstr(j, "model") : "-",
			       *jstr(j, "driver") ? jstr(j, "driver") : "-",
			       jint(j, "queues"), jint(j, "rx_queue_size"),
			       jint(j, "mtu"),
			       jbool(j, "xdp_ready") ? "XDP-ready" :
						       "not XDP-ready");
			printf("    zero-copy: %s\n",
			       jbool(j, "zero_copy_ready") ?
				       "ready (iommu on, a model that takes it)" :
				       "not ready");
			if (json_object_object_get_ex(j, "zero_copy_reasons",
						      &reasons))
				for (size_t k = 0;
				     k < json_object_array_length(reasons); k++)
					printf("    - zero-copy: %s\n",
					       json_object_get_string(
						       json_object_array_get_idx(
							       reasons, k)));
			if (!json_object_object_get_ex(j, "reasons", &reasons))
				continue;
			for (size_t k = 0;
			     k < json_object_array_length(reasons); k++)
				printf("    - %s\n",
				       json_object_get_string(
					       json_object_array_get_idx(
						       reasons, k)));
		}
	}
	print_notes(d, stdout);
	print_zc(d, stdout);
}

static void print_json(json_object *j)
{
	json_print(j, stdout, true);
}

/* ---- the subcommands ---- */

static int run_xml(struct cmd_ctx *ctx, void *opts, int argc, char **argv)
{
	struct vm_cli *c = opts;
	struct vm_iface_spec spec = { 0 };
	char why[VM_REASON_LEN];
	json_object *doc, *notes;
	char *xml = NULL;
	bool capped;
	int err;

	(void)argc;
	(void)argv;
	doc = json_object_new_object();
	notes = json_object_new_array();
	err = vm_rules_queues(c->vcpus, c->o.queues, &c->o.caps, &spec.queues,
			      &capped, why, sizeof(why));
	if (err) {
		pr_err("%s", why);
		goto out;
	}
	json_object_array_add(notes, json_object_new_string(why));
	spec.driver_name = vm_rules_backend(c->o.backend, c->o.vhost_dev);
	spec.rx_queue_size = c->o.rx_queue_size;
	spec.mtu = c->o.mtu;
	if (c->o.zero_copy)
		vm_zc_assess(&c->o, c->machine, NULL, &spec, doc);
	if (c->o.nif.kind == VM_IFACE_ETHERNET && spec.queues > 1)
		json_object_array_add(
			notes,
			json_object_new_string(
				"the tap must exist with multi_queue (ip tuntap add dev TAP mode tap multi_queue)"));
	err = vm_xml_build_iface(&c->o.nif, &spec, &xml);
	if (err) {
		pr_err("cannot build the interface XML: %s", strerror(-err));
		goto out;
	}
	if (ctx->g->json) {
		json_object_object_add(doc, "xml", json_object_new_string(xml));
		json_object_object_add(doc, "queues",
				       json_object_new_int((int)spec.queues));
		json_object_object_add(doc, "queues_capped",
				       json_object_new_boolean(capped));
		json_object_object_add(
			doc, "driver",
			json_object_new_string(spec.driver_name));
		json_object_object_add(doc, "notes", json_object_get(notes));
		print_json(doc);
	} else {
		fputs(xml, stdout);
		/* Notes on stderr: stdout is the snippet only. */
		for (size_t i = 0; i < json_object_array_length(notes); i++)
			fprintf(stderr, "note: %s\n",
				json_object_get_string(
					json_object_array_get_idx(notes, i)));
		print_zc(doc, stderr);
	}
out:
	free(xml);
	json_object_put(notes);
	json_object_put(doc);
	return vm_exit_code(err);
}

/* The hypervisor's version on a QEMU connection (zero-copy needs 7.2),
 * 0 on others (the test driver) or when libvirt can't tell. */
unsigned long vm_qemu_version(virConnectPtr conn)
{
	const char *type = virConnectGetType(conn);
	unsigned long v = 0;

	if (!type || strcmp(type, "QEMU") || virConnectGetVersion(conn, &v))
		return 0;
	return v;
}

typedef int vm_fn(virConnectPtr conn, const struct vm_opts *o,
		  struct vm_result *r);

/* set, attach and show: connect, run @fn on argv[0], print. */
static int run_on_domain(struct cmd_ctx *ctx, struct vm_cli *c, char **argv,
			 vm_fn *fn, bool show)
{
	const struct host_global_opts *g = ctx->g;
	struct vm_result r = { 0 };
	virConnectPtr conn = NULL;
	char cerr[512];
	int err;

	c->o.domain = argv[0];
	c->o.dry_run = g->dry_run;
	err = domain_connect(g->connect_uri, show || c->o.dry_run, &conn, cerr,
			     sizeof(cerr));
	if (err) {
		pr_err("%s", cerr);
		if (g->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "error",
					       json_object_new_string(cerr));
			print_json(j);
			json_object_put(j);
		}
		return HOST_EXIT_FAIL;
	}
	c->o.caps.qemu_version = vm_qemu_version(conn);
	err = fn(conn, &c->o, &r);
	if (g->json) {
		if (err)
			json_object_object_add(r.json, "error",
					       json_object_new_string(r.error));
		print_json(r.json);
	} else if (!err) {
		if (show)
			print_show(&r);
		else
			print_change(&r, &c->o);
	}
	vm_result_free(&r);
	virConnectClose(conn);
	return vm_exit_code(err);
}

static int run_set(struct cmd_ctx *ctx, void *opts, int argc, char **argv)
{
	(void)argc;
	return run_on_domain(ctx, opts, argv, vm_set, false);
}

static int run_attach(struct cmd_ctx *ctx, void *opts, int argc, char **argv)
{
	(void)argc;
	return run_on_domain(ctx, opts, argv, vm_attach, false);
}

static int run_show(struct cmd_ctx *ctx, void *opts, int argc, char **argv)
{
	(void)argc;
	return run_on_domain(ctx, opts, argv, vm_show, true);
}

static const struct cmd_verb vm_xml_verb = {
	.name = "xml",
	.summary = "print an XDP-ready <interface> for a new guest",
	.description =
		"Print an XDP-ready <interface> for a guest with N vCPUs (nothing else on\n"
		"stdout; notes go to stderr). Needs --vcpus and one of --network, --bridge,\n"
		"--tap. With --json: {xml, queues, queues_capped, driver, notes}.",
	.options = xml_options,
	.opts_size = sizeof(struct vm_cli),
	.max_args = 0,
	.check = check_xml,
	.run = run_xml,
};

static const struct cmd_verb vm_set_verb = {
	.name = "set",
	.args = "DOMAIN",
	.summary = "make a domain's existing interfaces XDP-ready",
	.description =
		"Make existing interfaces XDP-ready: every virtio one, or the one --iface names\n"
		"(converted to virtio). Driver settings can't change live: use --config.\n"
		"DOMAIN is a name or UUID. -n prints the XML diff and changes nothing.\n"
		"With --json: {domain, notes, changed, dry_run, interfaces, diff}.",
	.options = vm_set_options,
	.opts_size = sizeof(struct vm_cli),
	.min_args = 1,
	.max_args = 1,
	.check = vm_check_tuning,
	.run = run_set,
};

static const struct cmd_verb vm_attach_verb = {
	.name = "attach",
	.args = "DOMAIN",
	.summary = "add an XDP-ready virtio interface to a domain",
	.description =
		"Add an XDP-ready virtio interface (one of --network, --bridge, --tap).\n"
		"Without --mac the MAC is derived from the domain UUID and the source, so a\n"
		"second run finds it and reports no change.",
	.options = attach_options,
	.opts_size = sizeof(struct vm_cli),
	.min_args = 1,
	.max_args = 1,
	.check = check_attach,
	.run = run_attach,
};

static const struct cmd_verb vm_show_verb = {
	.name = "show",
	.args = "DOMAIN",
	.summary =
		"show whether a domain's interfaces are XDP-ready, and why not",
	.description =
		"Show vCPUs, machine type and interfaces, whether each is XDP-ready and why not.\n"
		"Changes nothing.",
	.options = show_options,
	.opts_size = sizeof(struct vm_cli),
	.min_args = 1,
	.max_args = 1,
	.check = vm_check_tuning,
	.run = run_show,
};

static const struct cmd_verb *const vm_subs[] = {
	&vm_xml_verb, &vm_set_verb, &vm_attach_verb, &vm_show_verb, NULL,
};

const struct cmd_verb vm_verb = {
	.name = "vm",
	.summary = "make a libvirt domain's virtio-net XDP-ready",
	.description =
		"Make libvirt virtio-net interfaces XDP-ready (multiqueue, guest offloads off,\n"
		"MTU <= 4064, modern virtio machine type). See afxdp-host-vm(8).",
	.subs = vm_subs,
};
