// SPDX-License-Identifier: GPL-2.0
/* lib/util/xdp_mtu.c, and the two checks built on it: the configuration
 * check (--check: config_validate of nic.mtu) and the run-time check
 * (nic_check_mtu) must agree on every MTU, and the advice must be an MTU
 * the driver runs native XDP with. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest/config.h"
#include "guest/nic_prep.h"
#include "util/xdp_mtu.h"

static const uint32_t frame_sizes[] = { 2048, 4096 };
/* "" is a driver the agent knows no XDP MTU limit of */
static const char *const drivers[] = { "", "veth", "virtio_net", "ixgbe" };

static void test_limits(void **state)
{
	(void)state;
	/* 256 bytes of XDP headroom, Ethernet header, two VLAN tags */
	assert_int_equal(xdp_mtu_max_for_frame(2048), 1770);
	assert_int_equal(xdp_mtu_max_for_frame(4096), 3818);
	assert_int_equal(xdp_mtu_max_for_frame(278), 0);
	assert_int_equal(xdp_mtu_max_for_frame(0), 0);
	assert_int_equal(xdp_mtu_driver_max("veth"), 3506);
	assert_int_equal(xdp_mtu_driver_max("virtio_net"), 4064);
	assert_int_equal(xdp_mtu_driver_max("ixgbe"), 0);
	assert_int_equal(xdp_mtu_driver_max(""), 0);
	assert_int_equal(xdp_mtu_driver_max(NULL), 0);
	/* the min of the frame's and the driver's limit */
	assert_int_equal(xdp_mtu_advised(4096, "veth"), 3506);
	assert_int_equal(xdp_mtu_advised(2048, "veth"), 1770);
	assert_int_equal(xdp_mtu_advised(4096, "virtio_net"), 3818);
	assert_int_equal(xdp_mtu_advised(2048, "virtio_net"), 1770);
	assert_int_equal(xdp_mtu_advised(4096, "ixgbe"), 3818);
	assert_int_equal(xdp_mtu_advised(4096, NULL), 3818);
}

static int config_check(uint32_t frame_size, uint32_t mtu)
{
	struct agent_config cfg;
	char err[CFG_ERR_LEN], v[16];
	int ret;

	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "ports", "a,b", err, sizeof(err)), 0);
	snprintf(v, sizeof(v), "%u", frame_size);
	assert_int_equal(
		config_set(&cfg, "socket.frame_size", v, err, sizeof(err)), 0);
	snprintf(v, sizeof(v), "%u", mtu);
	assert_int_equal(config_set(&cfg, "nic.mtu", v, err, sizeof(err)), 0);
	ret = config_validate(&cfg, err, sizeof(err));
	if (ret)
		assert_non_null(strstr(err, "nic.mtu"));
	config_free(&cfg);
	return ret;
}

/* The run-time check's message names the MTU to set: "mtu N'". */
static uint32_t advised_in(const char *msg)
{
	const char *at = strstr(msg, " mtu ");
	unsigned int n = 0;

	assert_non_null(at);
	assert_int_equal(sscanf(at, " mtu %u'", &n), 1);
	return n;
}

/* Every MTU 68..9000, both frame sizes: --check and the run agree. */
static void test_check_and_run_agree(void **state)
{
	char err[512];

	(void)state;
	for (size_t f = 0; f < sizeof(frame_sizes) / sizeof(*frame_sizes);
	     f++) {
		uint32_t fs = frame_sizes[f];
		uint32_t accepted = 0;

		for (uint32_t mtu = XDP_MTU_MIN; mtu <= 9000; mtu++) {
			bool cfg_ok = config_check(fs, mtu) == 0;

			accepted += cfg_ok;
			for (size_t d = 0;
			     d < sizeof(drivers) / sizeof(*drivers); d++) {
				int ret;

				err[0] = '\0';
				ret = nic_check_mtu("eth0", drivers[d], mtu, fs,
						    err, sizeof(err));
				if (cfg_ok != (ret == 0))
					fail_msg(
						"frame %u MTU %u driver '%s': --check %s, run-time %d (%s)",
						fs, mtu, drivers[d],
						cfg_ok ? "accepts" : "refuses",
						ret, err);
				if (ret) {
					uint32_t adv = advised_in(err);

					assert_int_equal(ret, -EMSGSIZE);
					/* the advice is itself accepted */
					assert_int_equal(
						adv, xdp_mtu_advised(
							     fs, drivers[d]));
					assert_int_equal(config_check(fs, adv),
							 0);
					assert_int_equal(
						nic_check_mtu(
							"eth0", drivers[d], adv,
							fs, err, sizeof(err)),
						0);
				}
			}
		}
		/* accepted exactly 68..xdp_mtu_max_for_frame() */
		assert_int_equal(accepted,
				 xdp_mtu_max_for_frame(fs) - XDP_MTU_MIN + 1);
		/* the advice for veth and virtio-net is within the driver's
		 * XDP limit and fits the frame */
		assert_true(xdp_mtu_advised(fs, "veth") <= XDP_MTU_VETH_MAX);
		assert_true(xdp_mtu_advised(fs, "virtio_net") <=
			    XDP_MTU_VIRTIO_MAX);
		assert_true(xdp_mtu_advised(fs, "veth") <=
			    xdp_mtu_max_for_frame(fs));
		assert_true(xdp_mtu_advised(fs, "virtio_net") <=
			    xdp_mtu_max_for_frame(fs));
	}
}

/* What the refusals say, for veth and virtio-net. */
static void test_advice_messages(void **state)
{
	char err[512];

	(void)state;
	/* 4096-byte frames fit MTU 3818, veth runs native XDP up to 3506:
	 * the advice says 3506 and why */
	assert_int_equal(
		nic_check_mtu("in0", "veth", 9000, 4096, err, sizeof(err)),
		-EMSGSIZE);
	assert_non_null(strstr(err, "'ip link set dev in0 mtu 3506'"));
	assert_non_null(
		strstr(err, "3506: the largest MTU veth runs native XDP with"));
	assert_non_null(strstr(err, "leave room for MTU 3818"));
	/* virtio-net refuses XDP above 4064 whatever the frame */
	assert_int_equal(nic_check_mtu("eth0", "virtio_net", 4065, 4096, err,
				       sizeof(err)),
			 -EMSGSIZE);
	assert_non_null(strstr(err, "above 4064"));
	assert_non_null(strstr(err, "'ip link set dev eth0 mtu 3818'"));
	assert_non_null(strstr(err, "<mtu size='3818'/>"));
	/* 2048-byte frames: the way out is also a bigger frame */
	assert_int_equal(
		nic_check_mtu("eth0", "", 1771, 2048, err, sizeof(err)),
		-EMSGSIZE);
	assert_non_null(
		strstr(err, "mtu 1770' or use socket.frame_size: 4096"));
}

/* The man page quotes the same numbers. */
static void test_man_page(void **state)
{
	const char *top = getenv("AFXDP_TOP");
	static char man[131072];
	char path[512], want[64];
	size_t n;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/guest/afxdp-agent.8", top ? top : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(man, 1, sizeof(man) - 1, f);
	fclose(f);
	man[n] = '\0';
	snprintf(want, sizeof(want), "frame_size \" \\- %u\"",
		 XDP_MTU_FRAME_OVERHEAD);
	assert_non_null(strstr(man, want));
	snprintf(want, sizeof(want), "%u with 2048-byte frames",
		 xdp_mtu_max_for_frame(2048));
	assert_non_null(strstr(man, want));
	snprintf(want, sizeof(want), "%u with 4096-byte frames",
		 xdp_mtu_max_for_frame(4096));
	assert_non_null(strstr(man, want));
	snprintf(want, sizeof(want), "peer's MTU is above %u",
		 XDP_MTU_VETH_MAX);
	assert_non_null(strstr(man, want));
	snprintf(want, sizeof(want), "above %u (one 4 KiB page",
		 XDP_MTU_VIRTIO_MAX);
	assert_non_null(strstr(man, want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_check_and_run_agree),
		cmocka_unit_test(test_advice_messages),
		cmocka_unit_test(test_man_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
