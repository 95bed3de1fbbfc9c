// SPDX-License-Identifier: GPL-2.0
/* afxdp-host plan: the plan file (see plan.h). libyaml's document API, as
 * guest/config_yaml.c: the whole tree with a line on every node, so every
 * error names "FILE:LINE: path". Only the shape and the VF lists are
 * checked here (pure, a fuzz target); values of settings go through the
 * verbs' option tables in plan_check.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "host/plan.h"
#include "util/parse.h"
#include "util/yaml_kind.h"

static const char *const vf_keys[] = { "mac",	     "vlan",	 "qos",
				       "vlan-proto", "trust",	 "spoofchk",
				       "link-state", "min-rate", "max-rate",
				       NULL };
static const char *const dom_keys[] = { "iface",	 "queues",     "mtu",
					"rx-queue-size", "zero-copy",  "driver",
					"vhost-dev",	 "max-queues", NULL };

static bool in_list(const char *const *l, const char *key)
{
	for (; *l; l++)
		if (!strcmp(*l, key))
			return true;
	return false;
}

bool plan_vf_key_ok(const char *key)
{
	return in_list(vf_keys, key);
}

bool plan_domain_key_ok(const char *key)
{
	return in_list(dom_keys, key);
}

struct pctx {
	yaml_document_t *doc;
	struct host_plan *p;
	char *err;
	size_t err_len;
};

static int fail(struct pctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	size_t off;
	va_list ap;

	snprintf(c->err, c->err_len, "%s:%zu: ", c->p->file,
		 n ? n->start_mark.line + 1 : 1);
	off = strlen(c->err);
	va_start(ap, fmt);
	vsnprintf(c->err + off, c->err_len - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int line_of(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static yaml_node_t *node(struct pctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* A key given twice in one mapping (libyaml does not refuse it). */
static int check_dups(struct pctx *c, const yaml_node_t *map, const char *where)
{
	for (yaml_node_pair_t *a = map->data.mapping.pairs.start;
	     a < map->data.mapping.pairs.top; a++) {
		yaml_node_t *ka = node(c, a->key);

		if (ka->type != YAML_SCALAR_NODE)
			continue;
		for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a;
		     b++) {
			yaml_node_t *kb = node(c, b->key);

			if (kb->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)ka->data.scalar.value,
				    (const char *)kb->data.scalar.value))
				return fail(
					c, ka, "%s.%s: given twice", where,
					(const char *)ka->data.scalar.value);
		}
	}
	return 0;
}

/* A scalar's text, or NULL (and the error) when n is no scalar. */
static const char *scalar(struct pctx *c, const yaml_node_t *n,
			  const char *where)
{
	if (n->type != YAML_SCALAR_NODE) {
		fail(c, n, "%s: expected a value, got %s", where, yaml_node_kind(n));
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int want_type(struct pctx *c, const yaml_node_t *n, yaml_node_type_t t,
		     const char *where)
{
	static const char *const names[] = { [YAML_SEQUENCE_NODE] = "a list",
					     [YAML_MAPPING_NODE] =
						     "a mapping" };

	if (n->type == t)
		return 0;
	return fail(c, n, "%s: expected %s, got %s", where, names[t], yaml_node_kind(n));
}

/* A string value into buf (non-empty, fits). */
static int copy_str(struct pctx *c, const yaml_node_t *n, const char *where,
		    char *buf, size_t len)
{
	const char *v = scalar(c, n, where);

	if (!v)
		return -EINVAL;
	if (!*v || strlen(v) >= len)
		return fail(c, n, "%s: '%s' is empty or longer than %zu", where,
			    v, len - 1);
	strcpy(buf, v);
	return 0;
}

/* A settings mapping (key: value) into kv[], keys checked by ok(). */
static int load_kv(struct pctx *c, const yaml_node_t *map, const char *where,
		   bool (*ok)(const char *), struct plan_kv *kv, size_t *n)
{
	char w[160];

	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
		const char *key = scalar(c, k, where), *val;

		if (!key)
			return -EINVAL;
		snprintf(w, sizeof(w), "%s.%s", where, key);
		if (!strcmp(key, "name"))
			continue;
		if (!ok(key))
			return fail(c, k, "%s: unknown key", w);
		for (size_t i = 0; i < *n; i++)
			if (!strcmp(kv[i].key, key))
				return fail(c, k, "%s: given twice", w);
		if (*n == PLAN_MAX_ITEMS)
			return fail(c, k, "%s: too many settings", where);
		val = scalar(c, v, w);
		if (!val)
			return -EINVAL;
		if (strlen(val) >= sizeof(kv->val))
			return fail(c, v, "%s: value too long", w);
		snprintf(kv[*n].key, sizeof(kv->key), "%s", key);
		snprintf(kv[*n].val, sizeof(kv->val), "%s", val);
		kv[(*n)++].line = line_of(v);
	}
	return 0;
}

/* "0-3", "0,2,5" or a list of those, into out[] (no duplicates). */
static int load_vf_list(struct pctx *c, const yaml_node_t *n, const char *where,
			uint32_t *out, size_t *count)
{
	yaml_node_item_t *it = NULL, *end = NULL;
	const yaml_node_t *item = n;
	uint32_t tmp[SRIOV_MAX_VFS];
	size_t got;

	*count = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		it = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
		if (it == end)
			return 0; /* an empty list: no VFs in this group */
	}
	for (;;) {
		const char *v;

		if (it)
			item = node(c, *it);
		v = scalar(c, item, where);
		if (!v)
			return -EINVAL;
		if (parse_u32_list(v, SRIOV_MAX_VFS - 1, tmp, SRIOV_MAX_VFS,
				   &got))
			return fail(
				c, item,
				"%s: bad VF list '%s' (e.g. 0-3 or 0,2,5; VFs 0-%d)",
				where, v, SRIOV_MAX_VFS - 1);
		for (size_t i = 0; i < got; i++) {
			for (size_t j = 0; j < *count; j++)
				if (out[j] == tmp[i])
					return fail(c, item,
						    "%s: VF %u is listed twice",
						    where, tmp[i]);
			if (*count == SRIOV_MAX_VFS)
				return fail(c, item, "%s: too many VFs", where);
			out[(*count)++] = tmp[i];
		}
		if (!it || ++it == end)
			return 0;
	}
}

static int load_vf_cfgs(struct pctx *c, const yaml_node_t *map,
			const char *where, struct plan_pf *pf)
{
	size_t n = (size_t)(map->data.mapping.pairs.top -
			    map->data.mapping.pairs.start);
	char w[160];
	int err;

	if (n > SRIOV_MAX_VFS)
		return fail(c, map, "%s: too many VFs", where);
	pf->vfs = calloc(n ? n : 1, sizeof(*pf->vfs));
	if (!pf->vfs)
		return -ENOMEM;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
		struct plan_vf_cfg *vc = &pf->vfs[pf->nvfs];
		const char *key = scalar(c, k, where);

		if (!key)
			return -EINVAL;
		if (parse_u32(key, 0, SRIOV_MAX_VFS - 1, &vc->vf) ||
		    (key[0] == '0' && key[1]))
			return fail(c, k, "%s: bad VF index '%s' (0-%d)", where,
				    key, SRIOV_MAX_VFS - 1);
		for (size_t i = 0; i < pf->nvfs; i++)
			if (pf->vfs[i].vf == vc->vf)
				return fail(c, k, "%s: VF %u is listed twice",
					    where, vc->vf);
		snprintf(w, sizeof(w), "%s.%u", where, vc->vf);
		vc->line = line_of(k);
		err = want_type(c, v, YAML_MAPPING_NODE, w);
		if (!err)
			err = load_kv(c, v, w, plan_vf_key_ok, vc->kv, &vc->n);
		if (err)
			return err;
		if (!vc->n)
			return fail(c, v, "%s: no settings", w);
		pf->nvfs++;
	}
	return 0;
}

static int pf_key(struct pctx *c, struct plan_pf *pf, const char *w,
		  const char *key, yaml_node_t *k, yaml_node_t *v)
{
	const char *val;
	bool b;

	if (!strcmp(key, "name"))
		return copy_str(c, v, w, pf->name, sizeof(pf->name));
	if (!strcmp(key, "vfio")) {
		pf->vfio_line = line_of(v);
		return load_vf_list(c, v, w, pf->vfio, &pf->nvfio);
	}
	if (!strcmp(key, "kernel")) {
		pf->kernel_line = line_of(v);
		return load_vf_list(c, v, w, pf->kernel, &pf->nkernel);
	}
	if (!strcmp(key, "vfs"))
		return want_type(c, v, YAML_MAPPING_NODE, w) ?:
			       load_vf_cfgs(c, v, w, pf);
	if (strcmp(key, "numvfs") && strcmp(key, "autoprobe"))
		return fail(
			c, k,
			"%s: unknown key (name, numvfs, autoprobe, vfio, kernel, vfs)",
			w);
	val = scalar(c, v, w);
	if (!val)
		return -EINVAL;
	if (!strcmp(key, "numvfs")) {
		pf->has_numvfs = true;
		if (parse_u32(val, 0, SRIOV_MAX_VFS, &pf->numvfs))
			return fail(c, v, "%s: bad number '%s' (0-%d)", w, val,
				    SRIOV_MAX_VFS);
		return 0;
	}
	if (!strcmp(val, "on") || !strcmp(val, "off"))
		b = !strcmp(val, "on");
	else if (parse_bool(val, &b))
		return fail(c, v, "%s: bad value '%s' (on|off)", w, val);
	pf->autoprobe = b;
	return 0;
}

/* A VF in both groups, or beyond the plan's own numvfs. */
static int pf_cross_check(struct pctx *c, const yaml_node_t *n,
			  const char *where, const struct plan_pf *pf)
{
	for (size_t i = 0; i < pf->nvfio; i++)
		for (size_t j = 0; j < pf->nkernel; j++)
			if (pf->vfio[i] == pf->kernel[j])
				return fail(
					c, n,
					"%s (%s): VF %u is given to both vfio (DPDK) and kernel (AF_XDP)",
					where, pf->name, pf->vfio[i]);
	if (!pf->has_numvfs)
		return 0;
	for (size_t i = 0; i < pf->nvfio + pf->nkernel; i++) {
		uint32_t vf =
			i < pf->nvfio ? pf->vfio[i] : pf->kernel[i - pf->nvfio];

		if (vf >= pf->numvfs)
			return fail(
				c, n,
				"%s (%s): VF %u is beyond numvfs %u (VFs 0-%d)",
				where, pf->name, vf, pf->numvfs,
				(int)pf->numvfs - 1);
	}
	for (size_t i = 0; i < pf->nvfs; i++)
		if (pf->vfs[i].vf >= pf->numvfs)
			return fail(
				c, n,
				"%s (%s): settings for VF %u, beyond numvfs %u",
				where, pf->name, pf->vfs[i].vf, pf->numvfs);
	return 0;
}

static int load_pf(struct pctx *c, const yaml_node_t *n, size_t idx)
{
	struct plan_pf *pf = &c->p->pfs[idx];
	char where[32], w[96];
	int err;

	snprintf(where, sizeof(where), "pfs[%zu]", idx);
	pf->line = line_of(n);
	pf->autoprobe = -1;
	err = want_type(c, n, YAML_MAPPING_NODE, where) ?:
							  check_dups(c, n, where);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     !err && pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
		const char *key = scalar(c, k, where);

		if (!key)
			return -EINVAL;
		snprintf(w, sizeof(w), "%s.%s", where, key);
		err = pf_key(c, pf, w, key, k, v);
	}
	if (err)
		return err;
	if (!pf->name[0])
		return fail(c, n, "%s: no name (the PF's netdev)", where);
	for (size_t i = 0; i < idx; i++)
		if (!strcmp(c->p->pfs[i].name, pf->name))
			return fail(c, n, "%s: PF '%s' is listed twice", where,
				    pf->name);
	return pf_cross_check(c, n, where, pf);
}

static int load_domain(struct pctx *c, const yaml_node_t *n, size_t idx)
{
	struct plan_domain *d = &c->p->doms[idx];
	char where[32];
	int err;

	snprintf(where, sizeof(where), "domains[%zu]", idx);
	d->line = line_of(n);
	err = want_type(c, n, YAML_MAPPING_NODE, where) ?:
							  check_dups(c, n, where);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     !err && pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
		const char *key = scalar(c, k, where);

		if (!key)
			return -EINVAL;
		if (!strcmp(key, "name"))
			err = copy_str(c, v, "name", d->name, sizeof(d->name));
	}
	if (!err)
		err = load_kv(c, n, where, plan_domain_key_ok, d->kv, &d->n);
	if (err)
		return err;
	if (!d->name[0])
		return fail(c, n, "%s: no name (the libvirt domain)", where);
	for (size_t i = 0; i < idx; i++)
		if (!strcmp(c->p->doms[i].name, d->name))
			return fail(c, n, "%s: domain '%s' is listed twice",
				    where, d->name);
	return 0;
}

/* A list of entries: *arr allocated, load() for each. */
static int load_list(struct pctx *c, const yaml_node_t *seq, const char *what,
		     void **arr, size_t size, size_t *count,
		     int (*load)(struct pctx *, const yaml_node_t *, size_t))
{
	size_t n;
	int err = want_type(c, seq, YAML_SEQUENCE_NODE, what);

	if (err)
		return err;
	n = (size_t)(seq->data.sequence.items.top -
		     seq->data.sequence.items.start);
	if (n > PLAN_MAX_ITEMS)
		return fail(c, seq, "%s: more than %d entries", what,
			    PLAN_MAX_ITEMS);
	*arr = calloc(n ? n : 1, size);
	if (!*arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		*count = i + 1; /* plan_free() frees what was loaded */
		err = load(c, node(c, seq->data.sequence.items.start[i]), i);
		if (err)
			return err;
	}
	return 0;
}

static int load_root(struct pctx *c, const yaml_node_t *root)
{
	struct host_plan *p = c->p;
	int err = 0;

	if (!root ||
	    (root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
		return fail(c, NULL, "empty plan (want pfs: and/or domains:)");
	err = want_type(c, root, YAML_MAPPING_NODE, "plan") ?:
		      check_dups(c, root, "plan");
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     !err && pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(c, pr->key), *v = node(c, pr->value);
		const char *key = scalar(c, k, "plan");

		if (!key)
			return -EINVAL;
		if (!strcmp(key, "host"))
			err = copy_str(c, v, "host", p->host, sizeof(p->host));
		else if (!strcmp(key, "pfs"))
			err = load_list(c, v, "pfs", (void **)&p->pfs,
					sizeof(*p->pfs), &p->npfs, load_pf);
		else if (!strcmp(key, "domains"))
			err = load_list(c, v, "domains", (void **)&p->doms,
					sizeof(*p->doms), &p->ndoms,
					load_domain);
		else
			err = fail(c, k, "%s: unknown key (host, pfs, domains)",
				   key);
	}
	if (!err && !p->npfs && !p->ndoms)
		err = fail(c, root, "the plan names no PF and no domain");
	return err;
}

int plan_parse(const char *text, size_t len, const char *file,
	       struct host_plan *p, char *err, size_t err_len)
{
	struct pctx c = { .p = p, .err = err, .err_len = err_len };
	yaml_parser_t parser;
	yaml_document_t doc;
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->file, sizeof(p->file), "%s", file ? file : "plan");
	err[0] = '\0';
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_len, "%s:%zu: not YAML: %s", p->file,
			 parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	c.doc = &doc;
	ret = load_root(&c, yaml_document_get_root_node(&doc));
	if (ret == -ENOMEM)
		snprintf(err, err_len, "out of memory");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ret;
}

int plan_load(const char *path, struct host_plan *p, char *err, size_t err_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	int ret;

	memset(p, 0, sizeof(*p));
	if (!f) {
		snprintf(err, err_len, "%s: cannot read: %s", path,
			 strerror(errno));
		return -EINVAL;
	}
	buf = malloc(1 << 20);
	if (buf)
		len = fread(buf, 1, 1 << 20, f);
	if (buf && !ferror(f) && len == 1 << 20 && fgetc(f) != EOF) {
		snprintf(err, err_len, "%s: larger than 1 MiB", path);
		ret = -EINVAL;
	} else if (!buf || ferror(f)) {
		snprintf(err, err_len, "%s: cannot read", path);
		ret = -EINVAL;
	} else {
		ret = plan_parse(buf, len, path, p, err, err_len);
	}
	fclose(f);
	free(buf);
	return ret;
}

void plan_free(struct host_plan *p)
{
	for (size_t i = 0; p->pfs && i < p->npfs; i++)
		free(p->pfs[i].vfs);
	free(p->pfs);
	free(p->doms);
	p->pfs = NULL;
	p->doms = NULL;
	p->npfs = p->ndoms = 0;
}
