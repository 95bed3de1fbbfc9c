/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A UNIX socket's path before bind(): what is already there. Shared by the
 * device-plugin endpoints (guest/uds_server.c) and the control socket
 * (guest/ctl_server.c), which both replace what a killed agent left and
 * refuse to take a path someone still serves.
 */
#ifndef AGENT_SOCK_PATH_H
#define AGENT_SOCK_PATH_H

/* 0 when path is free (nothing there, or a stale socket nobody listens on,
 * which is removed); -EADDRINUSE when a SOCK_SEQPACKET listener answers
 * there; -EEXIST when it is not a socket (never removed); -ENAMETOOLONG;
 * or lstat()'s and unlink()'s errors. */
int sock_path_clear_stale(const char *path);

#endif
