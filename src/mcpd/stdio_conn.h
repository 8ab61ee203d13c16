/*
 * stdio_conn.h - the stdio transport: newline-delimited JSON-RPC on fds 0 and 1
 * (the MCP spec's stdio framing), also used for the serial console.
 *
 * Input is split at '\n'; a trailing '\r' is dropped, empty lines are
 * skipped.  In serial mode the tty is put in raw mode (no echo, no line
 * editing, no CR/NL translation: canonical mode would cut lines at 4095
 * bytes) and every NUL and CR byte is ignored, since consoles produce both.
 * A line longer than MCP_MAX_MESSAGE is discarded up to its newline and
 * answered with a -32600 error, so one bad message loses nothing else.
 * stdio_close() puts the terminal's settings back.
 */
#ifndef MCPOS_MCPD_STDIO_CONN_H
#define MCPOS_MCPD_STDIO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "mcp.h"

struct stdio_conn {
	int in_fd, out_fd;
	bool serial;
	bool discarding;       /* inside an oversized line */
	bool broken;           /* output failed: the peer is gone */
	bool restore_tty;      /* put `saved` back on close */
	struct termios saved;
	char *buf;
	size_t len, cap;
	struct mcp_session *session;
};

/* Returns 0 or -1 with *err set. */
int stdio_open(struct stdio_conn *c, struct mcp_server *srv, int in_fd, int out_fd,
	       bool serial, const char **err);
/* Reads what is available and handles every complete line.  Returns 1 while
 * the connection lives, 0 at end of input, -1 on error (errno). */
int stdio_readable(struct stdio_conn *c);
/* Splits buffered bytes into messages; exposed for tests and fuzzing. */
void stdio_feed(struct stdio_conn *c, const char *data, size_t n);
void stdio_close(struct stdio_conn *c);

#endif
