/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the unit tests of the agent's setup pieces (nic_prep,
 * xdp_load, agent): what a failed step must not leave behind (fds,
 * threads), a name and an index no interface has, the built
 * afxdp_steer.bpf.o, and a network namespace for root's tests. Include
 * after <cmocka.h>. */
#ifndef TESTS_UNIT_GUEST_SETUP_UTIL_H
#define TESTS_UNIT_GUEST_SETUP_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Entries of a /proc/self directory (fd, task), -1 when unreadable. */
static inline int proc_self_count(const char *dir)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/%s", dir);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

#define MISSING_IFNAME "afxdpnx0"

/* An ifindex no interface has (indexes are allocated from 1 upwards). */
static inline int missing_ifindex(void)
{
	char name[IF_NAMESIZE];
	int i;

	for (i = 0x7ffffff0; if_indextoname((unsigned int)i, name); i--)
		;
	return i;
}

/* The built afxdp_steer.bpf.o: $AFXDP_BPF_DIR (tests/run.sh sets it), else
 * bpf/ in the first folder above the test binary that has it (the build
 * tree is inside the source tree). 0 or -ENOENT. */
static inline int steer_object(char *path, size_t len)
{
	const char *env = getenv("AFXDP_BPF_DIR");
	char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		if (snprintf(path, len, "%s/afxdp_steer.bpf.o", env) <
			    (int)len &&
		    !access(path, R_OK))
			return 0;
	}
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return -ENOENT;
	dir[n] = '\0';
	while ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (snprintf(path, len, "%s/bpf/afxdp_steer.bpf.o", dir) <
			    (int)len &&
		    !access(path, R_OK))
			return 0;
	}
	return -ENOENT;
}

/* A test that may change an interface runs, as root, in a network
 * namespace of its own (a fresh lo, the host's never touched): the setup
 * unshares one, the teardown returns even when an assertion failed.
 * Without root, *state is NULL and the test takes its unprivileged
 * branch. */
struct netns {
	int orig; /* the test process's network namespace */
};

static inline int netns_enter_as_root(void **state)
{
	struct netns *ns;

	*state = NULL;
	if (getuid() != 0)
		return 0;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -1;
	ns->orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->orig < 0 || unshare(CLONE_NEWNET)) {
		print_error("cannot create a network namespace: %s\n",
			    strerror(errno));
		if (ns->orig >= 0)
			close(ns->orig);
		free(ns);
		return -1;
	}
	*state = ns;
	return 0;
}

static inline int netns_leave(void **state)
{
	struct netns *ns = *state;
	int ret = 0;

	if (!ns)
		return 0;
	if (setns(ns->orig, CLONE_NEWNET)) {
		print_error("cannot return to the network namespace: %s\n",
			    strerror(errno));
		ret = -1;
	}
	close(ns->orig);
	free(ns);
	*state = NULL;
	return ret;
}

#endif
