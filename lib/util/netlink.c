// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <time.h>
#include <linux/genetlink.h>

#include "util/netlink.h"

int nl_open(struct nl_handle *nl, int bus)
{
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void nl_close(struct nl_handle *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int nl_request(struct nl_handle *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
	       void *data)
{
	size_t buf_len = MNL_SOCKET_BUFFER_SIZE * 4; /* VF lists are large */
	char *buf;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	buf = malloc(buf_len);
	if (!buf)
		return -ENOMEM;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, buf_len);
		if (n < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, cb,
				 data);
		if (ret < 0)
			ret = -errno;
	} while (ret > 0);
	free(buf);
	return ret < 0 ? ret : 0;
}

struct family_ctx {
	uint16_t id;
	bool found;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_ctx *ctx = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0) {
		ctx->id = mnl_attr_get_u16(attr);
		ctx->found = true;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

int nl_genl_family_id(struct nl_handle *nl, const char *name, uint16_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_ctx ctx = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int err;

	/* Zeroed: libmnl 1.0.4 leaves attribute padding uninitialised. */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = nl_request(nl, nlh, family_cb, &ctx);
	if (err)
		return err;
	if (!ctx.found)
		return -ENOENT;
	*id = ctx.id;
	return 0;
}
