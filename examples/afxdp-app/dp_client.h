/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an unprivileged AF_XDP application gets the XSKMAP it inserts its
 * sockets into: from the device-plugin socket that afxdp-agent (or the
 * Kubernetes AF_XDP device plugin) serves, or from a map pinned in a
 * bpffs. Both print why they failed on stderr.
 */
#ifndef AFXDP_APP_DP_CLIENT_H
#define AFXDP_APP_DP_CLIENT_H

#include <stdint.h>

/* DPDK 24.11's use_cni default: /tmp/afxdp_dp/<ifname>/afxdp.sock */
#define DP_DEFAULT_DIR "/tmp/afxdp_dp"

/*
 * The exchange DPDK's net_af_xdp (use_cni=1) runs on the SOCK_SEQPACKET
 * socket at path: /connect,<hostname> -> /host_ok, /version -> any,
 * /xsk_map_fd,<ifname> -> /fd_ack + fd, /fin -> /fin_ack. The map fd, or
 * -errno: -ENOENT/-ECONNREFUSED nobody serves path, -EACCES a refusal
 * (/host_nak, /fd_nak, ...), -EPROTO an answer out of the protocol,
 * -ETIMEDOUT a server that does not answer.
 */
int dp_get_map_uds(const char *path, const char *ifname);
/* bpf_obj_get() on a pinned map (DPDK's use_pinned_map). fd or -errno. */
int dp_get_map_pinned(const char *path);
/* Checks that fd is an XSKMAP; *max_entries gets its size. 0 or -errno. */
int dp_check_xskmap(int fd, uint32_t *max_entries);

#endif
