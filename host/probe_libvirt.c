// SPDX-License-Identifier: GPL-2.0
/* afxdp-host probe: the host around the kernel: /dev/kvm, vhost-net, IOMMU
 * groups and what libvirt says about the hypervisor. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "host/probe.h"
#include "util/json.h"
#include "util/log.h"
#include "util/netdev_genl.h"
#include "util/sysfs.h"
#include "host/probe_internal.h"

static void libvirt_quiet(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

/* libvirt has no connect timeout: connect in a child, wait on a pipe. */
static void probe_libvirt(const struct probe_opts *o, struct probe_report *rep)
{
	int timeout = o->libvirt_timeout_ms ? o->libvirt_timeout_ms : 5000;
	char buf[600] = "";
	struct pollfd pfd;
	int fds[2], status;
	ssize_t len = 0;
	pid_t pid;

	rep->libvirt_checked = true;
	set_str(rep->libvirt_uri, sizeof(rep->libvirt_uri),
		o->connect_uri ? o->connect_uri : "");
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(rep->libvirt_err, sizeof(rep->libvirt_err), "pipe: %s",
			 strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(rep->libvirt_err, sizeof(rep->libvirt_err), "fork: %s",
			 strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		virConnectPtr conn;
		char *uri;
		int w;

		close(fds[0]);
		virSetErrorFunc(NULL, libvirt_quiet);
		conn = virConnectOpenReadOnly(o->connect_uri);
		if (conn) {
			uri = virConnectGetURI(conn);
			w = dprintf(fds[1], "1%s", uri ? uri : "");
			free(uri);
			virConnectClose(conn);
		} else {
			const char *msg = virGetLastErrorMessage();

			w = dprintf(fds[1], "0%s", msg ? msg : "unknown error");
		}
		_exit(w < 0);
	}
	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	for (;;) {
		ssize_t r;
		int p = poll(&pfd, 1, timeout);

		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			break;
		r = read(fds[0], buf + len, sizeof(buf) - 1 - (size_t)len);
		if (r <= 0)
			break;
		len += r;
	}
	close(fds[0]);
	buf[len] = '\0';
	/* The answer is in (or never came): the child has no more to say. */
	kill(pid, SIGKILL);
	if (!len) {
		snprintf(rep->libvirt_err, sizeof(rep->libvirt_err),
			 "no answer within %d ms", timeout);
	} else if (buf[0] == '1') {
		rep->libvirt_reachable = true;
		if (buf[1])
			set_str(rep->libvirt_uri, sizeof(rep->libvirt_uri),
				buf + 1);
	} else {
		set_str(rep->libvirt_err, sizeof(rep->libvirt_err), buf + 1);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

void probe_host(const struct probe_opts *o, const struct sysfs *fs,
		struct probe_report *rep)
{
	const char *dev = o->dev_root ? o->dev_root : "/dev";
	struct dirent **names;
	char path[PATH_MAX];
	int n;

	snprintf(path, sizeof(path), "%s/kvm", dev);
	rep->kvm = !access(path, F_OK);
	snprintf(path, sizeof(path), "%s/vhost-net", dev);
	rep->vhost_net = !access(path, F_OK);
	n = probe_list_dir(fs, "kernel/iommu_groups", &names);
	if (n >= 0) {
		rep->iommu_groups = (uint32_t)n;
		probe_free_list(names, n);
	}
	if (!o->skip_libvirt)
		probe_libvirt(o, rep);
}
