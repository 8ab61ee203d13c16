/* stdio_conn.c - see stdio_conn.h. */
#include "stdio_conn.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

/* Blocking write of the whole iovec; false if the peer is gone. */
static bool write_all(int fd, struct iovec *v, int n_iov)
{
	while (n_iov) {
		ssize_t n = writev(fd, v, n_iov);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
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
	return true;
}

/* A non-blocking write to the queue fd. */
static ssize_t out_writev(struct stdio_conn *c, struct iovec *iov, int n)
{
	if (!c->queue_is_socket)
		return writev(c->queue_fd, iov, n);
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	return sendmsg(c->queue_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void want_out(struct stdio_conn *c, bool on)
{
	if (c->want_out == on)
		return;
	struct epoll_event ev = { .events = on ? EPOLLOUT : 0, .data.ptr = &c->out_src };
	epoll_ctl(c->ep, EPOLL_CTL_MOD, c->queue_fd, &ev);
	c->want_out = on;
}

/* Writes queued output as far as the peer takes it. */
static void drain(struct stdio_conn *c)
{
	while (c->out_off < c->out_len) {
		struct iovec one = { c->out + c->out_off, c->out_len - c->out_off };
		ssize_t n = out_writev(c, &one, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			want_out(c, true);
			return;
		}
		if (n <= 0) {
			c->broken = true;
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	want_out(c, false);
}

static void out_ready(struct source *src, uint32_t events)
{
	struct stdio_conn *c = (struct stdio_conn *)((char *)src - offsetof(struct stdio_conn, out_src));
	drain(c);
}

static void send_line(void *ctx, void *route, const char *json, size_t len)
{
	struct stdio_conn *c = ctx;
	if (c->broken)
		return;
	/* The message and its newline in one writev, so lines never
	 * interleave and nothing is copied. */
	struct iovec iov[2] = { { (void *)json, len }, { "\n", 1 } };
	if (c->queue_fd < 0) {
		if (!write_all(c->out_fd, iov, 2))
			c->broken = true;
		return;
	}
	size_t done = 0;
	if (c->out_len == c->out_off) {   /* nothing queued: try at once */
		ssize_t n;
		do
			n = out_writev(c, iov, 2);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN) {
			c->broken = true;
			return;
		}
		done = n > 0 ? (size_t)n : 0;
		if (done == len + 1)
			return;
	}
	size_t rest = len + 1 - done;
	if (c->out_len - c->out_off + rest > STDIO_MAX_OUTPUT && done == 0) {
		c->dropped++;   /* nobody reads: losing a message beats stalling */
		return;
	}
	if (c->out_len + rest > c->out_cap) {
		if (c->out_off) {
			memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + rest)
			cap *= 2;
		char *b = realloc(c->out, cap);
		if (!b) {
			c->broken = true;
			return;
		}
		c->out = b;
		c->out_cap = cap;
	}
	if (done < len) {
		memcpy(c->out + c->out_len, json + done, len - done);
		c->out_len += len - done;
	}
	c->out[c->out_len++] = '\n';
	want_out(c, true);
}

/* A private non-blocking description of fd, registered with ep, or -1. */
static int open_queue_fd(struct stdio_conn *c, int fd, int ep)
{
	struct stat st;
	int q;
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
		q = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		c->queue_is_socket = true;
	} else {
		char path[40];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		q = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	if (q < 0)
		return -1;
	struct epoll_event ev = { .events = 0, .data.ptr = &c->out_src };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev)) {   /* a regular file */
		close(q);
		return -1;
	}
	return q;
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
	       bool serial, int ep, const char **err)
{
	memset(c, 0, sizeof *c);
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->serial = serial;
	c->ep = ep;
	c->out_src.ready = out_ready;
	c->queue_fd = ep >= 0 ? open_queue_fd(c, out_fd, ep) : -1;
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
	if (c->queue_fd >= 0) {
		/* Last answers out, but never wait forever on a stalled peer. */
		for (int tries = 0; tries < 50 && !c->broken && c->out_off < c->out_len; tries++) {
			struct pollfd pfd = { .fd = c->queue_fd, .events = POLLOUT };
			if (poll(&pfd, 1, 100) > 0)
				drain(c);
		}
		epoll_ctl(c->ep, EPOLL_CTL_DEL, c->queue_fd, NULL);
		close(c->queue_fd);
		c->queue_fd = -1;
	}
	free(c->out);
	c->out = NULL;
	if (c->restore_tty)
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
	if (c->session)
		mcp_session_free(c->session);
	free(c->buf);
	c->buf = NULL;
	c->session = NULL;
}
