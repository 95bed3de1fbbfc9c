// SPDX-License-Identifier: GPL-2.0
/* guest/app_endpoint.c, cni kind, without privileges (and the same as
 * root): the directories it creates and removes, the socket's mode, a
 * real SOCK_SEQPACKET client speaking docs/adoption.md's protocol to the
 * endpoint's own thread, the counters after it, the peer check, and every
 * refusal of an unsafe or occupied path (with nothing of what was there
 * changed). The XSKMAP stand-in is a pipe's write end: the fd the client
 * receives must be that very pipe (same inode, and what the client writes
 * comes out of the test's read end). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/app_endpoint.h"
#include "guest/uds_proto.h"
#include "guest/uds_server.h"
#include "tests/unit/tmptree.h"
#include "util/log.h"

#define IFNAME "veth7"

struct fix {
	char dir[64];
	int map[2]; /* pipe: [1] is the "XSKMAP" the endpoint hands out */
	struct app_ep ep;
	bool open;
	char err[512];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_app_endpoint.XXXXXX");
	if (!mkdtemp(f->dir) || pipe2(f->map, O_CLOEXEC | O_NONBLOCK))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	if (f->open)
		app_ep_close(&f->ep);
	close(f->map[0]);
	close(f->map[1]);
	tmptree_remove(f->dir);
	free(f);
	return 0;
}

/* An application allowed by our uid, endpoint cni at dir/rel. */
static void app_cfg(const struct fix *f, struct app_config *c, const char *rel)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->name, "dp");
	strcpy(c->ifname, IFNAME);
	c->uids[0] = getuid();
	c->nr_uids = 1;
	c->endpoint = APP_ENDPOINT_CNI;
	snprintf(c->path, sizeof(c->path), "%s/%s", f->dir, rel);
}

static int ep_open(struct fix *f, const struct app_config *c)
{
	int ret;

	f->err[0] = '\0';
	ret = app_ep_open(&f->ep, c, f->map[1], f->err, sizeof(f->err));
	f->open = !ret;
	return ret;
}

static void ep_close(struct fix *f)
{
	assert_true(f->open);
	app_ep_close(&f->ep);
	f->open = false;
}

static char *at(const struct fix *f, const char *rel)
{
	static char path[4][160];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", f->dir, rel);
	return path[i];
}

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* --- the client --- */

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* One reply (as DPDK's read_msg: 128 bytes) and the fd that came with
 * it (-1: none). Its length, 0 at EOF. */
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
	assert_int_equal(poll(&p, 1, 5000), 1);
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	assert_true(n >= 0 && n < 128);
	buf[n] = '\0';
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd_out, CMSG_DATA(c), sizeof(int));
	return (int)n;
}

/* Sends req (its bytes, no NUL, with fd_in when >= 0), expects the exact
 * reply want (NULL: the server closed). The fd that came with the reply,
 * or -1. */
static int xchg(int sock, const char *req, int fd_in, const char *want)
{
	char buf[129];
	int fd, n;

	if (req)
		assert_int_equal(uds_send(sock, req, strlen(req), fd_in, 0), 0);
	n = read_reply(sock, buf, &fd);
	if (!want) {
		assert_int_equal(n, 0);
		return fd;
	}
	if (strcmp(buf, want))
		fail_msg("'%s' -> '%s', want '%s'", req ? req : "", buf, want);
	return fd;
}

/* The thread publishes the counters after each exchange: wait for them
 * (at most 5 s). */
static void wait_stats(struct app_ep *ep, uint64_t served, uint64_t refused,
		       struct uds_server_stats *st)
{
	for (int i = 0; i < 500; i++) {
		app_ep_stats(ep, st);
		if (st->served == served && st->refused == refused)
			return;
		usleep(10000);
	}
	fail_msg("served %llu refused %llu, want %llu and %llu",
		 (unsigned long long)st->served,
		 (unsigned long long)st->refused, (unsigned long long)served,
		 (unsigned long long)refused);
}

/* --- directories and the socket --- */

static void test_open_close(void **state)
{
	struct fix *f = *state;
	struct app_config c;
	struct stat st;
	mode_t um = umask(022);

	umask(um);
	app_cfg(f, &c, "a/b/afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_string_equal(f->ep.path, c.path);
	assert_string_equal(f->ep.ifname, IFNAME);
	assert_int_equal(f->ep.nr_dirs, 2);
	assert_int_equal(lstat(at(f, "a"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755 & ~um);
	assert_int_equal(lstat(at(f, "a/b"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(lstat(c.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	/* SO_PEERCRED is the access check: anyone may connect */
	assert_int_equal(st.st_mode & 07777, 0666);

	ep_close(f);
	assert_false(exists(c.path));
	assert_false(exists(at(f, "a/b")));
	assert_false(exists(at(f, "a")));
	assert_true(exists(f->dir)); /* was there before */

	/* a path in an existing directory: only the socket comes and goes */
	app_cfg(f, &c, "afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(f->ep.nr_dirs, 0);
	assert_true(exists(c.path));
	ep_close(f);
	assert_false(exists(c.path));
	assert_true(exists(f->dir));
}

static void test_keeps_what_it_did_not_create(void **state)
{
	struct fix *f = *state;
	struct app_config c;
	int fd;

	assert_int_equal(mkdir(at(f, "x"), 0755), 0);
	app_cfg(f, &c, "x/y/afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(f->ep.nr_dirs, 1);
	ep_close(f);
	assert_false(exists(at(f, "x/y")));
	assert_true(exists(at(f, "x")));

	/* someone else's file in a directory we created: it stays, and so
	 * does the directory */
	assert_int_equal(ep_open(f, &c), 0);
	fd = open(at(f, "x/y/other"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	ep_close(f);
	assert_false(exists(c.path));
	assert_true(exists(at(f, "x/y/other")));
}

/* --- the exchange --- */

static void same_object(int a, int b)
{
	struct stat sa, sb;

	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	assert_true(sa.st_dev == sb.st_dev);
	assert_true(sa.st_ino == sb.st_ino);
}

static void test_exchange(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;
	struct app_config c;
	char got[8] = "";
	int sock, fd;

	app_cfg(f, &c, "dp/afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(app_ep_run(&f->ep, f->err, sizeof(f->err)), 0);
	assert_true(f->ep.running);
	/* a second run is harmless */
	assert_int_equal(app_ep_run(&f->ep, f->err, sizeof(f->err)), 0);

	sock = client_connect(c.path);
	assert_int_equal(xchg(sock, "/connect,testhost", -1, "/host_ok"), -1);
	assert_int_equal(xchg(sock, "/version", -1, UDS_PROTO_VERSION), -1);
	fd = xchg(sock, "/xsk_map_fd," IFNAME, -1, "/fd_ack");
	assert_true(fd >= 0);
	assert_true(fd != f->map[1]);
	same_object(fd, f->map[1]);
	/* and it works as that object: written here, read at the other end */
	assert_int_equal(write(fd, "map", 3), 3);
	assert_int_equal(read(f->map[0], got, sizeof(got)), 3);
	assert_memory_equal(got, "map", 3);
	close(fd);
	/* only the application's own interface */
	assert_int_equal(xchg(sock, "/xsk_map_fd,eth0", -1, "/fd_nak"), -1);
	/* busy polling needs an AF_XDP socket: this UNIX one is refused */
	assert_int_equal(xchg(sock, "/config_busy_poll,20,64", sock,
			      "/config_busy_poll_nak"),
			 -1);
	assert_int_equal(xchg(sock, "/bogus", -1, "/nak"), -1);
	assert_int_equal(xchg(sock, "/fin", -1, "/fin_ack"), -1);
	assert_int_equal(xchg(sock, NULL, -1, NULL), -1);
	close(sock);
	wait_stats(&f->ep, 1, 0, &st);
	assert_int_equal(st.fds_sent, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.naks, 1);

	/* DPDK connects once per queue: the next client is served too */
	sock = client_connect(c.path);
	assert_int_equal(xchg(sock, "/connect,testhost", -1, "/host_ok"), -1);
	fd = xchg(sock, "/xsk_map_fd," IFNAME, -1, "/fd_ack");
	same_object(fd, f->map[1]);
	close(fd);
	assert_int_equal(xchg(sock, "/fin", -1, "/fin_ack"), -1);
	close(sock);
	wait_stats(&f->ep, 2, 0, &st);
	assert_int_equal(st.fds_sent, 2);

	/* stopping it: the thread ends, the socket goes */
	ep_close(f);
	assert_false(exists(c.path));
	assert_false(exists(at(f, "dp")));
}

static void test_stats_before_run(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;
	struct app_config c;

	app_cfg(f, &c, "afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	memset(&st, 0xff, sizeof(st));
	app_ep_stats(&f->ep, &st);
	assert_int_equal(st.served, 0);
	assert_int_equal(st.fds_sent, 0);
	assert_int_equal(st.refused, 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.naks, 0);
	assert_false(f->ep.running);
	/* closed without ever running: nothing to join, socket removed */
	ep_close(f);
	assert_false(exists(c.path));
}

static void test_peer_not_allowed(void **state)
{
	struct fix *f = *state;
	struct uds_server_stats st;
	struct app_config c;
	int sock;

	app_cfg(f, &c, "dp/afxdp.sock");
	c.uids[0] = getuid() + 4242; /* not ours, and no gids */
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(app_ep_run(&f->ep, f->err, sizeof(f->err)), 0);
	sock = client_connect(c.path);
	assert_int_equal(xchg(sock, "/connect,testhost", -1, "/host_nak"), -1);
	/* and nothing more: the server closed */
	assert_int_equal(xchg(sock, NULL, -1, NULL), -1);
	close(sock);
	wait_stats(&f->ep, 0, 1, &st);
	assert_int_equal(st.fds_sent, 0);
	ep_close(f);

	/* a gid of ours lets the same client in */
	c.gids[0] = getgid();
	c.nr_gids = 1;
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(app_ep_run(&f->ep, f->err, sizeof(f->err)), 0);
	sock = client_connect(c.path);
	assert_int_equal(xchg(sock, "/connect,testhost", -1, "/host_ok"), -1);
	assert_int_equal(xchg(sock, "/fin", -1, "/fin_ack"), -1);
	close(sock);
	wait_stats(&f->ep, 1, 0, &st);
	ep_close(f);
}

/* --- refusals: an error, a message, nothing of what was there changed --- */

static void assert_err_names(const struct fix *f, const char *what)
{
	if (!strstr(f->err, what))
		fail_msg("message '%s' does not name %s", f->err, what);
}

static void test_unsafe_dir(void **state)
{
	struct fix *f = *state;
	struct app_config c;

	assert_int_equal(mkdir(at(f, "open"), 0755), 0);
	assert_int_equal(chmod(at(f, "open"), 0777), 0);
	app_cfg(f, &c, "open/sub/afxdp.sock");
	assert_int_equal(ep_open(f, &c), -EPERM);
	assert_err_names(f, at(f, "open"));
	assert_false(exists(at(f, "open/sub")));

	/* group-writable is as bad */
	assert_int_equal(chmod(at(f, "open"), 0775), 0);
	assert_int_equal(ep_open(f, &c), -EPERM);
	assert_err_names(f, at(f, "open"));

	/* the socket's own directory too */
	app_cfg(f, &c, "open/afxdp.sock");
	assert_int_equal(ep_open(f, &c), -EPERM);
	assert_false(exists(c.path));

	/* sticky, like /tmp: nobody can replace our names there */
	assert_int_equal(chmod(at(f, "open"), 01777), 0);
	app_cfg(f, &c, "open/sub/afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_true(exists(c.path));
	ep_close(f);
	assert_false(exists(at(f, "open/sub")));
	assert_true(exists(at(f, "open")));
}

static void test_not_a_directory(void **state)
{
	struct fix *f = *state;
	struct app_config c;
	struct stat st;
	int fd;

	fd = open(at(f, "file"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	app_cfg(f, &c, "file/afxdp.sock");
	assert_int_equal(ep_open(f, &c), -EEXIST);
	assert_err_names(f, at(f, "file"));
	assert_int_equal(lstat(at(f, "file"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 4);

	/* deeper below it: the same */
	app_cfg(f, &c, "file/deeper/afxdp.sock");
	assert_int_equal(ep_open(f, &c), -EEXIST);
	assert_err_names(f, at(f, "file"));
	assert_int_equal(symlink("..", at(f, "link")), 0);
	app_cfg(f, &c, "link/afxdp.sock");
	/* a symlink on the way is not a directory we checked */
	assert_int_equal(ep_open(f, &c), -EEXIST);
	assert_err_names(f, at(f, "link"));
	assert_int_equal(lstat(at(f, "link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void test_no_directory_part(void **state)
{
	struct fix *f = *state;
	struct app_config c;

	app_cfg(f, &c, "x");
	strcpy(c.path, "afxdp-test.sock");
	assert_int_equal(ep_open(f, &c), -EINVAL);
	assert_err_names(f, "afxdp-test.sock");
	assert_false(exists("afxdp-test.sock"));
	strcpy(c.path, "/afxdp-test.sock");
	assert_int_equal(ep_open(f, &c), -EINVAL);
	assert_false(exists("/afxdp-test.sock"));
}

static void test_something_at_path(void **state)
{
	struct fix *f = *state;
	struct app_config c, c2;
	struct app_ep other;
	struct stat st;
	int fd;

	/* a regular file */
	app_cfg(f, &c, "afxdp.sock");
	fd = open(c.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mine", 4), 4);
	close(fd);
	assert_int_equal(ep_open(f, &c), -EEXIST);
	assert_err_names(f, c.path);
	assert_int_equal(lstat(c.path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 4);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(exists(f->dir));

	/* a directory */
	app_cfg(f, &c, "d/afxdp.sock");
	assert_int_equal(mkdir(at(f, "d"), 0755), 0);
	assert_int_equal(mkdir(c.path, 0755), 0);
	assert_int_equal(ep_open(f, &c), -EEXIST);
	assert_int_equal(lstat(c.path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* a symlink to a socket is not ours either */
	app_cfg(f, &c, "live.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(symlink(c.path, at(f, "lnk.sock")), 0);
	app_cfg(f, &c2, "lnk.sock");
	assert_int_equal(
		app_ep_open(&other, &c2, f->map[1], f->err, sizeof(f->err)),
		-EEXIST);
	assert_int_equal(lstat(c2.path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* a socket someone serves: -EADDRINUSE, theirs untouched */
	assert_int_equal(
		app_ep_open(&other, &c, f->map[1], f->err, sizeof(f->err)),
		-EADDRINUSE);
	assert_err_names(f, c.path);
	assert_int_equal(lstat(c.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	ep_close(f);
}

static void test_stale_socket(void **state)
{
	struct fix *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uds_server_stats st;
	struct app_config c;
	int fd, sock;

	/* an earlier agent's socket that nobody listens on any more */
	app_cfg(f, &c, "afxdp.sock");
	strcpy(sa.sun_path, c.path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_true(exists(c.path));
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(app_ep_run(&f->ep, f->err, sizeof(f->err)), 0);
	sock = client_connect(c.path);
	assert_int_equal(xchg(sock, "/connect,h", -1, "/host_ok"), -1);
	assert_int_equal(xchg(sock, "/fin", -1, "/fin_ack"), -1);
	close(sock);
	wait_stats(&f->ep, 1, 0, &st);
	ep_close(f);
}

static void test_open_errors(void **state)
{
	struct fix *f = *state;
	struct app_config c;

	/* nobody allowed: refused, and the directories made for it go */
	app_cfg(f, &c, "n/afxdp.sock");
	c.nr_uids = 0;
	assert_int_equal(ep_open(f, &c), -EINVAL);
	assert_err_names(f, c.path);
	assert_false(exists(at(f, "n")));

	/* more directories to create than an endpoint may: none left */
	app_cfg(f, &c, "1/2/3/4/5/afxdp.sock");
	assert_int_equal(ep_open(f, &c), -ENAMETOOLONG);
	assert_false(exists(at(f, "1")));
	/* four are fine */
	app_cfg(f, &c, "1/2/3/4/afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(f->ep.nr_dirs, APP_EP_MAX_DIRS);
	ep_close(f);
	assert_false(exists(at(f, "1")));
}

/* pinned, where no privilege is needed to be refused: a directory that is
 * not a BPF filesystem and holds something is never mounted over. */
static void test_pinned_not_empty(void **state)
{
	struct fix *f = *state;
	char path[CFG_APP_PATH_LEN];
	struct app_config c;
	int fd;

	assert_int_equal(mkdir(at(f, "pin"), 0755), 0);
	fd = open(at(f, "pin/keep"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	app_cfg(f, &c, "pin/xsks_map");
	c.endpoint = APP_ENDPOINT_PINNED;
	assert_int_equal(ep_open(f, &c), -ENOTEMPTY);
	assert_err_names(f, at(f, "pin"));
	assert_true(exists(at(f, "pin/keep")));
	assert_false(exists(c.path));
	/* without a path of its own: DPDK's defaults for the interface */
	c.path[0] = '\0';
	config_app_path(&c, path, sizeof(path));
	assert_string_equal(path, "/tmp/afxdp_dp/" IFNAME "/xsks_map");
	c.endpoint = APP_ENDPOINT_CNI;
	config_app_path(&c, path, sizeof(path));
	assert_string_equal(path, "/tmp/afxdp_dp/" IFNAME "/afxdp.sock");
}

/* Closing ends a running exchange: a client that connects and says
 * nothing must not hold up a reload or the agent's exit. */
static void test_close_with_silent_client(void **state)
{
	struct fix *f = *state;
	struct app_config c;
	struct timespec t0, t1;
	double secs;
	int sock;

	app_cfg(f, &c, "afxdp.sock");
	assert_int_equal(ep_open(f, &c), 0);
	assert_int_equal(app_ep_run(&f->ep, f->err, sizeof(f->err)), 0);
	sock = client_connect(c.path);
	usleep(200000); /* the thread has accepted it and waits for a request */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ep_close(f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	close(sock);
	if (secs > 1.0)
		fail_msg("app_ep_close took %.2f s with a silent client", secs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_keeps_what_it_did_not_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_before_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_not_allowed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_a_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_directory_part, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_something_at_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pinned_not_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_with_silent_client,
						setup, teardown),
	};

	log_set_level(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
