/* SPDX-License-Identifier: GPL-2.0 */
/* A libmnl socket with one request/response helper, shared by the
 * rtnetlink (link, VF) and generic-netlink (netdev family) users. */
#ifndef UTIL_NETLINK_H
#define UTIL_NETLINK_H

#include <libmnl/libmnl.h>

struct nl_handle {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	/* The kernel's extended-ack message (NLMSGERR_ATTR_MSG) of the last
	 * failed request, "" when it gave none. */
	char ext_msg[256];
};

int nl_open(struct nl_handle *nl, int bus); /* NETLINK_ROUTE, NETLINK_GENERIC */
void nl_close(struct nl_handle *nl);
/* Sends nlh (seq/portid filled in), runs cb on every reply until the ack or
 * NLMSG_DONE. Returns 0 or the kernel's -errno, with its reason in
 * nl->ext_msg when it gave one. */
int nl_request(struct nl_handle *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
	       void *data);
/* A zeroed @size-byte rtnetlink request of @type (RTM_SETLINK, ...) for
 * the link @ifindex, attributes to follow. */
struct nlmsghdr *nl_link_request(void *buf, size_t size, uint16_t type,
				 int ifindex);
/* Resolves a generic-netlink family name to its id. */
int nl_genl_family_id(struct nl_handle *nl, const char *name, uint16_t *id);

#endif
