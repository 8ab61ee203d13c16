/*
 * mounts.h - the filesystems init mounts, and unmounting them at the end.
 *
 *   /proc        proc       (first: the command line and meminfo are there)
 *   /sys         sysfs
 *   /dev         devtmpfs
 *   /tmp         tmpfs      size limits from budget.h, derived from MemTotal;
 *   /var         tmpfs      a tmpfs limit is a ceiling, not a reservation
 *   /run         tmpfs
 *   /mnt/models  tmpfs      big enough for the model budget
 *
 * Every mount point is created if missing.  A mount that fails is logged
 * and the boot goes on without it.  The table remembers what was mounted,
 * so shutdown unmounts exactly that, in reverse order.
 *
 * Everything happens under root (mcpos.root=, host tests), never over the
 * host's own /tmp.
 */
#ifndef MCPOS_INIT_MOUNTS_H
#define MCPOS_INIT_MOUNTS_H

#include "budget.h"
#include "fsutil.h"
#include "log.h"

#define MOUNTS_MAX 8

struct mounts {
	const char *root;		/* "" for / */
	const struct log *log;
	char path[MOUNTS_MAX][INIT_PATH_MAX];	/* mounted, in order */
	int count;
};

void mounts_init(struct mounts *m, const char *root, const struct log *lg);

/* Mount /proc.  0 on success (or if it was already mounted by this
 * table), -1 if it failed (logged). */
int mounts_proc(struct mounts *m);

/* Mount /sys and /dev (and /proc if mounts_proc was not called). */
void mounts_kernel(struct mounts *m);

/* Mount the four tmpfs with the limits of s. */
void mounts_tmpfs(struct mounts *m, const struct derived_settings *s);

/* "size=<bytes>,mode=<octal>" for a tmpfs; pure, for the unit tests. */
int mounts_tmpfs_options(char *buf, size_t size, unsigned long long bytes, unsigned mode);

/* Unmount everything mounted, last first.  Lazy (MNT_DETACH): a process
 * that survived shutdown must not keep the machine from powering off.
 * Returns how many unmounts failed. */
int mounts_release(struct mounts *m);

#endif
