// SPDX-License-Identifier: GPL-2.0
/* The upgrade restart (upgrade.h): spawn, reap, tell systemd. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>

#include "guest/upgrade.h"
#include "util/log.h"

extern char **environ;

int upgrade_init(struct upgrade *u, int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", u->exe, sizeof(u->exe) - 1);
	bool has = false;
	int j = 0;

	u->child = 0;
	u->argv = NULL;
	if (n < 0)
		return -errno;
	u->exe[n] = '\0';
	/* A running binary that was replaced reads "PATH (deleted)": the
	 * new one is at PATH. */
	if (n > 10 && !strcmp(u->exe + n - 10, " (deleted)"))
		u->exe[n - 10] = '\0';
	u->argv = calloc((size_t)argc + 2, sizeof(*u->argv));
	if (!u->argv)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		has |= !strcmp(argv[i], "--takeover");
		u->argv[j++] = argv[i];
	}
	if (!has)
		u->argv[j++] = "--takeover";
	return 0;
}

void upgrade_free(struct upgrade *u)
{
	free(u->argv);
	u->argv = NULL;
}

int upgrade_spawn(struct upgrade *u, char *msg, size_t msg_len)
{
	posix_spawnattr_t attr;
	sigset_t none, deflt;
	char from[32], **envp = NULL;
	size_t n = 0;
	pid_t pid;
	int ret;

	if (u->child) {
		snprintf(msg, msg_len, "an upgrade is under way (pid %d)",
			 (int)u->child);
		return -EALREADY;
	}
	if (access(u->exe, X_OK)) {
		ret = -errno;
		snprintf(msg, msg_len, "%s: %s", u->exe, strerror(-ret));
		return ret;
	}
	/* Our environment (NOTIFY_SOCKET, ...) and who the child replaces. */
	while (environ[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, UPGRADE_ENV "=", sizeof(UPGRADE_ENV)))
			envp[n++] = *e;
	snprintf(from, sizeof(from), UPGRADE_ENV "=%d", (int)getpid());
	envp[n] = from;
	/* The child starts clean: no blocked signal, default handlers. */
	sigemptyset(&none);
	sigfillset(&deflt);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	ret = posix_spawn(&pid, u->exe, NULL, &attr, u->argv, envp);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (ret) {
		snprintf(msg, msg_len, "cannot start %s: %s", u->exe,
			 strerror(ret));
		return -ret;
	}
	u->child = pid;
	pr_info("upgrade: started %s as pid %d to take over", u->exe,
		(int)pid);
	return 0;
}

void upgrade_reap(struct upgrade *u)
{
	int status;

	if (!u->child || waitpid(u->child, &status, WNOHANG) != u->child)
		return;
	if (WIFEXITED(status))
		pr_warn("upgrade: pid %d exited with status %d without taking over; this agent carries on",
			(int)u->child, WEXITSTATUS(status));
	else
		pr_warn("upgrade: pid %d died (signal %d) without taking over; this agent carries on",
			(int)u->child, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	u->child = 0;
}

void upgrade_handed_over(const struct upgrade *u, pid_t pid)
{
	int ret;

	(void)u;
	if (!getenv("NOTIFY_SOCKET"))
		return;
	/* Before we exit: systemd must know the new main process first,
	 * or our exit would end the unit and its cgroup with the child. */
	ret = sd_notifyf(0, "MAINPID=%d", (int)pid);
	if (ret > 0)
		ret = sd_notify_barrier(0, 5 * 1000000ULL);
	if (ret < 0)
		pr_warn("upgrade: systemd was not told that pid %d is the main process: %s",
			(int)pid, strerror(-ret));
	else
		pr_info("upgrade: pid %d is the unit's main process now",
			(int)pid);
}

pid_t upgrade_parent(void)
{
	const char *s = getenv(UPGRADE_ENV);
	long v;
	char *end;

	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 1 || v != (pid_t)v)
		return 0;
	return (pid_t)v;
}
