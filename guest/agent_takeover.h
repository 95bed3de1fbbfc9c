/* SPDX-License-Identifier: GPL-2.0 */
/*
 * agent.c's set-up steps when the data path comes from a running agent
 * (--takeover, guest/handover.h) instead of being created: the same
 * objects, obtained from the fds the running agent passed.
 */
#ifndef AGENT_AGENT_TAKEOVER_H
#define AGENT_AGENT_TAKEOVER_H

#include <stddef.h>
#include <stdint.h>

struct agent;
struct agent_port;
struct agent_socket;

/* The NIC as it is: only what attach needs (the driver). 0 or -errno. */
int takeover_nic(struct agent_port *p);
/* Received fd number i of the prepare step (UMEMs, sockets, locks). */
int takeover_fd(struct agent *a, size_t i);
/* UMEM u from its memfd (the size this configuration gives). */
struct agent_umem;
int takeover_umem(struct agent *a, struct agent_umem *um, uint32_t u, char *err,
		  size_t err_len);
/* Our layout against the running agent's; the port locks taken from the
 * fds. 0 or -ESTALE/-EPROTO with err. */
int takeover_check_layout(struct agent *a, char *err, size_t err_len);
/* Socket s (a->socks index known) from its fd, rings mapped. */
int takeover_socket(struct agent *a, struct agent_socket *s, char *err,
		    size_t err_len);

#endif
