/*
 * fsutil.h - the few file operations init needs, done carefully.
 *
 * Whole small files only (init reads /proc files, the command line, the
 * service table and the module list, and writes two JSON files), so every
 * function takes a caller's buffer and allocates nothing.  All of them
 * return -1 with errno set on failure and never cut data silently.
 *
 * Host tests run init with mcpos.root=DIR: every path init touches is then
 * DIR followed by the path, built with root_path().
 */
#ifndef MCPOS_INIT_FSUTIL_H
#define MCPOS_INIT_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Longest path init builds (root prefix included). */
#define INIT_PATH_MAX 320

/* Read all of path into buf and NUL-terminate it.  Returns the length;
 * -1 with errno EFBIG if the file does not fit in size - 1 bytes. */
int file_read(const char *path, char *buf, size_t size);

/* Replace path with data atomically (write path.tmp, then rename): a
 * reader sees the old content or the new, never half of it. */
int file_write_atomic(const char *path, const void *data, size_t len);

/* Write text to an existing file (a /proc or /sys knob) in one write. */
int file_write_knob(const char *path, const char *text);

/* mkdir -p: create path and its missing parents (parents 0755). */
int mkdir_p(const char *path, mode_t mode);

/* root + path into buf ("" or NULL root: path itself).  Returns buf, or
 * NULL with errno ENAMETOOLONG if it does not fit: a path cut short must
 * never be used. */
char *root_path(const char *root, const char *path, char *buf, size_t size);

#endif
