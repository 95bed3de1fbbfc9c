// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>

#include "util/netdev_genl.h"
#include "util/netlink.h"

static const char *const xdp_act_names[XDP_ACT_NBITS] = {
	"basic",      "redirect", "ndo-xmit",	 "xsk-zerocopy",
	"hw-offload", "rx-sg",	  "ndo-xmit-sg",
};

const char *netdev_xdp_act_name(unsigned int bit)
{
	return bit < XDP_ACT_NBITS ? xdp_act_names[bit] : NULL;
}

static int dev_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, AFXDP_NETDEV_A_DEV_MAX) < 0)
		return MNL_CB_OK; /* newer kernel: attribute we don't know */
	switch (type) {
	case AFXDP_NETDEV_A_DEV_IFINDEX:
	case AFXDP_NETDEV_A_DEV_XDP_ZC_MAX_SEGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case AFXDP_NETDEV_A_DEV_XDP_FEATURES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

int netdev_genl_parse(const struct nlmsghdr *nlh, struct netdev_xdp_info *info)
{
	const struct nlattr *tb[AFXDP_NETDEV_A_DEV_MAX + 1] = { 0 };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, tb) !=
	    MNL_CB_OK)
		return -EINVAL;
	if (!tb[AFXDP_NETDEV_A_DEV_IFINDEX])
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->ifindex = mnl_attr_get_u32(tb[AFXDP_NETDEV_A_DEV_IFINDEX]);
	if (tb[AFXDP_NETDEV_A_DEV_XDP_FEATURES])
		info->xdp_features =
			mnl_attr_get_u64(tb[AFXDP_NETDEV_A_DEV_XDP_FEATURES]);
	if (tb[AFXDP_NETDEV_A_DEV_XDP_ZC_MAX_SEGS]) {
		info->zc_max_segs = mnl_attr_get_u32(
			tb[AFXDP_NETDEV_A_DEV_XDP_ZC_MAX_SEGS]);
		info->has_zc_max_segs = true;
	}
	return 0;
}

struct dump_ctx {
	netdev_genl_cb cb;
	void *data;
	int ret;
};

static int dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct netdev_xdp_info info;

	if (netdev_genl_parse(nlh, &info))
		return MNL_CB_OK; /* skip what we can't decode */
	ctx->ret = ctx->cb(&info, ctx->data);
	return ctx->ret ? MNL_CB_STOP : MNL_CB_OK;
}

int netdev_genl_dump(netdev_genl_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx ctx = { .cb = cb, .data = data };
	struct nl_handle nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	uint16_t family;
	int err;

	err = nl_open(&nl, NETLINK_GENERIC);
	if (err)
		return err;
	err = nl_genl_family_id(&nl, AFXDP_NETDEV_FAMILY_NAME, &family);
	if (err)
		goto out; /* -ENOENT: kernel older than 6.3 */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = AFXDP_NETDEV_CMD_DEV_GET;
	genl->version = AFXDP_NETDEV_FAMILY_VERSION;
	err = nl_request(&nl, nlh, dump_msg_cb, &ctx);
	if (!err)
		err = ctx.ret;
out:
	nl_close(&nl);
	return err;
}
