// SPDX-License-Identifier: GPL-2.0
/* guest/uds_server.c: the device-plugin exchange on real SOCK_SEQPACKET
 * sockets, driven by a scripted client that sends DPDK 24.11's exact
 * requests (a forked child, or the other end of a socketpair when one
 * request is enough). The XSKMAP stand-in is an eventfd: the client writes
 * to the fd it received and the test reads the count from its own. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/uds_proto.h"
#include "guest/uds_server.h"
#include "tests/unit/tmptree.h"
#include "util/log.h"

struct fix {
	char dir[64];
	char path[128];
	int map_fd; /* what /xsk_map_fd,eth0 hands out */
	uint32_t busy_timeout, busy_budget;
	int busy_calls;
	struct uds_server *s;
};

static int get_map(void *ctx, const struct uds_peer *peer, const char *ifname)
{
	struct fix *f = ctx;

	(void)peer;
	return strcmp(ifname, "eth0") ? -ENODEV : f->map_fd;
}

/* Proves it got the client's fd: adds 5 to the client's eventfd. */
static int busy_poll(void *ctx, const struct uds_peer *peer, int fd,
		     uint32_t timeout, uint32_t budget)
{
	struct fix *f = ctx;
	uint64_t v = 5;

	(void)peer;
	f->busy_calls++;
	f->busy_timeout = timeout;
	f->busy_budget = budget;
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

static int refuse_evil(void *ctx, const struct uds_peer *peer, const char *name)
{
	(void)ctx;
	(void)peer;
	return strcmp(name, "evil") ? 0 : -EPERM;
}

static void fix_opts(struct fix *f, struct uds_server_opts *o, uid_t *uid)
{
	*uid = getuid();
	memset(o, 0, sizeof(*o));
	o->path = f->path;
	o->uids = uid;
	o->nr_uids = 1;
	o->timeout_ms = 2000;
	o->on_connect = refuse_evil;
	o->get_xsk_map_fd = get_map;
	o->busy_poll = busy_poll;
	o->ctx = f;
}

static int setup(void **state)
{
	struct uds_server_opts o;
	struct fix *f = calloc(1, sizeof(*f));
	uid_t uid;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_uds_server.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/afxdp.sock", f->dir);
	f->map_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fix_opts(f, &o, &uid);
	if (f->map_fd < 0 || uds_server_open(&o, &f->s))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	uds_server_close(f->s);
	close(f->map_fd);
	tmptree_remove(f->dir);
	free(f);
	return 0;
}

/* --- the scripted client (runs in a child: no cmocka there) --- */

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

/* Sends req (with fd_in when >= 0), as DPDK does: its bytes, no NUL. */
static int send_req(int fd, const char *req, size_t len, int fd_in)
{
	return uds_send(fd, req, len, fd_in, 0) ? -1 : 0;
}

/* Reads one reply into 128 bytes as DPDK's read_msg() does; the fd that
 * came with it in *fd_out (-1: none). Its length, 0 at EOF, -1 error. */
static int read_reply(int fd, char *buf, int *fd_out)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = 128 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct cmsghdr *c;
	ssize_t n;

	*fd_out = -1;
	if (poll(&p, 1, 5000) != 1)
		return -1;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0 || n >= 128)
		return -1;
	buf[n] = '\0';
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(fd_out, CMSG_DATA(c), sizeof(int));
	return (int)n;
}

/* One request, the exact reply expected (NULL: EOF). Returns the fd that
 * came with the reply (-1: none), -2 on a mismatch. */
static int xchg(int fd, const char *req, int fd_in, const char *want)
{
	char buf[129];
	int rx_fd, n;

	if (req && send_req(fd, req, strlen(req), fd_in))
		return -2;
	n = read_reply(fd, buf, &rx_fd);
	if (!want)
		return n == 0 ? -1 : -2;
	if (n != (int)strlen(want) || memcmp(buf, want, (size_t)n)) {
		fprintf(stderr, "# client: '%s' -> '%s', want '%s'\n",
			req ? req : "", n >= 0 ? buf : "(error)", want);
		return -2;
	}
	return rx_fd;
}

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "# client: failed: %s (line %d)\n", \
				#cond, __LINE__);                           \
			_exit(1);                                           \
		}                                                           \
	} while (0)

/* DPDK 24.11's uds_get_xskmap_fd(): connect, version, xsk_map_fd, fin;
 * then writes 7 to the map fd it got. */
static void client_dpdk(const char *path)
{
	char req[64], host[64] = "";
	uint64_t v = 7;
	int fd = client_connect(path), map;

	CHECK(fd >= 0);
	CHECK(!gethostname(host, sizeof(host) - 1));
	snprintf(req, sizeof(req), "/connect,%s", host);
	CHECK(xchg(fd, req, -1, "/host_ok") == -1);
	CHECK(xchg(fd, "/version", -1, "0.1") == -1);
	map = xchg(fd, "/xsk_map_fd,eth0", -1, "/fd_ack");
	CHECK(map >= 0);
	CHECK(write(map, &v, sizeof(v)) == sizeof(v));
	CHECK(xchg(fd, "/fin", -1, "/fin_ack") == -1);
	CHECK(xchg(fd, NULL, -1, NULL) == -1); /* then the server closes */
	_exit(0);
}

/* Runs fn(path) in a child; serves n connections; returns the last
 * exchange's result. The child's exit status must be 0. */
static int run_client(struct fix *f, void (*fn)(const char *), int n)
{
	struct pollfd p = { .fd = uds_server_fd(f->s), .events = POLLIN };
	int status, ret = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		fn(f->path);
	while (n--) {
		assert_int_equal(poll(&p, 1, 5000), 1);
		ret = uds_server_serve_one(f->s);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return ret;
}

static void test_dpdk_exchange(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;
	uint64_t v = 0;
	struct stat sb;

	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0666);
	assert_int_equal(uds_server_serve_one(f->s), -EAGAIN);
	assert_int_equal(run_client(f, client_dpdk, 1), 0);
	/* The client's write reached our eventfd: a working fd. */
	assert_int_equal(read(f->map_fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 7);
	/* DPDK connects once per queue: the server serves again. */
	assert_int_equal(run_client(f, client_dpdk, 1), 0);
	assert_int_equal(read(f->map_fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 7);
	uds_server_get_stats(f->s, &st);
	assert_int_equal(st.served, 2);
	assert_int_equal(st.fds_sent, 2);
	assert_int_equal(st.refused + st.failed + st.naks, 0);
}

static void client_busy_poll(const char *path)
{
	int fd = client_connect(path), ev = eventfd(0, EFD_NONBLOCK);
	uint64_t v = 0;

	CHECK(fd >= 0 && ev >= 0);
	/* The Go client's spacing. */
	CHECK(xchg(fd, "/connect, pod", -1, "/host_ok") == -1);
	CHECK(xchg(fd, "/config_busy_poll, 20, 64", ev,
		   "/config_busy_poll_ack") == -1);
	CHECK(read(ev, &v, sizeof(v)) == sizeof(v) && v == 5);
	/* No socket fd, out of range, missing budget: the nak. */
	CHECK(xchg(fd, "/config_busy_poll,20,64", -1,
		   "/config_busy_poll_nak") == -1);
	CHECK(xchg(fd, "/config_busy_poll,20,65536", ev,
		   "/config_busy_poll_nak") == -1);
	CHECK(xchg(fd, "/config_busy_poll,20", ev, "/config_busy_poll_nak") ==
	      -1);
	CHECK(read(ev, &v, sizeof(v)) < 0); /* not called again */
	CHECK(xchg(fd, "/fin", -1, "/fin_ack") == -1);
	_exit(0);
}

static void test_busy_poll(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;

	assert_int_equal(run_client(f, client_busy_poll, 1), 0);
	assert_int_equal(f->busy_calls, 1);
	assert_int_equal(f->busy_timeout, 20);
	assert_int_equal(f->busy_budget, 64);
	uds_server_get_stats(f->s, &st);
	assert_int_equal(st.naks, 2); /* the two malformed ones */
}

static void client_bad_requests(const char *path)
{
	char big[300];
	int fd = client_connect(path);

	CHECK(fd >= 0);
	/* Before /connect: only /connect is served. */
	CHECK(xchg(fd, "/version", -1, "/nak") == -1);
	CHECK(xchg(fd, "/connect,vm", -1, "/host_ok") == -1);
	CHECK(xchg(fd, "/xsk_map_fd,eth9", -1, "/fd_nak") == -1);
	CHECK(xchg(fd, "/xsk_map_fd,../eth0", -1, "/fd_nak") == -1);
	CHECK(xchg(fd, "/xsk_socket,eth0", -1, "/nak") == -1);
	CHECK(xchg(fd, "/connect,vm", -1, "/nak") == -1);
	memset(big, 'x', sizeof(big));
	memcpy(big, "/xsk_map_fd,", 12);
	CHECK(!send_req(fd, big, sizeof(big), -1));
	CHECK(xchg(fd, NULL, -1, "/nak") == -1);
	CHECK(!send_req(fd, "/fin\0junk", 9, -1));
	CHECK(xchg(fd, NULL, -1, "/nak") == -1);
	/* Still served after all that. */
	CHECK(xchg(fd, "/xsk_map_fd,eth0", -1, "/fd_ack") >= 0);
	CHECK(xchg(fd, "/fin", -1, "/fin_ack") == -1);
	_exit(0);
}

static void test_bad_requests(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;

	assert_int_equal(run_client(f, client_bad_requests, 1), 0);
	uds_server_get_stats(f->s, &st);
	assert_int_equal(st.served, 1);
	assert_int_equal(st.naks, 6); /* eth9 is a valid name: not counted */
	assert_int_equal(st.fds_sent, 1);
}

static void client_nak_limit(const char *path)
{
	int fd = client_connect(path), i;

	CHECK(fd >= 0);
	CHECK(xchg(fd, "/connect,vm", -1, "/host_ok") == -1);
	for (i = 0; i < UDS_SERVER_MAX_NAKS; i++)
		CHECK(xchg(fd, "/hello", -1, "/nak") == -1);
	CHECK(xchg(fd, NULL, -1, NULL) == -1);
	_exit(0);
}

static void test_nak_limit(void **state)
{
	struct fix *f = *state;

	assert_int_equal(run_client(f, client_nak_limit, 1), -EPROTO);
}

static void client_closes(const char *path)
{
	int fd = client_connect(path);

	CHECK(fd >= 0);
	CHECK(xchg(fd, "/connect,vm", -1, "/host_ok") == -1);
	CHECK(xchg(fd, "/version", -1, "0.1") == -1);
	_exit(0); /* no /fin */
}

static void test_close_mid_exchange(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;
	int sv[2];

	assert_int_equal(run_client(f, client_closes, 1), -ECONNRESET);
	/* Gone before the reply could be sent. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(send_req(sv[0], "/connect,vm", 11, -1), 0);
	close(sv[0]);
	assert_int_equal(uds_server_serve_conn(f->s, sv[1]), -ECONNRESET);
	uds_server_get_stats(f->s, &st);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.served, 0);
}

/* A listening socket on an autobound abstract address. */
static int listener(int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)),
			 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

static void test_silent_client(void **state)
{
	struct fix *f = *state;
	struct uds_server_opts o;
	struct uds_server *s;
	struct timespec t0, t1;
	uid_t uid;
	int sv[2];
	long ms;

	fix_opts(f, &o, &uid);
	o.path = NULL;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	/* A listening socket handed over (the agent may inherit one). */
	o.listen_fd = listener(SOCK_SEQPACKET);
	o.timeout_ms = 200;
	assert_int_equal(uds_server_open(&o, &s), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(uds_server_serve_conn(s, sv[1]), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 2000);
	/* The server closed its end. */
	assert_int_equal(recv(sv[0], &ms, sizeof(ms), MSG_DONTWAIT), 0);
	close(sv[0]);
	uds_server_close(s);
}

/* socketpair: one request from us, the one reply, then the server's EOF. */
static int one_shot(struct uds_server *s, const char *req, char *reply)
{
	int sv[2], fd, n, ret;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(send_req(sv[0], req, strlen(req), -1), 0);
	/* Our end says no more: a server that waits for more sees EOF. */
	assert_int_equal(shutdown(sv[0], SHUT_WR), 0);
	ret = uds_server_serve_conn(s, sv[1]);
	n = read_reply(sv[0], reply, &fd);
	assert_true(n > 0);
	assert_int_equal(fd, -1);
	assert_int_equal(read_reply(sv[0], reply + n + 1, &fd), 0);
	close(sv[0]);
	return ret;
}

static void test_refused(void **state)
{
	struct fix *f = *state;
	struct uds_server_opts o;
	struct uds_server *s;
	struct uds_server_stats st;
	char reply[260];
	uid_t uid, other;
	gid_t gid;

	/* A name on_connect refuses. */
	assert_int_equal(one_shot(f->s, "/connect,evil", reply), -EACCES);
	assert_string_equal(reply, "/host_nak");
	assert_int_equal(one_shot(f->s, "/connect,a,b", reply), -EACCES);
	assert_string_equal(reply, "/host_nak");
	/* Our uid and gid not in the sets: /host_nak whatever we say. */
	fix_opts(f, &o, &uid);
	other = getuid() + 1;
	gid = getgid() + 1;
	o.uids = &other;
	o.gids = &gid;
	o.nr_gids = 1;
	o.path = NULL;
	o.listen_fd = listener(SOCK_SEQPACKET);
	assert_int_equal(uds_server_open(&o, &s), 0);
	assert_int_equal(one_shot(s, "/connect,vm", reply), -EACCES);
	assert_string_equal(reply, "/host_nak");
	assert_int_equal(one_shot(s, "/xsk_map_fd,eth0", reply), -EACCES);
	assert_string_equal(reply, "/host_nak");
	uds_server_get_stats(s, &st);
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.fds_sent, 0);
	/* Allowed by gid alone. */
	gid = getgid();
	uds_server_close(s);
	o.listen_fd = listener(SOCK_SEQPACKET);
	assert_int_equal(uds_server_open(&o, &s), 0);
	assert_int_equal(one_shot(s, "/xsk_map_fd,eth0", reply), -ECONNRESET);
	assert_string_equal(reply, "/nak");
	uds_server_close(s);
}

static void client_as_nobody(const char *path)
{
	int fd;

	CHECK(!setresgid(65534, 65534, 65534));
	CHECK(!setresuid(65534, 65534, 65534));
	fd = client_connect(path);
	CHECK(fd >= 0);
	CHECK(xchg(fd, "/connect,vm", -1, "/host_nak") == -1);
	CHECK(xchg(fd, NULL, -1, NULL) == -1);
	_exit(0);
}

/* A real other user: needs root to become nobody. */
static void test_wrong_uid(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;

	if (geteuid() != 0) {
		print_message("# SKIP test_wrong_uid: needs root to "
			      "setresuid() a client to nobody (65534)\n");
		skip();
	}
	assert_int_equal(chmod(f->dir, 0755), 0);
	assert_int_equal(run_client(f, client_as_nobody, 1), -EACCES);
	uds_server_get_stats(f->s, &st);
	assert_int_equal(st.refused, 1);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

/* fds a client attaches where none belongs are closed, not leaked. */
static void test_stray_fds(void **state)
{
	struct fix *f = *state;
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char reply[260];
	struct iovec iov = { .iov_base = "/connect,vm", .iov_len = 11 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	int sv[2], fds[3] = { 0, 1, 2 }, before, fd;
	struct cmsghdr *c;

	before = count_fds();
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 11);
	assert_int_equal(send_req(sv[0], "/version", 8, f->map_fd), 0);
	assert_int_equal(send_req(sv[0], "/fin", 4, 1), 0);
	assert_int_equal(uds_server_serve_conn(f->s, sv[1]), 0);
	assert_int_equal(read_reply(sv[0], reply, &fd), 8);
	assert_string_equal(reply, "/host_ok");
	assert_int_equal(read_reply(sv[0], reply, &fd), 3);
	assert_int_equal(read_reply(sv[0], reply, &fd), 8);
	assert_string_equal(reply, "/fin_ack");
	close(sv[0]);
	assert_int_equal(count_fds(), before);
}

static void test_open_errors(void **state)
{
	struct fix *f = *state;
	struct uds_server_opts o;
	struct uds_server *s = NULL;
	char path[200];
	uid_t uid;
	int fd;

	fix_opts(f, &o, &uid);
	/* Somebody serves it already. */
	assert_int_equal(uds_server_open(&o, &s), -EADDRINUSE);
	o.nr_uids = 0;
	assert_int_equal(uds_server_open(&o, &s), -EINVAL);
	o.nr_uids = 1;
	o.timeout_ms = -1;
	assert_int_equal(uds_server_open(&o, &s), -EINVAL);
	o.timeout_ms = 0;
	assert_int_equal(uds_server_open(NULL, &s), -EINVAL);
	assert_int_equal(uds_server_open(&o, NULL), -EINVAL);
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	o.path = path;
	assert_int_equal(uds_server_open(&o, &s), -ENAMETOOLONG);
	/* Not a socket: never removed. */
	snprintf(path, sizeof(path), "%s/file", f->dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(uds_server_open(&o, &s), -EEXIST);
	/* listen_fd must be a listening SOCK_SEQPACKET socket. */
	o.path = NULL;
	o.listen_fd = fd;
	assert_int_equal(uds_server_open(&o, &s), -ENOTSOCK);
	close(fd);
	o.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(uds_server_open(&o, &s), -EINVAL);
	close(o.listen_fd);
	o.listen_fd = listener(SOCK_STREAM);
	assert_int_equal(uds_server_open(&o, &s), -EINVAL);
	close(o.listen_fd);
	o.listen_fd = -1;
	assert_int_equal(uds_server_open(&o, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(uds_server_serve_one(NULL), -EINVAL);
	assert_int_equal(uds_server_fd(NULL), -EINVAL);
	uds_server_close(NULL);
}

/* A stale socket (its server died) is replaced; close removes the path;
 * mode is applied. */
static void test_stale_and_mode(void **state)
{
	struct fix *f = *state;
	struct uds_server_opts o;
	struct uds_server *s;
	struct stat sb;
	uid_t uid;

	fix_opts(f, &o, &uid);
	uds_server_close(f->s);
	f->s = NULL;
	/* uds_server_close removed it: make a stale one by hand. */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		strcpy(sa.sun_path, f->path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)),
				 0);
		close(fd);
	}
	o.mode = 0600;
	assert_int_equal(uds_server_open(&o, &s), 0);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	uds_server_close(s);
	assert_int_equal(stat(f->path, &sb), -1);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpdk_exchange, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_busy_poll, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nak_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_mid_exchange, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_silent_client, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_uid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stray_fds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_mode, setup,
						teardown),
	};

	log_set_level(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
