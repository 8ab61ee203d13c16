/*
 * files.h - file tools confined to allowed roots (opt.file_roots; in the
 * image /mnt/models, /var/lib/mcpos and /tmp).
 *
 *   file_list   {path}                      entries of a directory
 *   file_read   {path, offset?, length?}    up to 1 MiB of UTF-8 text
 *   file_write  {path, content, append?}    up to 1 MiB
 *
 * A path must be absolute and lie in a root by name; the rest of it is
 * resolved by the kernel with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * from the root's directory, so neither ".." nor a symlink can leave the
 * root, whatever races with us.  Kernels without openat2 (before 5.6) get
 * an error, not a weaker check.
 */
#ifndef MCPOS_MCPD_FILES_H
#define MCPOS_MCPD_FILES_H

#include "mcp.h"

#define FILES_MAX_IO (1u << 20)

int files_register(struct mcp_server *srv, const char **err);

#endif
