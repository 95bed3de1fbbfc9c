/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests that read a fake /sys or /proc build it under a mkdtemp()
 * folder; tmptree_remove() deletes that folder and everything below it,
 * symlinks removed, never followed. 0 or -1 (errno set), as nftw(). */
#ifndef TESTS_UNIT_TMPTREE_H
#define TESTS_UNIT_TMPTREE_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static inline int tmptree_rm_cb(const char *path, const struct stat *st,
				int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int tmptree_remove(const char *dir)
{
	return nftw(dir, tmptree_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
