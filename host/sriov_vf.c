// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov vf PF VF: a VF's MAC, VLAN, trust, spoof check, link
 * state and rates, set over netlink through the PF, one RTM_SETLINK per
 * setting so that a refused one is known and the ones before it are set
 * back. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>

#include "host/sriov_cmd.h"
#include "util/parse.h"

#define VF_OPT(field) offsetof(struct sriov_vf_cli, field)

const struct cmd_option sriov_vf_options[] = {
	{ .name = "mac",
	  .type = CMD_FN,
	  .off = VF_OPT(want.mac),
	  .set_off = VF_OPT(has_mac),
	  .parse_field = cmd_parse_mac,
	  .metavar = "MAC",
	  .help = "the VF's MAC address" },
	{ .name = "vlan",
	  .type = CMD_U32,
	  .off = VF_OPT(vlan),
	  .set_off = VF_OPT(has_vlan),
	  .max = 4094,
	  .metavar = "0-4094",
	  .help = "port VLAN (0: none)" },
	{ .name = "qos",
	  .type = CMD_U32,
	  .off = VF_OPT(qos),
	  .set_off = VF_OPT(has_qos),
	  .max = 7,
	  .metavar = "0-7",
	  .help = "802.1p priority of the port VLAN (needs --vlan)" },
	{ .name = "vlan-proto",
	  .type = CMD_STR,
	  .off = VF_OPT(vlan_proto),
	  .metavar = "802.1Q|802.1ad",
	  .help = "port VLAN protocol" },
	{ .name = "trust",
	  .type = CMD_FN,
	  .off = VF_OPT(trust),
	  .parse_field = cmd_parse_onoff,
	  .metavar = "on|off",
	  .help = "trusted VF (promiscuous, MAC changes)" },
	{ .name = "spoofchk",
	  .type = CMD_FN,
	  .off = VF_OPT(spoofchk),
	  .parse_field = cmd_parse_onoff,
	  .metavar = "on|off",
	  .help = "source MAC spoof check" },
	{ .name = "link-state",
	  .type = CMD_STR,
	  .off = VF_OPT(link_state),
	  .metavar = "auto|enable|disable",
	  .help = "the VF's link state" },
	{ .name = "min-rate",
	  .type = CMD_U32,
	  .off = VF_OPT(want.min_rate),
	  .set_off = VF_OPT(has_min),
	  .max = UINT32_MAX,
	  .metavar = "Mbps",
	  .help = "minimum TX rate" },
	{ .name = "max-rate",
	  .type = CMD_U32,
	  .off = VF_OPT(want.max_rate),
	  .set_off = VF_OPT(has_max),
	  .max = UINT32_MAX,
	  .metavar = "Mbps",
	  .help = "maximum TX rate (0: unlimited)" },
	SRIOV_COMMON_OPTIONS(struct sriov_vf_cli),
	{ .name = NULL },
};

void sriov_vf_init(void *opts)
{
	struct sriov_vf_cli *o = opts;

	sriov_init(o);
	o->trust = o->spoofchk = -1;
	o->want.vlan_proto = ETH_P_8021Q;
}

/* The values as a struct sriov_vf_cfg with its mask. */
static int vf_want(struct cmd_ctx *c, struct sriov_vf_cli *o)
{
	struct sriov_vf_cfg *w = &o->want;

	if (o->vlan_proto && !strcasecmp(o->vlan_proto, "802.1Q"))
		w->vlan_proto = ETH_P_8021Q;
	else if (o->vlan_proto && !strcasecmp(o->vlan_proto, "802.1ad"))
		w->vlan_proto = ETH_P_8021AD;
	else if (o->vlan_proto)
		return cmd_fail(c, -EINVAL,
				"bad --vlan-proto '%s' (802.1Q|802.1ad)",
				o->vlan_proto);
	if (o->link_state &&
	    sriov_link_state_parse(o->link_state, &w->link_state))
		return cmd_fail(c, -EINVAL,
				"bad --link-state '%s' (auto|enable|disable)",
				o->link_state);
	w->vlan = (uint16_t)o->vlan;
	w->qos = (uint8_t)o->qos;
	w->trust = o->trust > 0;
	w->spoofchk = o->spoofchk > 0;
	w->mask = (o->has_mac ? SRIOV_VF_MAC : 0) |
		  (o->has_vlan ? SRIOV_VF_VLAN : 0) |
		  (o->trust >= 0 ? SRIOV_VF_TRUST : 0) |
		  (o->spoofchk >= 0 ? SRIOV_VF_SPOOFCHK : 0) |
		  (o->link_state ? SRIOV_VF_LINK_STATE : 0) |
		  (o->has_min || o->has_max ? SRIOV_VF_RATE : 0);
	return 0;
}

int sriov_vf_check(struct cmd_ctx *c, void *opts)
{
	struct sriov_vf_cli *o = opts;
	int err = vf_want(c, o);

	if (err)
		return err;
	if ((o->has_qos || o->vlan_proto) && !o->has_vlan)
		return cmd_fail(c, -EINVAL, "--qos/--vlan-proto need --vlan");
	if (o->qos && !o->vlan)
		return cmd_fail(c, -EINVAL,
				"--qos needs a VLAN id (--vlan 1-4094)");
	if (!o->want.mask)
		return cmd_fail(c, -EINVAL, "vf: nothing to set");
	if (o->has_min && o->has_max && o->want.max_rate &&
	    o->want.min_rate > o->want.max_rate)
		return cmd_fail(c, -EINVAL, "--min-rate > --max-rate");
	return 0;
}

/* --persist: vf.N.<setting> for each one given. */
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

static int vf_link_open(struct sriov_run *r, const char *pf, uint32_t vf,
			struct sriov_vf_job *l)
{
	uint32_t num_vf;
	size_t n = 0;
	int err;

	snprintf(l->pf, sizeof(l->pf), "%s", pf);
	l->vfs = calloc(SRIOV_MAX_VFS, sizeof(*l->vfs));
	if (!l->vfs)
		return cmd_fail(r->c, -ENOMEM, "out of memory");
	l->ifindex = (int)if_nametoindex(pf);
	if (!l->ifindex)
		return cmd_fail_status(
			r->c, HOST_EXIT_FAIL, -ENODEV,
			"%s: no such netdev in this network namespace (VF settings go through the PF over netlink)",
			pf);
	err = nl_open(&l->nl, NETLINK_ROUTE);
	if (!err)
		err = sriov_nl_get_vfs(&l->nl, l->ifindex, l->vfs,
				       SRIOV_MAX_VFS, &n, &num_vf);
	if (err)
		return cmd_fail_status(r->c, HOST_EXIT_FAIL, err,
				       "%s: RTM_GETLINK: %s", pf,
				       strerror(-err));
	for (size_t i = 0; i < n; i++)
		if (l->vfs[i].vf == vf)
			l->cur = &l->vfs[i];
	if (!l->cur)
		return cmd_fail_status(
			r->c, HOST_EXIT_FAIL, -ENOENT,
			"%s: the kernel reports no VF %u over netlink", pf, vf);
	return 0;
}

void sriov_vf_job_free(struct sriov_vf_job *l)
{
	nl_close(&l->nl);
	free(l->vfs);
	memset(l, 0, sizeof(*l));
}

static void report_delta(struct sriov_run *r, const char *pf,
			 const struct sriov_vf_cfg *cur,
			 const struct sriov_vf_cfg *delta)
{
	for (uint32_t f = 1; f <= SRIOV_VF_RATE; f <<= 1) {
		const char *name = sriov_vf_field_name(f);
		char o[64], nw[64];
		json_object *jc;

		if (!(delta->mask & f))
			continue;
		sriov_vf_field_str(cur, f, o, sizeof(o));
		sriov_vf_field_str(delta, f, nw, sizeof(nw));
		jc = json_object_new_object();
		json_object_object_add(jc, "kind",
				       json_object_new_string("netlink"));
		json_object_object_add(jc, "pf", json_object_new_string(pf));
		json_object_object_add(jc, "vf",
				       json_object_new_int((int)delta->vf));
		json_object_object_add(jc, "field",
				       json_object_new_string(name));
		json_object_object_add(jc, "old", json_object_new_string(o));
		json_object_object_add(jc, "new", json_object_new_string(nw));
		report_change(&r->rep, jc, "netlink %s vf %u %s: %s -> %s", pf,
			      delta->vf, name, o, nw);
	}
}

void sriov_vf_revert(struct sriov_vf_job *l)
{
	struct sriov_vf_cfg undo;

	if (!l->cur)
		return;
	undo = *l->cur;
	undo.vf = l->delta.vf;
	undo.mask = l->applied & l->cur->mask;
	if (undo.mask)
		sriov_nl_set_vf(&l->nl, l->ifindex, &undo);
	l->applied = 0;
}

/* One RTM_SETLINK per field; a refused one sets the earlier ones back. */
int sriov_vf_commit(struct sriov_run *r, struct sriov_vf_job *l)
{
	const struct sriov_vf_cfg *delta = &l->delta;

	for (uint32_t f = 1; f <= SRIOV_VF_RATE; f <<= 1) {
		struct sriov_vf_cfg one = *delta;
		int err;

		if (!(delta->mask & f))
			continue;
		one.mask = f;
		err = sriov_nl_set_vf(&l->nl, l->ifindex, &one);
		if (err) {
			sriov_vf_revert(l);
			return cmd_fail_status(
				r->c, HOST_EXIT_FAIL, err,
				"%s vf %u: setting %s failed: %s; earlier fields rolled back",
				l->pf, delta->vf, sriov_vf_field_name(f),
				strerror(-err));
		}
		l->applied |= f;
	}
	return 0;
}

int sriov_vf_prepare(struct sriov_run *r, const struct sriov_pf *pf,
		     struct sriov_vf_cli *o, struct sriov_vf_job *l)
{
	struct sriov_vf_cfg *want = &o->want;
	int err;

	err = vf_link_open(r, pf->name, want->vf, l);
	if (err)
		return err;
	/* A rate sets both bounds: keep the one not given. */
	if (!o->has_min)
		want->min_rate = l->cur->min_rate;
	if (!o->has_max)
		want->max_rate = l->cur->max_rate;
	sriov_vf_diff(l->cur, want, &l->delta);
	report_delta(r, pf->name, l->cur, &l->delta);
	return 0;
}

static int vf_apply(struct sriov_run *r, const struct sriov_pf *pf,
		    struct sriov_vf_cli *o)
{
	struct sriov_persist per = { 0 };
	struct sriov_vf_job l = { 0 };
	int err;

	err = sriov_vf_prepare(r, pf, o, &l);
	if (!err)
		err = sriov_plan_files(r, pf->name, vf_edit, &o->want, &per);
	if (err || r->g->dry_run)
		goto out;
	err = sriov_vf_commit(r, &l);
	if (err)
		goto out;
	err = sriov_write_files(r, &per);
	if (err) /* the files failed: set the fields back */
		sriov_vf_revert(&l);
out:
	sriov_persist_free(&per);
	sriov_vf_job_free(&l);
	return err;
}

int sriov_vf(struct sriov_run *r, struct sriov_vf_cli *o, const char *name,
	     const char *vf)
{
	struct sriov_pf *pf = NULL;
	int err;

	if (parse_u32(vf, 0, SRIOV_MAX_VFS - 1, &o->want.vf))
		return cmd_fail(r->c, -EINVAL, "bad VF index '%s'", vf);
	err = sriov_load_pf(r, name, &pf);
	if (!err)
		err = sriov_check_vf_index(r, pf, o->want.vf);
	if (!err)
		err = vf_apply(r, pf, o);
	free(pf);
	return err;
}

static int vf_run(struct sriov_run *r, void *opts, int argc, char **argv)
{
	(void)argc;
	return sriov_vf(r, opts, argv[0], argv[1]);
}

static int vf_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	return sriov_run(c, opts, argc, argv, vf_run, true);
}

const struct cmd_verb sriov_vf_verb = {
	.name = "vf",
	.args = "PF VF",
	.summary =
		"set a VF's MAC, VLAN, trust, spoof check, link state, rates",
	.description =
		"Sets VF's settings over netlink (RTM_SETLINK through the PF); only\n"
		"the ones that differ are sent, and a refused one rolls back the\n"
		"ones before it.",
	.options = sriov_vf_options,
	.opts_size = sizeof(struct sriov_vf_cli),
	.min_args = 2,
	.max_args = 2,
	.init = sriov_vf_init,
	.check = sriov_vf_check,
	.run = vf_cmd,
};
