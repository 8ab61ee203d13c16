/* unixd.c - see unixd.h. */
#include "unixd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "stdio_conn.h"

struct unix_conn {
	struct source src;
	struct unix_conn *next;
	struct unixd *u;
	struct stdio_conn lines;    /* input framing and the session */
	char *out;
	size_t out_len, out_cap, out_off;
	bool want_out, dead;
};

struct unixd {
	struct source src;
	struct mcp_server *srv;
	int ep, fd;
	char path[108];
	struct unix_conn *conns;
	size_t nconns;
};

static void conn_free(struct unix_conn *c)
{
	struct unixd *u = c->u;
	for (struct unix_conn **pp = &u->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			u->nconns--;
			break;
		}
	epoll_ctl(u->ep, EPOLL_CTL_DEL, c->lines.in_fd, NULL);
	close(c->lines.in_fd);
	stdio_close(&c->lines);
	free(c->out);
	free(c);
}

static void set_out(struct unix_conn *c, bool out)
{
	if (c->want_out == out)
		return;
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = &c->src };
	epoll_ctl(c->u->ep, EPOLL_CTL_MOD, c->lines.in_fd, &ev);
	c->want_out = out;
}

static void flush(struct unix_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->lines.in_fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			set_out(c, true);
			return;
		}
		if (n <= 0) {
			c->dead = true;
			shutdown(c->lines.in_fd, SHUT_RDWR);   /* so ready() runs and frees it */
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	set_out(c, false);
}

/* Session output: queued, then written as far as the socket takes it.
 * Freeing happens in ready(), never in here: the session is mid-call. */
static void send_line(void *ctx, void *route, const char *json, size_t len)
{
	struct unix_conn *c = ctx;
	if (c->dead)
		return;
	if (c->out_len - c->out_off + len + 1 > UNIX_MAX_OUTPUT) {
		c->dead = true;    /* not reading: drop it */
		shutdown(c->lines.in_fd, SHUT_RDWR);
		return;
	}
	if (c->out_len + len + 1 > c->out_cap) {
		if (c->out_off) {
			memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len + 1)
			cap *= 2;
		char *b = realloc(c->out, cap);
		if (!b) {
			c->dead = true;
			return;
		}
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, json, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	flush(c);
}

static void conn_ready(struct source *src, uint32_t events)
{
	struct unix_conn *c = (struct unix_conn *)src;
	if (events & EPOLLOUT)
		flush(c);
	if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		char chunk[65536];
		ssize_t n = recv(c->lines.in_fd, chunk, sizeof chunk, 0);
		if (n > 0)
			stdio_feed(&c->lines, chunk, (size_t)n);
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->dead = true;
	}
	if (c->dead)
		conn_free(c);
}

static void listener_ready(struct source *src, uint32_t events)
{
	struct unixd *u = (struct unixd *)src;
	for (;;) {
		int fd = accept4(u->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct ucred cred;
		socklen_t cl = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) ||
		    (cred.uid != 0 && cred.uid != geteuid())) {
			static const char refusal[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
				"{\"code\":-32600,\"message\":\"permission denied: only root and mcpd's "
				"user may connect\"}}\n";
			ssize_t ignored = send(fd, refusal, sizeof refusal - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)ignored;
			close(fd);
			continue;
		}
		struct unix_conn *c = u->nconns < UNIX_MAX_CONNS ? calloc(1, sizeof *c) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		c->src.ready = conn_ready;
		c->u = u;
		c->lines.in_fd = c->lines.out_fd = fd;
		c->lines.queue_fd = -1;    /* output is queued here, not there */
		c->lines.session = mcp_session_new(u->srv, send_line, c);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->src };
		if (!c->lines.session || epoll_ctl(u->ep, EPOLL_CTL_ADD, fd, &ev)) {
			stdio_close(&c->lines);
			close(fd);
			free(c);
			continue;
		}
		c->next = u->conns;
		u->conns = c;
		u->nconns++;
	}
}

struct unixd *unixd_open(struct mcp_server *srv, int ep, const char *path, const char **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		*err = "socket path too long";
		return NULL;
	}
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			*err = "path exists and is not a socket";
			return NULL;
		}
		unlink(path);    /* left by an earlier run */
	}
	struct unixd *u = calloc(1, sizeof *u);
	if (!u) {
		*err = "out of memory";
		return NULL;
	}
	u->src.ready = listener_ready;
	u->srv = srv;
	u->ep = ep;
	strcpy(u->path, path);
	u->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &u->src };
	mode_t old = umask(0117);    /* the socket file: 0660 */
	int rc = u->fd < 0 ? -1 : bind(u->fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc || listen(u->fd, 64) || epoll_ctl(ep, EPOLL_CTL_ADD, u->fd, &ev)) {
		*err = strerror(errno);
		if (u->fd >= 0)
			close(u->fd);
		free(u);
		return NULL;
	}
	return u;
}

void unixd_close(struct unixd *u)
{
	while (u->conns)
		conn_free(u->conns);
	epoll_ctl(u->ep, EPOLL_CTL_DEL, u->fd, NULL);
	close(u->fd);
	unlink(u->path);
	free(u);
}
