// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/sriov_persist.h"

static void trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
}

int sriov_conf_set(struct sriov_conf *c, const char *key, const char *val)
{
	struct sriov_kv *kv;

	if (strlen(key) >= sizeof(kv->key) || strlen(val) >= sizeof(kv->val))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(c->kv[i].key, key)) {
			strcpy(c->kv[i].val, val);
			return 0;
		}
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;

		kv = realloc(c->kv, cap * sizeof(*kv));
		if (!kv)
			return -ENOMEM;
		c->kv = kv;
		c->cap = cap;
	}
	kv = &c->kv[c->n++];
	strcpy(kv->key, key);
	strcpy(kv->val, val);
	return 0;
}

const char *sriov_conf_get(const struct sriov_conf *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->kv[i].key, key))
			return c->kv[i].val;
	return NULL;
}

int sriov_conf_parse(const char *text, struct sriov_conf *c)
{
	char *copy = strdup(text), *line, *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq;

		trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			err = -EINVAL;
			break;
		}
		*eq = '\0';
		trim(line);
		trim(eq + 1);
		err = sriov_conf_set(c, line, eq + 1);
	}
	free(copy);
	return err;
}

static int read_file(const char *path, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");
	int err = 0;

	*out = NULL;
	if (!f)
		return -errno;
	{
		FILE *m = open_memstream(&buf, &len);
		char chunk[4096];
		size_t n;

		if (!m) {
			fclose(f);
			return -ENOMEM;
		}
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		if (ferror(f))
			err = -EIO;
		fclose(m);
	}
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	return 0;
}

int sriov_conf_load(const char *path, struct sriov_conf *c)
{
	char *text;
	int err = read_file(path, &text);

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	err = sriov_conf_parse(text, c);
	free(text);
	return err;
}

void sriov_conf_drop_vfs_from(struct sriov_conf *c, uint32_t numvfs)
{
	size_t j = 0;

	for (size_t i = 0; i < c->n; i++) {
		unsigned int vf;

		if (sscanf(c->kv[i].key, "vf.%u.", &vf) == 1 && vf >= numvfs)
			continue;
		c->kv[j++] = c->kv[i];
	}
	c->n = j;
}

/* numvfs and autoprobe first, then VFs by number, keys by name. */
static int kv_cmp(const void *a, const void *b)
{
	const struct sriov_kv *x = a, *y = b;
	unsigned int vx, vy;
	bool fx = sscanf(x->key, "vf.%u.", &vx) == 1;
	bool fy = sscanf(y->key, "vf.%u.", &vy) == 1;

	if (fx != fy)
		return fx ? 1 : -1;
	if (fx && vx != vy)
		return vx < vy ? -1 : 1;
	return strcmp(x->key, y->key);
}

char *sriov_conf_format(const struct sriov_conf *c, const char *pf)
{
	struct sriov_kv *sorted;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	sorted = malloc((c->n ? c->n : 1) * sizeof(*sorted));
	if (!sorted)
		return NULL;
	memcpy(sorted, c->kv, c->n * sizeof(*sorted));
	qsort(sorted, c->n, sizeof(*sorted), kv_cmp);
	m = open_memstream(&buf, &len);
	if (!m) {
		free(sorted);
		return NULL;
	}
	fprintf(m,
		"# SR-IOV settings of %s, written by afxdp-host sriov --persist\n"
		"# and applied at boot by afxdp-sriov@%s.service.\n",
		pf, pf);
	for (size_t i = 0; i < c->n; i++)
		fprintf(m, "%s=%s\n", sorted[i].key, sorted[i].val);
	fclose(m);
	free(sorted);
	return buf;
}

void sriov_conf_free(struct sriov_conf *c)
{
	free(c->kv);
	memset(c, 0, sizeof(*c));
}

static const char *root_or_slash(const char *root)
{
	return root && *root ? root : "/";
}

int sriov_conf_path(const char *root, const char *pf, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/etc/afxdp-kit/sriov/%s.conf",
			 root_or_slash(root), pf);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static char *unit_text(const char *exe)
{
	char *s = NULL;

	if (asprintf(&s,
		     "# Written by afxdp-host sriov --persist.\n"
		     "[Unit]\n"
		     "Description=afxdp-kit SR-IOV VFs on %%i\n"
		     "BindsTo=sys-subsystem-net-devices-%%i.device\n"
		     "After=sys-subsystem-net-devices-%%i.device\n"
		     "Before=network-pre.target libvirtd.service\n"
		     "Wants=network-pre.target\n"
		     "\n"
		     "[Service]\n"
		     "Type=oneshot\n"
		     "RemainAfterExit=yes\n"
		     "ExecStart=%s sriov apply %%i\n"
		     "# Least privilege: root, for the root-owned sysfs files\n"
		     "# (the VF count, driver_override, drivers_probe, unbind),\n"
		     "# which is why /sys stays writable (no\n"
		     "# ProtectKernelTunables); CAP_NET_ADMIN for the VF settings\n"
		     "# (RTM_SETLINK); CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH to\n"
		     "# read other users' /proc/PID/fd (is a VF's vfio group\n"
		     "# open?). Sockets: netlink, and AF_UNIX for\n"
		     "# if_nametoindex(). It writes no file.\n"
		     "CapabilityBoundingSet=CAP_NET_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\n"
		     "NoNewPrivileges=yes\n"
		     "ProtectSystem=strict\n"
		     "ProtectHome=yes\n"
		     "PrivateTmp=yes\n"
		     "PrivateDevices=yes\n"
		     "PrivateMounts=yes\n"
		     "PrivateIPC=yes\n"
		     "DevicePolicy=closed\n"
		     "ProtectKernelTunables=no\n"
		     "ProtectKernelModules=yes\n"
		     "ProtectKernelLogs=yes\n"
		     "ProtectControlGroups=yes\n"
		     "ProtectClock=yes\n"
		     "ProtectHostname=yes\n"
		     "RestrictNamespaces=yes\n"
		     "RestrictRealtime=yes\n"
		     "RestrictSUIDSGID=yes\n"
		     "LockPersonality=yes\n"
		     "MemoryDenyWriteExecute=yes\n"
		     "RemoveIPC=yes\n"
		     "UMask=0077\n"
		     "KeyringMode=private\n"
		     "RestrictAddressFamilies=AF_UNIX AF_NETLINK\n"
		     "IPAddressDeny=any\n"
		     "SystemCallArchitectures=native\n"
		     "SystemCallFilter=@system-service\n"
		     "SystemCallFilter=~@privileged @resources @mount @swap @reboot @raw-io @module @obsolete @cpu-emulation @debug\n"
		     "SystemCallErrorNumber=EPERM\n"
		     "\n"
		     "[Install]\n"
		     "WantedBy=multi-user.target\n",
		     exe) < 0)
		return NULL;
	return s;
}

/* Adds a change when path's current content (or link target) differs. */
static int plan_file(struct sriov_persist *p, const char *path, char *want,
		     bool symlink)
{
	struct sriov_file_change *f = &p->files[p->n];
	char *cur = NULL;
	int err;

	if (!want)
		return -ENOMEM;
	if (symlink) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		if (n >= 0) {
			target[n] = '\0';
			cur = strdup(target);
		} else if (errno != ENOENT && errno != EINVAL) {
			err = -errno;
			free(want);
			return err;
		}
	} else {
		err = read_file(path, &cur);
		if (err && err != -ENOENT) {
			free(want);
			return err;
		}
	}
	if (cur && !strcmp(cur, want)) {
		free(cur);
		free(want);
		return 0;
	}
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->old = cur;
	f->new = want;
	f->symlink = symlink;
	p->n++;
	return 0;
}

int sriov_persist_plan(const char *root, const char *pf,
		       const struct sriov_conf *conf, const char *exe,
		       struct sriov_persist *p)
{
	char path[PATH_MAX];
	const char *r = root_or_slash(root);
	int err;

	memset(p, 0, sizeof(*p));
	err = sriov_conf_path(root, pf, path, sizeof(path));
	if (!err)
		err = plan_file(p, path, sriov_conf_format(conf, pf), false);
	if (err)
		goto fail;
	snprintf(path, sizeof(path), "%s/etc/systemd/system/%s", r,
		 SRIOV_UNIT_NAME);
	err = plan_file(p, path, unit_text(exe), false);
	if (err)
		goto fail;
	snprintf(
		path, sizeof(path),
		"%s/etc/systemd/system/multi-user.target.wants/afxdp-sriov@%s.service",
		r, pf);
	err = plan_file(p, path, strdup("../" SRIOV_UNIT_NAME), true);
	if (err)
		goto fail;
	return 0;
fail:
	sriov_persist_free(p);
	return err;
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* Content or link into place through a temporary name and rename(2), so a
 * crash leaves the old file or the new one, never half of one. */
static int put_file(const char *path, const char *content, bool symlink)
{
	char tmp[PATH_MAX + 8];
	int err = mkdir_parents(path), fd;

	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	if (symlink) {
		if (symlinkat(content, AT_FDCWD, tmp))
			return -errno;
	} else {
		size_t len = strlen(content);

		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		if (write(fd, content, len) != (ssize_t)len || fsync(fd)) {
			err = errno ? -errno : -EIO;
			close(fd);
			unlink(tmp);
			return err;
		}
		close(fd);
	}
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

static void restore(const struct sriov_file_change *f)
{
	if (f->old)
		put_file(f->path, f->old, f->symlink);
	else
		unlink(f->path);
}

int sriov_persist_apply(const struct sriov_persist *p)
{
	size_t i;
	int err = 0;

	for (i = 0; i < p->n; i++) {
		err = put_file(p->files[i].path, p->files[i].new,
			       p->files[i].symlink);
		if (err)
			break;
	}
	if (!err)
		return 0;
	while (i-- > 0)
		restore(&p->files[i]);
	return err;
}

void sriov_persist_undo(const struct sriov_persist *p)
{
	for (size_t i = p->n; i-- > 0;)
		restore(&p->files[i]);
}

void sriov_persist_free(struct sriov_persist *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->files[i].old);
		free(p->files[i].new);
	}
	p->n = 0;
}
