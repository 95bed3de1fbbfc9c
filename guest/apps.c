// SPDX-License-Identifier: GPL-2.0
/*
 * The broker's claims (apps.h). Order matters in both directions: a claim
 * starts with an empty map and its filter, then its endpoint, and only
 * then are its queues steered to it (until the application inserts a
 * socket, its frames still reach the kernel); it stops by giving its
 * queues back first, so nothing is steered into a map being emptied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/apps.h"
#include "guest/filter.h"
#include "guest/port_lock.h"
#include "util/errmsg.h"
#include "util/log.h"

static struct xdp_port *agent_port_xdp(struct apps *s, const char *ifname,
				       uint32_t *nr_queues)
{
	struct agent *a = s->agent;

	for (uint32_t i = 0; a && i < a->nr_ports; i++)
		if (!strcmp(a->ports[i].ifname, ifname)) {
			*nr_queues = nic_queue_count(&a->ports[i].nic);
			return &a->ports[i].xdp;
		}
	return NULL;
}

static struct app_iface *find_iface(struct apps *s, const char *ifname)
{
	for (size_t i = 0; i < CFG_MAX_APPS; i++)
		if (s->ifaces[i].ifname[0] &&
		    !strcmp(s->ifaces[i].ifname, ifname))
			return &s->ifaces[i];
	return NULL;
}

static void iface_release(struct app_iface *f)
{
	if (f->owned) {
		int ret = xdp_detach(&f->own);

		if (ret)
			pr_err("%s: cannot detach our XDP program: %s",
			       f->ifname, strerror(-ret));
		nic_restore(&f->nic);
		port_lock_release(f->lock_fd, f->ifindex);
	}
	memset(f, 0, sizeof(*f));
	f->lock_fd = -1;
}

/* An interface only applications use: prepared and attached like a port,
 * with the agent's own filter empty, so everything not claimed goes to
 * the kernel. */
static int iface_attach(struct apps *s, struct app_iface *f, char *err,
			size_t err_len)
{
	const struct agent_config *cfg = s->cfg;
	struct nic_prep_opts no = {
		.ifname = f->ifname,
		.frame_size = cfg->frame_size,
		.disable_lro = cfg->disable_lro,
		.nr_cpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN),
	};
	struct xdp_attach_opts xo = {
		.ifname = f->ifname,
		.ifindex = f->ifindex,
		.object_path = s->object,
		.mode = cfg->xdp_mode,
	};
	struct afxdp_filter none = { .unmatched = AFXDP_UNMATCHED_KERNEL };
	int ret;

	ret = nic_check(&no, err, err_len);
	if (ret)
		return ret;
	f->lock_fd = port_lock_acquire(f->ifindex, f->ifname, err, err_len);
	if (f->lock_fd < 0)
		return f->lock_fd;
	f->owned = true;
	ret = xdp_check_foreign(f->ifindex, f->ifname, err, err_len);
	if (!ret)
		ret = nic_prepare(&no, &f->nic, err, err_len);
	if (ret)
		return ret;
	xo.driver = f->nic.driver;
	ret = xdp_attach_port(&xo, &f->own, err, err_len);
	if (ret)
		return ret;
	ret = xdp_set_filter(&f->own, &none);
	if (ret)
		return errmsg(err, err_len, ret, "%s: cannot set the filter: %s",
			      f->ifname, strerror(-ret));
	f->nr_queues = nic_queue_count(&f->nic);
	pr_info("%s: XDP program attached in %s mode for applications",
		f->ifname, xdp_mode_name(f->own.attach_mode));
	return 0;
}

static int iface_get(struct apps *s, const char *ifname,
		     struct app_iface **out, char *err, size_t err_len)
{
	struct app_iface *f = find_iface(s, ifname);
	int ret;

	if (!f) {
		for (size_t i = 0; i < CFG_MAX_APPS && !f; i++)
			if (!s->ifaces[i].ifname[0])
				f = &s->ifaces[i];
		if (!f)
			return errmsg(err, err_len, -ENOSPC,
				      "too many interfaces with applications");
		memset(f, 0, sizeof(*f));
		f->lock_fd = -1;
		snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
		f->ifindex = (int)if_nametoindex(ifname);
		if (!f->ifindex) {
			memset(f, 0, sizeof(*f));
			return errmsg(err, err_len, -ENODEV,
				      "interface %s not found", ifname);
		}
		f->xdp = agent_port_xdp(s, ifname, &f->nr_queues);
		if (!f->xdp) {
			f->xdp = &f->own;
			ret = iface_attach(s, f, err, err_len);
			if (ret) {
				iface_release(f);
				return ret;
			}
		}
	}
	if (xdp_owners_supported(f->xdp)) {
		ret = errmsg(err, err_len, -EOPNOTSUPP,
			     "%s: the XDP object has no application maps (queue_owner_map, app_xsks_N)",
			     ifname);
		if (!f->users)
			iface_release(f);
		return ret;
	}
	*out = f;
	return 0;
}

/* The slot this application had, or one nobody has had. */
static int slot_get(struct app_iface *f, const char *name)
{
	int free_slot = -1;

	for (int o = 1; o < AFXDP_MAX_OWNERS; o++) {
		if (!strcmp(f->slot_name[o], name))
			return f->slot_busy[o] ? -EBUSY : o;
		if (!f->slot_name[o][0] && free_slot < 0)
			free_slot = o;
	}
	return free_slot > 0 ? free_slot : -ENOSPC;
}

static int resolve_queues(struct app *app, char *err, size_t err_len)
{
	uint32_t avail = app->iface->nr_queues ? app->iface->nr_queues : 1;

	if (!app->cfg.nr_queues) {
		app->nr_queues = avail < CFG_MAX_QUEUES ? avail : CFG_MAX_QUEUES;
		for (uint32_t i = 0; i < app->nr_queues; i++)
			app->queues[i] = i;
		return 0;
	}
	for (size_t i = 0; i < app->cfg.nr_queues; i++) {
		if (app->cfg.queues[i] >= avail)
			return errmsg(
				err, err_len, -EINVAL,
				"%s: queue %u does not exist (the device has %u queue%s)",
				app->cfg.ifname, app->cfg.queues[i], avail,
				avail == 1 ? "" : "s");
		app->queues[i] = app->cfg.queues[i];
	}
	app->nr_queues = (uint32_t)app->cfg.nr_queues;
	return 0;
}

static void app_stop(struct app *app)
{
	struct app_iface *f = app->iface;

	for (uint32_t i = 0; i < app->nr_queues; i++)
		xdp_set_owner(f->xdp, app->queues[i], 0);
	app_ep_close(&app->ep);
	xdp_reset_owner(f->xdp, app->owner);
	f->slot_busy[app->owner] = false;
	pr_info("application %s stopped (%s)", app->cfg.name, f->ifname);
	if (!--f->users)
		iface_release(f);
	free(app);
}

static int app_start(struct apps *s, const struct app_config *c,
		     struct app **out, char *err, size_t err_len)
{
	struct app *app = calloc(1, sizeof(*app));
	char why[CFG_ERR_LEN];
	int ret, slot;

	if (!app)
		return errmsg(err, err_len, -ENOMEM, "out of memory");
	app->cfg = *c;
	memset(app->cfg.filter_rules, 0, sizeof(app->cfg.filter_rules));
	ret = filter_compile(c->filter_rules, c->nr_filter_rules, &app->filter,
			     why, sizeof(why));
	if (ret) {
		free(app);
		return errmsg(err, err_len, ret, "application %s: %s", c->name,
			      why);
	}
	app->filter.unmatched = AFXDP_UNMATCHED_KERNEL;
	ret = iface_get(s, c->ifname, &app->iface, why, sizeof(why));
	if (ret) {
		free(app);
		return errmsg(err, err_len, ret, "application %s: %s", c->name,
			      why);
	}
	app->iface->users++;
	slot = slot_get(app->iface, c->name);
	if (slot < 0) {
		ret = errmsg(
			err, err_len, slot == -EBUSY ? -EEXIST : -ENOSPC,
			slot == -EBUSY ?
				"application %s: already running on %s" :
				"application %s: no free application slot on %s (%d since the agent started; restart it to reuse them)",
			c->name, c->ifname, AFXDP_MAX_APPS);
		goto fail_iface;
	}
	app->owner = (uint32_t)slot;
	ret = resolve_queues(app, why, sizeof(why));
	if (!ret)
		ret = xdp_reset_owner(app->iface->xdp, app->owner);
	if (!ret)
		ret = xdp_set_owner_filter(app->iface->xdp, app->owner,
					   &app->filter);
	if (ret) {
		errmsg(err, err_len, ret, "application %s: %s", c->name,
		       why[0] ? why : strerror(-ret));
		goto fail_iface;
	}
	ret = app_ep_open(&app->ep, c, xdp_app_map_fd(app->iface->xdp,
						       app->owner),
			  why, sizeof(why));
	if (ret) {
		errmsg(err, err_len, ret, "application %s: %s", c->name, why);
		goto fail_iface;
	}
	if (s->running) {
		ret = app_ep_run(&app->ep, why, sizeof(why));
		if (ret) {
			errmsg(err, err_len, ret, "application %s: %s",
			       c->name, why);
			app_ep_close(&app->ep);
			goto fail_iface;
		}
	}
	snprintf(app->iface->slot_name[slot], CFG_APP_NAME_LEN, "%s", c->name);
	app->iface->slot_busy[slot] = true;
	for (uint32_t i = 0; i < app->nr_queues; i++) {
		ret = xdp_set_owner(app->iface->xdp, app->queues[i],
				    app->owner);
		if (ret) {
			errmsg(err, err_len, ret,
			       "application %s: cannot steer %s queue %u: %s",
			       c->name, c->ifname, app->queues[i],
			       strerror(-ret));
			app_stop(app);
			return ret;
		}
	}
	pr_info("application %s: %s, %u queue%s from %u, endpoint %s (%s)",
		c->name, c->ifname, app->nr_queues,
		app->nr_queues == 1 ? "" : "s", app->queues[0],
		app->ep.path,
		c->endpoint == APP_ENDPOINT_PINNED ? "pinned map" :
						     "device-plugin socket");
	*out = app;
	return 0;

fail_iface:
	if (!--app->iface->users)
		iface_release(app->iface);
	free(app);
	return ret;
}

int apps_start(struct apps *s, struct agent *a, const struct agent_config *cfg,
	       char *err, size_t err_len)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->agent = a;
	s->cfg = cfg;
	for (size_t i = 0; i < CFG_MAX_APPS; i++)
		s->ifaces[i].lock_fd = -1;
	if (!cfg->nr_apps)
		return 0;
	ret = xdp_find_object(cfg->bpf_object, s->object, sizeof(s->object));
	if (ret)
		return errmsg(err, err_len, -ENOENT,
			      "BPF object %s not found (set xdp.object or AFXDP_BPF_DIR)",
			      cfg->bpf_object[0] ? cfg->bpf_object :
						   "afxdp_steer.bpf.o");
	for (size_t i = 0; i < cfg->nr_apps; i++) {
		ret = app_start(s, &cfg->apps[i], &s->apps[s->nr_apps], err,
				err_len);
		if (ret) {
			apps_stop(s);
			return ret;
		}
		s->nr_apps++;
	}
	return 0;
}

int apps_run(struct apps *s, char *err, size_t err_len)
{
	s->running = true;
	for (size_t i = 0; i < s->nr_apps; i++) {
		int ret = app_ep_run(&s->apps[i]->ep, err, err_len);

		if (ret)
			return ret;
	}
	return 0;
}

static bool same_claim(const struct app *app, const struct app_config *c)
{
	const struct app_config *a = &app->cfg;
	struct afxdp_filter f;
	char why[CFG_ERR_LEN];

	if (filter_compile(c->filter_rules, c->nr_filter_rules, &f, why,
			   sizeof(why)))
		return false;
	f.unmatched = AFXDP_UNMATCHED_KERNEL;
	return !strcmp(a->name, c->name) && !strcmp(a->ifname, c->ifname) &&
	       a->nr_queues == c->nr_queues &&
	       !memcmp(a->queues, c->queues,
		       a->nr_queues * sizeof(a->queues[0])) &&
	       a->nr_uids == c->nr_uids &&
	       !memcmp(a->uids, c->uids, a->nr_uids * sizeof(a->uids[0])) &&
	       a->nr_gids == c->nr_gids &&
	       !memcmp(a->gids, c->gids, a->nr_gids * sizeof(a->gids[0])) &&
	       a->endpoint == c->endpoint && !strcmp(a->path, c->path) &&
	       !memcmp(&f, &app->filter, sizeof(f));
}

int apps_reload(struct apps *s, const struct agent_config *fresh,
		unsigned int *added, unsigned int *removed, char *err,
		size_t err_len)
{
	bool keep[CFG_MAX_APPS] = { false }, have[CFG_MAX_APPS] = { false };
	char why[CFG_ERR_LEN];
	size_t n = 0;
	int ret = 0;

	*added = *removed = 0;
	if (fresh->nr_apps && !s->object[0] &&
	    xdp_find_object(s->cfg->bpf_object, s->object, sizeof(s->object)))
		return errmsg(err, err_len, -ENOENT, "BPF object not found");
	for (size_t i = 0; i < s->nr_apps; i++)
		for (size_t j = 0; j < fresh->nr_apps; j++)
			if (!strcmp(s->apps[i]->cfg.name, fresh->apps[j].name) &&
			    same_claim(s->apps[i], &fresh->apps[j]))
				keep[i] = have[j] = true;
	/* Stop first: a changed claim frees its queues for its new form. */
	for (size_t i = 0; i < s->nr_apps; i++) {
		if (keep[i]) {
			s->apps[n++] = s->apps[i];
			continue;
		}
		app_stop(s->apps[i]);
		(*removed)++;
	}
	s->nr_apps = n;
	for (size_t j = 0; j < fresh->nr_apps; j++) {
		int r;

		if (have[j])
			continue;
		r = app_start(s, &fresh->apps[j], &s->apps[s->nr_apps], why,
			      sizeof(why));
		if (r) {
			pr_err("reload: %s", why);
			if (!ret)
				ret = errmsg(err, err_len, r, "%s", why);
			continue;
		}
		s->nr_apps++;
		(*added)++;
	}
	return ret;
}

size_t apps_snapshot(struct apps *s, struct app_snapshot *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_apps && n < max; i++, n++) {
		const struct app *app = s->apps[i];
		struct app_snapshot *o = &out[n];

		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s", app->cfg.name);
		snprintf(o->ifname, sizeof(o->ifname), "%s", app->cfg.ifname);
		snprintf(o->path, sizeof(o->path), "%s", app->ep.path);
		o->endpoint = app->cfg.endpoint == APP_ENDPOINT_PINNED ?
				      "pinned" :
				      "cni";
		memcpy(o->queues, app->queues,
		       app->nr_queues * sizeof(app->queues[0]));
		o->nr_queues = app->nr_queues;
		xdp_read_owner_counters(app->iface->xdp, app->owner, o->prog);
		app_ep_stats(&s->apps[i]->ep, &o->ex);
	}
	return n;
}

void apps_stop(struct apps *s)
{
	while (s->nr_apps)
		app_stop(s->apps[--s->nr_apps]);
}
