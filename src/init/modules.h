/*
 * modules.h - load the kernel modules of /etc/mcpos/modules.
 *
 * The list names one module per line, with optional parameters after
 * whitespace, exactly as finit_module(2) takes them:
 *
 *   # comment
 *   /lib/modules/mcp.ko
 *   /lib/modules/virtio_foo.ko  debug=1 queue=2
 *
 * Paths are absolute.  Each module is a timeline stage ("module:mcp",
 * named after the file without directory and ".ko"), noted "failed" when
 * it did not load.  A missing list means no modules; a bad line or a module
 * that fails is logged (with errno) and the boot goes on.
 *
 * Host tests (test_mode): the list is read and each file opened, but
 * finit_module() is never called, since it would load into the host's
 * kernel; such stages are noted "test".
 */
#ifndef MCPOS_INIT_MODULES_H
#define MCPOS_INIT_MODULES_H

#include <stddef.h>

#include "log.h"
#include "timeline.h"

#define MODULE_PARAMS_MAX 256

struct module_entry {
	const char *path;	/* absolute path, inside the caller's text */
	const char *params;	/* "" when none */
	int line;		/* 1-based line number */
	char why[96];		/* why the line was refused */
};

/* The next entry of a module list.  *cursor starts at the text (which is
 * modified: fields get NUL-terminated) and advances past each line; *line
 * counts lines and starts at 0.  Returns 1 for an entry, 0 at the end, -1
 * for a malformed line (e->why says why; call again for the next). */
int modules_next(char **cursor, int *line, struct module_entry *e);

/* "module:<name>" for a module path: "/lib/modules/mcp.ko" -> "module:mcp". */
void modules_stage_name(const char *path, char *buf, size_t size);

/* Read root + list_path and load every module in it (see above). */
void modules_load_list(const char *root, const char *list_path, int test_mode,
		       struct timeline *tl, const struct log *lg);

#endif
