/* httpd.c - see httpd.h. */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "json.h"

struct http_session {
	struct http_session *next;
	struct httpd *h;
	char id[33];
	struct mcp_session *mcp;
	struct http_conn *stream;       /* the GET stream, if open */
};

enum conn_state {
	CONN_READING,       /* waiting for a complete request */
	CONN_STREAMING,     /* an SSE response is open */
	CONN_CLOSING,       /* write what is queued, then close */
};

struct http_conn {
	struct source src;
	struct http_conn *next;
	struct httpd *h;
	int fd;
	enum conn_state state;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_cap, out_off;
	bool want_out;                  /* registered for EPOLLOUT */
	bool peer_closed;               /* read EOF: answer what came, then close */
	uint64_t deadline;              /* 0: none */
	struct http_session *session;   /* of the open stream */
	bool is_get_stream;
	/* While a POST is being handled, the messages for it collect here. */
	bool collecting;
	struct jw collected;
	size_t ncollected;
};

struct httpd {
	struct source src;
	struct mcp_server *srv;
	int ep, fd;
	bool loopback;
	char *token;
	char address[64];
	struct http_conn *conns;
	size_t nconns;
	struct http_session *sessions;
	struct http_session *stateless;     /* for 2026-07-28 requests */
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- output ----------------------------------------------------------- */

static void conn_free(struct http_conn *c);

static void set_events(struct http_conn *c, bool out)
{
	if (c->want_out == out && !c->peer_closed)
		return;
	/* After EOF, reading is over: level-triggered EPOLLIN would spin. */
	uint32_t in = c->peer_closed ? 0 : EPOLLIN | EPOLLRDHUP;
	struct epoll_event ev = { .events = in | (out ? EPOLLOUT : 0), .data.ptr = &c->src };
	epoll_ctl(c->h->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->want_out = out;
}

/* Writes what it can; false if the connection is dead (and freed). */
static bool flush(struct http_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			set_events(c, true);
			return true;
		}
		if (n <= 0) {
			conn_free(c);
			return false;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	/* Idle connections hold no buffers: 64 clients stay cheap. */
	free(c->out);
	c->out = NULL;
	c->out_cap = 0;
	set_events(c, false);
	if (c->state == CONN_CLOSING) {
		conn_free(c);
		return false;
	}
	return true;
}

static bool queue(struct http_conn *c, const char *data, size_t n)
{
	if (c->out_len - c->out_off + n > HTTP_MAX_OUTPUT)
		return false;   /* a client that does not read: dropped by the caller */
	if (c->out_off && c->out_len + n > c->out_cap) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + n)
			cap *= 2;
		char *b = realloc(c->out, cap);
		if (!b)
			return false;
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, n);
	c->out_len += n;
	return true;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}

/* A complete response.  extra: more header lines, each ending in CRLF. */
static void respond(struct http_conn *c, int status, const char *type, const char *extra,
		    const char *body, size_t len, bool close_after)
{
	char head[512];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n%s\r\n",
			 status, reason(status), type ? "Content-Type: " : "", type ? type : "",
			 type ? "\r\n" : "", len, extra ? extra : "");
	if (close_after)
		c->state = CONN_CLOSING;
	if (n < 0 || (size_t)n >= sizeof head || !queue(c, head, (size_t)n) || !queue(c, body, len)) {
		c->state = CONN_CLOSING;
		c->out_len = c->out_off = 0;
	}
}

/* An HTTP error with a JSON-RPC error body, as clients expect. */
static void respond_error(struct http_conn *c, int status, int code, const char *msg,
			  const char *extra, bool close_after)
{
	struct jw w;
	jw_init(&w, 0);
	jw_obj(&w);
	jw_key(&w, "jsonrpc"); jw_str(&w, "2.0");
	jw_key(&w, "id"); jw_null(&w);
	jw_key(&w, "error"); jw_obj(&w);
	jw_key(&w, "code"); jw_int(&w, code);
	jw_key(&w, "message"); jw_str(&w, msg);
	jw_end_obj(&w);
	jw_end_obj(&w);
	respond(c, status, "application/json", extra, w.buf ? w.buf : "", w.len, close_after);
	jw_free(&w);
}

static bool sse_event(struct http_conn *c, const char *json, size_t len)
{
	return queue(c, "event: message\ndata: ", 21) && queue(c, json, len) && queue(c, "\n\n", 2);
}

static void start_sse(struct http_conn *c, const char *extra)
{
	char head[256];
	int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			 "Cache-Control: no-cache\r\nConnection: close\r\n%s\r\n", extra ? extra : "");
	queue(c, head, (size_t)n);
	c->state = CONN_STREAMING;
	c->deadline = 0;
}

/* ---- sessions --------------------------------------------------------- */

static void session_send(void *ctx, void *route, const char *json, size_t len);

static struct http_session *session_find(struct httpd *h, const char *id, size_t len)
{
	for (struct http_session *s = h->sessions; s; s = s->next)
		if (strlen(s->id) == len && !memcmp(s->id, id, len))
			return s;
	return NULL;
}

static struct http_session *session_new(struct httpd *h)
{
	struct http_session *s = calloc(1, sizeof *s);
	unsigned char rnd[16];
	if (!s || getrandom(rnd, sizeof rnd, 0) != sizeof rnd) {
		free(s);
		return NULL;
	}
	for (int i = 0; i < 16; i++)
		snprintf(s->id + 2 * i, 3, "%02x", rnd[i]);
	s->h = h;
	s->mcp = mcp_session_new(h->srv, session_send, s);
	if (!s->mcp) {
		free(s);
		return NULL;
	}
	s->next = h->sessions;
	h->sessions = s;
	return s;
}

static void session_free(struct http_session *s)
{
	struct httpd *h = s->h;
	for (struct http_session **pp = &h->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	/* Streams of this session end with it. */
	for (struct http_conn *c = h->conns, *nx; c; c = nx) {
		nx = c->next;           /* flush() may free c */
		if (c->session == s) {
			c->session = NULL;
			c->state = CONN_CLOSING;
			flush(c);
		}
	}
	if (h->stateless == s)
		h->stateless = NULL;
	mcp_session_free(s->mcp);
	free(s);
}

/* Ends a POST's stream once its last pending call has answered. */
static void maybe_end_stream(struct http_conn *c)
{
	if (c->state == CONN_STREAMING && !c->is_get_stream && c->session &&
	    mcp_session_pending(c->session->mcp, c) == 0) {
		c->state = CONN_CLOSING;
		flush(c);
	}
}

static void session_send(void *ctx, void *route, const char *json, size_t len)
{
	struct http_session *s = ctx;
	struct http_conn *c = route;
	if (c && c->collecting) {
		if (c->ncollected++)
			jw_bytes(&c->collected, "\n", 1);
		jw_bytes(&c->collected, json, len);
		return;
	}
	if (!c)
		c = s->stream;     /* unsolicited: the GET stream, or nowhere */
	if (!c || c->state != CONN_STREAMING)
		return;
	if (!sse_event(c, json, len)) {
		c->state = CONN_CLOSING;
		c->out_len = c->out_off = 0;
	}
	if (flush(c) && route)
		maybe_end_stream(c);
}

/* ---- requests --------------------------------------------------------- */

/* Is host (a Host value or the authority of an Origin) a loopback name? */
static bool loopback_host(const char *v, size_t n)
{
	static const char *const names[] = { "localhost", "127.0.0.1", "[::1]" };
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(names[i]);
		if (n >= k && !strncasecmp(v, names[i], k) && (n == k || v[k] == ':'))
			return true;
	}
	return false;
}

static bool origin_ok(const struct http_request *r)
{
	size_t n;
	const char *o = http_header(r, "origin", &n);
	if (!o)
		return true;    /* not a browser */
	if (n > 7 && !strncasecmp(o, "http://", 7))
		return loopback_host(o + 7, n - 7);
	if (n > 8 && !strncasecmp(o, "https://", 8))
		return loopback_host(o + 8, n - 8);
	return false;
}

static bool token_ok(const struct httpd *h, const struct http_request *r)
{
	if (!h->token)
		return true;
	size_t n;
	const char *a = http_header(r, "authorization", &n);
	size_t tl = strlen(h->token);
	if (!a || n != 7 + tl || strncasecmp(a, "Bearer ", 7))
		return false;
	unsigned char diff = 0;     /* constant time: no early exit */
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)(a[7 + i] ^ h->token[i]);
	return diff == 0;
}

static bool version_ok(const struct http_request *r)
{
	static const char *const v[] = { "2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26",
					 "2024-11-05" };
	size_t n;
	const char *h = http_header(r, "mcp-protocol-version", &n);
	if (!h)
		return true;
	for (size_t i = 0; i < 5; i++)
		if (n == strlen(v[i]) && !memcmp(h, v[i], n))
			return true;
	return false;
}

enum body_kind { BODY_BAD, BODY_INIT, BODY_STATELESS, BODY_OTHER };

/* What the body is, as far as sessions care: an initialize makes one, a
 * request of the stateless revision needs none.  *version_ok: its _meta
 * version agrees with the MCP-Protocol-Version header, if both exist. */
static enum body_kind classify(const struct http_request *r, const char *body, size_t len,
			       bool *version_ok)
{
	struct arena a;
	arena_init(&a, 8u * len + 4096);
	const struct json *j = json_parse(&a, body, len, NULL);
	const char *m = json_str(json_get(j, "method"));
	const char *v = json_str(json_get(json_get(json_get(j, "params"), "_meta"),
					  "io.modelcontextprotocol/protocolVersion"));
	size_t hn;
	const char *hv = http_header(r, "mcp-protocol-version", &hn);
	*version_ok = !v || !hv || (strlen(v) == hn && !memcmp(v, hv, hn));
	enum body_kind k = !j ? BODY_BAD
		: m && !strcmp(m, "initialize") && json_get(j, "id") ? BODY_INIT
		: v || (m && !strcmp(m, "server/discover")) ? BODY_STATELESS
		: BODY_OTHER;
	arena_free(&a);
	return k;
}

static void handle_post(struct http_conn *c, const struct http_request *r, const char *body,
			size_t len, bool close_after)
{
	struct httpd *h = c->h;
	size_t n;
	const char *ct = http_header(r, "content-type", &n);
	if (!ct || n < 16 || strncasecmp(ct, "application/json", 16)) {
		respond_error(c, 415, -32600, "Content-Type must be application/json", NULL, close_after);
		return;
	}
	if (!http_header_contains(r, "accept", "application/json") ||
	    !http_header_contains(r, "accept", "text/event-stream")) {
		respond_error(c, 406, -32600, "Accept must list application/json and text/event-stream",
			      NULL, close_after);
		return;
	}
	const char *sid = http_header(r, "mcp-session-id", &n);
	struct http_session *s = NULL;
	bool created = false, version_ok;
	enum body_kind kind = classify(r, body, len, &version_ok);
	if (!version_ok) {
		respond_error(c, 400, -32020, "MCP-Protocol-Version header does not match _meta",
			      NULL, close_after);
		return;
	}
	if (kind == BODY_INIT && !sid) {
		if (!(s = session_new(h))) {
			respond_error(c, 503, -32603, "too many sessions", NULL, close_after);
			return;
		}
		created = true;
	} else if (kind == BODY_STATELESS && !sid) {
		/* One session, never initialized, serves every stateless
		 * request: it holds no state they could see. */
		if (!h->stateless && !(h->stateless = session_new(h))) {
			respond_error(c, 503, -32603, "too many sessions", NULL, close_after);
			return;
		}
		s = h->stateless;
	} else if (!sid) {
		if (kind == BODY_BAD)
			respond_error(c, 400, -32700, "parse error: the body is not JSON", NULL, close_after);
		else
			respond_error(c, 400, -32600, "Mcp-Session-Id header required", NULL, close_after);
		return;
	} else if (!(s = session_find(h, sid, n)) || s == h->stateless) {
		respond_error(c, 404, -32600, "unknown or terminated session", NULL, close_after);
		return;
	}
	jw_reset(&c->collected);
	c->ncollected = 0;
	c->collecting = true;
	mcp_session_input(s->mcp, body, len, c);
	c->collecting = false;
	char extra[80] = "";
	if (created)
		snprintf(extra, sizeof extra, "Mcp-Session-Id: %s\r\n", s->id);
	size_t pending = mcp_session_pending(s->mcp, c);
	if (created && c->ncollected == 1 && strstr(c->collected.buf, "\"error\"") &&
	    !strstr(c->collected.buf, "\"result\"")) {
		/* initialize failed: no session after all */
		respond(c, 400, "application/json", NULL, c->collected.buf, c->collected.len, close_after);
		session_free(s);
		return;
	}
	if (!c->ncollected && !pending) {
		respond(c, 202, NULL, extra, "", 0, close_after);
		jw_free(&c->collected);
		return;
	}
	if (c->ncollected == 1 && !pending) {
		respond(c, 200, "application/json", extra, c->collected.buf, c->collected.len, close_after);
		jw_free(&c->collected);
		return;
	}
	/* More than the answer, or an answer still to come: a stream. */
	start_sse(c, extra);
	c->session = s;
	const char *p = c->collected.buf;
	for (size_t i = 0; i < c->ncollected; i++) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		sse_event(c, p, l);
		p += l + 1;
	}
	if (!pending)
		c->state = CONN_CLOSING;
	jw_free(&c->collected);
}

static void handle_request(struct http_conn *c, const struct http_request *r, const char *body)
{
	struct httpd *h = c->h;
	bool close_after = r->close;
	size_t hn;
	const char *host = http_header(r, "host", &hn);
	if (!origin_ok(r) || (h->loopback && host && !loopback_host(host, hn))) {
		respond_error(c, 403, -32600, "forbidden Origin or Host", NULL, close_after);
		return;
	}
	if (!(r->target_len == 4 && !memcmp(r->target, "/mcp", 4))) {
		respond_error(c, 404, -32600, "the MCP endpoint is /mcp", NULL, close_after);
		return;
	}
	if (!token_ok(h, r)) {
		respond_error(c, 401, -32600, "a valid bearer token is required",
			      "WWW-Authenticate: Bearer\r\n", close_after);
		return;
	}
	if (!version_ok(r)) {
		respond_error(c, 400, -32600, "unsupported MCP-Protocol-Version", NULL, close_after);
		return;
	}
	if (http_method_is(r, "POST")) {
		handle_post(c, r, body, r->content_length, close_after);
		return;
	}
	size_t n;
	const char *sid = http_header(r, "mcp-session-id", &n);
	bool get = http_method_is(r, "GET"), del = http_method_is(r, "DELETE");
	if (!get && !del) {
		respond_error(c, 405, -32600, "method not allowed",
			      "Allow: GET, POST, DELETE\r\n", close_after);
		return;
	}
	struct http_session *s = sid ? session_find(h, sid, n) : NULL;
	if (!sid) {
		respond_error(c, 400, -32600, "Mcp-Session-Id header required", NULL, close_after);
		return;
	}
	if (!s) {
		respond_error(c, 404, -32600, "unknown or terminated session", NULL, close_after);
		return;
	}
	if (del) {
		session_free(s);
		respond(c, 200, NULL, NULL, "", 0, close_after);
		return;
	}
	if (!http_header_contains(r, "accept", "text/event-stream")) {
		respond_error(c, 406, -32600, "Accept must list text/event-stream", NULL, close_after);
		return;
	}
	if (s->stream) {
		respond_error(c, 409, -32600, "this session already has a GET stream", NULL, close_after);
		return;
	}
	start_sse(c, NULL);
	c->session = s;
	c->is_get_stream = true;
	s->stream = c;
	/* A comment line: lets the client see the stream is open. */
	queue(c, ": stream open\n\n", 15);
}

/* ---- connections ------------------------------------------------------ */

static void conn_free(struct http_conn *c)
{
	struct httpd *h = c->h;
	for (struct http_conn **pp = &h->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			h->nconns--;
			break;
		}
	if (c->session) {
		if (c->session->stream == c)
			c->session->stream = NULL;
		mcp_session_drop_route(c->session->mcp, c);
	}
	/* Calls routed here from sessions that did not keep it either. */
	for (struct http_session *s = h->sessions; s; s = s->next)
		mcp_session_drop_route(s->mcp, c);
	epoll_ctl(h->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	jw_free(&c->collected);
	free(c->in);
	free(c->out);
	free(c);
}

static void conn_ready(struct source *src, uint32_t events)
{
	struct http_conn *c = (struct http_conn *)src;
	if (events & EPOLLOUT) {
		if (!flush(c))
			return;
	}
	if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		if (c->in_len == c->in_cap) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
			if (cap > HTTP_MAX_HEAD + MCP_MAX_MESSAGE)
				cap = HTTP_MAX_HEAD + MCP_MAX_MESSAGE;
			if (cap == c->in_cap) {
				c->state = CONN_CLOSING;
				respond_error(c, 413, -32600, "message too large", NULL, true);
				flush(c);
				return;
			}
			char *b = realloc(c->in, cap);
			if (!b) {
				conn_free(c);
				return;
			}
			c->in = b;
			c->in_cap = cap;
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			conn_free(c);
			return;
		}
		if (n == 0) {
			c->peer_closed = true;
			set_events(c, c->want_out);
			break;
		}
		if (c->state != CONN_READING) {
			c->in_len = 0;   /* nothing more is read on a stream */
			continue;
		}
		if (!c->in_len && !c->deadline)
			c->deadline = loop_now_ms() + HTTP_IO_TIMEOUT_MS;
		c->in_len += (size_t)n;
	}
	/* Serve every complete request in the buffer (pipelining). */
	while (c->state == CONN_READING && c->in_len) {
		struct http_request r;
		int status;
		const char *why;
		int rc = http_parse_head(c->in, c->in_len, &r, &status, &why);
		if (rc == 0)
			break;
		if (rc < 0) {
			respond_error(c, status, -32600, why, NULL, true);
			break;
		}
		if (r.content_length > MCP_MAX_MESSAGE) {
			respond_error(c, 413, -32600, "message too large", NULL, true);
			break;
		}
		size_t total = r.head_len + r.content_length;
		if (c->in_len < total)
			break;
		handle_request(c, &r, c->in + r.head_len);
		memmove(c->in, c->in + total, c->in_len - total);
		c->in_len -= total;
		c->deadline = c->in_len ? loop_now_ms() + HTTP_IO_TIMEOUT_MS
					: loop_now_ms() + HTTP_IDLE_TIMEOUT_MS;
	}
	/* A peer that closed its side gets its answers, then we close too;
	 * an open stream goes on (its calls may still answer). */
	if (c->peer_closed && c->state == CONN_READING)
		c->state = CONN_CLOSING;
	if (!c->in_len) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
	flush(c);
}

static void listener_ready(struct source *src, uint32_t events)
{
	struct httpd *h = (struct httpd *)src;
	for (;;) {
		int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;   /* EAGAIN, or a transient error: try at the next event */
		struct http_conn *c = h->nconns < HTTP_MAX_CONNS ? calloc(1, sizeof *c) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->src.ready = conn_ready;
		c->h = h;
		c->fd = fd;
		c->deadline = loop_now_ms() + HTTP_IO_TIMEOUT_MS;
		jw_init(&c->collected, 3 * (size_t)MCP_MAX_MESSAGE);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = &c->src };
		if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			jw_free(&c->collected);
			free(c);
			continue;
		}
		c->next = h->conns;
		h->conns = c;
		h->nconns++;
	}
}

int httpd_sweep(struct httpd *h)
{
	uint64_t now = loop_now_ms();
	int64_t next = -1;
	for (struct http_conn *c = h->conns, *nx; c; c = nx) {
		nx = c->next;
		if (!c->deadline || c->state == CONN_STREAMING)
			continue;
		if (c->deadline <= now) {
			conn_free(c);   /* stalled mid-request, or idle too long */
			continue;
		}
		if (next < 0 || (int64_t)(c->deadline - now) < next)
			next = (int64_t)(c->deadline - now);
	}
	return (int)next;
}

struct httpd *httpd_open(struct mcp_server *srv, int ep, const char *addr,
			 const char *token, const char **err)
{
	char host[64] = "127.0.0.1";
	const char *port = addr;
	const char *colon = strrchr(addr, ':');
	if (colon) {
		size_t n = (size_t)(colon - addr);
		if (n && addr[0] == '[' && addr[n - 1] == ']') {
			addr++;
			n -= 2;
		}
		if (n >= sizeof host) {
			*err = "--http: address too long";
			return NULL;
		}
		if (n) {
			memcpy(host, addr, n);
			host[n] = '\0';
		}
		port = colon + 1;
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535) {
		*err = "--http: expected PORT, HOST:PORT or [V6]:PORT";
		return NULL;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t sl;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		sl = sizeof *s6;
	} else {
		*err = "--http: the host must be a numeric IPv4 or IPv6 address";
		return NULL;
	}
	struct httpd *h = calloc(1, sizeof *h);
	if (!h) {
		*err = "out of memory";
		return NULL;
	}
	h->src.ready = listener_ready;
	h->srv = srv;
	h->ep = ep;
	h->token = token ? strdup(token) : NULL;
	h->loopback = ss.ss_family == AF_INET ? (ntohl(s4->sin_addr.s_addr) >> 24) == 127
					      : IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	int one = 1;
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &h->src };
	if (h->fd < 0 || setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(h->fd, (struct sockaddr *)&ss, sl) || listen(h->fd, 128) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &ev)) {
		*err = strerror(errno);
		if (h->fd >= 0)
			close(h->fd);
		free(h->token);
		free(h);
		return NULL;
	}
	sl = sizeof ss;
	getsockname(h->fd, (struct sockaddr *)&ss, &sl);
	char ip[INET6_ADDRSTRLEN];
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
		snprintf(h->address, sizeof h->address, "%s:%u", ip, ntohs(s4->sin_port));
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
		snprintf(h->address, sizeof h->address, "[%s]:%u", ip, ntohs(s6->sin6_port));
	}
	return h;
}

const char *httpd_address(const struct httpd *h)
{
	return h->address;
}

void httpd_close(struct httpd *h)
{
	while (h->conns)
		conn_free(h->conns);
	while (h->sessions)
		session_free(h->sessions);
	epoll_ctl(h->ep, EPOLL_CTL_DEL, h->fd, NULL);
	close(h->fd);
	free(h->token);
	free(h);
}
