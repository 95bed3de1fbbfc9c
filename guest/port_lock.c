// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/port_lock.h"

static const char *lock_dir(void)
{
	const char *d = getenv("AFXDP_RUN_DIR");

	return d && *d ? d : "/run/afxdp-agent";
}

/* Interface indexes repeat across network namespaces: key by netns too. */
static int lock_path(int ifindex, char *buf, size_t len)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	snprintf(buf, len, "%s/%lu-%d.lock", lock_dir(),
		 (unsigned long)st.st_ino, ifindex);
	return 0;
}

int port_lock_acquire(int ifindex, const char *ifname, char *err,
		      size_t err_len)
{
	char path[256], pid[32] = "";
	ssize_t n;
	int fd, ret;

	ret = lock_path(ifindex, path, sizeof(path));
	if (ret)
		return ret;
	if (mkdir(lock_dir(), 0755) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, err_len, "cannot create %s: %s", lock_dir(),
			 strerror(errno));
		return ret;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot open %s: %s", path,
			 strerror(errno));
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(
			err, err_len,
			"%s is already served by another afxdp-agent (pid %s): one agent per port",
			ifname, pid[0] ? pid : "?");
		close(fd);
		return ret;
	}
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (ftruncate(fd, 0) == 0)
		ret = (int)pwrite(fd, pid, strlen(pid), 0);
	(void)ret;
	return fd;
}

void port_lock_release(int fd, int ifindex)
{
	(void)ifindex;
	/* The file stays: unlinking it would let a process that opened it
	 * just before lock an orphaned inode while a third locks a new one. */
	if (fd >= 0)
		close(fd);
}
