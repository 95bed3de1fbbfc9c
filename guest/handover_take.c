// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guest/agent.h"
#include "guest/ctl_proto.h"
#include "guest/handover_take.h"
#include "util/clock.h"
#include "util/log.h"

/* One request on a new connection; the reply's text into rep (its body
 * pointing into buf), its fds into fds. 0 or -errno with err. */
static int ask(struct handover_in *in, const char *args, char *buf, size_t size,
	       struct ctl_reply *rep, int *fds, size_t *nr, char *err,
	       size_t err_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[CTL_REQ_MAX + 1];
	struct ucred cr = { 0 };
	socklen_t cl = sizeof(cr);
	size_t ctl_len = CMSG_SPACE(FD_PASS_MAX * sizeof(int));
	void *ctl = calloc(1, ctl_len);
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd = { .events = POLLIN };
	ssize_t n;
	int fd = -1, ret;

	*nr = 0;
	memset(rep, 0, sizeof(*rep));
	ret = ctl_proto_format_request(CTL_PROTO_VERSION, CTL_CMD_HANDOVER,
				       args, req, sizeof(req));
	if (!ctl || ret < 0 || strlen(in->ctl_path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_len, "cannot make the request");
		ret = -EINVAL;
		goto out;
	}
	strcpy(sa.sun_path, in->ctl_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		snprintf(err, err_len, "no running agent at %s: %s",
			 in->ctl_path, strerror(errno));
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) ||
	    (in->pid && cr.pid != in->pid)) {
		ret = -ESRCH;
		snprintf(err, err_len, "%s is served by another process now",
			 in->ctl_path);
		goto out;
	}
	in->pid = cr.pid;
	if (send(fd, req, (size_t)ret, MSG_NOSIGNAL) < 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot ask pid %d: %s", (int)cr.pid,
			 strerror(errno));
		goto out;
	}
	pfd.fd = fd;
	do {
		ret = poll(&pfd, 1, HANDOVER_REPLY_TIMEOUT_MS);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = -ETIMEDOUT;
		snprintf(err, err_len, "pid %d did not answer within %d ms",
			 (int)cr.pid, HANDOVER_REPLY_TIMEOUT_MS);
		goto out;
	}
	mh.msg_control = ctl;
	mh.msg_controllen = ctl_len;
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n > 0)
		*nr = fd_pass_take(&mh, fds, FD_PASS_MAX);
	if (n <= 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		ret = -EPROTO;
		snprintf(err, err_len, "pid %d: no usable answer", (int)cr.pid);
		goto out;
	}
	buf[n] = '\0';
	if (ctl_proto_parse_reply(buf, (size_t)n, rep)) {
		ret = -EPROTO;
		snprintf(err, err_len, "pid %d: not a control reply",
			 (int)cr.pid);
		goto out;
	}
	ret = 0;
	if (!rep->ok) {
		ret = -EPERM;
		snprintf(err, err_len, "pid %d refused: %s %s", (int)cr.pid,
			 rep->errname, rep->message);
		if (!strcmp(rep->errname, "EOPNOTSUPP"))
			ret = -EOPNOTSUPP;
		if (!strcmp(rep->errname, "EPROTO"))
			ret = -EPROTO;
	}
out:
	if (ret)
		for (size_t i = 0; i < *nr; i++)
			close(fds[i]);
	if (ret)
		*nr = 0;
	if (fd >= 0)
		close(fd);
	free(ctl);
	return ret;
}

int handover_take_prepare(const char *path, struct handover_in *in, char *err,
			  size_t err_len)
{
	char args[32], *buf = malloc(HANDOVER_LAYOUT_MAX + 512);
	struct ctl_reply rep;
	int ret;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < FD_PASS_MAX; i++)
		in->fds[i] = -1;
	snprintf(in->ctl_path, sizeof(in->ctl_path), "%s", path);
	if (!buf)
		return -ENOMEM;
	/* Our version first; an agent of the previous release refuses it
	 * with EPROTO and speaks the one below. */
	for (in->version = HANDOVER_VERSION;; in->version--) {
		snprintf(args, sizeof(args), "prepare %u", in->version);
		ret = ask(in, args, buf, HANDOVER_LAYOUT_MAX + 512, &rep,
			  in->fds, &in->nr_fds, err, err_len);
		if (ret != -EPROTO || strcmp(rep.errname, "EPROTO") ||
		    in->version == HANDOVER_VERSION_MIN)
			break;
		pr_info("handover: pid %d does not speak version %u (%s); asking for %u",
			(int)in->pid, in->version, rep.message,
			in->version - 1);
	}
	if (!ret && (!rep.body || rep.body_len >= sizeof(in->layout))) {
		ret = -EPROTO;
		snprintf(err, err_len, "pid %d: no layout in the answer",
			 (int)in->pid);
	}
	if (!ret) {
		memcpy(in->layout, rep.body, rep.body_len);
		in->layout[rep.body_len] = '\0';
	}
	if (ret)
		handover_in_close(in);
	free(buf);
	return ret;
}

int handover_take_commit(struct handover_in *in, struct agent *a, char *err,
			 size_t err_len)
{
	char buf[CTL_MSG_MAX + 64];
	struct ctl_reply rep;
	int fds[FD_PASS_MAX], ret;
	size_t nr = 0;
	struct stat stt;
	void *state;

	ret = ask(in, "commit", buf, sizeof(buf), &rep, fds, &nr, err, err_len);
	if (ret)
		return ret;
	in->t_answer_ns = now_ns();
	/* From here the running agent has stopped: the data path is ours,
	 * whatever happens. */
	for (size_t i = 1; i < nr; i++)
		close(fds[i]);
	if (nr < 1 || fstat(fds[0], &stt) || stt.st_size <= 0 ||
	    stt.st_size > (64 << 20)) {
		if (nr)
			close(fds[0]);
		snprintf(err, err_len, "pid %d: no state in the answer",
			 (int)in->pid);
		return -EBADMSG;
	}
	/* Populated in one go rather than a fault per page: this is inside
	 * the handover's gap. */
	state = mmap(NULL, (size_t)stt.st_size, PROT_READ,
		     MAP_PRIVATE | MAP_POPULATE, fds[0], 0);
	close(fds[0]);
	if (state == MAP_FAILED) {
		snprintf(err, err_len, "cannot read the state: %s",
			 strerror(errno));
		return -EBADMSG;
	}
	ret = agent_takeover_state(a, state, (size_t)stt.st_size, err, err_len);
	/* Unmapped by handover_take_release(), once the workers run. */
	in->state_map = state;
	in->state_len = (size_t)stt.st_size;
	return ret ? -EBADMSG : 0;
}

void handover_take_release(struct handover_in *in)
{
	if (in->state_map)
		munmap(in->state_map, in->state_len);
	in->state_map = NULL;
	in->state_len = 0;
}

void handover_take_abort(struct handover_in *in)
{
	char buf[CTL_MSG_MAX + 64], err[64];
	struct ctl_reply rep;
	int fds[FD_PASS_MAX];
	size_t nr;

	ask(in, "abort", buf, sizeof(buf), &rep, fds, &nr, err, sizeof(err));
	for (size_t i = 0; i < nr; i++)
		close(fds[i]);
}

void handover_in_close(struct handover_in *in)
{
	for (size_t i = 0; i < in->nr_fds; i++)
		if (in->fds[i] >= 0)
			close(in->fds[i]);
	in->nr_fds = 0;
}

int handover_wait_exit(pid_t pid, int timeout_ms)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	int ret;

	if (pfd < 0) /* ESRCH: gone already */
		return errno == ESRCH ? 0 : -errno;
	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	close(pfd);
	return ret > 0 ? 0 : -ETIMEDOUT;
}
