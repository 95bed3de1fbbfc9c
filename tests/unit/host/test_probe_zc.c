// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: zero-copy and multi-buffer per netdev, from netdev
 * genl replies built with libmnl as the kernel sends them (a virtio_net
 * of Linux 7.3: basic, redirect, ndo-xmit, xsk-zerocopy, rx-sg,
 * zc_max_segs 1; an ice-like NIC with zero-copy multi-buffer; veth; a
 * pre-6.6 kernel without zc_max_segs), mapped to e.cap.025 for the High
 * Performance profile: the reasons, the profile's af_xdp_mode and lists
 * in JSON, and the table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "host/probe.h"
#include "util/netdev_genl.h"

/* The XDP part of one netdev from a DEV_GET reply through the parser. */
static void genl_netdev(struct probe_netdev *nd, const char *name,
			uint32_t ifindex, uint64_t features, int zc_max_segs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct netdev_xdp_info info;
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	memset(nd, 0, sizeof(*nd));
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	nd->ifindex = ifindex;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = AFXDP_NETDEV_CMD_DEV_GET;
	mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_IFINDEX, ifindex);
	mnl_attr_put_u64(nlh, AFXDP_NETDEV_A_DEV_XDP_FEATURES, features);
	if (zc_max_segs >= 0)
		mnl_attr_put_u32(nlh, AFXDP_NETDEV_A_DEV_XDP_ZC_MAX_SEGS,
				 (uint32_t)zc_max_segs);
	assert_int_equal(netdev_genl_parse(nlh, &info), 0);
	assert_int_equal(info.ifindex, ifindex);
	probe_netdev_genl(nd, &info);
}

#define VIRTIO_73                                              \
	(XDP_ACT_BASIC | XDP_ACT_REDIRECT | XDP_ACT_NDO_XMIT | \
	 XDP_ACT_XSK_ZEROCOPY | XDP_ACT_RX_SG)
#define ICE_LIKE (VIRTIO_73 | XDP_ACT_NDO_XMIT_SG)
#define VETH                                                                   \
	(XDP_ACT_BASIC | XDP_ACT_REDIRECT | XDP_ACT_NDO_XMIT | XDP_ACT_RX_SG | \
	 XDP_ACT_NDO_XMIT_SG)

static void test_netdev_mapping(void **state)
{
	struct probe_netdev nd;

	(void)state;
	genl_netdev(&nd, "eth0", 2, VIRTIO_73, 1);
	assert_int_equal(nd.xdp_source, XDP_SRC_GENL);
	assert_int_equal(nd.xdp_native, PT_YES);
	assert_int_equal(nd.xdp_zc, PT_YES);
	assert_int_equal(nd.xdp_mb, PT_YES);
	assert_int_equal(nd.zc_mb, PT_NO); /* one buffer per frame */

	genl_netdev(&nd, "ens1", 3, ICE_LIKE, 5);
	assert_int_equal(nd.zc_mb, PT_YES);
	assert_int_equal(nd.zc_max_segs, 5);

	genl_netdev(&nd, "veth0", 4, VETH, 1);
	assert_int_equal(nd.xdp_zc, PT_NO);
	assert_int_equal(nd.xdp_mb, PT_YES);
	assert_int_equal(nd.zc_mb, PT_NO); /* no zero-copy at all */

	/* Before 6.6 the kernel doesn't say how many segments. */
	genl_netdev(&nd, "eth1", 5, VIRTIO_73, -1);
	assert_false(nd.has_zc_max_segs);
	assert_int_equal(nd.zc_mb, PT_UNKNOWN);

	genl_netdev(&nd, "dummy0", 6, 0, 1);
	assert_int_equal(nd.xdp_native, PT_NO);
	assert_int_equal(nd.xdp_zc, PT_NO);
	assert_int_equal(nd.xdp_mb, PT_NO);
}

/* A report whose kernel, socket and bpf() parts pass. */
static void base_report(struct probe_report *rep, struct probe_netdev *nds,
			size_t n)
{
	memset(rep, 0, sizeof(*rep));
	rep->kcfg[KCFG_XDP_SOCKETS] = KCFG_Y;
	rep->kcfg[KCFG_BPF_SYSCALL] = KCFG_Y;
	rep->xsk_checked = rep->xsk_creatable = true;
	rep->bpf_checked = rep->bpf_usable = true;
	rep->bpffs_mounted = true;
	rep->netdevs = nds;
	rep->n_netdevs = n;
}

static bool has_reason(const struct probe_report *rep, const char *text)
{
	for (size_t i = 0; i < rep->reasons.n; i++)
		if (strstr(rep->reasons.text[i], text))
			return true;
	return false;
}

static struct json_object *hp(struct json_object *j, const char *key)
{
	struct json_object *p, *h, *v;

	assert_true(json_object_object_get_ex(j, "profiles", &p));
	assert_true(json_object_object_get_ex(p, "high-performance", &h));
	assert_true(json_object_object_get_ex(h, key, &v));
	return v;
}

static void assert_names(struct json_object *a, const char *want)
{
	char got[128] = "";

	for (size_t i = 0; i < json_object_array_length(a); i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? "," : "",
			 json_object_get_string(
				 json_object_array_get_idx(a, i)));
	assert_string_equal(got, want);
}

static void test_verdict_zero_copy(void **state)
{
	struct probe_netdev nds[3];
	struct probe_report rep;
	struct json_object *j, *x, *nd, *v;

	(void)state;
	genl_netdev(&nds[0], "eth0", 2, VIRTIO_73, 1);
	genl_netdev(&nds[1], "ens1", 3, ICE_LIKE, 5);
	genl_netdev(&nds[2], "veth0", 4, VETH, 1);
	base_report(&rep, nds, 3);
	probe_verdict(&rep);
	assert_true(rep.supported);
	assert_true(rep.zero_copy_offered);
	assert_true(rep.multi_buffer_offered);
	assert_string_equal(probe_af_xdp_mode(&rep), "zero-copy");
	assert_true(has_reason(&rep, "AF_XDP zero-copy on: eth0, ens1"));
	assert_true(has_reason(
		&rep,
		"multi-buffer XDP (frames beyond one page) on: eth0, ens1, veth0; zero-copy multi-buffer on: ens1"));

	j = probe_report_json(&rep);
	assert_string_equal(json_object_get_string(hp(j, "af_xdp_mode")),
			    "zero-copy");
	assert_true(json_object_get_boolean(hp(j, "zero_copy_offered")));
	assert_true(json_object_get_boolean(hp(j, "multi_buffer_offered")));
	assert_names(hp(j, "zero_copy_netdevs"), "eth0,ens1");
	assert_names(hp(j, "multi_buffer_netdevs"), "eth0,ens1,veth0");
	assert_names(hp(j, "zero_copy_multi_buffer_netdevs"), "ens1");
	assert_true(json_object_object_get_ex(j, "netdevs", &v));
	nd = json_object_array_get_idx(v, 0);
	assert_true(json_object_object_get_ex(nd, "xdp", &x));
	assert_true(json_object_object_get_ex(x, "multi_buffer", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(x, "zero_copy_multi_buffer", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(x, "features", &v));
	assert_non_null(strstr(json_object_to_json_string(v), "rx-sg"));
	json_object_put(j);
}

static void test_verdict_copy_only(void **state)
{
	struct probe_netdev nds[1];
	struct probe_report rep;
	struct json_object *j;

	(void)state;
	/* Debian 12's 6.1 virtio_net: native XDP, copy mode, no frags. */
	genl_netdev(&nds[0], "eth0", 2,
		    XDP_ACT_BASIC | XDP_ACT_REDIRECT | XDP_ACT_NDO_XMIT, -1);
	base_report(&rep, nds, 1);
	probe_verdict(&rep);
	assert_true(rep.supported);
	assert_false(rep.zero_copy_offered);
	assert_false(rep.multi_buffer_offered);
	assert_string_equal(probe_af_xdp_mode(&rep), "copy");
	assert_true(has_reason(&rep, "no network device offers AF_XDP "
				     "zero-copy: copy mode only"));
	assert_true(has_reason(&rep, "no network device offers multi-buffer"));
	j = probe_report_json(&rep);
	assert_string_equal(json_object_get_string(hp(j, "af_xdp_mode")),
			    "copy");
	assert_int_equal(json_object_array_length(hp(j, "zero_copy_netdevs")),
			 0);
	json_object_put(j);

	/* Multi-buffer only known from genl: a driver-table netdev. */
	memset(&nds[0], 0, sizeof(nds[0]));
	snprintf(nds[0].name, sizeof(nds[0].name), "ens2");
	nds[0].xdp_source = XDP_SRC_TABLE;
	nds[0].xdp_native = nds[0].xdp_zc = PT_YES;
	nds[0].xdp_mb = nds[0].zc_mb = PT_UNKNOWN;
	base_report(&rep, nds, 1);
	probe_verdict(&rep);
	assert_true(rep.zero_copy_offered);
	assert_true(has_reason(&rep, "multi-buffer XDP not known"));

	/* Zero-copy netdevs but no AF_XDP socket: nothing offered. */
	rep.xsk_creatable = false;
	rep.xsk_err = -EAFNOSUPPORT;
	rep.kcfg[KCFG_XDP_SOCKETS] = KCFG_N;
	probe_verdict(&rep);
	assert_false(rep.supported);
	assert_false(rep.zero_copy_offered);
	assert_string_equal(probe_af_xdp_mode(&rep), "none");
}

static void test_table(void **state)
{
	struct probe_netdev nds[2];
	struct probe_report rep;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	genl_netdev(&nds[0], "eth0", 2, VIRTIO_73, 1);
	genl_netdev(&nds[1], "ens1", 3, ICE_LIKE, 5);
	base_report(&rep, nds, 2);
	probe_verdict(&rep);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	probe_print_table(&rep, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "NATIVE   ZC   MB ZC-MB XDP-SOURCE"));
	assert_non_null(strstr(text, " yes  yes  yes    no netdev-genl"));
	assert_non_null(strstr(text, " yes  yes  yes   yes netdev-genl"));
	assert_non_null(strstr(
		text,
		"high-performance: yes, AF_XDP offered (zero-copy, multi-buffer)"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netdev_mapping),
		cmocka_unit_test(test_verdict_zero_copy),
		cmocka_unit_test(test_verdict_copy_only),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
