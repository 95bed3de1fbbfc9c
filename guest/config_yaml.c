// SPDX-License-Identifier: GPL-2.0
/*
 * afxdp-agent configuration: the YAML file.
 *
 * Why libyaml, and its document API: the schema has nested sections, lists
 * of mappings (ports, apps) and lists of scalars (queues, cpus, filter
 * rules). The document API hands us the whole tree with a start mark (line)
 * on every node, so one recursive walk can name "file:line: key.path" in
 * every error and check node types (a mapping where a number belongs, a
 * quoted string where an integer belongs). inih has no nesting or lists; an
 * event-driven walk would need its own stack for the same result. The files
 * are tiny, so holding the tree costs nothing.
 *
 * Every leaf goes through the setters of guest/config.c, the same as
 * config_set(), so the file and the command line accept the same values
 * with the same messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "guest/config_int.h"
#include "util/yaml_kind.h"

static void ctx_at(struct ctx *c, const yaml_node_t *n)
{
	c->line = n->start_mark.line + 1;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool scalar_quoted(const yaml_node_t *n)
{
	return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	       n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

/* A plain ~, null or nothing: YAML's null, taken as the empty string. */
static const char *scalar_or_null(const yaml_node_t *n)
{
	const char *v = scalar(n);

	if (!scalar_quoted(n) && (!strcmp(v, "~") || !strcmp(v, "null")))
		return "";
	return v;
}

/* Joins a sequence of scalars with ','; every item must be a scalar. */
static int join_seq(yaml_document_t *doc, yaml_node_t *seq, struct ctx *c,
		    char *buf, size_t len)
{
	yaml_node_item_t *it;
	size_t pos = 0;

	buf[0] = '\0';
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(doc, *it);
		int n;

		ctx_at(c, item);
		if (item->type != YAML_SCALAR_NODE)
			return cfg_fail(c, "list items must be scalars, got %s",
					yaml_node_kind(item));
		n = snprintf(buf + pos, len - pos, "%s%s", pos ? "," : "",
			     scalar(item));
		if (n < 0 || (size_t)n >= len - pos)
			return cfg_fail(c, "list too long");
		pos += (size_t)n;
	}
	ctx_at(c, seq);
	return 0;
}

/* Adds one rule to a list of rules; the empty rule clears it. */
typedef int (*rule_fn)(void *owner, const char *rule, struct ctx *c);

/* A scalar (one rule) or a list of rules: replaces what was there. */
static int load_rules(yaml_document_t *doc, yaml_node_t *n, struct ctx *c,
		      rule_fn add, void *owner)
{
	yaml_node_item_t *it;
	size_t base = strlen(c->key), i = 0;
	int err;

	err = add(owner, "", c); /* the file's list replaces what was there */
	if (err)
		return err;
	if (n->type == YAML_SCALAR_NODE)
		return add(owner, scalar_or_null(n), c);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, "expected a list of rule strings, got %s",
				yaml_node_kind(n));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *it);

		snprintf(c->key + base, sizeof(c->key) - base, ".%zu", i);
		ctx_at(c, item);
		if (item->type != YAML_SCALAR_NODE)
			return cfg_fail(c, "expected a rule string, got %s",
					yaml_node_kind(item));
		if (!*scalar(item))
			return cfg_fail(c, "empty rule");
		err = add(owner, scalar(item), c);
		if (err)
			return err;
	}
	c->key[base] = '\0';
	return 0;
}

static int add_cfg_rule(void *cfg, const char *rule, struct ctx *c)
{
	return cfg_add_filter(cfg, rule, c);
}

static int add_app_rule(void *app, const char *rule, struct ctx *c)
{
	return cfg_app_set_key(app, "filter", rule, c);
}

/* Checks that a scalar's YAML type fits the key: numbers and booleans must
 * be plain (unquoted) scalars, so frame_size: "4096" is a type error. */
static int check_scalar_type(const struct key_desc *k, yaml_node_t *n,
			     struct ctx *c)
{
	enum cfg_value kind = cfg_key_value(k);

	if (kind == CFG_VAL_NUMBER && scalar_quoted(n))
		return cfg_fail(c, "expected an integer, got the string \"%s\"",
				scalar(n));
	if (kind == CFG_VAL_BOOL && scalar_quoted(n))
		return cfg_fail(c,
				"expected true or false, got the string \"%s\"",
				scalar(n));
	return 0;
}

static int load_leaf(struct agent_config *cfg, yaml_document_t *doc,
		     const struct key_desc *k, yaml_node_t *n, struct ctx *c)
{
	bool list = cfg_key_value(k) == CFG_VAL_LIST;
	char buf[2048];
	int err;

	if (cfg_key_value(k) == CFG_VAL_RULES)
		return load_rules(doc, n, c, add_cfg_rule, cfg);
	if (n->type == YAML_SEQUENCE_NODE && list) {
		err = join_seq(doc, n, c, buf, sizeof(buf));
		return err ? err : cfg_set_key(cfg, k, buf, c);
	}
	if (n->type != YAML_SCALAR_NODE)
		return cfg_fail(c, "expected %s, got %s",
				list ? "a scalar or a list" : "a scalar",
				yaml_node_kind(n));
	err = check_scalar_type(k, n, c);
	if (err)
		return err;
	return cfg_set_key(cfg, k, scalar_or_null(n), c);
}

typedef int (*pair_fn)(struct agent_config *cfg, yaml_document_t *doc,
		       const char *name, yaml_node_t *val, struct ctx *c,
		       void *arg);

/* Calls fn for every key of a mapping with c->key = prefix.key, rejecting
 * non-scalar and duplicate keys. */
static int walk_mapping(struct agent_config *cfg, yaml_document_t *doc,
			yaml_node_t *map, struct ctx *c, pair_fn fn, void *arg)
{
	size_t base = strlen(c->key);
	yaml_node_pair_t *p, *q;
	int err;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		ctx_at(c, k);
		if (k->type != YAML_SCALAR_NODE) {
			c->key[base] = '\0';
			return cfg_fail(c, "keys must be scalars, got %s",
					yaml_node_kind(k));
		}
		snprintf(c->key + base, sizeof(c->key) - base, "%s%s",
			 base ? "." : "", scalar(k));
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(doc, q->key);

			if (k2->type == YAML_SCALAR_NODE &&
			    !strcmp(scalar(k2), scalar(k)))
				return cfg_fail(
					c, "duplicate key (first on line %lu)",
					(unsigned long)k2->start_mark.line + 1);
		}
		c->key_line = c->line;
		ctx_at(c, v);
		err = fn(cfg, doc, scalar(k), v, c, arg);
		if (err)
			return err;
		c->key[base] = '\0';
	}
	return 0;
}

static int port_pair(struct agent_config *cfg, yaml_document_t *doc,
		     const char *name, yaml_node_t *v, struct ctx *c, void *arg)
{
	struct port_config *p = arg;
	char buf[1024];
	int err;

	(void)cfg;
	if (!cfg_port_key_known(name)) {
		c->line = c->key_line;
		return cfg_fail(
			c,
			"unknown key (ports take ifname, queues, src_mac, dst_mac)");
	}
	if (v->type == YAML_SEQUENCE_NODE && cfg_port_key_is_list(name)) {
		err = join_seq(doc, v, c, buf, sizeof(buf));
		return err ? err : cfg_port_set(p, name, buf, c);
	}
	if (v->type != YAML_SCALAR_NODE)
		return cfg_fail(c, "expected %s, got %s",
				cfg_port_key_is_list(name) ?
					"a scalar or a list" :
					"a scalar",
				yaml_node_kind(v));
	return cfg_port_set(p, name, scalar_or_null(v), c);
}

static int load_ports(struct agent_config *cfg, yaml_document_t *doc,
		      yaml_node_t *n, struct ctx *c)
{
	struct port_config ports[CFG_MAX_PORTS];
	size_t base = strlen(c->key), i = 0;
	yaml_node_item_t *it;
	int err;

	if (n->type == YAML_SCALAR_NODE) /* "eth1,eth2" like the command line */
		return cfg_set_ports(cfg, scalar_or_null(n), c);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, "expected a list of ports, got %s",
				yaml_node_kind(n));
	memset(ports, 0, sizeof(ports));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *it);

		ctx_at(c, item);
		if (i == CFG_MAX_PORTS)
			return cfg_fail(c, "at most %d ports", CFG_MAX_PORTS);
		snprintf(c->key + base, sizeof(c->key) - base, ".%zu", i);
		if (item->type != YAML_MAPPING_NODE)
			return cfg_fail(
				c, "expected a mapping (ifname: ...), got %s",
				yaml_node_kind(item));
		err = walk_mapping(cfg, doc, item, c, port_pair, &ports[i]);
		if (err)
			return err;
		if (!ports[i].ifname[0]) {
			ctx_at(c, item);
			return cfg_fail(c, "ifname is required");
		}
		c->key[base] = '\0';
	}
	if (!i)
		return cfg_fail(c, "must list at least one port");
	memcpy(cfg->ports, ports, sizeof(ports));
	cfg->nr_ports = i;
	return 0;
}

static int app_pair(struct agent_config *cfg, yaml_document_t *doc,
		    const char *name, yaml_node_t *v, struct ctx *c, void *arg)
{
	struct app_config *a = arg;
	char buf[1024];
	int err;

	(void)cfg;
	if (!cfg_app_key_known(name)) {
		c->line = c->key_line;
		return cfg_fail(
			c, "unknown key (applications take " CFG_APP_KEYS ")");
	}
	if (!strcmp(name, "filter"))
		return load_rules(doc, v, c, add_app_rule, a);
	if (v->type == YAML_SEQUENCE_NODE && cfg_app_key_is_list(name)) {
		err = join_seq(doc, v, c, buf, sizeof(buf));
		return err ? err : cfg_app_set_key(a, name, buf, c);
	}
	if (v->type != YAML_SCALAR_NODE)
		return cfg_fail(c, "expected %s, got %s",
				cfg_app_key_is_list(name) ?
					"a scalar or a list" :
					"a scalar",
				yaml_node_kind(v));
	return cfg_app_set_key(a, name, scalar_or_null(v), c);
}

static int load_app(struct agent_config *cfg, yaml_document_t *doc,
		    yaml_node_t *item, struct ctx *c, struct app_config *a)
{
	int err;

	if (item->type != YAML_MAPPING_NODE)
		return cfg_fail(c, "expected a mapping (name: ...), got %s",
				yaml_node_kind(item));
	err = walk_mapping(cfg, doc, item, c, app_pair, a);
	if (err)
		return err;
	ctx_at(c, item);
	if (!a->name[0])
		return cfg_fail(c, "name is required");
	if (!a->ifname[0])
		return cfg_fail(c, "ifname is required");
	return 0;
}

/* The file's list of applications replaces the one there was, whole: on
 * an error nothing of it is kept. */
static int load_apps(struct agent_config *cfg, yaml_document_t *doc,
		     yaml_node_t *n, struct ctx *c)
{
	struct app_config apps[CFG_MAX_APPS];
	size_t base = strlen(c->key), i = 0;
	yaml_node_item_t *it;
	int err = 0;

	if (n->type == YAML_SCALAR_NODE && !*scalar_or_null(n)) {
		cfg_apps_clear(cfg); /* "apps:" with nothing: none */
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(c, "expected a list of applications, got %s",
				yaml_node_kind(n));
	memset(apps, 0, sizeof(apps));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		yaml_node_t *item = yaml_document_get_node(doc, *it);

		ctx_at(c, item);
		if (i == CFG_MAX_APPS) {
			err = cfg_fail(c, "at most %d applications",
				       CFG_MAX_APPS);
			break;
		}
		snprintf(c->key + base, sizeof(c->key) - base, ".%zu", i);
		err = load_app(cfg, doc, item, c, &apps[i]);
		if (err)
			break;
		c->key[base] = '\0';
	}
	if (err) { /* apps[i] may hold rules of its own */
		for (size_t j = 0; j <= i && j < CFG_MAX_APPS; j++)
			cfg_app_free(&apps[j]);
		return err;
	}
	cfg_apps_clear(cfg);
	memcpy(cfg->apps, apps, sizeof(apps));
	cfg->nr_apps = i;
	return 0;
}

static int top_pair(struct agent_config *cfg, yaml_document_t *doc,
		    const char *name, yaml_node_t *v, struct ctx *c, void *arg)
{
	const struct key_desc *k;

	(void)name;
	(void)arg;
	if (!strcmp(c->key, "ports"))
		return load_ports(cfg, doc, v, c);
	if (!strcmp(c->key, "apps"))
		return load_apps(cfg, doc, v, c);
	k = cfg_find_key(c->key);
	if (k)
		return load_leaf(cfg, doc, k, v, c);
	if (!cfg_is_section(c->key)) {
		c->line = c->key_line;
		return cfg_fail(c, "unknown key");
	}
	if (v->type == YAML_SCALAR_NODE && !*scalar_or_null(v))
		return 0; /* "socket:" with nothing under it */
	if (v->type != YAML_MAPPING_NODE)
		return cfg_fail(c, "expected a mapping, got %s", yaml_node_kind(v));
	return walk_mapping(cfg, doc, v, c, top_pair, NULL);
}

static int load_parser(struct agent_config *cfg, yaml_parser_t *parser,
		       struct ctx *c)
{
	yaml_document_t doc, extra;
	yaml_node_t *root;
	int err = 0;

	if (!yaml_parser_load(parser, &doc)) {
		c->line = parser->problem_mark.line + 1;
		snprintf(c->err, c->err_len,
			 "%s:%lu: YAML syntax error: %s%s%s", c->file, c->line,
			 parser->problem ? parser->problem : "unknown",
			 parser->context ? " " : "",
			 parser->context ? parser->context : "");
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root) {
		ctx_at(c, root);
		if (root->type == YAML_SCALAR_NODE && !*scalar_or_null(root))
			goto next; /* a file of comments only */
		if (root->type != YAML_MAPPING_NODE) {
			snprintf(
				c->err, c->err_len,
				"%s:%lu: the top level must be a mapping, got %s",
				c->file, c->line, yaml_node_kind(root));
			err = -EINVAL;
			goto out;
		}
		err = walk_mapping(cfg, &doc, root, c, top_pair, NULL);
		if (err)
			goto out;
	}
next:
	/* One document per file: a second one is most likely a mistake. */
	if (root) {
		if (!yaml_parser_load(parser, &extra)) {
			c->line = parser->problem_mark.line + 1;
			snprintf(c->err, c->err_len,
				 "%s:%lu: YAML syntax error: %s", c->file,
				 c->line,
				 parser->problem ? parser->problem : "unknown");
			err = -EINVAL;
			goto out;
		}
		if (yaml_document_get_root_node(&extra)) {
			snprintf(c->err, c->err_len,
				 "%s:%lu: only one YAML document is allowed",
				 c->file,
				 (unsigned long)extra.start_mark.line + 1);
			err = -EINVAL;
		}
		yaml_document_delete(&extra);
	}
out:
	yaml_document_delete(&doc);
	return err;
}

int config_load_string(struct agent_config *cfg, const char *yaml, char *err,
		       size_t err_len)
{
	char dummy[CFG_ERR_LEN];
	struct ctx c = { .file = "<string>",
			 .err = err ? err : dummy,
			 .err_len = err ? err_len : sizeof(dummy) };
	yaml_parser_t parser;
	int ret;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml,
				     strlen(yaml));
	ret = load_parser(cfg, &parser, &c);
	yaml_parser_delete(&parser);
	return ret;
}

int config_load_file(struct agent_config *cfg, const char *path, char *err,
		     size_t err_len)
{
	char dummy[CFG_ERR_LEN];
	struct ctx c = { .file = path,
			 .err = err ? err : dummy,
			 .err_len = err ? err_len : sizeof(dummy) };
	yaml_parser_t parser;
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(c.err, c.err_len, "%s: cannot open: %s", path,
			 strerror(-ret));
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	ret = load_parser(cfg, &parser, &c);
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}
