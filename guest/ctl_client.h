/* SPDX-License-Identifier: GPL-2.0 */
/* `afxdp-agent ctl`: asks a running agent over its control socket
 * (guest/ctl_proto.h). */
#ifndef AGENT_CTL_CLIENT_H
#define AGENT_CTL_CLIENT_H

#include <stdio.h>

/* argv[0] is "ctl". Returns the exit status: 0 ok, 1 the agent answered
 * with an error (or not in time), 2 usage, no or the wrong socket,
 * permission denied, another protocol version. */
int ctl_main(int argc, char **argv);

struct json_object;
/* The status object (guest/ctl_status.h) as a summary for people: the
 * agent, its settings, a line per port, queue and application with its
 * counters (guest/ctl_text.c). */
void ctl_print_status(struct json_object *status, FILE *out);

#endif
