// SPDX-License-Identifier: GPL-2.0
/* guest/agent.c up to the first change: agent_setup refusing a start
 * (BPF object or interface missing, lo's MTU, a queue the device lacks)
 * must leave nothing behind: no fd, no thread, no port lock held, no
 * worker array. Then agent_teardown on a zeroed agent, the queue
 * resolution (agent_resolve_queues), the workers' done flag and the
 * stats snapshot of a port without a program. Sockets, UMEMs and workers
 * need an attached program: the netns suites (root) run them.
 * Port locks go to a temporary $AFXDP_RUN_DIR; the tests that name lo
 * run, as root, in a network namespace of their own. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/agent.h"
#include "tests/unit/guest/setup_util.h"
#include "tests/unit/tmptree.h"

static char err[CFG_ERR_LEN];

struct fix {
	struct netns *ns; /* root: the test's own network namespace */
	char run_dir[64]; /* $AFXDP_RUN_DIR: the port locks */
	char obj[512]; /* the built afxdp_steer.bpf.o */
	struct agent_config cfg;
	struct agent a;
	int fds, threads; /* before the setup under test */
};

static int teardown(void **state)
{
	struct fix *f = *state;
	void *ns = f->ns;
	int ret = 0;

	config_free(&f->cfg);
	unsetenv("AFXDP_RUN_DIR");
	if (f->run_dir[0] && tmptree_remove(f->run_dir))
		ret = -1;
	if (netns_leave(&ns))
		ret = -1;
	free(f);
	return ret;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	void *ns;

	if (!f)
		return -1;
	if (netns_enter_as_root(&ns)) {
		free(f);
		return -1;
	}
	f->ns = ns;
	*state = f;
	snprintf(f->run_dir, sizeof(f->run_dir), "/tmp/afxdp-agent-XXXXXX");
	if (!mkdtemp(f->run_dir) || setenv("AFXDP_RUN_DIR", f->run_dir, 1)) {
		print_error("%s: %s\n", f->run_dir, strerror(errno));
		f->run_dir[0] = '\0';
		goto fail;
	}
	if (steer_object(f->obj, sizeof(f->obj))) {
		print_error("afxdp_steer.bpf.o not found (make all)\n");
		goto fail;
	}
	config_init(&f->cfg);
	return 0;
fail:
	config_init(&f->cfg);
	teardown(state);
	return -1;
}

static void set(struct fix *f, const char *key, const char *val)
{
	int ret = config_set(&f->cfg, key, val, err, sizeof(err));

	if (ret)
		print_error("%s=%s: %s\n", key, val, err);
	assert_int_equal(ret, 0);
}

/* The config must be one the agent would accept (--check). */
static void validate(struct fix *f)
{
	int ret = config_validate(&f->cfg, err, sizeof(err));

	if (ret)
		print_error("config: %s\n", err);
	assert_int_equal(ret, 0);
}

static int run_dir_entries(const struct fix *f)
{
	struct dirent *e;
	DIR *d = opendir(f->run_dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* agent_setup fails with ret and exactly msg (a prefix when prefix). */
static void expect_refused(struct fix *f, int ret_want, const char *msg,
			   bool prefix)
{
	int ret;

	f->fds = proc_self_count("fd");
	f->threads = proc_self_count("task");
	assert_true(f->fds > 0);
	assert_int_equal(f->threads, 1);
	memset(&f->a, 0xa5, sizeof(f->a));
	err[0] = '\0';
	ret = agent_setup(&f->a, &f->cfg, err, sizeof(err));
	if (ret != ret_want ||
	    (prefix ? strncmp(err, msg, strlen(msg)) : strcmp(err, msg)))
		print_error("expected %d \"%s\", got %d \"%s\"\n", ret_want,
			    msg, ret, err);
	assert_int_equal(ret, ret_want);
	if (prefix)
		assert_int_equal(strncmp(err, msg, strlen(msg)), 0);
	else
		assert_string_equal(err, msg);

	/* Nothing left: the teardown inside agent_setup undid it all. */
	assert_int_equal(proc_self_count("fd"), f->fds);
	assert_int_equal(proc_self_count("task"), f->threads);
	assert_null(f->a.workers);
	assert_int_equal(f->a.nr_workers, 0);
	assert_int_equal(f->a.nr_socks, 0);
	assert_int_equal(f->a.nr_umems, 0);
	assert_int_equal(f->a.nr_ports, f->cfg.nr_ports);
	for (uint32_t i = 0; i < f->a.nr_ports; i++) {
		assert_int_equal(f->a.ports[i].lock_fd, -1);
		assert_null(f->a.ports[i].xdp.prog);
		assert_null(f->a.ports[i].umem);
		assert_false(f->a.ports[i].nic.mtu_changed);
		assert_false(f->a.ports[i].nic.promisc_set);
	}
	/* A second teardown (main.c's error path) finds nothing to do. */
	assert_int_equal(agent_teardown(&f->a), 0);
	assert_int_equal(proc_self_count("fd"), f->fds);
}

static void test_missing_object(void **state)
{
	struct fix *f = *state;

	set(f, "mode", "rxdrop");
	set(f, "ports", MISSING_IFNAME);
	set(f, "xdp.object", "/nonexistent/afxdp_steer.bpf.o");
	validate(f);
	expect_refused(
		f, -ENOENT,
		"BPF object /nonexistent/afxdp_steer.bpf.o not found (set xdp.object or AFXDP_BPF_DIR)",
		false);
	assert_int_equal(run_dir_entries(f), 0);
}

static void test_missing_interface(void **state)
{
	struct fix *f = *state;

	set(f, "mode", "rxdrop");
	set(f, "ports", MISSING_IFNAME);
	set(f, "xdp.object", f->obj);
	validate(f);
	expect_refused(f, -ENODEV, "interface " MISSING_IFNAME " not found",
		       false);
	/* Refused before any port lock was taken. */
	assert_int_equal(run_dir_entries(f), 0);
}

/* The first port passes every check and takes its lock; the second does
 * not exist: the first one's lock is released. */
static void test_second_port_missing(void **state)
{
	struct fix *f = *state;
	struct dirent *e;
	char lock[384] = "";
	DIR *d;
	int fd;

	set(f, "mode", "fwd");
	set(f, "ports", "lo," MISSING_IFNAME);
	/* Checked instead of lo's 65536 (never set: the start is refused
	 * before any change). */
	set(f, "nic.mtu", "1500");
	set(f, "xdp.object", f->obj);
	validate(f);
	expect_refused(f, -ENODEV, "interface " MISSING_IFNAME " not found",
		       false);
	/* lo's lock file stays (port_lock.h says why), unlocked. */
	assert_int_equal(run_dir_entries(f), 1);
	d = opendir(f->run_dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(lock, sizeof(lock), "%s/%s", f->run_dir,
				 e->d_name);
	closedir(d);
	assert_non_null(strstr(lock, "-1.lock"));
	fd = open(lock, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(close(fd), 0);
}

/* lo's MTU fits no UMEM frame: refused by the check, before the lock. */
static void test_lo_mtu_refused(void **state)
{
	struct fix *f = *state;
	char want[96];
	uint32_t mtu, after;

	set(f, "mode", "rxdrop");
	set(f, "ports", "lo");
	set(f, "xdp.object", f->obj);
	validate(f);
	assert_int_equal(netdev_get_mtu("lo", &mtu), 0);
	snprintf(want, sizeof(want),
		 "lo: MTU %u does not fit a %u-byte UMEM frame", mtu,
		 f->cfg.frame_size);
	expect_refused(f, -EMSGSIZE, want, true);
	assert_int_equal(run_dir_entries(f), 0);
	assert_int_equal(netdev_get_mtu("lo", &after), 0);
	assert_int_equal(after, mtu);
}

/* lo has one queue: queue 3 is refused, the lock released. */
static void test_queue_missing(void **state)
{
	struct fix *f = *state;

	set(f, "mode", "rxdrop");
	set(f, "ports", "lo");
	set(f, "ports.0.queues", "3");
	set(f, "nic.mtu", "1500");
	set(f, "xdp.object", f->obj);
	validate(f);
	expect_refused(
		f, -EINVAL,
		"lo: queue 3 does not exist (the device has 1 queue: 0-0)",
		false);
	assert_int_equal(run_dir_entries(f), 0);
}

static void test_teardown_zeroed(void **state)
{
	struct agent_config cfg;
	struct agent a;
	int fds = proc_self_count("fd");

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(agent_teardown(&a), 0);
	assert_null(a.workers);
	assert_true(atomic_load(&a.stop));
	assert_false(agent_workers_done(&a));
	/* A port as agent_setup leaves it when refused: no lock, no
	 * program, nothing recorded to restore. */
	memset(&a, 0, sizeof(a));
	a.nr_ports = 2;
	a.ports[0].lock_fd = a.ports[1].lock_fd = -1;
	snprintf(a.ports[1].ifname, sizeof(a.ports[1].ifname), MISSING_IFNAME);
	assert_int_equal(agent_teardown(&a), 0);
	assert_int_equal(agent_teardown(&a), 0);
	assert_int_equal(proc_self_count("fd"), fds);
	/* No workers: starting and stopping them is a no-op. */
	memset(&a, 0, sizeof(a));
	config_init(&cfg);
	a.cfg = &cfg;
	assert_int_equal(agent_start_workers(&a), 0);
	agent_stop_workers(&a);
	assert_int_equal(proc_self_count("task"), 1);
	config_free(&cfg);
}

static void test_workers_done(void **state)
{
	struct agent a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.workers = calloc(2, sizeof(*a.workers));
	assert_non_null(a.workers);
	a.nr_workers = 2;
	assert_false(agent_workers_done(&a));
	atomic_store(&a.workers[1].done, true);
	assert_false(agent_workers_done(&a));
	atomic_store(&a.workers[0].done, true);
	assert_true(agent_workers_done(&a));
	/* Teardown frees the workers (never started: nothing to join). */
	assert_int_equal(agent_teardown(&a), 0);
	assert_null(a.workers);
	assert_int_equal(a.nr_workers, 0);
	assert_false(agent_workers_done(&a));
}

/* ifname with cfg's queues; channels as agent_setup passes them. */
static int resolve(struct agent_port *p, struct port_config *pc,
		   const char *ifname, uint32_t channels, const uint32_t *q,
		   size_t nq)
{
	memset(p, 0xa5, sizeof(*p));
	memset(pc, 0, sizeof(*pc));
	p->cfg = pc;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	for (size_t i = 0; i < nq; i++)
		pc->queues[i] = q[i];
	pc->nr_queues = nq;
	err[0] = '\0';
	return agent_resolve_queues(p, channels, err, sizeof(err));
}

static void expect_queues(const struct agent_port *p, const uint32_t *q,
			  uint32_t n, uint32_t tx)
{
	assert_int_equal(p->nr_queues, n);
	assert_int_equal(p->nr_tx_queues, tx);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(p->queues[i], q[i]);
}

static void test_resolve_queues(void **state)
{
	struct agent_port p;
	struct port_config pc;
	uint32_t all[CFG_MAX_QUEUES];

	(void)state;
	for (uint32_t i = 0; i < CFG_MAX_QUEUES; i++)
		all[i] = i;
	/* A device without sysfs queues counts one TX queue (queue 0), so
	 * only queue 0 can send. "All" of 4 channels: 0..3. */
	assert_int_equal(nic_tx_queue_count(MISSING_IFNAME), 1);
	assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 4, NULL, 0), 0);
	expect_queues(&p, all, 4, 1);
	/* At most CFG_MAX_QUEUES. */
	assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 1000, NULL, 0), 0);
	expect_queues(&p, all, CFG_MAX_QUEUES, 1);
	/* No channels given and none readable: a single-queue device. */
	assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 0, NULL, 0), 0);
	expect_queues(&p, all, 1, 1);
	/* Configured queues: those that can send first, else in order. */
	{
		const uint32_t q[] = { 2, 0, 1 }, want[] = { 0, 2, 1 };

		assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 4, q, 3), 0);
		expect_queues(&p, want, 3, 1);
	}
	{
		const uint32_t q[] = { 3, 1 };

		assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 4, q, 2), 0);
		expect_queues(&p, q, 2, 0);
	}
	/* A queue the device does not have. */
	{
		const uint32_t q[] = { 1, 4 };

		assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 4, q, 2),
				 -EINVAL);
		assert_string_equal(
			err, MISSING_IFNAME
			": queue 4 does not exist (the device has 4 queues: 0-3)");
		assert_int_equal(resolve(&p, &pc, MISSING_IFNAME, 0, q, 1),
				 -EINVAL);
		assert_string_equal(
			err, MISSING_IFNAME
			": queue 1 does not exist (the device has 1 queue: 0-0)");
	}
	/* lo: no ethtool channels, one queue; its TX queues from sysfs. */
	assert_true(nic_tx_queue_count("lo") >= 1);
	assert_int_equal(resolve(&p, &pc, "lo", 0, NULL, 0), 0);
	expect_queues(&p, all, 1, 1);
}

static bool lo_running(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	close(fd);
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

/* The report of ports without a program and sockets without an xsk. */
static void test_snapshot(void **state)
{
	struct agent *a = calloc(1, sizeof(*a));
	struct port_snapshot ps[2];
	struct queue_snapshot qs[1];
	struct agent_socket *s;

	(void)state;
	assert_non_null(a);
	a->nr_ports = 2;
	snprintf(a->ports[0].ifname, sizeof(a->ports[0].ifname), "lo");
	snprintf(a->ports[1].ifname, sizeof(a->ports[1].ifname),
		 MISSING_IFNAME);
	a->nr_socks = 1;
	s = &a->socks[0];
	s->port = &a->ports[0];
	s->queue_id = 3;
	s->zero_copy = true;
	s->fd = -1;
	s->c.rx_packets = 5;
	s->c.rx_bytes = 300;
	s->c.tx_packets = 4;
	s->c.tx_completed = 3;
	s->c.drop_tx_ring_full = 1;
	s->c.kicks = 7;
	s->c.csum_fixed = 2;
	memset(ps, 0xa5, sizeof(ps));
	memset(qs, 0xa5, sizeof(qs));
	agent_snapshot(a, ps, qs);
	assert_string_equal(ps[0].ifname, "lo");
	assert_string_equal(ps[0].xdp_mode, "none");
	assert_false(ps[0].multiprog);
	for (int k = 0; k < AFXDP_CNT_MAX; k++)
		assert_int_equal(ps[0].prog[k], 0);
	assert_int_equal(ps[0].link_up, lo_running());
	assert_string_equal(ps[1].ifname, MISSING_IFNAME);
	assert_string_equal(ps[1].xdp_mode, "none");
	assert_false(ps[1].link_up);
	assert_string_equal(qs[0].ifname, "lo");
	assert_int_equal(qs[0].queue, 3);
	assert_true(qs[0].zero_copy);
	assert_memory_equal(&qs[0].c, &s->c, sizeof(s->c));
	assert_false(qs[0].xs_valid);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_object, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_interface, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_second_port_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lo_mtu_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_missing, setup,
						teardown),
		cmocka_unit_test(test_teardown_zeroed),
		cmocka_unit_test(test_workers_done),
		cmocka_unit_test(test_resolve_queues),
		cmocka_unit_test(test_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
