// SPDX-License-Identifier: GPL-2.0
/* VF netlink messages: RTM_SETLINK built by host/sriov_netlink.c is taken
 * apart again with libmnl (mnl_attr_parse_nested) and every attribute
 * checked; a crafted RTM_NEWLINK with IFLA_VFINFO_LIST is decoded; and a
 * real RTM_GETLINK with RTEXT_FILTER_VF on lo reports no VFs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "host/sriov_netlink.h"

#define MAXA 64

struct attrs {
	const struct nlattr *a[MAXA];
	int types[MAXA];
	int n;
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;

	assert_true(t->n < MAXA);
	t->a[t->n] = attr;
	t->types[t->n] = mnl_attr_get_type(attr);
	t->n++;
	return MNL_CB_OK;
}

static const struct nlattr *only(const struct attrs *t, int type)
{
	const struct nlattr *r = NULL;

	for (int i = 0; i < t->n; i++) {
		if (t->types[i] == type) {
			assert_null(r); /* exactly once */
			r = t->a[i];
		}
	}
	assert_non_null(r);
	return r;
}

/* Walks RTM_SETLINK -> IFLA_VFINFO_LIST -> IFLA_VF_INFO; *info gets the
 * attributes inside the one VF_INFO. */
static void open_setlink(const struct nlmsghdr *nlh, int ifindex,
			 struct attrs *info)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct attrs top = { 0 }, list = { 0 };

	assert_int_equal(nlh->nlmsg_type, RTM_SETLINK);
	assert_true(nlh->nlmsg_flags & NLM_F_REQUEST);
	assert_int_equal(ifi->ifi_index, ifindex);
	assert_int_equal(ifi->ifi_family, AF_UNSPEC);
	assert_true(mnl_attr_parse(nlh, sizeof(*ifi), collect_cb, &top) >= 0);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.types[0], IFLA_VFINFO_LIST);
	assert_true(mnl_attr_parse_nested(top.a[0], collect_cb, &list) >= 0);
	assert_int_equal(list.n, 1);
	assert_int_equal(list.types[0], IFLA_VF_INFO);
	memset(info, 0, sizeof(*info));
	assert_true(mnl_attr_parse_nested(list.a[0], collect_cb, info) >= 0);
}

static const void *payload(const struct nlattr *a, size_t size)
{
	assert_int_equal(mnl_attr_get_payload_len(a), size);
	return mnl_attr_get_payload(a);
}

static void test_setlink_all_fields(void **state)
{
	struct sriov_vf_cfg c = {
		.vf = 5,
		.mask = SRIOV_VF_ALL,
		.mac = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
		.vlan = 100,
		.qos = 3,
		.vlan_proto = ETH_P_8021Q,
		.trust = true,
		.spoofchk = false,
		.link_state = IFLA_VF_LINK_STATE_DISABLE,
		.min_rate = 100,
		.max_rate = 2500,
	};
	char buf[512];
	struct nlmsghdr *nlh;
	struct attrs in;
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_vlan *vlan;
	const struct ifla_vf_trust *trust;
	const struct ifla_vf_spoofchk *sc;
	const struct ifla_vf_link_state *ls;
	const struct ifla_vf_rate *rate;

	(void)state;
	nlh = sriov_nl_build_setlink(buf, sizeof(buf), 7, &c);
	assert_non_null(nlh);
	open_setlink(nlh, 7, &in);
	assert_int_equal(in.n, 6);
	mac = payload(only(&in, IFLA_VF_MAC), sizeof(*mac));
	assert_int_equal(mac->vf, 5);
	assert_memory_equal(mac->mac, c.mac, 6);
	vlan = payload(only(&in, IFLA_VF_VLAN), sizeof(*vlan));
	assert_int_equal(vlan->vf, 5);
	assert_int_equal(vlan->vlan, 100);
	assert_int_equal(vlan->qos, 3);
	trust = payload(only(&in, IFLA_VF_TRUST), sizeof(*trust));
	assert_int_equal(trust->vf, 5);
	assert_int_equal(trust->setting, 1);
	sc = payload(only(&in, IFLA_VF_SPOOFCHK), sizeof(*sc));
	assert_int_equal(sc->vf, 5);
	assert_int_equal(sc->setting, 0);
	ls = payload(only(&in, IFLA_VF_LINK_STATE), sizeof(*ls));
	assert_int_equal(ls->vf, 5);
	assert_int_equal(ls->link_state, IFLA_VF_LINK_STATE_DISABLE);
	rate = payload(only(&in, IFLA_VF_RATE), sizeof(*rate));
	assert_int_equal(rate->vf, 5);
	assert_int_equal(rate->min_tx_rate, 100);
	assert_int_equal(rate->max_tx_rate, 2500);
}

static void test_setlink_qinq_vlan_list(void **state)
{
	struct sriov_vf_cfg c = { .vf = 2,
				  .mask = SRIOV_VF_VLAN,
				  .vlan = 4094,
				  .qos = 7,
				  .vlan_proto = ETH_P_8021AD };
	const struct ifla_vf_vlan_info *vi;
	struct attrs in, vl = { 0 };
	char buf[512];
	struct nlmsghdr *nlh;

	(void)state;
	nlh = sriov_nl_build_setlink(buf, sizeof(buf), 3, &c);
	open_setlink(nlh, 3, &in);
	assert_int_equal(in.n, 1);
	assert_true(mnl_attr_parse_nested(only(&in, IFLA_VF_VLAN_LIST),
					  collect_cb, &vl) >= 0);
	assert_int_equal(vl.n, 1);
	vi = payload(only(&vl, IFLA_VF_VLAN_INFO), sizeof(*vi));
	assert_int_equal(vi->vf, 2);
	assert_int_equal(vi->vlan, 4094);
	assert_int_equal(vi->qos, 7);
	assert_int_equal(vi->vlan_proto, htons(ETH_P_8021AD));
}

static void test_setlink_one_field(void **state)
{
	struct sriov_vf_cfg c = { .vf = 0,
				  .mask = SRIOV_VF_SPOOFCHK,
				  .spoofchk = true,
				  .trust = true };
	const struct ifla_vf_spoofchk *sc;
	struct attrs in;
	char buf[512];

	(void)state;
	open_setlink(sriov_nl_build_setlink(buf, sizeof(buf), 1, &c), 1, &in);
	assert_int_equal(in.n, 1); /* trust is not in the mask */
	sc = payload(only(&in, IFLA_VF_SPOOFCHK), sizeof(*sc));
	assert_int_equal(sc->setting, 1);
	assert_null(sriov_nl_build_setlink(buf, 16, 1, &c));
}

static void test_getlink(void **state)
{
	struct attrs top = { 0 };
	char buf[64];
	struct nlmsghdr *nlh;

	(void)state;
	nlh = sriov_nl_build_getlink(buf, sizeof(buf), 9);
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(
		((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 9);
	assert_true(mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect_cb,
				   &top) >= 0);
	assert_int_equal(top.n, 1);
	assert_int_equal(mnl_attr_get_u32(only(&top, IFLA_EXT_MASK)),
			 RTEXT_FILTER_VF);
}

/* An RTM_NEWLINK as a kernel with two VFs sends it. */
static struct nlmsghdr *craft_newlink(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *list, *info, *vl, *stats;
	struct ifla_vf_mac m0 = { .vf = 0, .mac = { 2, 0, 0, 0, 0, 0xa } };
	struct ifla_vf_mac m1 = { .vf = 1, .mac = { 2, 0, 0, 0, 0, 0xb } };
	struct ifla_vf_vlan v0 = { .vf = 0, .vlan = 10, .qos = 1 };
	struct ifla_vf_vlan_info vi0 = {
		.vf = 0, .vlan = 10, .qos = 1, .vlan_proto = htons(ETH_P_8021Q)
	};
	struct ifla_vf_vlan v1 = { .vf = 1 };
	struct ifla_vf_trust t0 = { .vf = 0, .setting = 1 };
	struct ifla_vf_trust t1 = { .vf = 1, .setting = 0 };
	struct ifla_vf_spoofchk s0 = { .vf = 0, .setting = 1 };
	struct ifla_vf_spoofchk s1 = { .vf = 1, .setting = (__u32)-1 };
	struct ifla_vf_link_state l0 = { .vf = 0,
					 .link_state =
						 IFLA_VF_LINK_STATE_ENABLE };
	struct ifla_vf_rate r0 = { .vf = 0,
				   .min_tx_rate = 10,
				   .max_tx_rate = 1000 };

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth4");
	mnl_attr_put_u32(nlh, IFLA_NUM_VF, 2);
	list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(m0), &m0);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(v0), &v0);
	vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
	mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vi0), &vi0);
	mnl_attr_nest_end(nlh, vl);
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(t0), &t0);
	mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(s0), &s0);
	mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(l0), &l0);
	mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(r0), &r0);
	stats = mnl_attr_nest_start(nlh, IFLA_VF_STATS); /* ignored */
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_PACKETS, 42);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, info);
	info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(m1), &m1);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(v1), &v1);
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(t1), &t1);
	mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(s1), &s1);
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

static void test_decode_newlink(void **state)
{
	char buf[1024] = { 0 };
	struct sriov_vf_cfg vfs[4];
	size_t n = 99;
	uint32_t num_vf = 0;
	uint8_t mac0[6] = { 2, 0, 0, 0, 0, 0xa },
		mac1[6] = { 2, 0, 0, 0, 0, 0xb };

	(void)state;
	assert_int_equal(
		sriov_nl_parse_link(craft_newlink(buf), vfs, 4, &n, &num_vf),
		0);
	assert_int_equal(num_vf, 2);
	assert_int_equal(n, 2);
	assert_int_equal(vfs[0].vf, 0);
	assert_int_equal(vfs[0].mask, SRIOV_VF_ALL);
	assert_memory_equal(vfs[0].mac, mac0, 6);
	assert_int_equal(vfs[0].vlan, 10);
	assert_int_equal(vfs[0].qos, 1);
	assert_int_equal(vfs[0].vlan_proto, ETH_P_8021Q);
	assert_true(vfs[0].trust);
	assert_true(vfs[0].spoofchk);
	assert_int_equal(vfs[0].link_state, IFLA_VF_LINK_STATE_ENABLE);
	assert_int_equal(vfs[0].min_rate, 10);
	assert_int_equal(vfs[0].max_rate, 1000);
	assert_int_equal(vfs[1].vf, 1);
	assert_memory_equal(vfs[1].mac, mac1, 6);
	/* Spoofchk reported as -1 (driver lacks it), no link state/rate. */
	assert_int_equal(vfs[1].mask,
			 SRIOV_VF_MAC | SRIOV_VF_VLAN | SRIOV_VF_TRUST);
	assert_false(vfs[1].trust);
	assert_int_equal(vfs[1].vlan, 0);
	/* Too small an array is an error, not a silent cut. */
	assert_int_equal(
		sriov_nl_parse_link(craft_newlink(buf), vfs, 1, &n, &num_vf),
		-E2BIG);
}

static void test_decode_malformed(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *list, *info;
	struct ifla_vf_trust t = { .vf = 0, .setting = 1 };
	struct sriov_vf_cfg vfs[2];
	uint32_t num_vf;
	size_t n;

	(void)state;
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(t), &t); /* no MAC: no index */
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);
	assert_int_equal(sriov_nl_parse_link(nlh, vfs, 2, &n, &num_vf),
			 -EINVAL);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(sriov_nl_parse_link(nlh, vfs, 2, &n, &num_vf),
			 -EINVAL);
}

/* What the tool sends decodes to what it meant. */
static void test_roundtrip(void **state)
{
	struct sriov_vf_cfg c = { .vf = 3,
				  .mask = SRIOV_VF_ALL,
				  .mac = { 0x02, 1, 2, 3, 4, 5 },
				  .vlan = 42,
				  .qos = 5,
				  .vlan_proto = ETH_P_8021Q,
				  .trust = false,
				  .spoofchk = true,
				  .link_state = IFLA_VF_LINK_STATE_AUTO,
				  .min_rate = 0,
				  .max_rate = 40000 },
			    out[2], delta;
	char buf[512];
	struct nlmsghdr *nlh = sriov_nl_build_setlink(buf, sizeof(buf), 1, &c);
	uint32_t num_vf;
	size_t n;

	(void)state;
	nlh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(sriov_nl_parse_link(nlh, out, 2, &n, &num_vf), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].mask, SRIOV_VF_ALL);
	assert_int_equal(sriov_vf_diff(&out[0], &c, &delta), 0);
	assert_int_equal(delta.mask, 0);
}

static void test_diff(void **state)
{
	struct sriov_vf_cfg cur = { .vf = 1,
				    .mask = SRIOV_VF_MAC | SRIOV_VF_VLAN |
					    SRIOV_VF_SPOOFCHK | SRIOV_VF_RATE,
				    .vlan = 10,
				    .vlan_proto = ETH_P_8021Q,
				    .spoofchk = true,
				    .max_rate = 100 };
	struct sriov_vf_cfg want = cur, d;
	char s[64];

	(void)state;
	want.mask = SRIOV_VF_VLAN | SRIOV_VF_SPOOFCHK;
	assert_int_equal(sriov_vf_diff(&cur, &want, &d), 0);
	want.qos = 2;
	want.spoofchk = false;
	want.mask |= SRIOV_VF_TRUST; /* cur doesn't report trust: a change */
	assert_int_equal(sriov_vf_diff(&cur, &want, &d), 3);
	assert_int_equal(d.mask,
			 SRIOV_VF_VLAN | SRIOV_VF_SPOOFCHK | SRIOV_VF_TRUST);
	sriov_vf_field_str(&d, SRIOV_VF_VLAN, s, sizeof(s));
	assert_string_equal(s, "10 qos 2 proto 802.1Q");
	sriov_vf_field_str(&cur, SRIOV_VF_LINK_STATE, s, sizeof(s));
	assert_string_equal(s, "-");
	uint32_t st;

	assert_int_equal(sriov_link_state_parse("disable", &st), 0);
	assert_int_equal(st, IFLA_VF_LINK_STATE_DISABLE);
	assert_int_equal(sriov_link_state_parse("off", &st), -EINVAL);
}

/* A real RTM_GETLINK with RTEXT_FILTER_VF: lo has no VFs. */
static void test_real_getlink_lo(void **state)
{
	struct sriov_vf_cfg vfs[4];
	struct nl_handle nl;
	uint32_t num_vf = 7;
	size_t n = 7;
	int ifindex = (int)if_nametoindex("lo");

	(void)state;
	assert_true(ifindex > 0);
	assert_int_equal(nl_open(&nl, NETLINK_ROUTE), 0);
	assert_int_equal(sriov_nl_get_vfs(&nl, ifindex, vfs, 4, &n, &num_vf),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(num_vf, 0);
	/* An ifindex that doesn't exist: the kernel's ENODEV comes back. */
	assert_int_equal(sriov_nl_get_vfs(&nl, 0x7ffffff0, vfs, 4, &n, &num_vf),
			 -ENODEV);
	nl_close(&nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setlink_all_fields),
		cmocka_unit_test(test_setlink_qinq_vlan_list),
		cmocka_unit_test(test_setlink_one_field),
		cmocka_unit_test(test_getlink),
		cmocka_unit_test(test_decode_newlink),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_real_getlink_lo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
