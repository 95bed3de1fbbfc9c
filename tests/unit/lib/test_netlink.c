// SPDX-License-Identifier: GPL-2.0
/* lib/util/netlink.c against the kernel's rtnetlink (no privileges
 * needed): acks, errors with the extended-ack message, and dumps that end
 * with NLMSG_DONE. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include "util/netlink.h"

static char buf[8192];

static struct nlmsghdr *getlink(int ifindex, unsigned int flags,
				unsigned int ifi_flags)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	nlh = nl_link_request(buf, sizeof(buf), RTM_GETLINK, ifindex);
	nlh->nlmsg_flags |= flags;
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = ifi_flags;
	return nlh;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

static void test_request(void **state)
{
	struct nl_handle nl = { 0 };
	int n = 0, one = 1;

	(void)state;
	assert_int_equal(nl_open(&nl, NETLINK_ROUTE), 0);
	/* lo exists in every namespace */
	assert_int_equal(nl_request(&nl,
				    getlink((int)if_nametoindex("lo"), 0, 0),
				    count_cb, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(nl.ext_msg, "");
	/* a dump ends with NLMSG_DONE */
	n = 0;
	assert_int_equal(
		nl_request(&nl, getlink(0, NLM_F_DUMP, 0), count_cb, &n), 0);
	assert_true(n >= 1);
	/* an error without a message */
	assert_int_equal(nl_request(&nl, getlink(0x7ffffff0, 0, 0), NULL, NULL),
			 -ENODEV);
	/* with strict checking the kernel says why a header is refused */
	assert_int_equal(mnl_socket_setsockopt(nl.sock, NETLINK_GET_STRICT_CHK,
					       &one, sizeof(one)),
			 0);
	assert_int_equal(nl_request(&nl, getlink(1, 0, 1), NULL, NULL),
			 -EINVAL);
	/* wording varies between kernels */
	assert_non_null(strstr(nl.ext_msg, "Invalid values in header"));
	/* cleared by the next request */
	assert_int_equal(nl_request(&nl, getlink(1, 0, 0), NULL, NULL), 0);
	assert_string_equal(nl.ext_msg, "");
	nl_close(&nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
