/* stdio_conn.c - see stdio_conn.h. */
#include "stdio_conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

static void send_line(void *ctx, void *route, const char *json, size_t len)
{
	struct stdio_conn *c = ctx;
	if (c->broken)
		return;
	/* The message and its newline in one writev, so lines never
	 * interleave and nothing is copied. */
	struct iovec iov[2] = { { (void *)json, len }, { "\n", 1 } };
	int n_iov = 2;
	struct iovec *v = iov;
	while (n_iov) {
		ssize_t n = writev(c->out_fd, v, n_iov);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->broken = true;
			return;
		}
		while (n_iov && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++;
			n_iov--;
		}
		if (n_iov) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
}

static int make_raw(struct stdio_conn *c, int fd, const char **err)
{
	struct termios t;
	if (tcgetattr(fd, &t) != 0) {
		*err = "--serial: not a terminal";
		return -1;
	}
	c->saved = t;
	/* What cfmakeraw() does, spelled out: bytes in, bytes out. */
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
				 ICRNL | IXON | IXOFF);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) != 0) {
		*err = "--serial: cannot set raw mode";
		return -1;
	}
	c->restore_tty = true;
	return 0;
}

int stdio_open(struct stdio_conn *c, struct mcp_server *srv, int in_fd, int out_fd,
	       bool serial, const char **err)
{
	memset(c, 0, sizeof *c);
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->serial = serial;
	if (serial && make_raw(c, in_fd, err))
		return -1;
	c->session = mcp_session_new(srv, send_line, c);
	if (!c->session) {
		*err = "out of memory";
		return -1;
	}
	return 0;
}

static void message(struct stdio_conn *c, char *line, size_t n)
{
	if (n && line[n - 1] == '\r')
		n--;
	if (n)
		mcp_session_input(c->session, line, n, NULL);
}

void stdio_feed(struct stdio_conn *c, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = data[i];
		if (c->serial && (ch == '\0' || ch == '\r'))
			continue;
		if (ch == '\n') {
			if (c->discarding)
				c->discarding = false;
			else
				message(c, c->buf, c->len);
			c->len = 0;
			continue;
		}
		if (c->discarding)
			continue;
		if (c->len == MCP_MAX_MESSAGE) {
			c->discarding = true;
			c->len = 0;
			mcp_session_oversized(c->session);
			continue;
		}
		if (c->len == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			if (cap > MCP_MAX_MESSAGE)
				cap = MCP_MAX_MESSAGE;
			char *b = realloc(c->buf, cap);
			if (!b) {   /* treat as oversized: drop this line */
				c->discarding = true;
				c->len = 0;
				mcp_session_oversized(c->session);
				continue;
			}
			c->buf = b;
			c->cap = cap;
		}
		c->buf[c->len++] = ch;
	}
}

int stdio_readable(struct stdio_conn *c)
{
	char chunk[65536];
	ssize_t n = read(c->in_fd, chunk, sizeof chunk);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0) {
		/* A last line without a newline is still a message. */
		if (c->len && !c->discarding)
			message(c, c->buf, c->len);
		c->len = 0;
		return 0;
	}
	stdio_feed(c, chunk, (size_t)n);
	return c->broken ? 0 : 1;
}

void stdio_close(struct stdio_conn *c)
{
	if (c->restore_tty)
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
	if (c->session)
		mcp_session_free(c->session);
	free(c->buf);
	c->buf = NULL;
	c->session = NULL;
}
