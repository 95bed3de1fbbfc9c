// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/fd_pass.h"

int fd_pass_send(int sock, const void *msg, size_t len, const int *fds,
		 size_t nr, int flags)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	void *ctl = NULL;
	ssize_t n;

	if (nr > FD_PASS_MAX)
		return -EINVAL;
	if (nr) {
		struct cmsghdr *c;

		/* calloc: cmsg alignment is that of malloc's. */
		ctl = calloc(1, CMSG_SPACE(nr * sizeof(int)));
		if (!ctl)
			return -ENOMEM;
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nr * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nr * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nr * sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	free(ctl);
	if (n < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return (size_t)n == len ? 0 : -EIO;
}

size_t fd_pass_take(struct msghdr *mh, int *fds, size_t max)
{
	struct cmsghdr *c;
	size_t got = 0;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int v;

			memcpy(&v, CMSG_DATA(c) + i * sizeof(int), sizeof(v));
			if (got < max)
				fds[got++] = v;
			else
				close(v);
		}
	}
	return got;
}
