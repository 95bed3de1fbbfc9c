/* SPDX-License-Identifier: GPL-2.0 */
/* Privilege drop once sockets are bound: the data path needs no
 * capability; teardown keeps CAP_NET_ADMIN (detach our XDP program, restore
 * NIC settings) and CAP_BPF + CAP_SYS_ADMIN (libxdp's bpffs pins, and the
 * BPF filesystems of pinned application maps); CAP_CHOWN for the pins of
 * application claims added on reload. */
#ifndef AGENT_PRIVS_H
#define AGENT_PRIVS_H

/* user: switch to this user too ("" or NULL: stay). 0 or -errno. */
int privs_drop_after_setup(const char *user);
/* Effective capabilities as a text list, for logs and tests. */
int privs_describe(char *buf, unsigned long len);

#endif
