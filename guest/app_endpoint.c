// SPDX-License-Identifier: GPL-2.0
/*
 * An application's endpoint (app_endpoint.h). The paths are DPDK's
 * defaults under /tmp, where any user can create names: every directory on
 * the way must belong to root (or us) and be writable by nobody else
 * unless sticky, or another user could swap the socket or the pin for one
 * of theirs. Directories we create are removed again when empty.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "guest/app_endpoint.h"
#include "guest/sock_path.h"
#include "util/errmsg.h"
#include "util/busy_poll.h"
#include "util/log.h"
#include "util/sysfs.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
/* What the device plugin writes for busy polling (its bpfWrapper). */
#define NAPI_DEFER_HARD_IRQS 2
#define GRO_FLUSH_TIMEOUT_NS 200000

/* mkdir -p of path's directory, refusing unsafe existing components. */
static int make_dirs(struct app_ep *ep, char *err, size_t err_len)
{
	char dir[CFG_APP_PATH_LEN], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", ep->path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return errmsg(err, err_len, -EINVAL,
			      "%s: needs a directory of its own", ep->path);
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		bool last = !*p;

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (!lstat(dir, &st)) {
			if (!S_ISDIR(st.st_mode))
				return errmsg(err, err_len, -EEXIST,
					      "%s: not a directory", dir);
			if (!sock_path_dir_safe(&st))
				return errmsg(
					err, err_len, -EPERM,
					"%s: owned by uid %u or writable by others: another user could replace the endpoint; remove it or choose another path",
					dir, st.st_uid);
		} else if (errno != ENOENT) {
			return errmsg(err, err_len, -errno, "%s: %s", dir,
				      strerror(errno));
		} else if (ep->nr_dirs == APP_EP_MAX_DIRS) {
			return errmsg(err, err_len, -ENAMETOOLONG,
				      "%s: more than %d directories to create",
				      ep->path, APP_EP_MAX_DIRS);
		} else if (mkdir(dir, 0755)) {
			return errmsg(err, err_len, -errno, "cannot create %s: %s",
				      dir, strerror(errno));
		} else {
			snprintf(ep->dirs[ep->nr_dirs++], CFG_APP_PATH_LEN,
				 "%s", dir);
		}
		if (last)
			return 0;
		*p = '/';
	}
}

static void remove_dirs(struct app_ep *ep)
{
	while (ep->nr_dirs > 0)
		rmdir(ep->dirs[--ep->nr_dirs]); /* only when empty */
}

/* ---- cni: the device-plugin protocol ---- */

static int get_map_fd(void *ctx, const struct uds_peer *peer,
		      const char *ifname)
{
	struct app_ep *ep = ctx;

	if (strcmp(ifname, ep->ifname)) {
		pr_warn("%s: pid %d asked for the map of %s, which is not this application's interface (%s)",
			ep->path, (int)peer->pid, ifname, ep->ifname);
		return -ENODEV;
	}
	pr_info("%s: XSKMAP of %s sent to pid %d (uid %u)", ep->path, ifname,
		(int)peer->pid, (unsigned int)peer->uid);
	return ep->map_fd;
}

/* The device plugin's busy-poll settings: the socket's options (the
 * socket is shared with the client, so setting them on our copy is
 * setting them on theirs) and the NIC's interrupt deferral. */
static int busy_poll(void *ctx, const struct uds_peer *peer, int fd,
		     uint32_t timeout_us, uint32_t budget)
{
	struct app_ep *ep = ctx;
	int domain = 0, one = 1, t = (int)timeout_us, b = (int)budget;
	socklen_t len = sizeof(domain);
	struct sysfs fs;
	char rel[64];

	(void)peer;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
	    domain != AF_XDP)
		return -ENOTSOCK;
	if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one,
		       sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &t, sizeof(t)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &b, sizeof(b)))
		return -errno;
	if (sysfs_init(&fs, NULL))
		return -ENOENT;
	snprintf(rel, sizeof(rel), "class/net/%s/napi_defer_hard_irqs",
		 ep->ifname);
	if (sysfs_write_u32(&fs, rel, NAPI_DEFER_HARD_IRQS))
		pr_warn("%s: cannot set %s", ep->ifname, rel);
	snprintf(rel, sizeof(rel), "class/net/%s/gro_flush_timeout",
		 ep->ifname);
	if (sysfs_write_u32(&fs, rel, GRO_FLUSH_TIMEOUT_NS))
		pr_warn("%s: cannot set %s", ep->ifname, rel);
	pr_info("%s: busy polling %u us, budget %u", ep->path, timeout_us,
		budget);
	return 0;
}

static void *serve(void *arg)
{
	struct app_ep *ep = arg;
	struct pollfd pfd[2] = {
		{ .fd = uds_server_fd(ep->srv), .events = POLLIN },
		{ .fd = ep->stop_fd, .events = POLLIN },
	};

	for (;;) {
		int ret;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("%s: poll: %s", ep->path, strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		/* One client at a time; its exchange has a deadline (short
		 * for peers that are not allowed) and ends when the endpoint
		 * closes, so a silent client holds up only this application's
		 * next connection, never the agent or other applications. */
		ret = uds_server_serve_one(ep->srv);
		if (ret && ret != -EAGAIN)
			pr_info("%s: exchange ended: %s", ep->path,
				strerror(-ret));
		pthread_mutex_lock(&ep->lock);
		uds_server_get_stats(ep->srv, &ep->st);
		pthread_mutex_unlock(&ep->lock);
	}
	return NULL;
}

static int open_cni(struct app_ep *ep, const struct app_config *app,
		    char *err, size_t err_len)
{
	struct uds_server_opts o = {
		.path = ep->path,
		.mode = 0666, /* SO_PEERCRED is the access check */
		.uids = app->uids,
		.nr_uids = app->nr_uids,
		.gids = app->gids,
		.nr_gids = app->nr_gids,
		.get_xsk_map_fd = get_map_fd,
		.busy_poll = busy_poll,
		.ctx = ep,
	};
	int ret;

	/* Also ends a running exchange: closing never waits for a client. */
	ep->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ep->stop_fd < 0)
		return errmsg(err, err_len, -errno, "eventfd: %s",
			      strerror(errno));
	o.has_cancel_fd = true;
	o.cancel_fd = ep->stop_fd;
	ret = uds_server_open(&o, &ep->srv);
	if (ret)
		return errmsg(err, err_len, ret, "%s: cannot serve: %s%s",
			      ep->path, strerror(-ret),
			      ret == -EADDRINUSE ? " (another process serves it)" :
			      ret == -EEXIST	 ? " (something else is there)" :
						   "");
	return 0;
}

int app_ep_run(struct app_ep *ep, char *err, size_t err_len)
{
	int ret;

	if (!ep->srv || ep->running)
		return 0;
	ret = pthread_create(&ep->thread, NULL, serve, ep);
	if (ret)
		return errmsg(err, err_len, -ret, "cannot start a thread: %s",
			      strerror(ret));
	ep->running = true;
	return 0;
}

/* ---- pinned: DPDK's use_pinned_map ---- */

static bool is_bpffs(const char *dir)
{
	struct statfs sfs;

	return !statfs(dir, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

static int open_pinned(struct app_ep *ep, const struct app_config *app,
		       char *err, size_t err_len)
{
	char dir[CFG_APP_PATH_LEN];
	uid_t uid = app->nr_uids ? app->uids[0] : 0;
	gid_t gid = app->nr_gids ? app->gids[0] : 0;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", ep->path);
	*strrchr(dir, '/') = '\0';
	if (!is_bpffs(dir)) {
		if (!dir_empty(dir))
			return errmsg(
				err, err_len, -ENOTEMPTY,
				"%s: not a BPF filesystem and not empty: mount one there (mount -t bpf bpf %s) or use a path under /sys/fs/bpf",
				dir, dir);
		if (mount("bpf", dir, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0755"))
			return errmsg(err, err_len, -errno,
				      "cannot mount a BPF filesystem on %s: %s",
				      dir, strerror(errno));
		ep->mounted = true;
	}
	if (!lstat(ep->path, &st)) {
		/* On a BPF filesystem only pins live: an earlier agent's. */
		pr_warn("%s: replacing a stale pin", ep->path);
		if (unlink(ep->path))
			return errmsg(err, err_len, -errno, "%s: %s", ep->path,
				      strerror(errno));
	}
	if (bpf_obj_pin(ep->map_fd, ep->path))
		return errmsg(err, err_len, -errno, "cannot pin %s: %s",
			      ep->path, strerror(errno));
	ep->pinned = true;
	/* chmod while the pin is still ours: after the chown only
	 * CAP_FOWNER could, and the agent dropped it after setup. */
	if (chmod(ep->path, app->nr_gids ? 0660 : 0600) ||
	    chown(ep->path, uid, gid))
		return errmsg(err, err_len, -errno,
			      "%s: cannot give it to uid %u gid %u: %s",
			      ep->path, (unsigned int)uid, (unsigned int)gid,
			      strerror(errno));
	pr_info("%s: XSKMAP of %s pinned for uid %u gid %u", ep->path,
		ep->ifname, (unsigned int)uid, (unsigned int)gid);
	return 0;
}

int app_ep_open(struct app_ep *ep, const struct app_config *app,
		      int map_fd, char *err, size_t err_len)
{
	int ret;

	memset(ep, 0, sizeof(*ep));
	ep->stop_fd = -1;
	ep->kind = app->endpoint;
	ep->map_fd = map_fd;
	pthread_mutex_init(&ep->lock, NULL);
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", app->ifname);
	config_app_path(app, ep->path, sizeof(ep->path));
	ret = make_dirs(ep, err, err_len);
	if (!ret)
		ret = ep->kind == APP_ENDPOINT_PINNED ?
			      open_pinned(ep, app, err, err_len) :
			      open_cni(ep, app, err, err_len);
	if (ret)
		app_ep_close(ep);
	return ret;
}

void app_ep_stats(struct app_ep *ep, struct uds_server_stats *st)
{
	pthread_mutex_lock(&ep->lock);
	*st = ep->st;
	pthread_mutex_unlock(&ep->lock);
}

void app_ep_close(struct app_ep *ep)
{
	char dir[CFG_APP_PATH_LEN];

	if (ep->running) {
		uint64_t one = 1;

		if (write(ep->stop_fd, &one, sizeof(one)) != sizeof(one))
			pr_err("%s: cannot stop the endpoint thread", ep->path);
		pthread_join(ep->thread, NULL);
		ep->running = false;
	}
	if (ep->stop_fd >= 0)
		close(ep->stop_fd);
	ep->stop_fd = -1;
	uds_server_close(ep->srv); /* removes the socket */
	ep->srv = NULL;
	if (ep->pinned && unlink(ep->path))
		pr_warn("%s: cannot remove the pin: %s", ep->path,
			strerror(errno));
	ep->pinned = false;
	snprintf(dir, sizeof(dir), "%s", ep->path);
	if (ep->mounted && strrchr(dir, '/')) {
		*strrchr(dir, '/') = '\0';
		if (umount2(dir, MNT_DETACH))
			pr_warn("%s: cannot unmount: %s", dir,
				strerror(errno));
	}
	ep->mounted = false;
	remove_dirs(ep);
	pthread_mutex_destroy(&ep->lock);
}
