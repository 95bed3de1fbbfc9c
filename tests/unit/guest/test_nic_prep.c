// SPDX-License-Identifier: GPL-2.0
/* guest/nic_prep.c on interfaces every Linux has or none has: a missing
 * name (-ENODEV, nothing recorded), "lo" read without privileges (MTU, no
 * driver name, no ethtool channels, fixed-off offloads), the queue counts,
 * and nic_restore on a state with nothing to restore. The changes (MTU,
 * promiscuous mode) and their restore run as root, in a network namespace
 * of their own so the host's lo is never touched; without root the same
 * requests must fail with EPERM or a warning and change nothing.
 * nic_check_mtu's arithmetic is tests/unit/lib/test_xdp_mtu.c's. */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/nic_prep.h"
#include "tests/unit/guest/setup_util.h"
#include "util/xdp_mtu.h"

static char err[512];

/* The interface's MTU and flags by the plain ioctls, not through
 * lib/util: in the current network namespace (sysfs shows the one it was
 * mounted in). */
static int if_get(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	assert_true(fd >= 0);
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	ret = ioctl(fd, req, ifr) ? -errno : 0;
	close(fd);
	return ret;
}

static uint32_t lo_mtu(void)
{
	struct ifreq ifr;

	assert_int_equal(if_get("lo", SIOCGIFMTU, &ifr), 0);
	return (uint32_t)ifr.ifr_mtu;
}

static bool lo_promisc(void)
{
	struct ifreq ifr;

	assert_int_equal(if_get("lo", SIOCGIFFLAGS, &ifr), 0);
	return ifr.ifr_flags & IFF_PROMISC;
}

static bool state_is_zero(const struct nic_state *st)
{
	struct nic_state zero;

	memset(&zero, 0, sizeof(zero));
	return !memcmp(st, &zero, sizeof(zero));
}

/* A frame size lo's MTU fits in, so that no MTU change is needed. */
static uint32_t frame_for(uint32_t mtu)
{
	return mtu + XDP_MTU_FRAME_OVERHEAD;
}

static void test_check_missing(void **state)
{
	struct nic_prep_opts o = { .ifname = MISSING_IFNAME,
				   .frame_size = 4096 };

	(void)state;
	err[0] = '\0';
	assert_int_equal(nic_check(&o, err, sizeof(err)), -ENODEV);
	assert_string_equal(err,
			    "interface " MISSING_IFNAME ": no such interface");
	/* What it would change does not matter: the device comes first. */
	o.mtu = 1500;
	o.channels = 4;
	err[0] = '\0';
	assert_int_equal(nic_check(&o, err, sizeof(err)), -ENODEV);
	assert_string_equal(err,
			    "interface " MISSING_IFNAME ": no such interface");
}

static void test_prepare_missing(void **state)
{
	struct nic_prep_opts o = { .ifname = MISSING_IFNAME,
				   .frame_size = 4096,
				   .mtu = 1500,
				   .channels = 2,
				   .disable_lro = true,
				   .promisc = true };
	struct nic_state st;

	(void)state;
	memset(&st, 0xa5, sizeof(st));
	err[0] = '\0';
	assert_int_equal(nic_prepare(&o, &st, err, sizeof(err)), -ENODEV);
	assert_string_equal(err,
			    "interface " MISSING_IFNAME ": no such interface");
	/* Nothing recorded, so nothing a teardown would "restore". */
	assert_true(state_is_zero(&st));
	nic_restore(&st);
	assert_true(state_is_zero(&st));
}

/* lo's MTU (65536) fits no UMEM frame: refused, with the fix. */
static void test_check_lo_mtu(void **state)
{
	struct nic_prep_opts o = { .ifname = "lo", .frame_size = 4096 };
	uint32_t mtu = lo_mtu();
	char want[128];

	(void)state;
	assert_true(mtu > xdp_mtu_max_for_frame(4096));
	snprintf(want, sizeof(want),
		 "lo: MTU %u does not fit a 4096-byte UMEM frame", mtu);
	err[0] = '\0';
	assert_int_equal(nic_check(&o, err, sizeof(err)), -EMSGSIZE);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	assert_non_null(strstr(err, "'ip link set dev lo mtu 3818'"));
	/* A requested MTU is checked instead of the current one. */
	o.mtu = 1500;
	err[0] = '\0';
	assert_int_equal(nic_check(&o, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	o.frame_size = 2048;
	o.mtu = 2000;
	assert_int_equal(nic_check(&o, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(
		err, "lo: MTU 2000 does not fit a 2048-byte UMEM frame"));
	assert_non_null(strstr(err, "or use socket.frame_size: 4096"));
	/* A frame large enough for the current MTU: nothing to refuse. */
	o.mtu = 0;
	o.frame_size = frame_for(mtu);
	assert_int_equal(nic_check(&o, err, sizeof(err)), 0);
}

/* lo has no ethtool channels: asking for any is refused up front. */
static void test_check_lo_channels(void **state)
{
	struct nic_prep_opts o = {
		.ifname = "lo", .frame_size = 4096, .mtu = 1500, .channels = 2
	};
	struct nic_channels ch;

	(void)state;
	assert_int_equal(ethtool_get_channels("lo", &ch), -EOPNOTSUPP);
	err[0] = '\0';
	assert_int_equal(nic_check(&o, err, sizeof(err)), -ERANGE);
	assert_string_equal(err,
			    "lo: cannot use 2 channels (driver maximum 0)");
	o.channels = 1;
	assert_int_equal(nic_check(&o, err, sizeof(err)), -ERANGE);
	assert_string_equal(err,
			    "lo: cannot use 1 channels (driver maximum 0)");
}

/* Nothing to change: everything is read, recorded, and restore is a
 * no-op. Needs no privilege (reads only), so it runs for everyone. */
static void test_prepare_lo_no_changes(void **state)
{
	uint32_t mtu = lo_mtu();
	bool promisc = lo_promisc();
	struct nic_prep_opts o = { .ifname = "lo",
				   .frame_size = frame_for(mtu),
				   .mtu = mtu, /* equal: not a change */
				   .disable_lro = true, /* fixed off on lo */
				   .nr_cpus = 4 };
	struct nic_driver drv;
	struct nic_state st;

	(void)state;
	memset(&st, 0xa5, sizeof(st));
	err[0] = '\0';
	assert_int_equal(nic_prepare(&o, &st, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(st.ifname, "lo");
	/* lo answers no ETHTOOL_GDRVINFO: no driver name. */
	assert_int_equal(ethtool_get_driver("lo", &drv), -EOPNOTSUPP);
	assert_string_equal(st.driver, "");
	assert_int_equal(st.orig_mtu, mtu);
	assert_int_equal(st.mtu, mtu);
	assert_int_equal(st.ch.combined, 0);
	assert_int_equal(st.ch.max_combined, 0);
	assert_int_equal(st.ch.rx, 0);
	assert_int_equal(st.orig_combined, 0);
	assert_false(st.mtu_changed);
	assert_false(st.channels_changed);
	assert_false(st.lro_disabled);
	assert_false(st.gro_hw_disabled);
	assert_false(st.promisc_set);
	assert_false(st.virtio_few_queues); /* not virtio-net */
	assert_int_equal(nic_queue_count(&st), 1);
	nic_restore(&st);
	assert_int_equal(lo_mtu(), mtu);
	assert_int_equal(lo_promisc(), promisc);
	assert_false(st.mtu_changed);
	/* A second restore is as harmless. */
	nic_restore(&st);
	assert_int_equal(lo_mtu(), mtu);
}

/* CAP_NET_ADMIN (12) in the effective set, from /proc/self/status. */
static bool has_net_admin(void)
{
	unsigned long long eff = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 12);
}

/* The unprivileged branch expects the kernel to refuse on the host's lo:
 * with CAP_NET_ADMIN but not root it would change it instead. */
static void refuse_capable_non_root(void **state, const char *name)
{
	if (!*state && has_net_admin()) {
		print_message("# SKIP %s: CAP_NET_ADMIN without root: the "
			      "unprivileged branch would change the host's "
			      "lo (root's runs in its own network "
			      "namespace)\n",
			      name);
		skip();
	}
}

/* An MTU change is recorded and restored (root, in the private netns);
 * without privilege it is refused with the reason, nothing changed. */
static void test_prepare_lo_mtu(void **state)
{
	uint32_t mtu = lo_mtu();
	struct nic_prep_opts o = { .ifname = "lo",
				   .frame_size = 4096,
				   .mtu = 1500 };
	struct nic_state st;
	int ret;

	refuse_capable_non_root(state, "test_prepare_lo_mtu");
	assert_int_not_equal(mtu, 1500);
	err[0] = '\0';
	ret = nic_prepare(&o, &st, err, sizeof(err));
	if (!*state) {
		assert_int_equal(ret, -EPERM);
		assert_string_equal(
			err,
			"lo: cannot set MTU 1500: Operation not permitted");
		assert_false(st.mtu_changed);
		assert_int_equal(lo_mtu(), mtu);
		nic_restore(&st);
		assert_int_equal(lo_mtu(), mtu);
		return;
	}
	assert_int_equal(ret, 0);
	assert_true(st.mtu_changed);
	assert_int_equal(st.orig_mtu, mtu);
	assert_int_equal(st.mtu, 1500);
	assert_int_equal(lo_mtu(), 1500);
	nic_restore(&st);
	assert_false(st.mtu_changed);
	assert_int_equal(lo_mtu(), mtu);
}

/* Promiscuous mode is turned on only when off, recorded, and turned off
 * again by restore (root, private netns); without privilege it is a
 * warning, not a failure, and nothing is recorded. */
static void test_prepare_lo_promisc(void **state)
{
	uint32_t mtu = lo_mtu();
	struct nic_prep_opts o = { .ifname = "lo",
				   .frame_size = frame_for(mtu),
				   .promisc = true };
	bool before = lo_promisc();
	struct nic_state st;

	refuse_capable_non_root(state, "test_prepare_lo_promisc");
	err[0] = '\0';
	assert_int_equal(nic_prepare(&o, &st, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	if (!*state || before) {
		/* Refused, or already on (then it is not ours to undo). */
		assert_false(st.promisc_set);
		assert_int_equal(lo_promisc(), before);
		nic_restore(&st);
		assert_int_equal(lo_promisc(), before);
		return;
	}
	assert_true(st.promisc_set);
	assert_true(lo_promisc());
	/* Already on: a second prepare does not claim it. */
	{
		struct nic_state st2;

		assert_int_equal(nic_prepare(&o, &st2, err, sizeof(err)), 0);
		assert_false(st2.promisc_set);
		nic_restore(&st2);
		assert_true(lo_promisc());
	}
	nic_restore(&st);
	assert_false(st.promisc_set);
	assert_false(lo_promisc());
}

static void test_tx_queue_count(void **state)
{
	glob_t g;
	uint32_t n;

	(void)state;
	/* What the kernel lists, counted another way. */
	assert_int_equal(glob("/sys/class/net/lo/queues/tx-*", 0, NULL, &g), 0);
	n = (uint32_t)g.gl_pathc;
	globfree(&g);
	assert_true(n >= 1);
	assert_int_equal(nic_tx_queue_count("lo"), n);
	/* Unknown: 1, the queue every device has. */
	assert_int_equal(nic_tx_queue_count(MISSING_IFNAME), 1);
	assert_int_equal(nic_tx_queue_count(""), 1);
}

static void test_queue_count(void **state)
{
	struct nic_state st;

	(void)state;
	memset(&st, 0, sizeof(st));
	/* No channels known (lo, a missing device): one queue. */
	assert_int_equal(nic_queue_count(&st), 1);
	st.ch.combined = 4;
	assert_int_equal(nic_queue_count(&st), 4);
	/* rx channels (veth) count where they outnumber combined ones. */
	st.ch.rx = 8;
	assert_int_equal(nic_queue_count(&st), 8);
	st.ch.combined = 0;
	st.ch.rx = 3;
	assert_int_equal(nic_queue_count(&st), 3);
	/* Maxima are not what is in use. */
	st.ch.rx = 0;
	st.ch.max_combined = 16;
	st.ch.max_rx = 16;
	assert_int_equal(nic_queue_count(&st), 1);
}

static void test_restore_zeroed(void **state)
{
	struct nic_state st;
	uint32_t mtu = lo_mtu();

	(void)state;
	memset(&st, 0, sizeof(st));
	nic_restore(&st);
	assert_true(state_is_zero(&st));
	/* A zeroed state names lo but records no change: lo untouched. */
	snprintf(st.ifname, sizeof(st.ifname), "lo");
	st.orig_mtu = 1500;
	st.orig_combined = 7;
	nic_restore(&st);
	assert_int_equal(lo_mtu(), mtu);
	assert_false(st.mtu_changed);
	assert_false(st.channels_changed);
}

/* The device went away before teardown: restore warns and gives up on
 * the MTU and channels instead of crashing or retrying forever. */
static void test_restore_missing(void **state)
{
	struct nic_state st;

	(void)state;
	memset(&st, 0, sizeof(st));
	snprintf(st.ifname, sizeof(st.ifname), MISSING_IFNAME);
	st.orig_mtu = 1500;
	st.mtu_changed = true;
	st.orig_combined = 2;
	st.channels_changed = true;
	nic_restore(&st);
	assert_false(st.mtu_changed);
	assert_false(st.channels_changed);
}

/* Multi-buffer on lo (no XDP features at all): refused in native mode
 * and with zero-copy on, each with its reason; in auto mode it is left
 * to the kernel. A kernel without the netdev family (< 6.3) refuses
 * every request, which the message says. */
static void test_check_multi_buffer_lo(void **state)
{
	int ret;

	(void)state;
	ret = nic_check_multi_buffer("lo", 1, false, false, err, sizeof(err));
	if (ret == -EOPNOTSUPP) {
		assert_non_null(strstr(err, "Linux >= 6.6"));
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(nic_check_multi_buffer("lo", 1, true, false, err,
						sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "lo: the driver has no XDP multi-buffer in native mode"));
	assert_int_equal(nic_check_multi_buffer("lo", 1, false, true, err,
						sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "no zero-copy at all, xdp_zc_max_segs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_missing),
		cmocka_unit_test(test_prepare_missing),
		cmocka_unit_test(test_check_lo_mtu),
		cmocka_unit_test(test_check_lo_channels),
		cmocka_unit_test(test_check_multi_buffer_lo),
		cmocka_unit_test(test_prepare_lo_no_changes),
		cmocka_unit_test_setup_teardown(
			test_prepare_lo_mtu, netns_enter_as_root, netns_leave),
		cmocka_unit_test_setup_teardown(test_prepare_lo_promisc,
						netns_enter_as_root,
						netns_leave),
		cmocka_unit_test(test_tx_queue_count),
		cmocka_unit_test(test_queue_count),
		cmocka_unit_test(test_restore_zeroed),
		cmocka_unit_test(test_restore_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
