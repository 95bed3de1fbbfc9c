// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "guest/xdp_load.h"
#include "util/log.h"
#include "util/netlink.h"

#define OBJ_NAME "afxdp_steer.bpf.o"

/* libxdp explains its dispatcher fallback only through its print hook:
 * keep the last warning so the agent can report why. */
static char libxdp_last_warn[160];

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list args)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, args);
	msg[strcspn(msg, "\n")] = '\0';
	if (level == LIBXDP_WARN && !libxdp_last_warn[0]) {
		snprintf(libxdp_last_warn, sizeof(libxdp_last_warn), "%.*s",
			 (int)sizeof(libxdp_last_warn) - 1, msg);
		pr_debug("libxdp: %s", msg);
	} else if (level == LIBXDP_INFO) {
		pr_debug("libxdp: %s", msg);
	}
	return 0;
}

/* libbpf reports why the dispatcher could not load (EPERM for freplace on
 * some kernels); keep the first failure of an attach for the report and
 * send the rest to the debug log instead of stderr. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	char msg[512];

	if (level == LIBBPF_DEBUG && log_get_level() < LOG_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, args);
	msg[strcspn(msg, "\n")] = '\0';
	if (level == LIBBPF_WARN && !libxdp_last_warn[0] &&
	    strstr(msg, "failed"))
		snprintf(libxdp_last_warn, sizeof(libxdp_last_warn), "%.*s",
			 (int)sizeof(libxdp_last_warn) - 1, msg);
	pr_debug("libbpf: %s", msg);
	return 0;
}

const char *xdp_mode_name(int attach_mode)
{
	switch (attach_mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "none";
	}
}

int xdp_find_object(const char *configured, char *path, size_t len)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("AFXDP_BPF_DIR");
	ssize_t n;

	if (configured && *configured) {
		snprintf(path, len, "%s", configured);
		return access(path, R_OK) ? -errno : 0;
	}
	if (env && *env) {
		snprintf(path, len, "%s/%s", env, OBJ_NAME);
		if (!access(path, R_OK))
			return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, len, "%s/../bpf/%s", exe, OBJ_NAME);
			if (!access(path, R_OK))
				return 0;
			/* Installed under another PREFIX than it was built for:
			 * PREFIX/sbin/afxdp-agent -> PREFIX/lib/afxdp-kit/bpf. */
			snprintf(path, len, "%s/../lib/afxdp-kit/bpf/%s", exe,
				 OBJ_NAME);
			if (!access(path, R_OK))
				return 0;
		}
	}
	snprintf(path, len, "%s/%s", AFXDP_BPF_DIR, OBJ_NAME);
	return access(path, R_OK) ? -ENOENT : 0;
}

static bool is_ours(const struct xdp_program *prog)
{
	return prog && !strcmp(xdp_program__name(prog), AFXDP_STEER_PROG_NAME);
}

int xdp_check_foreign(int ifindex, const char *ifname, char *err,
		      size_t err_len)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *main_prog;
	long e = libxdp_get_error(mp);

	if (e == -ENOENT || !mp)
		return 0;
	if (e) {
		snprintf(err, err_len,
			 "%s: cannot read attached XDP programs: %s", ifname,
			 strerror((int)-e));
		return (int)e;
	}
	main_prog = xdp_multiprog__main_prog(mp);
	if (xdp_multiprog__is_legacy(mp) && main_prog && !is_ours(main_prog)) {
		snprintf(
			err, err_len,
			"%s already has XDP program '%s' (id %u) attached without the libxdp dispatcher; afxdp-agent does not replace other programs: detach it, or load it through libxdp (xdp-loader) so both can run",
			ifname, xdp_program__name(main_prog),
			xdp_program__id(main_prog));
		xdp_multiprog__close(mp);
		return -EEXIST;
	}
	xdp_multiprog__close(mp);
	return 0;
}

int xdp_remove_stale(int ifindex, bool *removed, char *err, size_t err_len)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *prog;
	long e = libxdp_get_error(mp);
	int ret = 0;

	*removed = false;
	if (e == -ENOENT || !mp)
		return 0;
	if (e)
		return (int)e;
	if (xdp_multiprog__is_legacy(mp)) {
		if (is_ours(xdp_multiprog__main_prog(mp))) {
			ret = xdp_multiprog__detach(mp);
			*removed = !ret;
		}
	} else {
		for (prog = xdp_multiprog__next_prog(NULL, mp); prog;
		     prog = xdp_multiprog__next_prog(prog, mp)) {
			if (!is_ours(prog))
				continue;
			ret = xdp_program__detach(
				prog, ifindex, xdp_multiprog__attach_mode(mp),
				0);
			*removed = !ret;
			break;
		}
	}
	if (ret)
		snprintf(err, err_len,
			 "cannot remove the stale afxdp_steer program: %s",
			 strerror(-ret));
	xdp_multiprog__close(mp);
	return ret;
}

/* libxdp pins its dispatcher in a bpffs (LIBXDP_BPFFS, default
 * /sys/fs/bpf) and without one falls back to a single program, blaming
 * nothing in particular. `ip netns exec` mounts a fresh sysfs over /sys, so
 * there is no bpffs there unless someone mounts one. */
static const char *bpffs_dir(void)
{
	const char *dir = getenv("LIBXDP_BPFFS");

	return dir && *dir ? dir : "/sys/fs/bpf";
}

static bool bpffs_missing(const char *dir)
{
	struct statfs st;

	if (strstr(libxdp_last_warn, "No bpffs"))
		return true;
	return statfs(dir, &st) || st.f_type != BPF_FS_MAGIC;
}

/* Why the program runs without the dispatcher, into p->why. */
static void explain_no_dispatcher(struct xdp_port *p)
{
	const char *dir = bpffs_dir();

	if (bpffs_missing(dir))
		snprintf(
			p->why, sizeof(p->why),
			"no dispatcher: no bpffs at %s (ip netns exec remounts /sys); fix: mount -t bpf bpf %s",
			dir, dir);
	else
		snprintf(p->why, sizeof(p->why),
			 "dispatcher refused by the kernel%s%s",
			 libxdp_last_warn[0] ? ": " : "", libxdp_last_warn);
}

/* RTM_SETLINK with IFLA_XDP {FD, [EXPECTED_FD], FLAGS}. */
static int xdp_setlink(struct nl_handle *nl, int ifindex, int fd,
		       int expected_fd, uint32_t flags)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = nl_link_request(buf, sizeof(buf), RTM_SETLINK, ifindex);
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u32(nlh, IFLA_XDP_FD, (uint32_t)fd);
	if (expected_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_XDP_EXPECTED_FD,
				 (uint32_t)expected_fd);
	mnl_attr_put_u32(nlh, IFLA_XDP_FLAGS, flags);
	mnl_attr_nest_end(nlh, nest);
	return nl_request(nl, nlh, NULL, NULL);
}

/* libxdp and libbpf return only the errno of a refused attach; the kernel
 * says why in the netlink extended ack. Ask it with a minimal XDP_PASS
 * program (the refusals that matter, MTU and offloads, are the device's,
 * not the program's), before the skb-mode fallback is attached (native
 * and generic XDP cannot coexist: the kernel would give that reason
 * instead). If the kernel accepts the probe this time, it is removed at
 * once, and only if it is still ours (EXPECTED_FD). */
static void native_refusal_reason(int ifindex, char *msg, size_t len)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct nl_handle nl = { 0 };
	int fd, ret;

	msg[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "afxdp_probe", "GPL", pass,
			   sizeof(pass) / sizeof(pass[0]), NULL);
	if (fd < 0)
		return;
	if (!nl_open(&nl, NETLINK_ROUTE)) {
		ret = xdp_setlink(&nl, ifindex, fd, -1,
				  XDP_FLAGS_DRV_MODE |
					  XDP_FLAGS_UPDATE_IF_NOEXIST);
		if (ret)
			snprintf(msg, len, "%s", nl.ext_msg);
		else
			xdp_setlink(&nl, ifindex, -1, fd,
				    XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE);
		nl_close(&nl);
	}
	close(fd);
}

/* "Numerical result out of range: veth: Peer MTU is too large to set XDP;
 * native XDP on veth needs MTU <= 3506 on in0 and its peer" */
static void native_refusal(const struct xdp_attach_opts *o, int err, char *out,
			   size_t len)
{
	bool veth = o->driver && !strcmp(o->driver, "veth");
	char kmsg[256];

	native_refusal_reason(o->ifindex, kmsg, sizeof(kmsg));
	snprintf(out, len, "%s%s%s", strerror(-err), kmsg[0] ? ": " : "", kmsg);
	/* veth checks its peer's MTU, virtio-net its own */
	if (o->mtu_advice && strstr(kmsg, "MTU"))
		snprintf(out + strlen(out), len - strlen(out),
			 "; native XDP on %s needs MTU <= %u on %s%s",
			 o->driver ? o->driver : "this driver", o->mtu_advice,
			 o->ifname, veth ? " and its peer" : "");
}

static int find_map_fd(struct xdp_program *prog, const char *name)
{
	struct bpf_object *obj = xdp_program__bpf_obj(prog);
	struct bpf_map *map =
		obj ? bpf_object__find_map_by_name(obj, name) : NULL;

	return map ? bpf_map__fd(map) : -ENOENT;
}

static int attach_in_mode(const struct xdp_attach_opts *o, struct xdp_port *p,
			  enum xdp_attach_mode mode)
{
	struct xdp_multiprog *mp;
	int err;

	libxdp_last_warn[0] = '\0';
	err = xdp_program__attach(p->prog, o->ifindex, mode, 0);
	if (err)
		return err;
	p->attach_mode = mode;
	mp = xdp_multiprog__get_from_ifindex(o->ifindex);
	if (!libxdp_get_error(mp) && mp) {
		p->multiprog = !xdp_multiprog__is_legacy(mp);
		xdp_multiprog__close(mp);
	}
	if (!p->multiprog)
		explain_no_dispatcher(p);
	return 0;
}

void xdp_port_reset(struct xdp_port *p, int ifindex)
{
	memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	p->xsks_map_fd = p->filter_map_fd = p->counters_map_fd = -1;
	p->fwd_map_fd = p->owner_map_fd = -1;
	for (int i = 0; i <= AFXDP_MAX_APPS; i++)
		p->app_xsks_fd[i] = -1;
}

int xdp_attach(const struct xdp_attach_opts *o, struct xdp_port *p, char *err,
	       size_t err_len)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts,
			    .open_filename = o->object_path,
			    .prog_name = AFXDP_STEER_PROG_NAME);
	char native_err[256] = "";
	long e;
	int ret;

	libxdp_set_print(libxdp_print);
	libbpf_set_print(libbpf_print);
	xdp_port_reset(p, o->ifindex);
	p->prog = xdp_program__create(&opts);
	e = libxdp_get_error(p->prog);
	if (e) {
		p->prog = NULL;
		snprintf(err, err_len, "cannot open BPF object %s: %s",
			 o->object_path, strerror((int)-e));
		return (int)e;
	}
	if (o->frags)
		xdp_program__set_xdp_frags_support(p->prog, true);

	ret = -EINVAL;
	if (o->mode != XDP_ATTACH_SKB) {
		ret = attach_in_mode(o, p, XDP_MODE_NATIVE);
		if (ret)
			native_refusal(o, ret, native_err, sizeof(native_err));
	}
	if (ret && o->mode == XDP_ATTACH_AUTO) {
		/* A fresh object: the failed attempt may have loaded it. */
		xdp_program__close(p->prog);
		p->prog = xdp_program__create(&opts);
		if (libxdp_get_error(p->prog)) {
			p->prog = NULL;
			snprintf(err, err_len, "cannot reopen %s",
				 o->object_path);
			return -EINVAL;
		}
		if (o->frags)
			xdp_program__set_xdp_frags_support(p->prog, true);
		ret = attach_in_mode(o, p, XDP_MODE_SKB);
		if (!ret) {
			char why[sizeof(p->why)];

			snprintf(why, sizeof(why), "%s", p->why);
			snprintf(
				p->why, sizeof(p->why),
				"native mode refused (%.200s), using skb mode%s%.250s",
				native_err, why[0] ? "; " : "", why);
		}
	} else if (o->mode == XDP_ATTACH_SKB) {
		ret = attach_in_mode(o, p, XDP_MODE_SKB);
	}
	if (ret) {
		/* native_err has the kernel's reason; skb mode's is ret */
		snprintf(err, err_len,
			 "%s: cannot attach XDP program (%s mode): %s%s%s%s%s",
			 o->ifname,
			 o->mode == XDP_ATTACH_SKB    ? "skb" :
			 o->mode == XDP_ATTACH_NATIVE ? "native" :
							"native and skb",
			 o->mode == XDP_ATTACH_NATIVE ? native_err :
							strerror(-ret),
			 o->mode == XDP_ATTACH_AUTO ? " (native: " : "",
			 o->mode == XDP_ATTACH_AUTO ? native_err : "",
			 o->mode == XDP_ATTACH_AUTO ? ")" : "",
			 libxdp_last_warn[0] ? "; libxdp: " : "");
		snprintf(err + strlen(err), err_len - strlen(err), "%s",
			 libxdp_last_warn);
		xdp_program__close(p->prog);
		p->prog = NULL;
		return ret;
	}
	p->xsks_map_fd = find_map_fd(p->prog, "xsks_map");
	p->filter_map_fd = find_map_fd(p->prog, "filter_map");
	p->counters_map_fd = find_map_fd(p->prog, "counters_map");
	p->fwd_map_fd = find_map_fd(p->prog, "fwd_map");
	p->owner_map_fd = find_map_fd(p->prog, "queue_owner_map");
	for (int i = 1; i <= AFXDP_MAX_APPS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "app_xsks_%d", i);
		p->app_xsks_fd[i] = find_map_fd(p->prog, name);
		if (p->app_xsks_fd[i] < 0)
			p->owner_map_fd = -1; /* all of them or none */
	}
	if (p->xsks_map_fd < 0 || p->filter_map_fd < 0 ||
	    p->counters_map_fd < 0) {
		snprintf(
			err, err_len,
			"%s does not have the maps xsks_map, filter_map and counters_map",
			o->object_path);
		xdp_detach(p);
		return -EINVAL;
	}
	return 0;
}

int xdp_attach_port(const struct xdp_attach_opts *o, struct xdp_port *p,
		    char *err, size_t err_len)
{
	char why[256];
	bool stale;
	int ret;

	libxdp_set_print(libxdp_print);
	libbpf_set_print(libbpf_print);
	ret = xdp_adopt(o, p, why, sizeof(why));
	if (ret > 0) {
		pr_info("%s: adopted the %s program (id %u) of the previous agent instead of replacing it as stale: no moment without a program",
			o->ifname, AFXDP_STEER_PROG_NAME, p->prog_id);
		return 0;
	}
	if (why[0])
		pr_info("%s: not adopting the attached %s program: %s",
			o->ifname, AFXDP_STEER_PROG_NAME, why);
	ret = xdp_remove_stale(o->ifindex, &stale, err, err_len);
	if (ret)
		return ret;
	if (stale)
		pr_warn("%s: removed a stale %s program left by an agent that did not exit cleanly",
			o->ifname, AFXDP_STEER_PROG_NAME);
	return xdp_attach(o, p, err, err_len);
}

int xdp_detach(struct xdp_port *p)
{
	int err = 0;

	if (!p->prog)
		return 0;
	if (p->attach_mode)
		err = xdp_program__detach(p->prog, p->ifindex,
					  (enum xdp_attach_mode)p->attach_mode,
					  0);
	/* The device may be gone (veth deleted): nothing left to detach. */
	if (err == -ENODEV || err == -ENOENT)
		err = 0;
	xdp_release(p);
	return err;
}

int xdp_set_socket(const struct xdp_port *p, uint32_t queue, int xsk_fd)
{
	if (queue >= AFXDP_MAX_QUEUES)
		return -ERANGE;
	if (xsk_fd < 0)
		return bpf_map_delete_elem(p->xsks_map_fd, &queue) &&
				       errno != ENOENT ?
			       -errno :
			       0;
	return bpf_map_update_elem(p->xsks_map_fd, &queue, &xsk_fd, BPF_ANY) ?
		       -errno :
		       0;
}

int xdp_set_forward(const struct xdp_port *p, int ifindex)
{
	__u32 key = 0;

	if (p->fwd_map_fd < 0)
		return ifindex ? -EOPNOTSUPP : 0;
	if (!ifindex)
		return bpf_map_delete_elem(p->fwd_map_fd, &key) &&
				       errno != ENOENT ?
			       -errno :
			       0;
	return bpf_map_update_elem(p->fwd_map_fd, &key, &ifindex, BPF_ANY) ?
		       -errno :
		       0;
}

int xdp_read_counters(const struct xdp_port *p, uint64_t out[AFXDP_CNT_MAX])
{
	return xdp_read_owner_counters(p, 0, out);
}

int xdp_read_owner_counters(const struct xdp_port *p, uint32_t owner,
			    uint64_t out[AFXDP_CNT_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (owner > AFXDP_MAX_APPS)
		return -ERANGE;
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc((size_t)ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < AFXDP_CNT_MAX; k++) {
		__u32 key = owner * AFXDP_CNT_MAX + k;

		out[k] = 0;
		if (bpf_map_lookup_elem(p->counters_map_fd, &key, vals))
			continue;
		for (int c = 0; c < ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}
