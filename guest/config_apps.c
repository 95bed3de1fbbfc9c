// SPDX-License-Identifier: GPL-2.0
/*
 * Application claims (apps: in the agent's configuration): the keys of one
 * application, the default endpoint paths and the checks that keep claims
 * apart.
 *
 * A claim is an interface and a set of its receive queues: the agent's
 * forwarding ports make claims, and so does every application. On one
 * interface the XDP program sends each queue to exactly one owner, so two
 * claims on the same interface must not share a queue, and a claim of all
 * queues (whose count is known only when the NIC is prepared) leaves no
 * room for another one.
 *
 * Values are checked when they are set, so an error names the key (and the
 * file's line): filter rules are parsed, user and group names resolved.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/config_int.h"
#include "guest/filter.h"
#include "util/errmsg.h"
#include "util/parse.h"

int cfg_parse_ifname(const char *v, char dst[IF_NAMESIZE], char *msg,
		     size_t len)
{
	if (!*v)
		return errmsg(msg, len, -EINVAL, "must not be empty");
	if (strlen(v) >= IF_NAMESIZE)
		return errmsg(msg, len, -EINVAL,
			      "'%s' is longer than %d characters", v,
			      IF_NAMESIZE - 1);
	if (strpbrk(v, "/ :,"))
		return errmsg(msg, len, -EINVAL,
			      "'%s' is not a valid interface name", v);
	strcpy(dst, v);
	return 0;
}

int cfg_parse_queues(const char *v, uint32_t q[CFG_MAX_QUEUES], size_t *n,
		     char *msg, size_t len)
{
	uint32_t ids[CFG_MAX_QUEUES];
	size_t nr = 0;
	int err;

	if (!strcmp(v, "all")) {
		*n = 0;
		return 0;
	}
	err = parse_u32_list(v, AFXDP_MAX_QUEUES - 1, ids, CFG_MAX_QUEUES, &nr);
	if (err == -E2BIG)
		return errmsg(msg, len, -EINVAL, "at most %d queues",
			      CFG_MAX_QUEUES);
	if (err == -ERANGE)
		return errmsg(msg, len, -EINVAL,
			      "queue ids must be in 0..%d, got %s",
			      AFXDP_MAX_QUEUES - 1, v);
	if (err)
		return errmsg(
			msg, len, -EINVAL,
			"must be all, a list like 0,1 or a range like 0-3, got %s",
			v);
	for (size_t i = 0; i < nr; i++)
		for (size_t j = 0; j < i; j++)
			if (ids[i] == ids[j])
				return errmsg(msg, len, -EINVAL,
					      "queue %u listed twice", ids[i]);
	memcpy(q, ids, nr * sizeof(ids[0]));
	*n = nr;
	return 0;
}

/* ---- the keys of one application ---- */

static const char *const app_keys[] = { "name",	    "ifname", "queues",
					"filter",   "uids",   "gids",
					"endpoint", "path",   NULL };
static const char *const endpoint_names[] = { "cni", "pinned" };

bool cfg_app_key_known(const char *key)
{
	for (size_t i = 0; app_keys[i]; i++)
		if (!strcmp(key, app_keys[i]))
			return true;
	return false;
}

bool cfg_app_key_is_list(const char *key)
{
	return !strcmp(key, "queues") || !strcmp(key, "uids") ||
	       !strcmp(key, "gids") || !strcmp(key, "filter");
}

/* The name shows up in paths, log lines, stats labels and the protocol's
 * /connect,<name>: no characters that need quoting in any of them. */
static int check_name(const char *v, char *msg, size_t len)
{
	size_t n = strlen(v);

	if (!n || n >= CFG_APP_NAME_LEN)
		return errmsg(msg, len, -EINVAL, "must be 1..%d characters",
			      CFG_APP_NAME_LEN - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("_.-", v[i]))
			return errmsg(
				msg, len, -EINVAL,
				"'%s' has '%c': use letters, digits, '_', '.' and '-'",
				v, v[i]);
	return 0;
}

/* Absolute, so it does not depend on the agent's working directory;
 * without ".." so it stays where it reads. Empty: the default. */
static int check_path(const char *v, char *msg, size_t len)
{
	size_t n = strlen(v);

	if (!n)
		return 0;
	if (v[0] != '/')
		return errmsg(msg, len, -EINVAL,
			      "must be an absolute path, got %s", v);
	if (n >= CFG_APP_PATH_LEN)
		return errmsg(msg, len, -EINVAL, "longer than %d characters",
			      CFG_APP_PATH_LEN - 1);
	if (v[n - 1] == '/')
		return errmsg(msg, len, -EINVAL,
			      "must name a file, not end in '/', got %s", v);
	for (const char *p = v; (p = strstr(p, "..")); p += 2)
		if (p[-1] == '/' && (!p[2] || p[2] == '/'))
			return errmsg(msg, len, -EINVAL,
				      "must not have a '..' component, got %s",
				      v);
	return 0;
}

/* One user or group: a number, or a name looked up now (so that a typo
 * fails at start, not when the application connects). */
static int resolve_id(const char *tok, bool group, uint32_t *id, char *msg,
		      size_t len)
{
	long max = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
	size_t size = max > 0 ? (size_t)max : 1024;
	const char *what = group ? "group" : "user";
	char *buf = NULL;
	int ret;

	if (isdigit((unsigned char)tok[0])) {
		/* (uid_t)-1 means "no change" to chown(): not an id */
		if (parse_u32(tok, 0, UINT32_MAX - 1, id))
			return errmsg(msg, len, -EINVAL,
				      "%s id must be in 0..%u, got %s", what,
				      UINT32_MAX - 1, tok);
		return 0;
	}
	for (;;) {
		struct passwd pw, *pwr = NULL;
		struct group gr, *grr = NULL;
		char *nbuf = realloc(buf, size);

		if (!nbuf) {
			ret = errmsg(msg, len, -EINVAL, "out of memory");
			break;
		}
		buf = nbuf;
		if (group) {
			ret = getgrnam_r(tok, &gr, buf, size, &grr);
			if (!ret && grr)
				*id = grr->gr_gid;
		} else {
			ret = getpwnam_r(tok, &pw, buf, size, &pwr);
			if (!ret && pwr)
				*id = pwr->pw_uid;
		}
		if (ret == ERANGE && size < (1U << 20)) {
			size *= 2;
			continue;
		}
		if (ret)
			ret = errmsg(msg, len, -EINVAL,
				     "cannot look up %s '%s': %s", what, tok,
				     strerror(ret));
		else if (!pwr && !grr)
			ret = errmsg(msg, len, -EINVAL, "unknown %s '%s'", what,
				     tok);
		break;
	}
	free(buf);
	return ret;
}

/* "root,1000": replaces the list; the empty value clears it. */
static int set_ids(uint32_t ids[CFG_MAX_APP_IDS], size_t *nr, bool group,
		   const char *v, char *msg, size_t len)
{
	uint32_t out[CFG_MAX_APP_IDS];
	char *copy, *rest, *tok;
	size_t n = 0;
	int ret = 0;

	if (!*v) {
		*nr = 0;
		return 0;
	}
	copy = strdup(v);
	if (!copy)
		return errmsg(msg, len, -EINVAL, "out of memory");
	/* strsep, not strtok: "0,,1" has an empty item, not two */
	for (rest = copy; rest && !ret;) {
		tok = strsep(&rest, ",");
		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (n == CFG_MAX_APP_IDS)
			ret = errmsg(msg, len, -EINVAL, "at most %d %ss",
				     CFG_MAX_APP_IDS, group ? "group" : "user");
		else if (!*tok)
			ret = errmsg(msg, len, -EINVAL, "empty %s in '%s'",
				     group ? "group" : "user", v);
		else
			ret = resolve_id(tok, group, &out[n++], msg, len);
	}
	free(copy);
	if (ret)
		return ret;
	memcpy(ids, out, n * sizeof(out[0]));
	*nr = n;
	return 0;
}

/* Appends a rule, parsed now so that a bad one names its key; the empty
 * value clears the rules (back to "all"). */
static int add_rule(struct app_config *app, const char *v, char *msg,
		    size_t len)
{
	char why[CFG_ERR_LEN];
	struct afxdp_rule rule;
	char *s;

	if (!*v) {
		cfg_app_free(app);
		return 0;
	}
	if (app->nr_filter_rules >= AFXDP_MAX_RULES)
		return errmsg(msg, len, -EINVAL, "at most %d rules",
			      AFXDP_MAX_RULES);
	if (filter_parse_rule(v, &rule, why, sizeof(why)))
		return errmsg(msg, len, -EINVAL, "'%s': %s", v, why);
	s = strdup(v);
	if (!s)
		return errmsg(msg, len, -EINVAL, "out of memory");
	app->filter_rules[app->nr_filter_rules++] = s;
	return 0;
}

int cfg_app_set(struct app_config *app, const char *key, const char *v,
		char *msg, size_t len)
{
	int ret;

	if (!strcmp(key, "name")) {
		ret = check_name(v, msg, len);
		if (!ret)
			strcpy(app->name, v);
		return ret;
	}
	if (!strcmp(key, "ifname"))
		return cfg_parse_ifname(v, app->ifname, msg, len);
	if (!strcmp(key, "queues"))
		return cfg_parse_queues(v, app->queues, &app->nr_queues, msg,
					len);
	if (!strcmp(key, "filter"))
		return add_rule(app, v, msg, len);
	if (!strcmp(key, "uids"))
		return set_ids(app->uids, &app->nr_uids, false, v, msg, len);
	if (!strcmp(key, "gids"))
		return set_ids(app->gids, &app->nr_gids, true, v, msg, len);
	if (!strcmp(key, "endpoint")) {
		for (size_t i = 0; i < 2; i++) {
			if (!strcmp(v, endpoint_names[i])) {
				app->endpoint = (enum app_endpoint)i;
				return 0;
			}
		}
		return errmsg(msg, len, -EINVAL,
			      "must be one of cni, pinned, got %s", v);
	}
	if (!strcmp(key, "path")) {
		ret = check_path(v, msg, len);
		if (!ret)
			strcpy(app->path, v);
		return ret;
	}
	return errmsg(msg, len, -EINVAL,
		      "unknown key (applications take " CFG_APP_KEYS ")");
}

void cfg_app_free(struct app_config *app)
{
	for (size_t i = 0; i < app->nr_filter_rules && i < AFXDP_MAX_RULES; i++)
		free(app->filter_rules[i]);
	app->nr_filter_rules = 0;
}

void cfg_apps_clear(struct agent_config *cfg)
{
	for (size_t i = 0; i < cfg->nr_apps && i < CFG_MAX_APPS; i++)
		cfg_app_free(&cfg->apps[i]);
	memset(cfg->apps, 0, sizeof(cfg->apps));
	cfg->nr_apps = 0;
}

void config_app_path(const struct app_config *app, char *buf, size_t len)
{
	if (app->path[0])
		snprintf(buf, len, "%s", app->path);
	else if (app->endpoint == APP_ENDPOINT_PINNED)
		snprintf(buf, len, CFG_APP_PINNED_PATH_FMT, app->ifname);
	else
		snprintf(buf, len, CFG_APP_CNI_PATH_FMT, app->ifname);
}
