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
 * stdio_close() puts the terminal's settings back and writes out what is
 * still queued (waiting at most a few seconds for a reader).
 */
#ifndef MCPOS_MCPD_STDIO_CONN_H
#define MCPOS_MCPD_STDIO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "loop.h"
#include "mcp.h"

#define STDIO_MAX_OUTPUT (16u << 20)

struct stdio_conn {
	int in_fd, out_fd;
	/* Output goes through a private non-blocking description of out_fd
	 * (reopened through /proc/self/fd, so O_NONBLOCK does not leak into
	 * the console init shares; a socket, as node gives its children, is
 * written with MSG_DONTWAIT instead) and a queue drained on EPOLLOUT: a peer
	 * that stops reading cannot stall the loop and every other client.
	 * -1 when that is impossible (stdout a regular file, no /proc):
	 * then writes block, which for a file is harmless. */
	int queue_fd, ep;
	struct source out_src;
	char *out;
	size_t out_len, out_off, out_cap;
	bool want_out;
	bool queue_is_socket;   /* a socket needs no reopening: MSG_DONTWAIT */
	unsigned long dropped;  /* messages dropped because the queue was full */
	bool serial;
	bool discarding;       /* inside an oversized line */
	bool broken;           /* output failed: the peer is gone */
	bool restore_tty;      /* put `saved` back on close */
	struct termios saved;
	char *buf;
	size_t len, cap;
	struct mcp_session *session;
};

/* ep: the loop's epoll fd, or -1 for plain blocking output.
 * Returns 0 or -1 with *err set. */
int stdio_open(struct stdio_conn *c, struct mcp_server *srv, int in_fd, int out_fd,
	       bool serial, int ep, const char **err);
/* Reads what is available and handles every complete line.  Returns 1 while
 * the connection lives, 0 at end of input, -1 on error (errno). */
int stdio_readable(struct stdio_conn *c);
/* Splits buffered bytes into messages; exposed for tests and fuzzing. */
void stdio_feed(struct stdio_conn *c, const char *data, size_t n);
void stdio_close(struct stdio_conn *c);

#endif
