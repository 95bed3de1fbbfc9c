// SPDX-License-Identifier: GPL-2.0
/* afxdp-host sriov show [PF]: a PF's VFs read back from sysfs (and from
 * netlink when the PF is a netdev of this namespace), with the split
 * between vfio-pci and the kernel driver. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>

#include "host/sriov_cmd.h"
#include "util/parse.h"

struct show_cli {
	struct sriov_common co;
};

static const struct cmd_option show_options[] = {
	SRIOV_COMMON_OPTIONS(struct show_cli),
	{ .name = NULL },
};

static const enum sriov_vf_group groups[] = { SRIOV_GROUP_VFIO,
					      SRIOV_GROUP_KERNEL,
					      SRIOV_GROUP_UNBOUND };

/* The VFs of group g as "0-3,6" in buf and as indexes in arr. */
static void list_ranges(const struct sriov_pf *pf, enum sriov_vf_group g,
			char *buf, size_t len, json_object *arr)
{
	size_t i = 0, o = 0;

	buf[0] = '\0';
	while (i < pf->nvfs) {
		size_t j;

		if (!pf->vfs[i].pci[0] || pf->vfs[i].group != g) {
			i++;
			continue;
		}
		for (j = i; j + 1 < pf->nvfs && pf->vfs[j + 1].pci[0] &&
			    pf->vfs[j + 1].group == g;
		     j++)
			;
		for (size_t k = i; k <= j; k++)
			json_object_array_add(arr, json_object_new_int((int)k));
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o,
					      j > i ? "%s%zu-%zu" : "%s%zu",
					      o ? "," : "", i, j);
		i = j + 1;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static json_object *vf_nl_json(const struct sriov_vf_cfg *c)
{
	json_object *o = json_object_new_object();
	char mac[MAC_STR_LEN];

	if (c->mask & SRIOV_VF_MAC)
		json_object_object_add(
			o, "mac",
			json_object_new_string(format_mac(c->mac, mac)));
	if (c->mask & SRIOV_VF_VLAN) {
		json_object_object_add(o, "vlan", json_object_new_int(c->vlan));
		json_object_object_add(o, "qos", json_object_new_int(c->qos));
		json_object_object_add(
			o, "vlan_proto",
			json_object_new_string(c->vlan_proto == ETH_P_8021AD ?
						       "802.1ad" :
						       "802.1Q"));
	}
	if (c->mask & SRIOV_VF_TRUST)
		json_object_object_add(o, "trust",
				       json_object_new_boolean(c->trust));
	if (c->mask & SRIOV_VF_SPOOFCHK)
		json_object_object_add(o, "spoofchk",
				       json_object_new_boolean(c->spoofchk));
	if (c->mask & SRIOV_VF_LINK_STATE)
		json_object_object_add(
			o, "link_state",
			json_object_new_string(
				sriov_link_state_name(c->link_state)));
	if (c->mask & SRIOV_VF_RATE) {
		json_object_object_add(o, "min_rate",
				       json_object_new_int64(c->min_rate));
		json_object_object_add(o, "max_rate",
				       json_object_new_int64(c->max_rate));
	}
	return o;
}

static json_object *vf_json(const struct sriov_vf *vf,
			    const struct sriov_vf_cfg *nv)
{
	json_object *jv = json_object_new_object();

	json_object_object_add(jv, "vf", json_object_new_int((int)vf->index));
	json_object_object_add(jv, "pci", report_str(vf->pci));
	json_object_object_add(jv, "driver", report_str(vf->driver));
	json_object_object_add(
		jv, "group",
		json_object_new_string(
			vf->pci[0] ? sriov_group_name(vf->group) : "missing"));
	json_object_object_add(jv, "driver_override", report_str(vf->override));
	json_object_object_add(jv, "netdev", report_str(vf->netdev));
	json_object_object_add(jv, "iommu_group", report_str(vf->iommu_group));
	json_object_object_add(jv, "in_use",
			       json_object_new_boolean(vf->in_use));
	json_object_object_add(jv, "netlink", nv ? vf_nl_json(nv) : NULL);
	return jv;
}

static void print_vf(const struct sriov_vf *vf, const struct sriov_vf_cfg *nv)
{
	if (!vf->pci[0]) {
		printf("  vf %u: missing (no virtfn%u link)\n", vf->index,
		       vf->index);
		return;
	}
	printf("  vf %u: %s driver %s group %s", vf->index, vf->pci,
	       vf->driver[0] ? vf->driver : "-", sriov_group_name(vf->group));
	if (vf->override[0])
		printf(" override %s", vf->override);
	if (vf->netdev[0])
		printf(" netdev %s", vf->netdev);
	if (vf->iommu_group[0])
		printf(" iommu_group %s", vf->iommu_group);
	if (vf->in_use)
		printf(" IN-USE");
	for (uint32_t f = 1; nv && f <= SRIOV_VF_RATE; f <<= 1) {
		char val[64];

		if (!(nv->mask & f))
			continue;
		sriov_vf_field_str(nv, f, val, sizeof(val));
		printf(" %s %s", sriov_vf_field_name(f), val);
	}
	printf("\n");
}

/* The PF's VFs as netlink reports them; false when it cannot (a fake
 * sysfs tree, or a PF in another network namespace). */
static bool pf_netlink(const char *name, struct sriov_vf_cfg *nlv, size_t *n)
{
	struct nl_handle nl = { 0 };
	int ifindex = (int)if_nametoindex(name);
	uint32_t num_vf = 0;
	bool ok = false;

	*n = 0;
	if (nlv && ifindex && !nl_open(&nl, NETLINK_ROUTE)) {
		ok = !sriov_nl_get_vfs(&nl, ifindex, nlv, SRIOV_MAX_VFS, n,
				       &num_vf);
		nl_close(&nl);
	}
	return ok;
}

static json_object *pf_json(const struct sriov_pf *pf, json_object *split,
			    bool have_nl)
{
	json_object *jp = json_object_new_object();

	json_object_object_add(jp, "name", json_object_new_string(pf->name));
	json_object_object_add(jp, "pci", json_object_new_string(pf->pci));
	json_object_object_add(jp, "totalvfs",
			       json_object_new_int64(pf->totalvfs));
	json_object_object_add(jp, "numvfs", json_object_new_int64(pf->numvfs));
	json_object_object_add(jp, "autoprobe",
			       pf->autoprobe < 0 ?
				       NULL :
				       json_object_new_boolean(pf->autoprobe));
	json_object_object_add(jp, "split", split);
	json_object_object_add(jp, "netlink", json_object_new_boolean(have_nl));
	return jp;
}

static void show_pf(struct sriov_run *r, const struct sriov_pf *pf,
		    json_object *arr)
{
	struct sriov_vf_cfg *nlv = calloc(SRIOV_MAX_VFS, sizeof(*nlv));
	json_object *split = json_object_new_object(), *jp, *jvfs;
	char ranges[3][256];
	size_t n;
	bool have_nl = pf_netlink(pf->name, nlv, &n);

	for (int i = 0; i < 3; i++) {
		json_object *ga = json_object_new_array();

		list_ranges(pf, groups[i], ranges[i], sizeof(ranges[i]), ga);
		json_object_object_add(split, sriov_group_name(groups[i]), ga);
	}
	jp = pf_json(pf, split, have_nl);
	if (!r->g->json) {
		printf("%s (%s): numvfs %u of %u, autoprobe %s, netlink %s\n",
		       pf->name, pf->pci, pf->numvfs, pf->totalvfs,
		       pf->autoprobe < 0 ? "n/a" :
		       pf->autoprobe	 ? "on" :
					   "off",
		       have_nl ? "yes" : "n/a");
		printf("  split: vfio (dpdk) %s; kernel (af_xdp) %s; unbound %s\n",
		       ranges[0], ranges[1], ranges[2]);
	}
	jvfs = json_object_new_array();
	for (size_t i = 0; i < pf->nvfs; i++) {
		const struct sriov_vf *vf = &pf->vfs[i];
		const struct sriov_vf_cfg *nv = NULL;

		for (size_t k = 0; k < n; k++)
			if (nlv[k].vf == vf->index)
				nv = &nlv[k];
		json_object_array_add(jvfs, vf_json(vf, nv));
		if (!r->g->json)
			print_vf(vf, nv);
	}
	json_object_object_add(jp, "vfs", jvfs);
	json_object_array_add(arr, jp);
	free(nlv);
}

/* Says why a netdev is not a PF, and asks netlink too: a real
 * RTM_GETLINK with RTEXT_FILTER_VF, so the message shows both views. */
static int not_sriov(struct sriov_run *r, const char *name)
{
	struct sriov_vf_cfg vfs[4];
	struct nl_handle nl = { 0 };
	int ifindex = (int)if_nametoindex(name), err = -ENODEV;
	uint32_t num_vf = 0;
	size_t n = 0;

	if (ifindex && !(err = nl_open(&nl, NETLINK_ROUTE))) {
		err = sriov_nl_get_vfs(&nl, ifindex, vfs, 4, &n, &num_vf);
		nl_close(&nl);
	}
	if (err)
		return sriov_pf_error(r, name, -EOPNOTSUPP);
	return cmd_fail_status(
		r->c, HOST_EXIT_FAIL, -EOPNOTSUPP,
		"%s: not SR-IOV capable (no device/sriov_totalvfs in sysfs; netlink reports %zu VFs)",
		name, n);
}

static void show_all(struct sriov_run *r, struct sriov_pf *pf, json_object *arr)
{
	char path[PATH_MAX];
	struct dirent **ents;
	int nents;

	sysfs_path(&r->s.fs, path, sizeof(path), "class/net");
	nents = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < nents; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    !sriov_pf_read(&r->s, ents[i]->d_name, pf))
			show_pf(r, pf, arr);
		free(ents[i]);
	}
	if (nents >= 0)
		free(ents);
	if (!r->g->json && !json_object_array_length(arr))
		printf("no SR-IOV capable PF under %s/class/net\n",
		       r->s.fs.root);
}

static int show_run(struct sriov_run *r, void *opts, int argc, char **argv)
{
	struct sriov_pf *pf = malloc(sizeof(*pf));
	json_object *arr = json_object_new_array();
	int err = 0;

	(void)opts;
	report_set(&r->rep, "pfs", arr);
	if (!pf)
		return cmd_fail(r->c, -ENOMEM, "out of memory");
	if (!argc) {
		show_all(r, pf, arr);
	} else {
		err = sriov_pf_read(&r->s, argv[0], pf);
		if (err == -EOPNOTSUPP)
			err = not_sriov(r, argv[0]);
		else if (err)
			err = sriov_pf_error(r, argv[0], err);
		else
			show_pf(r, pf, arr);
	}
	free(pf);
	return err;
}

static int show_cmd(struct cmd_ctx *c, void *opts, int argc, char **argv)
{
	return sriov_run(c, opts, argc, argv, show_run, false);
}

const struct cmd_verb sriov_show_verb = {
	.name = "show",
	.args = "[PF]",
	.summary = "show the VFs of a PF (or of every PF) and their split",
	.options = show_options,
	.opts_size = sizeof(struct show_cli),
	.max_args = 1,
	.init = sriov_init,
	.run = show_cmd,
};
