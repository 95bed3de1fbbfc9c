// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "host/sriov_netlink.h"
#include "util/netlink.h"
#include "util/parse.h"

struct nlmsghdr *sriov_nl_build_setlink(void *buf, size_t len, int ifindex,
					const struct sriov_vf_cfg *cfg)
{
	struct nlattr *list, *info, *vlist;
	struct nlmsghdr *nlh;

	/* The largest message (every field) is well under 256 bytes. */
	if (len < 256)
		return NULL;
	nlh = nl_link_request(buf, 256, RTM_SETLINK, ifindex);
	list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	if (cfg->mask & SRIOV_VF_MAC) {
		struct ifla_vf_mac m = { .vf = cfg->vf };

		memcpy(m.mac, cfg->mac, 6);
		mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(m), &m);
	}
	if (cfg->mask & SRIOV_VF_VLAN) {
		if (cfg->vlan_proto == ETH_P_8021AD) {
			struct ifla_vf_vlan_info vi = {
				.vf = cfg->vf,
				.vlan = cfg->vlan,
				.qos = cfg->qos,
				.vlan_proto = htons(cfg->vlan_proto),
			};

			vlist = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
			mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
			mnl_attr_nest_end(nlh, vlist);
		} else {
			struct ifla_vf_vlan v = {
				.vf = cfg->vf,
				.vlan = cfg->vlan,
				.qos = cfg->qos,
			};

			mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(v), &v);
		}
	}
	if (cfg->mask & SRIOV_VF_TRUST) {
		struct ifla_vf_trust t = { .vf = cfg->vf,
					   .setting = cfg->trust };

		mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(t), &t);
	}
	if (cfg->mask & SRIOV_VF_SPOOFCHK) {
		struct ifla_vf_spoofchk sc = { .vf = cfg->vf,
					       .setting = cfg->spoofchk };

		mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(sc), &sc);
	}
	if (cfg->mask & SRIOV_VF_LINK_STATE) {
		struct ifla_vf_link_state ls = { .vf = cfg->vf,
						 .link_state =
							 cfg->link_state };

		mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	}
	if (cfg->mask & SRIOV_VF_RATE) {
		struct ifla_vf_rate r = { .vf = cfg->vf,
					  .min_tx_rate = cfg->min_rate,
					  .max_tx_rate = cfg->max_rate };

		mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(r), &r);
	}
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

struct nlmsghdr *sriov_nl_build_getlink(void *buf, size_t len, int ifindex)
{
	struct nlmsghdr *nlh;

	if (len < 64)
		return NULL;
	nlh = nl_link_request(buf, 64, RTM_GETLINK, ifindex);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_VF);
	return nlh;
}

/* Collects the attributes of one nest level into tb[type]. */
struct attr_tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int attr_tb_cb(const struct nlattr *attr, void *data)
{
	struct attr_tb *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

/* Payload of tb[type] when it holds at least size bytes. */
static const void *attr_struct(const struct nlattr *a, size_t size)
{
	if (!a || mnl_attr_get_payload_len(a) < size)
		return NULL;
	return mnl_attr_get_payload(a);
}

static int vlan_list_cb(const struct nlattr *attr, void *data)
{
	const struct ifla_vf_vlan_info *vi;
	struct sriov_vf_cfg *vf = data;

	if (mnl_attr_get_type(attr) != IFLA_VF_VLAN_INFO)
		return MNL_CB_OK;
	vi = attr_struct(attr, sizeof(*vi));
	if (!vi)
		return MNL_CB_ERROR;
	/* The first entry is the outer tag, the one this tool sets. */
	if (!(vf->mask & SRIOV_VF_VLAN)) {
		vf->vlan = (uint16_t)vi->vlan;
		vf->qos = (uint8_t)vi->qos;
		vf->vlan_proto = ntohs(vi->vlan_proto);
		vf->mask |= SRIOV_VF_VLAN;
	}
	return MNL_CB_OK;
}

int sriov_nl_parse_vf_info(const struct nlattr *info, struct sriov_vf_cfg *vf)
{
	const struct nlattr *tb[IFLA_VF_MAX + 1] = { 0 };
	struct attr_tb t = { tb, IFLA_VF_MAX };
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_vlan *vlan;
	const struct ifla_vf_trust *trust;
	const struct ifla_vf_spoofchk *sc;
	const struct ifla_vf_link_state *ls;
	const struct ifla_vf_rate *rate;

	memset(vf, 0, sizeof(*vf));
	if (mnl_attr_parse_nested(info, attr_tb_cb, &t) < 0)
		return -EINVAL;
	/* Every VF reports its MAC: it carries the VF index. */
	mac = attr_struct(tb[IFLA_VF_MAC], sizeof(*mac));
	if (!mac)
		return -EINVAL;
	vf->vf = mac->vf;
	memcpy(vf->mac, mac->mac, 6);
	vf->mask |= SRIOV_VF_MAC;
	if (tb[IFLA_VF_VLAN_LIST] &&
	    mnl_attr_parse_nested(tb[IFLA_VF_VLAN_LIST], vlan_list_cb, vf) < 0)
		return -EINVAL;
	vlan = attr_struct(tb[IFLA_VF_VLAN], sizeof(*vlan));
	if (vlan && !(vf->mask & SRIOV_VF_VLAN)) {
		vf->vlan = (uint16_t)vlan->vlan;
		vf->qos = (uint8_t)vlan->qos;
		vf->vlan_proto = ETH_P_8021Q;
		vf->mask |= SRIOV_VF_VLAN;
	}
	if (vf->mask & SRIOV_VF_VLAN && !vf->vlan_proto)
		vf->vlan_proto = ETH_P_8021Q;
	/* Drivers without the knob report (u32)-1: leave it unset. */
	trust = attr_struct(tb[IFLA_VF_TRUST], sizeof(*trust));
	if (trust && trust->setting != (uint32_t)-1) {
		vf->trust = trust->setting != 0;
		vf->mask |= SRIOV_VF_TRUST;
	}
	sc = attr_struct(tb[IFLA_VF_SPOOFCHK], sizeof(*sc));
	if (sc && sc->setting != (uint32_t)-1) {
		vf->spoofchk = sc->setting != 0;
		vf->mask |= SRIOV_VF_SPOOFCHK;
	}
	ls = attr_struct(tb[IFLA_VF_LINK_STATE], sizeof(*ls));
	if (ls) {
		vf->link_state = ls->link_state;
		vf->mask |= SRIOV_VF_LINK_STATE;
	}
	rate = attr_struct(tb[IFLA_VF_RATE], sizeof(*rate));
	if (rate) {
		vf->min_rate = rate->min_tx_rate;
		vf->max_rate = rate->max_tx_rate;
		vf->mask |= SRIOV_VF_RATE;
	}
	return 0;
}

struct vf_list_ctx {
	struct sriov_vf_cfg *vfs;
	size_t max, n;
	int err;
};

static int vf_list_cb(const struct nlattr *attr, void *data)
{
	struct vf_list_ctx *c = data;
	int err;

	if (mnl_attr_get_type(attr) != IFLA_VF_INFO)
		return MNL_CB_OK;
	if (c->n == c->max) {
		c->err = -E2BIG;
		return MNL_CB_ERROR;
	}
	err = sriov_nl_parse_vf_info(attr, &c->vfs[c->n]);
	if (err) {
		c->err = err;
		return MNL_CB_ERROR;
	}
	c->n++;
	return MNL_CB_OK;
}

int sriov_nl_parse_link(const struct nlmsghdr *nlh, struct sriov_vf_cfg *vfs,
			size_t max, size_t *n, uint32_t *num_vf)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct attr_tb t = { tb, IFLA_MAX };
	struct vf_list_ctx c = { vfs, max, 0, 0 };

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct ifinfomsg)))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_tb_cb, &t) < 0)
		return -EINVAL;
	*num_vf = 0;
	if (tb[IFLA_NUM_VF] &&
	    !mnl_attr_validate(tb[IFLA_NUM_VF], MNL_TYPE_U32))
		*num_vf = mnl_attr_get_u32(tb[IFLA_NUM_VF]);
	if (tb[IFLA_VFINFO_LIST] &&
	    mnl_attr_parse_nested(tb[IFLA_VFINFO_LIST], vf_list_cb, &c) < 0)
		return c.err ? c.err : -EINVAL;
	*n = c.n;
	return 0;
}

struct get_ctx {
	struct sriov_vf_cfg *vfs;
	size_t max, *n;
	uint32_t *num_vf;
	int err;
	bool seen;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	c->seen = true;
	c->err = sriov_nl_parse_link(nlh, c->vfs, c->max, c->n, c->num_vf);
	return c->err ? MNL_CB_ERROR : MNL_CB_OK;
}

int sriov_nl_get_vfs(struct nl_handle *nl, int ifindex,
		     struct sriov_vf_cfg *vfs, size_t max, size_t *n,
		     uint32_t *num_vf)
{
	char buf[64];
	struct get_ctx c = { vfs, max, n, num_vf, 0, false };
	struct nlmsghdr *nlh =
		sriov_nl_build_getlink(buf, sizeof(buf), ifindex);
	int err;

	*n = 0;
	*num_vf = 0;
	err = nl_request(nl, nlh, get_cb, &c);
	if (c.err)
		return c.err;
	if (err)
		return err;
	return c.seen ? 0 : -ENODATA;
}

int sriov_nl_set_vf(struct nl_handle *nl, int ifindex,
		    const struct sriov_vf_cfg *cfg)
{
	char buf[512];
	struct nlmsghdr *nlh;

	nlh = sriov_nl_build_setlink(buf, sizeof(buf), ifindex, cfg);
	if (!nlh)
		return -EINVAL;
	return nl_request(nl, nlh, NULL, NULL);
}

int sriov_vf_diff(const struct sriov_vf_cfg *cur,
		  const struct sriov_vf_cfg *want, struct sriov_vf_cfg *delta)
{
	uint32_t m = want->mask, d = 0;

	*delta = *want;
	if (m & SRIOV_VF_MAC &&
	    (!(cur->mask & SRIOV_VF_MAC) || memcmp(cur->mac, want->mac, 6)))
		d |= SRIOV_VF_MAC;
	if (m & SRIOV_VF_VLAN &&
	    (!(cur->mask & SRIOV_VF_VLAN) || cur->vlan != want->vlan ||
	     cur->qos != want->qos ||
	     (want->vlan && cur->vlan_proto != want->vlan_proto)))
		d |= SRIOV_VF_VLAN;
	if (m & SRIOV_VF_TRUST &&
	    (!(cur->mask & SRIOV_VF_TRUST) || cur->trust != want->trust))
		d |= SRIOV_VF_TRUST;
	if (m & SRIOV_VF_SPOOFCHK && (!(cur->mask & SRIOV_VF_SPOOFCHK) ||
				      cur->spoofchk != want->spoofchk))
		d |= SRIOV_VF_SPOOFCHK;
	if (m & SRIOV_VF_LINK_STATE && (!(cur->mask & SRIOV_VF_LINK_STATE) ||
					cur->link_state != want->link_state))
		d |= SRIOV_VF_LINK_STATE;
	if (m & SRIOV_VF_RATE &&
	    (!(cur->mask & SRIOV_VF_RATE) || cur->min_rate != want->min_rate ||
	     cur->max_rate != want->max_rate))
		d |= SRIOV_VF_RATE;
	delta->mask = d;
	return __builtin_popcount(d);
}

static const char *const link_states[] = {
	[IFLA_VF_LINK_STATE_AUTO] = "auto",
	[IFLA_VF_LINK_STATE_ENABLE] = "enable",
	[IFLA_VF_LINK_STATE_DISABLE] = "disable",
};

const char *sriov_link_state_name(uint32_t state)
{
	return state < 3 ? link_states[state] : "unknown";
}

int sriov_link_state_parse(const char *s, uint32_t *state)
{
	for (uint32_t i = 0; i < 3; i++) {
		if (!strcmp(s, link_states[i])) {
			*state = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sriov_vf_field_name(uint32_t field)
{
	switch (field) {
	case SRIOV_VF_MAC:
		return "mac";
	case SRIOV_VF_VLAN:
		return "vlan";
	case SRIOV_VF_TRUST:
		return "trust";
	case SRIOV_VF_SPOOFCHK:
		return "spoofchk";
	case SRIOV_VF_LINK_STATE:
		return "link-state";
	case SRIOV_VF_RATE:
		return "rate";
	default:
		return "?";
	}
}

void sriov_vf_field_str(const struct sriov_vf_cfg *c, uint32_t field, char *buf,
			size_t len)
{
	char mac[MAC_STR_LEN];

	if (!(c->mask & field)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (field) {
	case SRIOV_VF_MAC:
		snprintf(buf, len, "%s", format_mac(c->mac, mac));
		break;
	case SRIOV_VF_VLAN:
		snprintf(buf, len, "%u qos %u proto %s", c->vlan, c->qos,
			 c->vlan_proto == ETH_P_8021AD ? "802.1ad" : "802.1Q");
		break;
	case SRIOV_VF_TRUST:
		snprintf(buf, len, "%s", c->trust ? "on" : "off");
		break;
	case SRIOV_VF_SPOOFCHK:
		snprintf(buf, len, "%s", c->spoofchk ? "on" : "off");
		break;
	case SRIOV_VF_LINK_STATE:
		snprintf(buf, len, "%s", sriov_link_state_name(c->link_state));
		break;
	case SRIOV_VF_RATE:
		snprintf(buf, len, "min %u max %u", c->min_rate, c->max_rate);
		break;
	default:
		snprintf(buf, len, "?");
	}
}
