// SPDX-License-Identifier: GPL-2.0
/* afxdp-host publish: reading a published file, writing its replacement
 * atomically (a hidden temp file in the same directory, fsynced, renamed
 * over it) and the unified diff between the two. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/publish.h"

#define PUBLISH_MAX_FILE (1 << 20)

int publish_read(const char *path, char **out)
{
	struct stat st;
	ssize_t n = 0;
	size_t got = 0;
	char *buf;
	int fd, err = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	} else if (st.st_size > PUBLISH_MAX_FILE) {
		err = -EFBIG;
	}
	buf = err ? NULL : malloc((size_t)st.st_size + 1);
	if (!err && !buf)
		err = -ENOMEM;
	while (!err && got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* shrunk meanwhile: compare what is there */
		got += (size_t)n;
	}
	if (n < 0 && !err)
		err = -errno;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int publish_stage(const char *path, const char *content, char *tmp,
		  size_t tmp_len)
{
	char copy[PATH_MAX], copy2[PATH_MAX];
	int fd, err;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	memcpy(copy2, copy, sizeof(copy));
	/* ".NAME.XXXXXX": hidden (NFD skips dot files) and matching neither
	 * *.yaml (Nova) nor *.prom (node_exporter). */
	if (snprintf(tmp, tmp_len, "%s/.%s.XXXXXX", dirname(copy),
		     basename(copy2)) >= (int)tmp_len)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		tmp[0] = '\0';
		return err;
	}
	err = fchmod(fd, 0644) ? -errno : 0;
	if (!err)
		err = write_all(fd, content, strlen(content));
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err) {
		unlink(tmp);
		tmp[0] = '\0';
	}
	return err;
}

int publish_commit(const char *tmp, const char *path)
{
	char copy[PATH_MAX];
	int fd, err = 0;

	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	/* The rename itself is durable once the directory is synced. */
	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/* Lines of a text: pointers into it and their lengths (with the '\n'). */
struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

static int split(const char *s, struct lines *l)
{
	size_t cap = 1;

	for (const char *c = s; c && *c; c++)
		cap += *c == '\n';
	l->p = calloc(cap, sizeof(*l->p));
	l->len = calloc(cap, sizeof(*l->len));
	if (!l->p || !l->len)
		return -ENOMEM;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t k = nl ? (size_t)(nl - s) + 1 : strlen(s);

		l->p[l->n] = s;
		l->len[l->n++] = k;
		s += k;
	}
	return 0;
}

static bool same(const struct lines *a, size_t i, const struct lines *b,
		 size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

/* One diff line: ' ', '-' or '+' and the line (a missing final newline is
 * marked the way diff(1) does). */
static void put_line(FILE *o, char tag, const struct lines *l, size_t i)
{
	fputc(tag, o);
	fwrite(l->p[i], 1, l->len[i], o);
	if (l->p[i][l->len[i] - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", o);
}

enum { CTX = 3 };

/* The edit script as ops[]: 0 keep, 1 delete (a), 2 insert (b), from the
 * LCS table; small files only (the formatters' output). */
static int edit_script(const struct lines *a, const struct lines *b,
		       unsigned char **ops, size_t *n_ops)
{
	size_t w = b->n + 1, i = 0, j = 0, k = 0;
	unsigned int *t;

	if (a->n > 20000 || b->n > 20000 || (a->n + 1) * w > 16u << 20)
		return -EFBIG;
	t = calloc((a->n + 1) * w, sizeof(*t));
	*ops = malloc(a->n + b->n + 1);
	if (!t || !*ops) {
		free(t);
		free(*ops);
		return -ENOMEM;
	}
	for (size_t x = a->n; x-- > 0;)
		for (size_t y = b->n; y-- > 0;)
			t[x * w + y] = same(a, x, b, y) ?
					       t[(x + 1) * w + y + 1] + 1 :
				       t[(x + 1) * w + y] > t[x * w + y + 1] ?
					       t[(x + 1) * w + y] :
					       t[x * w + y + 1];
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && same(a, i, b, j)) {
			(*ops)[k++] = 0;
			i++;
			j++;
		} else if (j < b->n &&
			   (i == a->n ||
			    t[i * w + j + 1] > t[(i + 1) * w + j])) {
			(*ops)[k++] = 2;
			j++;
		} else {
			(*ops)[k++] = 1;
			i++;
		}
	}
	free(t);
	*n_ops = k;
	return 0;
}

static void hunks(FILE *o, const struct lines *a, const struct lines *b,
		  const unsigned char *ops, size_t n)
{
	size_t k = 0, ai = 0, bi = 0;

	while (k < n) {
		size_t s, e, last, as, bs, ac = 0, bc = 0, x, y;

		if (!ops[k]) {
			k++;
			ai++;
			bi++;
			continue;
		}
		/* A hunk: CTX kept lines, the changes (merged while at most
		 * 2 * CTX kept lines apart, as diff -u does), CTX kept lines. */
		s = k;
		as = ai;
		bs = bi;
		for (size_t c = 0; c < CTX && s > 0 && !ops[s - 1]; c++) {
			s--;
			as--;
			bs--;
		}
		last = k;
		for (size_t q = k; q < n && q - last <= 2 * CTX + 1; q++)
			if (ops[q])
				last = q;
		e = last + 1 + CTX < n ? last + 1 + CTX : n;
		for (size_t q = s; q < e; q++) {
			ac += ops[q] != 2;
			bc += ops[q] != 1;
		}
		fprintf(o, "@@ -%zu,%zu +%zu,%zu @@\n", ac ? as + 1 : as, ac,
			bc ? bs + 1 : bs, bc);
		x = as;
		y = bs;
		for (size_t q = s; q < e; q++) {
			if (ops[q] == 0) {
				put_line(o, ' ', a, x++);
				y++;
			} else if (ops[q] == 1) {
				put_line(o, '-', a, x++);
			} else {
				put_line(o, '+', b, y++);
			}
		}
		k = e;
		ai = x;
		bi = y;
	}
}

char *publish_diff(const char *old, const char *new, const char *path)
{
	struct lines a = { 0 }, b = { 0 };
	unsigned char *ops = NULL;
	size_t n = 0, len = 0;
	char *buf = NULL;
	FILE *o = NULL;
	int err;

	err = split(old, &a);
	if (!err)
		err = split(new, &b);
	if (!err)
		err = edit_script(&a, &b, &ops, &n);
	if (!err || err == -EFBIG) {
		o = open_memstream(&buf, &len);
		if (!o)
			err = -ENOMEM;
	}
	if (o) {
		fprintf(o, "--- %s\n+++ %s\n", old ? path : "/dev/null", path);
		if (err)
			fprintf(o, "(too large to diff: %zu -> %zu lines)\n",
				a.n, b.n);
		else
			hunks(o, &a, &b, ops, n);
		if (fclose(o)) {
			free(buf);
			buf = NULL;
		}
	}
	free(ops);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	return buf;
}
