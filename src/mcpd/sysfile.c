/* sysfile.c - see sysfile.h. */
#include "sysfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *sysfile_read(struct arena *a, const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = arena_alloc(a, max + 1);
	size_t n = 0;
	/* /proc files report size 0: read until EOF, not st_size. */
	while (buf && n < max) {
		ssize_t r = read(fd, buf + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

long long sysfile_meminfo(const char *meminfo, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = meminfo; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ':')
			return strtoll(p + k + 1, NULL, 10);
	return -1;
}

char *sysfile_line(struct arena *a, const char *path)
{
	char *t = sysfile_read(a, path, 4096, NULL);
	if (t)
		t[strcspn(t, "\n")] = '\0';
	return t;
}
