/* SPDX-License-Identifier: GPL-2.0 */
/* Per-VF settings over rtnetlink: RTM_SETLINK with IFLA_VFINFO_LIST to set
 * them, RTM_GETLINK with IFLA_EXT_MASK=RTEXT_FILTER_VF to read them back.
 * Encoding and decoding are pure functions over a buffer (libmnl), apart
 * from the two calls that do the socket I/O, so the tests check messages
 * byte for byte without SR-IOV hardware. */
#ifndef HOST_SRIOV_NETLINK_H
#define HOST_SRIOV_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "util/netlink.h"

/* Which fields of a struct sriov_vf_cfg are set. */
enum {
	SRIOV_VF_MAC = 1u << 0,
	SRIOV_VF_VLAN = 1u << 1, /* vlan, qos, proto */
	SRIOV_VF_TRUST = 1u << 2,
	SRIOV_VF_SPOOFCHK = 1u << 3,
	SRIOV_VF_LINK_STATE = 1u << 4, /* IFLA_VF_LINK_STATE_* */
	SRIOV_VF_RATE = 1u << 5, /* min and max, Mbps */
};

#define SRIOV_VF_ALL 0x3fu

struct sriov_vf_cfg {
	uint32_t vf;
	uint32_t mask; /* SRIOV_VF_* present */
	uint8_t mac[6];
	uint16_t vlan; /* 0-4094, 0: none */
	uint8_t qos; /* 0-7 */
	uint16_t vlan_proto; /* host order: ETH_P_8021Q or ETH_P_8021AD */
	bool trust;
	bool spoofchk;
	uint32_t link_state;
	uint32_t min_rate, max_rate;
};

/* Builds an RTM_SETLINK for ifindex in buf that sets cfg's masked fields
 * of one VF. VLAN goes as IFLA_VF_VLAN_LIST (with proto) when the proto
 * is 802.1ad, else as IFLA_VF_VLAN, which every VF driver understands. */
struct nlmsghdr *sriov_nl_build_setlink(void *buf, size_t len, int ifindex,
					const struct sriov_vf_cfg *cfg);
/* RTM_GETLINK for ifindex asking for the VF list. */
struct nlmsghdr *sriov_nl_build_getlink(void *buf, size_t len, int ifindex);

/* Decodes the VFs of an RTM_NEWLINK: *n VFs, masks say what each VF
 * reported. *num_vf is IFLA_NUM_VF (0 when absent). */
int sriov_nl_parse_link(const struct nlmsghdr *nlh, struct sriov_vf_cfg *vfs,
			size_t max, size_t *n, uint32_t *num_vf);
/* Decodes one IFLA_VF_INFO nest; used by sriov_nl_parse_link. */
int sriov_nl_parse_vf_info(const struct nlattr *info, struct sriov_vf_cfg *vf);

/* Socket I/O. */
int sriov_nl_get_vfs(struct nl_handle *nl, int ifindex,
		     struct sriov_vf_cfg *vfs, size_t max, size_t *n,
		     uint32_t *num_vf);
int sriov_nl_set_vf(struct nl_handle *nl, int ifindex,
		    const struct sriov_vf_cfg *cfg);

/* Fields of want (by want->mask) that differ from cur, in *delta (same vf,
 * mask = changed fields, values from want; rate keeps cur's other bound).
 * Returns the number of changed fields. */
int sriov_vf_diff(const struct sriov_vf_cfg *cur,
		  const struct sriov_vf_cfg *want, struct sriov_vf_cfg *delta);

const char *sriov_link_state_name(uint32_t state);
int sriov_link_state_parse(const char *s, uint32_t *state);
/* One field's value as text ("02:00:00:00:00:01", "10/qos 3/802.1Q",
 * "on", "auto", "0-1000"), for show and the change list. */
void sriov_vf_field_str(const struct sriov_vf_cfg *c, uint32_t field, char *buf,
			size_t len);
const char *sriov_vf_field_name(uint32_t field);

#endif
