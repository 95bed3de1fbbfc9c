// SPDX-License-Identifier: GPL-2.0
/* afxdp-host publish: the facts the probe's evidence supports and the text
 * of each output (Nova provider config, NFD features.d, Prometheus
 * textfile, flavor extra specs). Pure functions: report in, text out. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/probe.h"
#include "host/publish.h"

static const struct {
	const char *trait, *label, *help;
} facts[PUB_NFACTS] = {
	[PUB_CAP_AF_XDP] = { "CUSTOM_CAP_AF_XDP", "afxdp.capable",
			     "e.cap.025 AF_XDP offered" },
	[PUB_ZEROCOPY] = { "CUSTOM_AF_XDP_ZEROCOPY", "afxdp.zerocopy",
			   "a netdev has AF_XDP zero-copy" },
	[PUB_VIRTIO_MQ] = { "CUSTOM_AF_XDP_VIRTIO_MQ", "afxdp.virtio-mq",
			    "libvirt answers: multiqueue virtio-net guests" },
	[PUB_SRIOV_VF] = { "CUSTOM_AF_XDP_SRIOV_VF", "afxdp.sriov-vf",
			   "kernel-bound SR-IOV VFs and IOMMU groups" },
};

static const char *const out_names[PUB_NOUTS] = { "nova", "nfd", "prom" };
static const char *const out_files[PUB_NOUTS] = { "afxdp-kit.yaml", "afxdp-kit",
						  "afxdp-kit.prom" };

const char *publish_trait(enum publish_fact f)
{
	return facts[f].trait;
}

const char *publish_label(enum publish_fact f)
{
	return facts[f].label;
}

const char *publish_output_name(enum publish_output o)
{
	return out_names[o];
}

const char *publish_output_file(enum publish_output o)
{
	return out_files[o];
}

static bool has_kernel_vfs(const struct probe_netdev *nd)
{
	for (size_t i = 0; nd->sriov && i < nd->n_vfs; i++)
		if (nd->vfs[i].group == SRIOV_GROUP_KERNEL)
			return true;
	return false;
}

void publish_facts(const struct probe_report *rep, struct publish_facts *f)
{
	bool zc = false, vf = false;

	memset(f, 0, sizeof(*f));
	if (!rep->supported)
		return; /* no sub-trait without the capability itself */
	for (size_t i = 0; i < rep->n_netdevs; i++) {
		zc |= rep->netdevs[i].xdp_zc == PT_YES;
		vf |= has_kernel_vfs(&rep->netdevs[i]);
	}
	f->has[PUB_CAP_AF_XDP] = true;
	f->has[PUB_ZEROCOPY] = zc;
	/* `afxdp-host vm` sets the queues through libvirt. */
	f->has[PUB_VIRTIO_MQ] = rep->libvirt_reachable;
	/* A VF reaches a guest through VFIO, which needs IOMMU groups. */
	f->has[PUB_SRIOV_VF] = vf && rep->iommu_groups > 0;
}

bool publish_trait_valid(const char *name)
{
	size_t n = strlen(name);

	if (n <= strlen("CUSTOM_") || n > 255 || strncmp(name, "CUSTOM_", 7))
		return false;
	for (const char *p = name; *p; p++)
		if (!isupper((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static bool alnum(char c)
{
	return isascii((unsigned char)c) && isalnum((unsigned char)c);
}

bool publish_label_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 63 || !alnum(name[0]) || !alnum(name[n - 1]))
		return false;
	for (const char *p = name; *p; p++)
		if (!alnum(*p) && !strchr("._-", *p))
			return false;
	return true;
}

int publish_check_hostname(const char *name)
{
	size_t n = strlen(name), label = 0;

	/* RFC 1123 allows 253; Nova's schema stops at 200. */
	if (!n || n > 200)
		return -EINVAL;
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];

		if (c == '.' || !c) {
			if (!label || name[i - 1] == '-')
				return -EINVAL;
			label = 0;
			continue;
		}
		if (!alnum(c) && c != '-')
			return -EINVAL;
		if (!label && c == '-')
			return -EINVAL;
		if (++label > 63)
			return -EINVAL;
	}
	return 0;
}

int publish_check_uuid(const char *uuid)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (!strcmp(uuid, "$COMPUTE_NODE"))
		return 0;
	if (strlen(uuid) != strlen(form))
		return -EINVAL;
	for (size_t i = 0; form[i]; i++)
		if (form[i] == '-' ? uuid[i] != '-' :
				     !isxdigit((unsigned char)uuid[i]))
			return -EINVAL;
	return 0;
}

/* A text built with stdio: open_memstream()'s buffer. */
struct text {
	char *buf;
	size_t len;
	FILE *o;
};

static FILE *text_open(struct text *t)
{
	*t = (struct text){ 0 };
	t->o = open_memstream(&t->buf, &t->len);
	return t->o;
}

/* The text, or NULL (freed) when a write failed. */
static char *text_close(struct text *t)
{
	bool bad = ferror(t->o);

	if (fclose(t->o) || bad) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}

#define HEADER "afxdp-kit: written by afxdp-host publish from afxdp-host probe"

char *publish_nova_yaml(const struct publish_facts *f,
			const struct publish_ident *id)
{
	struct text t;
	FILE *o = text_open(&t);
	size_t n = 0;

	if (!o)
		return NULL;
	fprintf(o,
		"# " HEADER "\n"
		"# (e.cap.025 AF_XDP: %s). Nova's provider config: see\n"
		"# afxdp-host-publish(8); the next publish replaces this file.\n"
		"meta:\n"
		"  schema_version: '1.0'\n"
		"providers:\n"
		"  - identification:\n",
		f->has[PUB_CAP_AF_XDP] ? "offered" : "not offered");
	/* Quoted: a host name of digits must stay a string for the schema. */
	if (id->uuid)
		fprintf(o, "      uuid: '%s'\n", id->uuid);
	else
		fprintf(o, "      name: '%s'\n", id->name);
	for (int i = 0; i < PUB_NFACTS; i++) {
		if (!f->has[i])
			continue;
		/* No traits: no traits key (Nova ignores the provider). */
		if (!n++)
			fprintf(o, "    traits:\n      additional:\n");
		fprintf(o, "        - %s\n", facts[i].trait);
	}
	return text_close(&t);
}

char *publish_nfd(const struct publish_facts *f)
{
	struct text t;
	FILE *o = text_open(&t);

	if (!o)
		return NULL;
	/* No comment may start with "# +": NFD reads those as directives. */
	fprintf(o,
		"# " HEADER "\n"
		"# (e.cap.025). NFD labels these feature.node.kubernetes.io/NAME.\n");
	for (int i = 0; i < PUB_NFACTS; i++)
		fprintf(o, "%s=%s\n", facts[i].label,
			f->has[i] ? "true" : "false");
	return text_close(&t);
}

int publish_prom_escape(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s; s++) {
		const char *rep = *s == '\\' ? "\\\\" :
				  *s == '"'  ? "\\\"" :
				  *s == '\n' ? "\\n" :
					       NULL;
		size_t k = rep ? 2 : 1;

		if (n + k >= len)
			return -ENOSPC;
		memcpy(out + n, rep ? rep : s, k);
		n += k;
	}
	if (n >= len)
		return -ENOSPC;
	out[n] = '\0';
	return 0;
}

static void family(FILE *o, const char *name, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* {netdev="...",driver="..."} of nd, escaped. */
static void nd_labels(const struct probe_netdev *nd, char *out, size_t len)
{
	char name[2 * IFNAMSIZ + 1], drv[2 * sizeof(nd->driver) + 1];

	if (publish_prom_escape(nd->name, name, sizeof(name)) ||
	    publish_prom_escape(nd->driver, drv, sizeof(drv)))
		name[0] = drv[0] = '\0'; /* cannot happen: twice the size */
	snprintf(out, len, "netdev=\"%s\",driver=\"%s\"", name, drv);
}

typedef bool (*nd_value_fn)(const struct probe_netdev *nd, long long *v);

static bool v_native(const struct probe_netdev *nd, long long *v)
{
	*v = nd->xdp_native == PT_YES;
	return nd->xdp_native != PT_UNKNOWN;
}

static bool v_zc(const struct probe_netdev *nd, long long *v)
{
	*v = nd->xdp_zc == PT_YES;
	return nd->xdp_zc != PT_UNKNOWN;
}

static bool v_rxq(const struct probe_netdev *nd, long long *v)
{
	*v = nd->rx_queues;
	return true;
}

static bool v_totalvfs(const struct probe_netdev *nd, long long *v)
{
	*v = nd->totalvfs;
	return nd->sriov;
}

static bool v_kernel_vfs(const struct probe_netdev *nd, long long *v)
{
	*v = 0;
	for (size_t i = 0; i < nd->n_vfs; i++)
		*v += nd->vfs[i].group == SRIOV_GROUP_KERNEL;
	return nd->sriov;
}

static void per_netdev(FILE *o, const struct probe_report *rep,
		       const char *name, const char *help, nd_value_fn fn)
{
	char labels[256];
	size_t n = 0;
	long long v;

	for (size_t i = 0; i < rep->n_netdevs; i++) {
		if (!fn(&rep->netdevs[i], &v))
			continue;
		/* A family without samples is left out altogether. */
		if (!n++)
			family(o, name, help);
		nd_labels(&rep->netdevs[i], labels, sizeof(labels));
		fprintf(o, "%s{%s} %lld\n", name, labels, v);
	}
}

char *publish_prom(const struct probe_report *rep,
		   const struct publish_facts *f)
{
	struct text t;
	FILE *o = text_open(&t);

	if (!o)
		return NULL;
	/* No timestamp: the file only changes with the facts, and
	 * node_textfile_mtime_seconds says when that was. */
	fprintf(o, "# " HEADER " (e.cap.025).\n");
	family(o, "afxdp_capability_supported",
	       "1 when the host offers the Anuket capability (afxdp-host probe's verdict).");
	fprintf(o,
		"afxdp_capability_supported{capability=\"e.cap.025\",name=\"AF_XDP\"} %d\n",
		rep->supported);
	family(o, "afxdp_trait",
	       "1 when the host has this Nova custom trait and NFD label.");
	for (int i = 0; i < PUB_NFACTS; i++)
		fprintf(o, "afxdp_trait{trait=\"%s\",label=\"%s\"} %d\n",
			facts[i].trait, facts[i].label, f->has[i]);
	per_netdev(
		o, rep, "afxdp_netdev_xdp_native",
		"1 when the netdev has native (driver) XDP; absent when unknown.",
		v_native);
	per_netdev(
		o, rep, "afxdp_netdev_xdp_zero_copy",
		"1 when the netdev has AF_XDP zero-copy; absent when unknown.",
		v_zc);
	per_netdev(o, rep, "afxdp_netdev_rx_queues",
		   "RX queues of the netdev (sysfs queues/).", v_rxq);
	per_netdev(o, rep, "afxdp_netdev_sriov_totalvfs",
		   "VFs the SR-IOV PF can have; absent when not SR-IOV.",
		   v_totalvfs);
	per_netdev(
		o, rep, "afxdp_netdev_sriov_kernel_vfs",
		"VFs of the PF bound to the kernel VF driver (for AF_XDP guests).",
		v_kernel_vfs);
	return text_close(&t);
}

char *publish_extra_specs(const struct publish_facts *f)
{
	struct text t;
	FILE *o = text_open(&t);

	if (!o)
		return NULL;
	fprintf(o,
		"# Flavor extra specs for AF_XDP guests, each as\n"
		"# openstack flavor set FLAVOR --property KEY=VALUE:\n"
		"trait:%s=required\n"
		"trait:%s=required\n"
		"hw:vif_multiqueue_enabled=true\n"
		"# or on the image: hw_vif_multiqueue_enabled=true\n"
		"# Only for guests that need them:\n",
		facts[PUB_CAP_AF_XDP].trait, facts[PUB_VIRTIO_MQ].trait);
	for (int i = PUB_ZEROCOPY; i < PUB_NFACTS; i++) {
		if (i == PUB_VIRTIO_MQ)
			continue;
		fprintf(o, "#   trait:%s=required (this host: %s)\n",
			facts[i].trait, f->has[i] ? "yes" : "no");
	}
	fprintf(o,
		"# This host: %s=%s, %s=%s.\n"
		"# Nova gives a guest as many queue pairs as vCPUs; AF_XDP wants\n"
		"# 2 x vCPUs: run afxdp-host vm set DOMAIN --config on the compute\n"
		"# host (see afxdp-host-publish(8)).\n",
		facts[PUB_CAP_AF_XDP].trait,
		f->has[PUB_CAP_AF_XDP] ? "yes" : "no",
		facts[PUB_VIRTIO_MQ].trait,
		f->has[PUB_VIRTIO_MQ] ? "yes" : "no");
	return text_close(&t);
}
