/* mcp.c - see mcp.h. */
#include "mcp.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <time.h>

#include "jsonrpc.h"
#include "schema.h"

/* Newest first: the first is what we answer a version we do not know. */
static const char *const MCP_VERSIONS[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
};
#define BATCH_VERSION "2025-03-26"
/* The revision without sessions: every request names it in its _meta. */
#define STATELESS_VERSION "2026-07-28"
#define META_VERSION_KEY "io.modelcontextprotocol/protocolVersion"
#define UNSUPPORTED_PROTOCOL_VERSION (-32022)

static const char *const LOG_LEVELS[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
};

enum session_state { SESSION_NEW, SESSION_READY };

struct mcp_session {
	struct mcp_server *srv;
	mcp_send_fn *send;
	void *ctx;
	enum session_state state;
	const char *version;
	int log_level;
	bool log_level_set;         /* by logging/setLevel */
	char client_caps[128];      /* " sampling elicitation " ... */
	uint64_t next_request;      /* ids of our requests to the client */
	bool subscribed[MCP_MAX_RESOURCES];
	void *route;                /* of the input being handled */
	bool stateless;             /* the request being handled is 2026-07-28 */
	struct arena msg;           /* the current message and its answer */
};

struct pending_call {
	struct pending_call *next;
	struct arena arena;
	struct tool_call call;
	const struct json *id;
	const struct json *progress_token;
	void *route;
	bool stateless;             /* asked in the 2026-07-28 way */
	size_t tool;
	uint64_t due_ms;            /* monotonic time of the next step */
	uint64_t awaiting;          /* id of our request it waits on, or 0 */
};

/* ---- helpers ---------------------------------------------------------- */

static struct json *json_copy(struct arena *a, const struct json *j)
{
	struct json *c = arena_alloc(a, sizeof *c);
	if (!c)
		return NULL;
	*c = *j;
	c->next = NULL;
	if (j->key && !(c->key = arena_strndup(a, j->key, j->key_len)))
		return NULL;
	if (j->type == JSON_STRING &&
	    !(c->u.str.s = arena_strndup(a, j->u.str.s, j->u.str.len)))
		return NULL;
	if (j->type == JSON_ARRAY || j->type == JSON_OBJECT) {
		struct json **tail = &c->u.kids.head;
		for (const struct json *k = j->u.kids.head; k; k = k->next) {
			if (!(*tail = json_copy(a, k)))
				return NULL;
			tail = &(*tail)->next;
		}
	}
	return c;
}

static void send_jw(struct mcp_session *s, struct jw *w)
{
	if (w->len)
		s->send(s->ctx, s->route, w->buf, w->len);
}

/* {"jsonrpc":"2.0","id":ID,"result":{ -- and, for a request of the
 * stateless revision, the "resultType" it requires. */
static void result_obj(struct mcp_session *s, struct jw *w, const struct json *id)
{
	rpc_result_begin(w, id);
	jw_obj(w);
	if (s->stateless) {
		jw_key(w, "resultType");
		jw_str(w, "complete");
	}
}

static bool session_wants(const struct mcp_session *s, int level)
{
	return s->state == SESSION_READY && level >= s->log_level;
}

static void notify_all(struct mcp_server *srv, const char *method)
{
	struct jw w;
	jw_init(&w, 0);
	rpc_notification_begin(&w, method);
	jw_obj(&w);
	jw_end_obj(&w);
	rpc_end(&w);
	for (size_t i = 0; i < srv->nsessions; i++)
		if (srv->sessions[i]->state == SESSION_READY && !w.failed)
			send_jw(srv->sessions[i], &w);
	jw_free(&w);
}

static void resource_updated(struct mcp_server *srv, size_t r)
{
	struct jw w;
	jw_init(&w, 0);
	rpc_notification_begin(&w, "notifications/resources/updated");
	jw_obj(&w);
	jw_key(&w, "uri");
	jw_str(&w, srv->resources[r]->uri);
	jw_end_obj(&w);
	rpc_end(&w);
	for (size_t i = 0; i < srv->nsessions; i++)
		if (srv->sessions[i]->subscribed[r] && !w.failed)
			send_jw(srv->sessions[i], &w);
	jw_free(&w);
}

void mcp_log(struct mcp_server *srv, int level, const char *fmt, ...)
{
	struct mcp_log_entry *e = &srv->log[srv->log_next++ % MCP_LOG_RING];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	e->level = level;
	struct jw w;
	jw_init(&w, 0);
	rpc_notification_begin(&w, "notifications/message");
	jw_obj(&w);
	jw_key(&w, "level");
	jw_str(&w, LOG_LEVELS[level]);
	jw_key(&w, "logger");
	jw_str(&w, "mcpd");
	jw_key(&w, "data");
	jw_str(&w, e->text);
	jw_end_obj(&w);
	rpc_end(&w);
	for (size_t i = 0; i < srv->nsessions; i++)
		if (session_wants(srv->sessions[i], level) && !w.failed)
			send_jw(srv->sessions[i], &w);
	jw_free(&w);
	for (size_t r = 0; r < srv->nresources; r++)
		if (!strcmp(srv->resources[r]->uri, "mcpos://log"))
			resource_updated(srv, r);
}

/* ---- registry --------------------------------------------------------- */

static int write_tool_entry(struct mcp_server *srv, size_t i);

int mcp_server_init(struct mcp_server *srv, const struct mcp_options *opt)
{
	memset(srv, 0, sizeof *srv);
	srv->opt = *opt;
	if (!srv->opt.page_size)
		srv->opt.page_size = 50;
	arena_init(&srv->schemas, 0);
	return 0;
}

static void free_pending(struct pending_call *p)
{
	jw_free(&p->call.content);
	jw_free(&p->call.structured);
	arena_free(&p->arena);
	free(p);
}

void mcp_server_free(struct mcp_server *srv)
{
	while (srv->nsessions)
		mcp_session_free(srv->sessions[0]);
	arena_free(&srv->schemas);
}

int mcp_add_tools(struct mcp_server *srv, const struct mcp_tool *t, size_t n,
		  const char **err)
{
	static char msg[160];   /* startup only: the registry is built in main */
	for (size_t i = 0; i < n; i++) {
		if (srv->ntools == MCP_MAX_TOOLS) {
			*err = "too many tools";
			return -1;
		}
		struct json_error je;
		const struct json *in = json_parse(&srv->schemas, t[i].input_schema,
						   strlen(t[i].input_schema), &je);
		const struct json *out = NULL;
		if (in && t[i].output_schema)
			out = json_parse(&srv->schemas, t[i].output_schema,
					 strlen(t[i].output_schema), &je);
		if (!in || (t[i].output_schema && !out)) {
			snprintf(msg, sizeof msg, "tool %s: bad schema at byte %zu: %s",
				 t[i].name, je.offset, je.msg);
			*err = msg;
			return -1;
		}
		srv->input_schemas[srv->ntools] = in;
		srv->output_schemas[srv->ntools] = out;
		srv->tools[srv->ntools] = &t[i];
		if (write_tool_entry(srv, srv->ntools)) {
			*err = "out of memory";
			return -1;
		}
		srv->ntools++;
	}
	notify_all(srv, "notifications/tools/list_changed");
	return 0;
}

int mcp_add_resources(struct mcp_server *srv, const struct mcp_resource *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (srv->nresources == MCP_MAX_RESOURCES)
			return -1;
		srv->resources[srv->nresources++] = &r[i];
	}
	notify_all(srv, "notifications/resources/list_changed");
	return 0;
}

int mcp_add_prompts(struct mcp_server *srv, const struct mcp_prompt *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (srv->nprompts == MCP_MAX_PROMPTS)
			return -1;
		srv->prompts[srv->nprompts++] = &p[i];
	}
	notify_all(srv, "notifications/prompts/list_changed");
	return 0;
}

/* ---- sessions --------------------------------------------------------- */

struct mcp_session *mcp_session_new(struct mcp_server *srv, mcp_send_fn *send, void *ctx)
{
	if (srv->nsessions == MCP_MAX_SESSIONS)
		return NULL;
	struct mcp_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->srv = srv;
	s->send = send;
	s->ctx = ctx;
	s->state = SESSION_NEW;
	s->log_level = MCP_LOG_WARNING;
	/* A message's tree and answer fit in a few times its size. */
	arena_init(&s->msg, 8 * (size_t)MCP_MAX_MESSAGE);
	srv->sessions[srv->nsessions++] = s;
	return s;
}

void mcp_session_free(struct mcp_session *s)
{
	struct mcp_server *srv = s->srv;
	for (struct pending_call **pp = &srv->pending; *pp;) {
		struct pending_call *p = *pp;
		if (p->call.session == s) {
			*pp = p->next;
			free_pending(p);
		} else {
			pp = &p->next;
		}
	}
	for (size_t i = 0; i < srv->nsessions; i++)
		if (srv->sessions[i] == s) {
			srv->sessions[i] = srv->sessions[--srv->nsessions];
			break;
		}
	arena_free(&s->msg);
	free(s);
}

/* ---- tool calls ------------------------------------------------------- */

void tool_text(struct tool_call *c, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	const char *text = small;
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		char *big = arena_alloc(c->arena, (size_t)n + 1);
		if (!big) {
			c->content.failed = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		text = big;
	}
	jw_obj(&c->content);
	jw_key(&c->content, "type");
	jw_str(&c->content, "text");
	jw_key(&c->content, "text");
	jw_strn(&c->content, text, (size_t)n);
	jw_end_obj(&c->content);
}

void tool_content_json(struct tool_call *c, const char *json)
{
	jw_raw(&c->content, json, strlen(json));
}

void tool_log(struct tool_call *c, int level, const char *fmt, ...)
{
	struct mcp_session *s = c->session;
	if (s->log_level_set && level < s->log_level)
		return;
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct jw w;
	jw_init(&w, 0);
	rpc_notification_begin(&w, "notifications/message");
	jw_obj(&w);
	jw_key(&w, "level");
	jw_str(&w, LOG_LEVELS[level]);
	jw_key(&w, "logger");
	jw_str(&w, c->srv->tools[((struct pending_call *)((char *)c -
		offsetof(struct pending_call, call)))->tool]->name);
	jw_key(&w, "data");
	jw_str(&w, text);
	jw_end_obj(&w);
	rpc_end(&w);
	if (!w.failed)
		send_jw(s, &w);
	jw_free(&w);
}

static struct pending_call *pending_of(struct tool_call *c)
{
	return (struct pending_call *)((char *)c - offsetof(struct pending_call, call));
}

void tool_request(struct tool_call *c, const char *method, const char *params_json)
{
	struct mcp_session *s = c->session;
	struct pending_call *p = pending_of(c);
	p->awaiting = ++s->next_request;
	c->reply = NULL;
	struct jw w;
	jw_init(&w, 0);
	jw_obj(&w);
	jw_key(&w, "jsonrpc"); jw_str(&w, "2.0");
	jw_key(&w, "id"); jw_strf(&w, "mcpd-%llu", (unsigned long long)p->awaiting);
	jw_key(&w, "method"); jw_str(&w, method);
	jw_key(&w, "params"); jw_raw(&w, params_json, strlen(params_json));
	jw_end_obj(&w);
	if (!w.failed)
		send_jw(s, &w);
	jw_free(&w);
}

bool tool_client_can(const struct tool_call *c, const char *capability)
{
	char key[40];
	snprintf(key, sizeof key, " %s ", capability);
	return strstr(c->session->client_caps, key) != NULL;
}

/* A response from the client: the answer to some tool's tool_request(). */
static void take_reply(struct mcp_session *s, const struct json *doc)
{
	const char *id = json_str(json_get(doc, "id"));
	char *end;
	if (!id || strncmp(id, "mcpd-", 5))
		return;
	unsigned long long n = strtoull(id + 5, &end, 10);
	if (*end || !n)
		return;
	for (struct pending_call *p = s->srv->pending; p; p = p->next)
		if (p->call.session == s && p->awaiting == n) {
			p->call.reply = json_copy(&p->arena, doc);
			p->awaiting = 0;
			p->due_ms = 0;    /* run it now */
		}
}

enum tool_status tool_fail(struct tool_call *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->is_error = true;
	jw_reset(&c->structured);   /* an error result has no structured part */
	tool_text(c, "%s", msg);
	return TOOL_DONE;
}

void tool_progress(struct tool_call *c, double progress, double total, const char *message)
{
	struct pending_call *p = (struct pending_call *)((char *)c - offsetof(struct pending_call, call));
	if (!p->progress_token || !c->session)
		return;
	struct jw w;
	jw_init(&w, 0);
	rpc_notification_begin(&w, "notifications/progress");
	jw_obj(&w);
	jw_key(&w, "progressToken");
	jw_value(&w, p->progress_token);
	jw_key(&w, "progress");
	jw_double(&w, progress);
	if (total > 0) {
		jw_key(&w, "total");
		jw_double(&w, total);
	}
	if (message) {
		jw_key(&w, "message");
		jw_str(&w, message);
	}
	jw_end_obj(&w);
	rpc_end(&w);
	if (!w.failed)
		send_jw(c->session, &w);
	jw_free(&w);
}

static void write_tool_result(struct jw *w, struct pending_call *p)
{
	struct tool_call *c = &p->call;
	if (c->structured.len && !c->content.has_item[1] && !c->structured.failed) {
		/* Clients that predate structuredContent read the text. */
		jw_obj(&c->content);
		jw_key(&c->content, "type");
		jw_str(&c->content, "text");
		jw_key(&c->content, "text");
		jw_strn(&c->content, c->structured.buf, c->structured.len);
		jw_end_obj(&c->content);
	}
	jw_end_arr(&c->content);
	if (c->content.failed || c->structured.failed) {
		rpc_error(w, p->id, RPC_INTERNAL_ERROR, "tool result too large");
		return;
	}
	rpc_result_begin(w, p->id);
	jw_obj(w);
	if (p->stateless) {
		jw_key(w, "resultType");
		jw_str(w, "complete");
	}
	jw_key(w, "content");
	jw_raw(w, c->content.buf, c->content.len);
	if (c->structured.len) {
		jw_key(w, "structuredContent");
		jw_raw(w, c->structured.buf, c->structured.len);
	}
	if (c->is_error) {
		jw_key(w, "isError");
		jw_bool(w, true);
	}
	jw_end_obj(w);
	rpc_end(w);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static enum tool_status step(struct pending_call *p)
{
	p->call.again_ms = 0;
	struct mcp_session *s = p->call.session;
	void *saved = s->route;
	s->route = p->route;
	enum tool_status st = p->call.srv->tools[p->tool]->run(&p->call);
	s->route = saved;
	p->call.steps++;
	if (st == TOOL_AGAIN)
		p->due_ms = now_ms() + p->call.again_ms;
	return st;
}

int mcp_run_pending(struct mcp_server *srv)
{
	int64_t wait = -1;
	for (struct pending_call **pp = &srv->pending; *pp;) {
		struct pending_call *p = *pp;
		uint64_t now = now_ms();
		/* A cancelled call runs at once, to stop. */
		if ((p->due_ms <= now || p->call.cancelled) ? step(p) == TOOL_AGAIN : true) {
			int64_t left = p->due_ms > now ? (int64_t)(p->due_ms - now) : 0;
			if (p->call.cancelled)
				left = 0;
			if (wait < 0 || left < wait)
				wait = left;
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		if (!p->call.cancelled) {   /* a cancelled request gets no answer */
			struct jw w;
			jw_init(&w, 0);
			write_tool_result(&w, p);
			struct mcp_session *s = p->call.session;
			void *saved = s->route;
			s->route = p->route;
			send_jw(s, &w);
			s->route = saved;
			jw_free(&w);
		}
		free_pending(p);
	}
	return wait > 60000 ? 60000 : (int)wait;
}

static const struct json *param(const struct rpc_msg *m, const char *key)
{
	return json_get(m->params, key);
}

static void call_tool(struct mcp_session *s, const struct rpc_msg *m, struct jw *w,
		      bool run_to_end)
{
	struct mcp_server *srv = s->srv;
	const char *name = json_str(param(m, "name"));
	if (!name) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.name must be a string");
		return;
	}
	size_t t = 0;
	while (t < srv->ntools && strcmp(srv->tools[t]->name, name))
		t++;
	if (t == srv->ntools) {
		const char *msg = arena_printf(&s->msg, "unknown tool: %s", name);
		rpc_error(w, m->id, RPC_INVALID_PARAMS, msg ? msg : "unknown tool");
		return;
	}
	const struct json *args = param(m, "arguments");
	if (args && args->type != JSON_OBJECT) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.arguments must be an object");
		return;
	}
	struct pending_call *p = calloc(1, sizeof *p);
	if (!p) {
		rpc_error(w, m->id, RPC_INTERNAL_ERROR, "out of memory");
		return;
	}
	arena_init(&p->arena, 64u << 20);
	jw_init(&p->call.content, 16u << 20);
	jw_init(&p->call.structured, 16u << 20);
	jw_arr(&p->call.content);
	p->tool = t;
	p->route = s->route;
	p->stateless = s->stateless;
	p->call.srv = srv;
	p->call.session = s;
	p->call.arena = &p->arena;
	static const struct json empty = { .type = JSON_OBJECT };
	const struct json *tok = json_get(json_get(m->params, "_meta"), "progressToken");
	p->id = json_copy(&p->arena, m->id);
	p->call.args = args ? json_copy(&p->arena, args) : &empty;
	if (tok && (tok->type == JSON_STRING || tok->type == JSON_INT))
		p->progress_token = json_copy(&p->arena, tok);
	if (!p->id || !p->call.args || (tok && !p->progress_token)) {
		rpc_error(w, m->id, RPC_INTERNAL_ERROR, "out of memory");
		free_pending(p);
		return;
	}
	mcp_log(srv, MCP_LOG_DEBUG, "tools/call %s", name);
	const char *bad = schema_check(srv->input_schemas[t], p->call.args, "arguments", &p->arena);
	enum tool_status st;
	if (bad)
		st = tool_fail(&p->call, "invalid arguments: %s", bad);
	else
		st = step(p);
	while (st == TOOL_AGAIN && run_to_end)
		st = step(p);
	if (st == TOOL_AGAIN) {
		p->next = srv->pending;
		srv->pending = p;
		return;
	}
	write_tool_result(w, p);
	free_pending(p);
}

static void cancel_call(struct mcp_session *s, const struct rpc_msg *m)
{
	const struct json *id = param(m, "requestId");
	for (struct pending_call *p = s->srv->pending; id && p; p = p->next)
		if (p->call.session == s && json_equal(p->id, id))
			p->call.cancelled = true;
}

/* ---- list methods ----------------------------------------------------- */

/* Cursors are "i<index>": opaque to clients, checked here. */
static bool page_range(struct mcp_session *s, const struct rpc_msg *m, struct jw *w,
		       size_t total, size_t *from, size_t *to)
{
	const struct json *cur = param(m, "cursor");
	*from = 0;
	if (cur && cur->type != JSON_NULL) {
		const char *c = json_str(cur);
		char *end;
		unsigned long v = c && c[0] == 'i' ? strtoul(c + 1, &end, 10) : 0;
		if (!c || c[0] != 'i' || !c[1] || *end || v > total) {
			rpc_error(w, m->id, RPC_INVALID_PARAMS, "invalid cursor");
			return false;
		}
		*from = v;
	}
	*to = *from + s->srv->opt.page_size;
	if (*to > total)
		*to = total;
	return true;
}

static void end_page(struct jw *w, size_t to, size_t total)
{
	if (to < total) {
		jw_key(w, "nextCursor");
		jw_strf(w, "i%zu", to);
	}
	jw_end_obj(w);
	rpc_end(w);
}

static void opt_str(struct jw *w, const char *key, const char *v)
{
	if (v) {
		jw_key(w, key);
		jw_str(w, v);
	}
}

/* A tool's tools/list entry never changes, so it is written once, when
 * the tool is added: tools/list is then a concatenation. */
static int write_tool_entry(struct mcp_server *srv, size_t i)
{
	const struct mcp_tool *t = srv->tools[i];
	struct jw wb, *w = &wb;
	jw_init(w, 0);
	jw_obj(w);
	jw_key(w, "name");
	jw_str(w, t->name);
	opt_str(w, "title", t->title);
	opt_str(w, "description", t->description);
	jw_key(w, "inputSchema");
	jw_value(w, srv->input_schemas[i]);
	if (srv->output_schemas[i]) {
		jw_key(w, "outputSchema");
		jw_value(w, srv->output_schemas[i]);
	}
	jw_key(w, "annotations");
	jw_obj(w);
	opt_str(w, "title", t->title);
	jw_key(w, "readOnlyHint");
	jw_bool(w, t->read_only);
	jw_key(w, "destructiveHint");
	jw_bool(w, t->destructive);
	jw_key(w, "openWorldHint");
	jw_bool(w, false);
	jw_end_obj(w);
	jw_end_obj(w);
	char *copy = w->failed ? NULL : arena_strndup(&srv->schemas, w->buf, w->len);
	srv->tool_json[i] = copy;
	srv->tool_json_len[i] = w->len;
	jw_free(w);
	return copy ? 0 : -1;
}

static void list_tools(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	struct mcp_server *srv = s->srv;
	size_t from, to;
	if (!page_range(s, m, w, srv->ntools, &from, &to))
		return;
	result_obj(s, w, m->id);
	jw_key(w, "tools");
	jw_arr(w);
	for (size_t i = from; i < to; i++)
		jw_raw(w, srv->tool_json[i], srv->tool_json_len[i]);
	jw_end_arr(w);
	end_page(w, to, srv->ntools);
}

static void list_resources(struct mcp_session *s, const struct rpc_msg *m, struct jw *w,
			   bool templates)
{
	struct mcp_server *srv = s->srv;
	const struct mcp_resource *sel[MCP_MAX_RESOURCES];
	size_t n = 0;
	for (size_t i = 0; i < srv->nresources; i++)
		if (srv->resources[i]->is_template == templates)
			sel[n++] = srv->resources[i];
	size_t from, to;
	if (!page_range(s, m, w, n, &from, &to))
		return;
	result_obj(s, w, m->id);
	jw_key(w, templates ? "resourceTemplates" : "resources");
	jw_arr(w);
	for (size_t i = from; i < to; i++) {
		jw_obj(w);
		jw_key(w, templates ? "uriTemplate" : "uri");
		jw_str(w, sel[i]->uri);
		jw_key(w, "name");
		jw_str(w, sel[i]->name);
		opt_str(w, "title", sel[i]->title);
		opt_str(w, "description", sel[i]->description);
		opt_str(w, "mimeType", sel[i]->mime_type);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	end_page(w, to, n);
}

/* Does uri match template t, whose only variable is one "{name}" segment
 * of non-empty characters other than '/'? */
static bool template_match(const char *t, const char *uri)
{
	const char *open = strchr(t, '{'), *close = open ? strchr(open, '}') : NULL;
	if (!close)
		return !strcmp(t, uri);
	size_t pre = (size_t)(open - t), post = strlen(close + 1), n = strlen(uri);
	if (n <= pre + post || strncmp(uri, t, pre) || strcmp(uri + n - post, close + 1))
		return false;
	for (size_t i = pre; i < n - post; i++)
		if (uri[i] == '/')
			return false;
	return true;
}

static const struct mcp_resource *find_resource(struct mcp_server *srv, const char *uri,
						size_t *index)
{
	for (size_t i = 0; i < srv->nresources; i++) {
		const struct mcp_resource *r = srv->resources[i];
		if (r->is_template ? template_match(r->uri, uri) : !strcmp(r->uri, uri)) {
			if (index)
				*index = i;
			return r;
		}
	}
	return NULL;
}

/* -32002 until 2025-11-25; the stateless revision says -32602. */
#define MCP_RESOURCE_NOT_FOUND (s->stateless ? RPC_INVALID_PARAMS : -32002)

/* RFC 4648 base64, padded: how binary contents travel in JSON. */
static char *base64(struct arena *a, const unsigned char *p, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = digits[v >> 18];
		*o++ = digits[(v >> 12) & 63];
		*o++ = digits[(v >> 6) & 63];
		*o++ = digits[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		*o++ = digits[v >> 18];
		*o++ = digits[(v >> 12) & 63];
		*o++ = i + 1 < n ? digits[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static void read_resource(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	const char *uri = json_str(param(m, "uri"));
	if (!uri) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.uri must be a string");
		return;
	}
	const struct mcp_resource *r = find_resource(s->srv, uri, NULL);
	if (!r) {
		rpc_error(w, m->id, MCP_RESOURCE_NOT_FOUND, "resource not found");
		return;
	}
	size_t len = 0;
	const char *err = "cannot read resource";
	char *text = r->read(s->srv, uri, &s->msg, &len, &err);
	if (!text) {
		rpc_error(w, m->id, MCP_RESOURCE_NOT_FOUND, err);
		return;
	}
	result_obj(s, w, m->id);
	jw_key(w, "contents");
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "uri");
	jw_str(w, uri);
	opt_str(w, "mimeType", r->mime_type);
	if (r->binary) {
		char *b64 = base64(&s->msg, (const unsigned char *)text, len);
		jw_key(w, "blob");
		if (b64)
			jw_str(w, b64);
		else
			w->failed = true;
	} else {
		jw_key(w, "text");
		jw_strn(w, text, len);
	}
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
	rpc_end(w);
}

static void empty_result(struct mcp_session *s, struct jw *w, const struct json *id)
{
	result_obj(s, w, id);
	jw_end_obj(w);
	rpc_end(w);
}

static void subscribe(struct mcp_session *s, const struct rpc_msg *m, struct jw *w, bool on)
{
	const char *uri = json_str(param(m, "uri"));
	size_t i;
	if (!uri) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.uri must be a string");
		return;
	}
	const struct mcp_resource *r = find_resource(s->srv, uri, &i);
	if (!r) {
		rpc_error(w, m->id, MCP_RESOURCE_NOT_FOUND, "resource not found");
		return;
	}
	if (!r->subscribable || r->is_template) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "resource does not support subscriptions");
		return;
	}
	s->subscribed[i] = on;
	empty_result(s, w, m->id);
}

/* ---- prompts ---------------------------------------------------------- */

static const struct mcp_prompt *find_prompt(struct mcp_server *srv, const char *name)
{
	for (size_t i = 0; name && i < srv->nprompts; i++)
		if (!strcmp(srv->prompts[i]->name, name))
			return srv->prompts[i];
	return NULL;
}

static void list_prompts(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	struct mcp_server *srv = s->srv;
	size_t from, to;
	if (!page_range(s, m, w, srv->nprompts, &from, &to))
		return;
	result_obj(s, w, m->id);
	jw_key(w, "prompts");
	jw_arr(w);
	for (size_t i = from; i < to; i++) {
		const struct mcp_prompt *p = srv->prompts[i];
		jw_obj(w);
		jw_key(w, "name");
		jw_str(w, p->name);
		opt_str(w, "title", p->title);
		opt_str(w, "description", p->description);
		jw_key(w, "arguments");
		jw_arr(w);
		for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++) {
			jw_obj(w);
			jw_key(w, "name");
			jw_str(w, a->name);
			opt_str(w, "description", a->description);
			jw_key(w, "required");
			jw_bool(w, a->required);
			jw_end_obj(w);
		}
		jw_end_arr(w);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	end_page(w, to, srv->nprompts);
}

static void get_prompt(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	const struct mcp_prompt *p = find_prompt(s->srv, json_str(param(m, "name")));
	if (!p) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "unknown prompt");
		return;
	}
	static const struct json empty = { .type = JSON_OBJECT };
	const struct json *args = param(m, "arguments");
	if (!args || args->type == JSON_NULL)
		args = &empty;
	if (args->type != JSON_OBJECT) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.arguments must be an object");
		return;
	}
	for (const struct json *a = args->u.kids.head; a; a = a->next)
		if (a->type != JSON_STRING) {
			rpc_error(w, m->id, RPC_INVALID_PARAMS, "prompt arguments must be strings");
			return;
		}
	for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++)
		if (a->required && !json_get(args, a->name)) {
			const char *msg = arena_printf(&s->msg, "missing required argument: %s", a->name);
			rpc_error(w, m->id, RPC_INVALID_PARAMS, msg ? msg : "missing argument");
			return;
		}
	const char *err = "cannot render prompt";
	char *text = p->render_messages ? p->render_messages(s->srv, args, &s->msg, &err)
					: p->render(s->srv, args, &s->msg, &err);
	if (!text) {
		rpc_error(w, m->id, RPC_INTERNAL_ERROR, err);
		return;
	}
	result_obj(s, w, m->id);
	opt_str(w, "description", p->description);
	jw_key(w, "messages");
	if (p->render_messages) {
		jw_raw(w, text, strlen(text));
		jw_end_obj(w);
		rpc_end(w);
		return;
	}
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "role");
	jw_str(w, "user");
	jw_key(w, "content");
	jw_obj(w);
	jw_key(w, "type");
	jw_str(w, "text");
	jw_key(w, "text");
	jw_str(w, text);
	jw_end_obj(w);
	jw_end_obj(w);
	jw_end_arr(w);
	jw_end_obj(w);
	rpc_end(w);
}

static void complete(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	const struct json *ref = param(m, "ref"), *arg = param(m, "argument");
	const char *type = json_str(json_get(ref, "type"));
	const char *name = json_str(json_get(arg, "name"));
	const char *value = json_str(json_get(arg, "value"));
	if (!type || !name || !value) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS,
			  "params.ref.type, params.argument.name and .value are required strings");
		return;
	}
	enum { MAX_VALUES = 100 };
	const char *values[MAX_VALUES];
	size_t n = 0;
	if (!strcmp(type, "ref/prompt")) {
		const struct mcp_prompt *p = find_prompt(s->srv, json_str(json_get(ref, "name")));
		if (!p) {
			rpc_error(w, m->id, RPC_INVALID_PARAMS, "unknown prompt");
			return;
		}
		for (const struct mcp_prompt_arg *a = p->args; a && a->name; a++)
			if (!strcmp(a->name, name) && a->choices)
				for (const char *const *c = a->choices; *c && n < MAX_VALUES; c++)
					if (!strncmp(*c, value, strlen(value)))
						values[n++] = *c;
	} else if (!strcmp(type, "ref/resource")) {
		const char *uri = json_str(json_get(ref, "uri"));
		const struct mcp_resource *r = NULL;
		for (size_t i = 0; uri && i < s->srv->nresources; i++)
			if (!strcmp(s->srv->resources[i]->uri, uri))
				r = s->srv->resources[i];
		if (!r) {
			rpc_error(w, m->id, MCP_RESOURCE_NOT_FOUND, "resource not found");
			return;
		}
		if (r->complete)
			n = r->complete(s->srv, name, value, values, MAX_VALUES, &s->msg);
	} else {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.ref.type must be ref/prompt or ref/resource");
		return;
	}
	result_obj(s, w, m->id);
	jw_key(w, "completion");
	jw_obj(w);
	jw_key(w, "values");
	jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, values[i]);
	jw_end_arr(w);
	jw_key(w, "total");
	jw_int(w, (int64_t)n);
	jw_key(w, "hasMore");
	jw_bool(w, false);
	jw_end_obj(w);
	jw_end_obj(w);
	rpc_end(w);
}

/* ---- lifecycle -------------------------------------------------------- */

#define INSTRUCTIONS "This server is the whole interface of an mcpos appliance: " \
	"its tools inspect and control the machine."

/* Subscriptions and logging levels are session state: the stateless
 * revision has neither. */
static void write_capabilities(struct jw *w, bool stateless)
{
	jw_key(w, "capabilities");
	jw_obj(w);
	jw_key(w, "tools"); jw_obj(w); jw_key(w, "listChanged"); jw_bool(w, !stateless); jw_end_obj(w);
	jw_key(w, "resources"); jw_obj(w);
	jw_key(w, "subscribe"); jw_bool(w, !stateless);
	jw_key(w, "listChanged"); jw_bool(w, !stateless); jw_end_obj(w);
	jw_key(w, "prompts"); jw_obj(w); jw_key(w, "listChanged"); jw_bool(w, !stateless); jw_end_obj(w);
	if (!stateless) {
		jw_key(w, "logging"); jw_obj(w); jw_end_obj(w);
	}
	jw_key(w, "completions"); jw_obj(w); jw_end_obj(w);
	jw_end_obj(w);
}

static void write_server_info(struct jw *w)
{
	jw_obj(w);
	jw_key(w, "name"); jw_str(w, "mcpd");
	jw_key(w, "title"); jw_str(w, "mcpos machine server");
	jw_key(w, "version"); jw_str(w, "0.1.0");
	jw_end_obj(w);
}

static void discover(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	result_obj(s, w, m->id);
	jw_key(w, "supportedVersions");
	jw_arr(w);
	jw_str(w, STATELESS_VERSION);
	for (size_t i = 0; i < sizeof MCP_VERSIONS / sizeof *MCP_VERSIONS; i++)
		jw_str(w, MCP_VERSIONS[i]);
	jw_end_arr(w);
	write_capabilities(w, true);
	jw_key(w, "instructions");
	jw_str(w, INSTRUCTIONS);
	jw_key(w, "_meta");
	jw_obj(w);
	jw_key(w, "io.modelcontextprotocol/serverInfo");
	write_server_info(w);
	jw_end_obj(w);
	jw_end_obj(w);
	rpc_end(w);
}

static void initialize(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	const char *want = json_str(param(m, "protocolVersion"));
	if (!want) {
		rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.protocolVersion must be a string");
		return;
	}
	if (s->state != SESSION_NEW) {
		rpc_error(w, m->id, RPC_INVALID_REQUEST, "already initialized");
		return;
	}
	s->version = MCP_VERSIONS[0];
	for (size_t i = 0; i < sizeof MCP_VERSIONS / sizeof *MCP_VERSIONS; i++)
		if (!strcmp(want, MCP_VERSIONS[i]))
			s->version = MCP_VERSIONS[i];
	const struct json *caps = param(m, "capabilities");
	size_t o = 1;
	s->client_caps[0] = ' ';
	for (const struct json *k = caps && caps->type == JSON_OBJECT ? caps->u.kids.head : NULL; k;
	     k = k->next)
		if (k->key_len < 32 && o + k->key_len + 2 < sizeof s->client_caps) {
			memcpy(s->client_caps + o, k->key, k->key_len);
			o += k->key_len;
			s->client_caps[o++] = ' ';
		}
	s->client_caps[o] = '\0';
	/* Ready now rather than at notifications/initialized: a client may
	 * pipeline requests behind it, and nothing is lost by serving them. */
	s->state = SESSION_READY;
	result_obj(s, w, m->id);
	jw_key(w, "protocolVersion");
	jw_str(w, s->version);
	write_capabilities(w, false);
	jw_key(w, "serverInfo");
	write_server_info(w);
	jw_key(w, "instructions");
	jw_str(w, INSTRUCTIONS);
	jw_end_obj(w);
	rpc_end(w);
}

static void set_level(struct mcp_session *s, const struct rpc_msg *m, struct jw *w)
{
	const char *level = json_str(param(m, "level"));
	for (int i = 0; level && i < 8; i++)
		if (!strcmp(level, LOG_LEVELS[i])) {
			s->log_level = i;
			s->log_level_set = true;
			empty_result(s, w, m->id);
			return;
		}
	rpc_error(w, m->id, RPC_INVALID_PARAMS, "params.level must be a syslog level name");
}

/* ---- dispatch --------------------------------------------------------- */

static void handle_method(struct mcp_session *s, const struct rpc_msg *m, struct jw *w,
			  bool in_batch);

static void handle_request(struct mcp_session *s, const struct rpc_msg *m, struct jw *w,
			   bool in_batch)
{
	const char *meth = m->method;
	const struct json *ver = json_get(json_get(m->params, "_meta"), META_VERSION_KEY);
	s->stateless = false;
	if (ver) {
		/* The stateless revision: no initialize, the version in every
		 * request, and no session state to use. */
		const char *v = json_str(ver);
		if (!v || strcmp(v, STATELESS_VERSION)) {
			rpc_error_begin(w, m->id, UNSUPPORTED_PROTOCOL_VERSION, "unsupported protocol version");
			jw_key(w, "data");
			jw_obj(w);
			jw_key(w, "supported");
			jw_arr(w);
			jw_str(w, STATELESS_VERSION);
			jw_end_arr(w);
			jw_key(w, "requested");
			jw_value(w, ver);
			jw_end_obj(w);
			jw_end_obj(w);
			rpc_end(w);
			return;
		}
		if (!strcmp(meth, "initialize") || !strcmp(meth, "ping") ||
		    !strcmp(meth, "logging/setLevel") || !strcmp(meth, "resources/subscribe") ||
		    !strcmp(meth, "resources/unsubscribe")) {
			const char *msg = arena_printf(&s->msg, "%s is not part of protocol revision "
						       STATELESS_VERSION, meth);
			rpc_error(w, m->id, RPC_METHOD_NOT_FOUND, msg ? msg : "method not found");
			return;
		}
		s->stateless = true;
	} else if (!strcmp(meth, "server/discover")) {
		s->stateless = true;    /* discovery needs no version yet */
	}
	if (!strcmp(meth, "server/discover")) {
		discover(s, m, w);
		s->stateless = false;
		return;
	}
	handle_method(s, m, w, in_batch);
	s->stateless = false;
}

static void handle_method(struct mcp_session *s, const struct rpc_msg *m, struct jw *w,
			  bool in_batch)
{
	const char *meth = m->method;
	if (!strcmp(meth, "initialize")) {
		initialize(s, m, w);
		return;
	}
	if (!strcmp(meth, "ping")) {
		empty_result(s, w, m->id);
		return;
	}
	if (s->state == SESSION_NEW && !s->stateless) {
		rpc_error(w, m->id, RPC_INVALID_REQUEST, "not initialized: the first request must be initialize");
		return;
	}
	if (!strcmp(meth, "tools/list")) list_tools(s, m, w);
	else if (!strcmp(meth, "tools/call")) call_tool(s, m, w, in_batch);
	else if (!strcmp(meth, "resources/list")) list_resources(s, m, w, false);
	else if (!strcmp(meth, "resources/templates/list")) list_resources(s, m, w, true);
	else if (!strcmp(meth, "resources/read")) read_resource(s, m, w);
	else if (!strcmp(meth, "resources/subscribe")) subscribe(s, m, w, true);
	else if (!strcmp(meth, "resources/unsubscribe")) subscribe(s, m, w, false);
	else if (!strcmp(meth, "prompts/list")) list_prompts(s, m, w);
	else if (!strcmp(meth, "prompts/get")) get_prompt(s, m, w);
	else if (!strcmp(meth, "completion/complete")) complete(s, m, w);
	else if (!strcmp(meth, "logging/setLevel")) set_level(s, m, w);
	else {
		const char *msg = arena_printf(&s->msg, "method not found: %s", meth);
		rpc_error(w, m->id, RPC_METHOD_NOT_FOUND, msg ? msg : "method not found");
	}
}

static void handle_one(struct mcp_session *s, const struct json *doc, struct jw *w,
		       bool in_batch)
{
	struct rpc_msg m;
	rpc_classify(doc, &m);
	switch (m.kind) {
	case RPC_INVALID:
		rpc_error(w, m.id, RPC_INVALID_REQUEST, m.error);
		break;
	case RPC_RESPONSE:
		take_reply(s, doc);
		break;
	case RPC_NOTIFICATION:
		if (!strcmp(m.method, "notifications/cancelled"))
			cancel_call(s, &m);
		break;   /* initialized, roots/list_changed, unknown: nothing to do */
	case RPC_REQUEST:
		handle_request(s, &m, w, in_batch);
		break;
	}
}

static void send_answer(struct mcp_session *s, struct jw *w)
{
	if (w->failed) {
		jw_reset(w);
		rpc_error(w, NULL, RPC_INTERNAL_ERROR, "response too large");
	}
	send_jw(s, w);
}

size_t mcp_session_pending(struct mcp_session *s, void *route)
{
	size_t n = 0;
	for (struct pending_call *p = s->srv->pending; p; p = p->next)
		n += p->call.session == s && p->route == route;
	return n;
}

void mcp_session_drop_route(struct mcp_session *s, void *route)
{
	for (struct pending_call *p = s->srv->pending; p; p = p->next)
		if (p->call.session == s && p->route == route) {
			p->call.cancelled = true;
			p->route = NULL;
		}
	if (s->route == route)
		s->route = NULL;
}

const char *mcp_session_version(const struct mcp_session *s)
{
	return s->version;
}

void mcp_session_input(struct mcp_session *s, const char *msg, size_t len, void *route)
{
	s->route = route;
	struct jw w;
	jw_init(&w, 3 * (size_t)MCP_MAX_MESSAGE);
	arena_reset(&s->msg);
	struct json_error err;
	const struct json *doc = json_parse(&s->msg, msg, len, &err);
	if (!doc) {
		char text[120];
		snprintf(text, sizeof text, "parse error at byte %zu: %s", err.offset, err.msg);
		rpc_error(&w, NULL, RPC_PARSE_ERROR, text);
	} else if (doc->type != JSON_ARRAY) {
		handle_one(s, doc, &w, false);
	} else if (!s->version || strcmp(s->version, BATCH_VERSION)) {
		rpc_error(&w, NULL, RPC_INVALID_REQUEST,
			  "batches are only allowed in protocol revision " BATCH_VERSION);
	} else if (doc->u.kids.count == 0) {
		rpc_error(&w, NULL, RPC_INVALID_REQUEST, "empty batch");
	} else {
		/* Each answer goes in the array; notifications add nothing. */
		struct jw one;
		jw_init(&one, 3 * (size_t)MCP_MAX_MESSAGE);
		jw_arr(&w);
		for (const struct json *e = doc->u.kids.head; e; e = e->next) {
			jw_reset(&one);
			handle_one(s, e, &one, true);
			if (one.len)
				jw_raw(&w, one.buf, one.len);
			w.failed |= one.failed;
		}
		jw_end_arr(&w);
		if (!w.has_item[1])
			jw_reset(&w);
		jw_free(&one);
	}
	send_answer(s, &w);
	jw_free(&w);
	s->route = NULL;
}

void mcp_session_oversized(struct mcp_session *s)
{
	struct jw w;
	jw_init(&w, 0);
	rpc_error(&w, NULL, RPC_INVALID_REQUEST, "message too large");
	send_jw(s, &w);
	jw_free(&w);
}
