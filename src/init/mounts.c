/* mounts.c - see mounts.h */
#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

void mounts_init(struct mounts *m, const char *root, const struct log *lg)
{
	memset(m, 0, sizeof(*m));
	m->root = root ? root : "";
	m->log = lg;
}

static int is_mounted(const struct mounts *m, const char *path)
{
	for (int i = 0; i < m->count; i++)
		if (strcmp(m->path[i], path) == 0)
			return 1;
	return 0;
}

static int mount_one(struct mounts *m, const char *fstype, const char *where,
		     unsigned long flags, const char *data, mode_t mode)
{
	char path[INIT_PATH_MAX];

	if (!root_path(m->root, where, path, sizeof(path))) {
		log_error(m->log, "mount %s on %s%s: path too long", fstype, m->root, where);
		return -1;
	}
	if (is_mounted(m, path))
		return 0;
	if (mkdir_p(path, mode) != 0)
		log_debug(m->log, "mkdir %s: %s", path, strerror(errno));
	if (mount(fstype, path, fstype, flags, data) != 0) {
		log_error(m->log, "mount %s on %s: %s", fstype, path, strerror(errno));
		return -1;
	}
	if (m->count < MOUNTS_MAX)
		snprintf(m->path[m->count++], sizeof(m->path[0]), "%s", path);
	log_debug(m->log, "mounted %s on %s%s%s", fstype, path, data ? " " : "", data ? data : "");
	return 0;
}

int mounts_proc(struct mounts *m)
{
	return mount_one(m, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
}

void mounts_kernel(struct mounts *m)
{
	mounts_proc(m);
	mount_one(m, "sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
	mount_one(m, "devtmpfs", "/dev", MS_NOSUID, "mode=0755", 0755);
}

int mounts_tmpfs_options(char *buf, size_t size, unsigned long long bytes, unsigned mode)
{
	int n = snprintf(buf, size, "size=%llu,mode=%04o", bytes, mode);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void mounts_tmpfs(struct mounts *m, const struct derived_settings *s)
{
	static const struct {
		const char *where;
		unsigned mode;
		unsigned long flags;
	} fs[] = {
		{ "/tmp", 01777, MS_NOSUID | MS_NODEV },
		{ "/var", 0755, MS_NOSUID | MS_NODEV },
		/* Nothing is run from /run or the model store. */
		{ "/run", 0755, MS_NOSUID | MS_NODEV | MS_NOEXEC },
		{ "/mnt/models", 0755, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	};
	const unsigned long long size[] = {
		s->tmpfs_tmp_bytes, s->tmpfs_var_bytes, s->tmpfs_run_bytes,
		s->tmpfs_models_bytes,
	};
	char opt[64];

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		/* size=0 would mean "no limit" to tmpfs: never ask for it. */
		unsigned long long bytes = size[i] ? size[i] : 1ull << 20;
		if (mounts_tmpfs_options(opt, sizeof(opt), bytes, fs[i].mode) == 0)
			mount_one(m, "tmpfs", fs[i].where, fs[i].flags, opt, fs[i].mode);
	}
}

int mounts_release(struct mounts *m)
{
	int failed = 0;

	for (int i = m->count - 1; i >= 0; i--) {
		if (umount2(m->path[i], MNT_DETACH) != 0) {
			log_debug(m->log, "umount %s: %s", m->path[i], strerror(errno));
			failed++;
		}
	}
	m->count = 0;
	return failed;
}
