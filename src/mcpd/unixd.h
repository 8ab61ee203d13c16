/*
 * unixd.h - the Unix socket transport: newline-delimited JSON-RPC, as on
 * stdio, one MCP session per connection, on the shared epoll loop.
 *
 * Who may connect is decided by the kernel's word (SO_PEERCRED), not by
 * anything the peer says: root and mcpd's own user are served; anyone else
 * gets one JSON-RPC error line and is disconnected.  The socket file is
 * created mode 0660 (a stale socket file from an earlier run is replaced;
 * any other file at that path is left alone and is an error).  A client
 * that does not read its answers is dropped once UNIX_MAX_OUTPUT bytes are
 * waiting, so it cannot make mcpd's memory grow.
 */
#ifndef MCPOS_MCPD_UNIXD_H
#define MCPOS_MCPD_UNIXD_H

#include "loop.h"
#include "mcp.h"

#define UNIX_MAX_OUTPUT (16u << 20)
#define UNIX_MAX_CONNS 64

struct unixd;

struct unixd *unixd_open(struct mcp_server *srv, int ep, const char *path, const char **err);
void unixd_close(struct unixd *u);

#endif
