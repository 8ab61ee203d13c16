/*
 * sysfile.h - reading the small text files of /proc, /sys and /run.
 *
 * They are read whole into an arena (they are a few KiB at most; the cap
 * keeps a surprise from costing more), NUL-terminated.
 *
 *     size_t len;
 *     char *t = sysfile_read(a, "/proc/loadavg", 4096, &len);   (NULL: errno)
 *     long long kib = sysfile_meminfo(t, "MemAvailable");       (-1 if absent)
 */
#ifndef MCPOS_MCPD_SYSFILE_H
#define MCPOS_MCPD_SYSFILE_H

#include <stddef.h>

#include "arena.h"

char *sysfile_read(struct arena *a, const char *path, size_t max, size_t *len);
/* The value of "Key:   123 kB" in /proc/meminfo text, or -1. */
long long sysfile_meminfo(const char *meminfo, const char *key);
/* First line of a file, without its newline; NULL if unreadable. */
char *sysfile_line(struct arena *a, const char *path);

#endif
