/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A UNIX socket's path before bind(): what is already there. Shared by the
 * device-plugin endpoints (guest/uds_server.c) and the control socket
 * (guest/ctl_server.c), which both replace what a killed agent left and
 * refuse to take a path someone still serves.
 */
#ifndef AGENT_SOCK_PATH_H
#define AGENT_SOCK_PATH_H

#include <stdbool.h>

/* 0 when path is free (nothing there, or a stale socket nobody listens on,
 * which is removed); -EADDRINUSE when a SOCK_SEQPACKET listener answers
 * there; -EEXIST when it is not a socket (never removed); -ENAMETOOLONG;
 * or lstat()'s and unlink()'s errors. */
int sock_path_clear_stale(const char *path);

struct stat;
/* A directory on a socket's (or pin's) path is safe when it belongs to
 * root or to us and nobody else can write there, unless it is sticky like
 * /tmp: otherwise another user could swap what we put in it. */
bool sock_path_dir_safe(const struct stat *st);

#endif
