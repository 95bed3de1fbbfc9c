// SPDX-License-Identifier: GPL-2.0
/* guest/ctl_server.c on real SOCK_SEQPACKET sockets in a temporary
 * directory: the socket's mode, stale and live sockets, unsafe
 * directories, every reply kind, peers refused by SO_PEERCRED (our own uid
 * left out of the list, and a child that setuid()s to nobody when we are
 * root), deadlines, and a reply larger than the default socket buffer. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/ctl_server.h"
#include "guest/uds_server.h"
#include "tests/unit/tmptree.h"
#include "util/clock.h"

#define NOBODY 65534

struct fix {
	char dir[64];
	char path[128];
	uid_t uid;
	struct ctl_server *s;
	int calls[CTL_CMD_COUNT];
	size_t big; /* status body size; 0: "{}" */
	struct ctl_peer last;
};

static int handle(void *ctx, const struct ctl_request *req,
		  const struct ctl_peer *peer, char **body, char *msg,
		  size_t len)
{
	struct fix *f = ctx;

	f->calls[req->cmd]++;
	f->last = *peer;
	switch (req->cmd) {
	case CTL_CMD_STATUS:
		if (!f->big) {
			*body = strdup("{}");
		} else {
			*body = malloc(f->big + 1);
			memset(*body, 'x', f->big);
			(*body)[f->big] = '\0';
		}
		return 0;
	case CTL_CMD_RELOAD:
		snprintf(msg, len, "f.yaml:3: bad\nkeeping the settings");
		return -EINVAL;
	default:
		return 0; /* version: OK without a body */
	}
}

static void opts(struct fix *f, struct ctl_server_opts *o, const uid_t *uids,
		 size_t n)
{
	memset(o, 0, sizeof(*o));
	o->path = f->path;
	o->owner = (uid_t)-1;
	o->group = (gid_t)-1;
	o->uids = uids;
	o->nr_uids = n;
	o->timeout_ms = 300;
	o->handle = handle;
	o->ctx = f;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct ctl_server_opts o;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_ctl_server.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/agent.ctl", f->dir);
	f->uid = geteuid();
	opts(f, &o, &f->uid, 1);
	if (ctl_server_open(&o, &f->s, NULL, 0))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	ctl_server_close(f->s);
	tmptree_remove(f->dir);
	free(f);
	return 0;
}

static int client(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

/* Serves until the client has something to read (or 2 s); its reply's
 * length, 0 at EOF. */
static ssize_t wait_reply(struct fix *f, int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ns() + 2000000000ULL;

	while (now_ns() < end) {
		ssize_t n;

		assert_int_equal(ctl_server_poll(f->s, 20), 0);
		if (poll(&p, 1, 0) != 1)
			continue;
		/* A server that closes with our request unread (a refused
		 * peer) makes the kernel report ECONNRESET before the reply
		 * queued behind it: read on, as the ctl client does. */
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n < 0 && errno == ECONNRESET)
			n = recv(fd, buf, len, MSG_DONTWAIT);
		return n;
	}
	fail_msg("no reply within 2 s");
	return -1;
}

/* One request, its reply NUL-terminated in buf. */
static ssize_t ask(struct fix *f, const void *req, size_t req_len, char *buf,
		   size_t len)
{
	int fd = client(f->path);
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(uds_send(fd, req, req_len, -1, 0), 0);
	n = wait_reply(f, fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	/* one request per connection: the server closes after its reply */
	assert_int_equal(wait_reply(f, fd, buf + n + 1, len - (size_t)n - 1),
			 0);
	close(fd);
	return n;
}

#define ASK(f, s, buf) ask(f, s, strlen(s), buf, sizeof(buf))

static void test_socket_file(void **state)
{
	struct fix *f = *state;
	struct stat st;

	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_true(ctl_server_fd(f->s) >= 0);
}

static void test_replies(void **state)
{
	struct fix *f = *state;
	struct ctl_server_stats st;
	char buf[1024];

	ASK(f, "AFXDP-CTL 1 status", buf);
	assert_string_equal(buf, "OK\n{}");
	assert_int_equal(f->last.uid, geteuid());
	assert_int_equal(f->last.pid, getpid());
	ASK(f, "AFXDP-CTL 1 version\n", buf);
	assert_string_equal(buf, "OK");
	ASK(f, "AFXDP-CTL 1 reload", buf);
	assert_string_equal(buf,
			    "ERR EINVAL f.yaml:3: bad keeping the settings");
	ASK(f, "AFXDP-CTL 2 status", buf);
	assert_string_equal(
		buf,
		"ERR EPROTO protocol version 2 not supported (this agent speaks 1)");
	ASK(f, "AFXDP-CTL 1 handover", buf);
	assert_string_equal(
		buf,
		"ERR EINVAL handover needs a step (prepare, commit, abort)");
	ASK(f, "AFXDP-CTL 1 stop", buf);
	assert_string_equal(
		buf,
		"ERR EOPNOTSUPP unknown command 'stop' (status, reload, version, handover)");
	ASK(f, "GET / HTTP/1.1", buf);
	assert_true(!strncmp(buf, "ERR EBADMSG ", 12));
	ask(f, "AFXDP-CTL 1 status\0", 19, buf, sizeof(buf));
	assert_true(!strncmp(buf, "ERR EBADMSG byte 0x00", 21));
	{
		char big[CTL_REQ_MAX * 4];

		memset(big, 'A', sizeof(big));
		ask(f, big, sizeof(big), buf, sizeof(buf));
		assert_string_equal(
			buf,
			"ERR EMSGSIZE request of 1024 bytes, more than 256");
	}
	/* the handler saw only what parsed */
	assert_int_equal(f->calls[CTL_CMD_STATUS], 1);
	assert_int_equal(f->calls[CTL_CMD_VERSION], 1);
	assert_int_equal(f->calls[CTL_CMD_RELOAD], 1);
	ctl_server_get_stats(f->s, &st);
	assert_int_equal(st.served, 2);
	assert_int_equal(st.errors, 7);
	assert_int_equal(st.refused, 0);
	assert_int_equal(st.timeouts, 0);
}

/* A status larger than the default socket buffer (212992 here) arrives
 * whole; one larger than CTL_REPLY_MAX is answered EMSGSIZE. */
static void test_big_reply(void **state)
{
	struct fix *f = *state;
	char *buf = malloc(CTL_REPLY_MAX + 64);

	f->big = 400 * 1024;
	assert_int_equal(
		ask(f, "AFXDP-CTL 1 status", 18, buf, CTL_REPLY_MAX + 64),
		3 + 400 * 1024);
	assert_memory_equal(buf, "OK\nxxx", 6);
	f->big = CTL_REPLY_MAX;
	ask(f, "AFXDP-CTL 1 status", 18, buf, CTL_REPLY_MAX + 64);
	assert_string_equal(
		buf,
		"ERR EMSGSIZE reply of 1048576 bytes does not fit one datagram");
	free(buf);
}

/* Our own uid left out of the list: refused before it asks, with EACCES. */
static void test_peer_refused(void **state)
{
	struct fix *f = *state;
	struct ctl_server_opts o;
	struct ctl_server_stats st;
	uid_t other = geteuid() == 4242 ? 4243 : 4242;
	char buf[256];

	ctl_server_close(f->s);
	opts(f, &o, &other, 1);
	assert_int_equal(ctl_server_open(&o, &f->s, NULL, 0), 0);
	ASK(f, "AFXDP-CTL 1 status", buf);
	snprintf(buf + 200, 56,
		 "ERR EACCES uid %u may not use this control socket",
		 (unsigned int)geteuid());
	assert_string_equal(buf, buf + 200);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 0);
	ctl_server_get_stats(f->s, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.served + st.errors, 0);
}

/* The child's exit: 0 got exactly `want`, 10 + errno of a failed step. */
static int child_ask(const char *path, const char *want)
{
	char buf[256];
	struct pollfd p;
	ssize_t n;
	int fd;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(3);
	fd = client(path);
	if (fd < 0)
		_exit(!strcmp(want, "EACCES-connect") && fd == -EACCES ?
			      0 :
			      10 - fd);
	/* May fail: a refused peer is answered and closed at once. */
	uds_send(fd, "AFXDP-CTL 1 status", 18, -1, 0);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 3000) != 1)
		_exit(5);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n < 0)
		_exit(6);
	buf[n] = '\0';
	_exit(strcmp(buf, want) ? 7 : 0);
}

static int run_child(struct fix *f, const char *want)
{
	pid_t pid = fork();
	int status = -1;

	assert_true(pid >= 0);
	if (!pid)
		child_ask(f->path, want);
	while (waitpid(pid, &status, WNOHANG) == 0)
		ctl_server_poll(f->s, 20);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A uid that is not ours, for real: a child that becomes nobody. */
static void test_nobody_refused(void **state)
{
	struct fix *f = *state;
	struct ctl_server_opts o;
	struct ctl_server_stats st;
	uid_t uids[2] = { 0, geteuid() };

	if (geteuid() != 0) {
		skip(); /* changing uid needs root; CI runs as root */
		return;
	}
	/* nobody must reach the socket's directory to be refused by it */
	assert_int_equal(chmod(f->dir, 0755), 0);
	/* 0600 root: the kernel refuses nobody's connect() already */
	assert_int_equal(run_child(f, "EACCES-connect"), 0);
	/* 0666: the SO_PEERCRED check is what refuses it */
	ctl_server_close(f->s);
	opts(f, &o, uids, 2);
	o.mode = 0666;
	assert_int_equal(ctl_server_open(&o, &f->s, NULL, 0), 0);
	assert_int_equal(
		run_child(
			f,
			"ERR EACCES uid 65534 may not use this control socket"),
		0);
	ctl_server_get_stats(f->s, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 0);
	/* and a socket owned by nobody, nobody in the list: served */
	ctl_server_close(f->s);
	uids[1] = NOBODY;
	opts(f, &o, uids, 2);
	o.owner = NOBODY;
	o.group = NOBODY;
	assert_int_equal(ctl_server_open(&o, &f->s, NULL, 0), 0);
	{
		struct stat sb;

		assert_int_equal(stat(f->path, &sb), 0);
		assert_int_equal(sb.st_uid, NOBODY);
		assert_int_equal(sb.st_mode & 07777, 0600);
	}
	assert_int_equal(run_child(f, "OK\n{}"), 0);
	assert_int_equal(f->last.uid, NOBODY);
}

/* A client that says nothing is dropped at its deadline, and no call
 * blocks longer than asked meanwhile. */
static void test_deadline(void **state)
{
	struct fix *f = *state;
	struct ctl_server_stats st;
	uint64_t t0 = now_ns(), worst = 0;
	int fds[CTL_SERVER_MAX_CONNS + 2];
	char buf[64];

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		fds[i] = client(f->path);
		assert_true(fds[i] >= 0);
	}
	while (now_ns() - t0 < 1000000000ULL) {
		uint64_t t = now_ns();

		assert_int_equal(ctl_server_poll(f->s, 50), 0);
		if (now_ns() - t > worst)
			worst = now_ns() - t;
	}
	/* 50 ms asked. A call that waited on a silent client would take its
	 * 300 ms deadline; below that is scheduling on a loaded machine (a
	 * 15 ms margin failed while VMs ran beside the tests). */
	assert_true(worst < 250000000ULL);
	ctl_server_get_stats(f->s, &st);
	/* 8 at once, the last 2 after the first ones' 300 ms */
	assert_int_equal(st.timeouts, CTL_SERVER_MAX_CONNS + 2);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		assert_int_equal(recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT),
				 0);
		close(fds[i]);
	}
	/* still serving */
	ASK(f, "AFXDP-CTL 1 status", buf);
	assert_string_equal(buf, "OK\n{}");
	/* a client gone before asking */
	close(client(f->path));
	for (int i = 0; i < 5; i++)
		ctl_server_poll(f->s, 10);
	ctl_server_get_stats(f->s, &st);
	assert_int_equal(st.dropped, 1);
}

static void test_open_refusals(void **state)
{
	struct fix *f = *state;
	struct ctl_server_opts o;
	struct ctl_server *s2 = NULL;
	char err[256], path[160], dir[128];
	int fd;

	/* a live socket: refused, and left to its server */
	opts(f, &o, &f->uid, 1);
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)),
			 -EADDRINUSE);
	assert_non_null(
		strstr(err, "another agent serves this control socket"));
	/* a stale one (its server gone without removing it): replaced */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(path, sizeof(path), "%s/stale.ctl", f->dir);
		strcpy(sa.sun_path, path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)),
				 0);
		close(fd);
	}
	o.path = path;
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), 0);
	ctl_server_close(s2);
	assert_int_equal(access(path, F_OK), -1); /* removed at close */
	/* a file: kept */
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	close(fd);
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), -EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	/* a missing directory: created, removed at close */
	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	snprintf(path, sizeof(path), "%s/a.ctl", dir);
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), 0);
	ctl_server_close(s2);
	assert_int_equal(access(dir, F_OK), -1);
	/* a directory others may write to: refused; sticky: accepted */
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "another user could replace"));
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), 0);
	ctl_server_close(s2);
	/* relative, too long, bad options */
	o.path = "agent.ctl";
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), -EINVAL);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	o.path = path;
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)),
			 -ENAMETOOLONG);
	o.path = f->path;
	o.nr_uids = 0;
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), -EINVAL);
	o.nr_uids = 1;
	o.handle = NULL;
	assert_int_equal(ctl_server_open(&o, &s2, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_reply, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nobody_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
