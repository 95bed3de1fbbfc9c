// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the VF decoder of afxdp-host (host/sriov_netlink.c).
 * The input is taken as an RTM_NEWLINK message's bytes, as the kernel
 * would hand it over after libmnl's mnl_cb_run() has checked the header
 * (mnl_nlmsg_ok): nlmsg_len is the input size and the type RTM_NEWLINK,
 * every attribute byte is arbitrary. libmnl walks attributes up to
 * MNL_ALIGN(nlmsg_len), so the buffer holds those up to 3 padding bytes,
 * as a receive buffer does (an early version of this harness without
 * them made ASan flag libmnl's aligned tail: corpus/.../crash-87e0d5...). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "host/sriov_netlink.h"
#include "util/log.h"

#define MAX_VFS 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(-1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sriov_vf_cfg vfs[MAX_VFS], delta;
	struct nlmsghdr *nlh;
	uint32_t num_vf;
	size_t n = 0;
	char s[64];
	void *buf;

	if (size < sizeof(*nlh) || size > 65536)
		return 0;
	/* Exactly the aligned size (ASan sees any over-read beyond it). */
	buf = calloc(1, MNL_ALIGN(size));
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	nlh = buf;
	nlh->nlmsg_len = (uint32_t)size;
	nlh->nlmsg_type = RTM_NEWLINK;
	if (!mnl_nlmsg_ok(nlh, (int)size))
		goto out;
	if (!sriov_nl_parse_link(nlh, vfs, MAX_VFS, &n, &num_vf)) {
		if (n > MAX_VFS)
			abort();
		/* What show prints for each decoded field. */
		for (size_t i = 0; i < n; i++) {
			for (uint32_t f = 1; f <= SRIOV_VF_RATE; f <<= 1)
				if (vfs[i].mask & f) {
					sriov_vf_field_str(&vfs[i], f, s,
							   sizeof(s));
					if (strnlen(s, sizeof(s)) == sizeof(s))
						abort();
				}
			if (i)
				sriov_vf_diff(&vfs[i - 1], &vfs[i], &delta);
		}
	}
out:
	free(buf);
	return 0;
}
