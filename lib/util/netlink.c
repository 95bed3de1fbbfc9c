// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

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
	/* Ask for the kernel's reason with every error (ignored before 4.12). */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &(int){ 1 },
			      sizeof(int));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->ext_msg[0] = '\0';
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void nl_close(struct nl_handle *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct request_ctx {
	struct nl_handle *nl;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_handle *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* libmnl's NLMSG_ERROR handling, plus the extended ack's message: its
 * attributes follow the echoed request (only its header when capped). */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request_ctx *ctx = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, (unsigned int)off, ext_ack_attr_cb,
				       ctx->nl);
	}
	errno = e->error < 0 ? -e->error : e->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

int nl_request(struct nl_handle *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
	       void *data)
{
	/* libmnl skips its own defaults for every type below the array's
	 * length: DONE ends a dump here too (NOOP and OVERRUN are ignored,
	 * as libmnl does). */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct request_ctx ctx = { .nl = nl, .cb = cb, .data = data };
	size_t buf_len = MNL_SOCKET_BUFFER_SIZE * 4; /* VF lists are large */
	char *buf;
	ssize_t n;
	int ret;

	nl->ext_msg[0] = '\0';
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
		ret = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, nl->portid,
				  data_cb, &ctx, ctl, NLMSG_MIN_TYPE);
		if (ret < 0)
			ret = -errno;
	} while (ret > 0);
	free(buf);
	return ret < 0 ? ret : 0;
}

struct nlmsghdr *nl_link_request(void *buf, size_t size, uint16_t type,
				 int ifindex)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	memset(buf, 0, size);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
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
