/*
 * mcp.h - the Model Context Protocol server core, independent of transport.
 *
 * A transport (stdio, serial console, ...) owns connections; for each one
 * it makes a session and hands it every complete message:
 *
 *     struct mcp_session *s = mcp_session_new(&srv, send_line, conn);
 *     mcp_session_input(s, line, len);     (answers go out through send_line)
 *     ...
 *     while (mcp_run_pending(&srv)) poll other input with a zero timeout;
 *     mcp_session_free(s);
 *
 * The core speaks JSON-RPC 2.0 and the MCP revisions in MCP_VERSIONS: it
 * negotiates the revision in initialize (answering with its newest one when
 * the client asks for one it does not know), refuses everything but ping
 * before initialize, accepts batches only in the revision that had them
 * (2025-03-26), and answers bad input with the JSON-RPC error it deserves
 * (-32700 for text that is not JSON, -32600 for a bad envelope, ...).
 *
 * It also serves the stateless revision 2026-07-28 on the same session:
 * a request whose params._meta names "io.modelcontextprotocol/
 * protocolVersion" is answered without initialize (with "resultType"),
 * server/discover lists every revision, and the session-only methods
 * (initialize, ping, logging/setLevel, resources/subscribe) are refused
 * for it.  Other versions in _meta get -32022 with the supported list.
 *
 * Features are tables: a module describes its tools, resources and prompts
 * with the structs below and adds them with mcp_add_tools() and friends.
 * A tool's handler runs on the event loop, so it must not block: a long
 * job returns TOOL_AGAIN and is called again (call->steps counts the
 * calls, call->again_ms delays the next one) after the loop has looked at
 * other input, which is where notifications/cancelled arrives and sets
 * call->cancelled.  Meanwhile it
 * may report progress with tool_progress(), log with tool_log(), or ask
 * the client something with tool_request() (sampling, elicitation) and
 * find the answer in call->reply when it runs next.
 */
#ifndef MCPOS_MCPD_MCP_H
#define MCPOS_MCPD_MCP_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "json.h"

#define MCP_LATEST_VERSION "2025-11-25"
#define MCP_MAX_TOOLS 64
#define MCP_MAX_RESOURCES 32
#define MCP_MAX_PROMPTS 16
#define MCP_MAX_SESSIONS 64
#define MCP_MAX_MESSAGE (4u << 20)     /* bytes in one message */
#define MCP_LOG_RING 64

struct mcp_server;
struct mcp_session;

/* ---- tools ------------------------------------------------------------ */

enum tool_status { TOOL_DONE, TOOL_AGAIN };

struct tool_call {
	struct mcp_server *srv;
	struct mcp_session *session;
	const struct json *args;    /* checked against inputSchema; {} if absent */
	struct arena *arena;        /* lives as long as the call */
	struct jw content;          /* inside the "content" array: tool_text() */
	struct jw structured;       /* one object: structuredContent, if any */
	bool is_error;
	bool cancelled;             /* the client gave up: stop, return TOOL_DONE */
	unsigned steps;             /* how many times the handler ran before */
	unsigned again_ms;          /* with TOOL_AGAIN: run again after this long */
	void *state;                /* the handler's, in the arena */
	/* The client's answer to tool_request(): the whole response message
	 * (look at its "result" or "error"), NULL while none came. */
	const struct json *reply;
};

struct mcp_tool {
	const char *name;
	const char *title;
	const char *description;
	const char *input_schema;   /* JSON text */
	const char *output_schema;  /* JSON text or NULL */
	bool read_only, destructive;
	enum tool_status (*run)(struct tool_call *call);
};

/* Appends a text content item. */
void tool_text(struct tool_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Marks the result as an error and says why (a tool error, not a
 * protocol error: the model sees it and can correct itself). */
enum tool_status tool_fail(struct tool_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends a content item given as JSON text (image, audio, resource...). */
void tool_content_json(struct tool_call *c, const char *json);
/* notifications/message to the calling session only: a tool's own log
 * lines, sent at any level unless the client chose a level. */
void tool_log(struct tool_call *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sends a request to the client (sampling/createMessage,
 * elicitation/create, ...); its answer lands in c->reply and the call runs
 * again then.  params_json: the params object as JSON text. */
void tool_request(struct tool_call *c, const char *method, const char *params_json);
/* Did the client declare this capability ("sampling", "elicitation",
 * "roots") at initialize? */
bool tool_client_can(const struct tool_call *c, const char *capability);
/* notifications/progress, if the client asked for progress. */
void tool_progress(struct tool_call *c, double progress, double total,
		   const char *message);

/* ---- resources -------------------------------------------------------- */

struct mcp_resource {
	const char *uri;            /* or, with is_template, an RFC 6570 template */
	const char *name;
	const char *title;
	const char *description;
	const char *mime_type;
	bool is_template;           /* uri like "mcpos://proc/{pid}/status" */
	bool binary;                /* read() gives bytes: sent base64 as "blob" */
	bool subscribable;
	/* The contents of uri as text; NULL and *err set if it cannot be read. */
	char *(*read)(struct mcp_server *srv, const char *uri, struct arena *a,
		      size_t *len, const char **err);
	/* Completion of a template variable: values starting with prefix. */
	size_t (*complete)(struct mcp_server *srv, const char *var, const char *prefix,
			   const char **out, size_t max, struct arena *a);
};

/* ---- prompts ---------------------------------------------------------- */

struct mcp_prompt_arg {
	const char *name;
	const char *description;
	bool required;
	const char *const *choices; /* NULL-terminated, offered by completion */
};

struct mcp_prompt {
	const char *name;
	const char *title;
	const char *description;
	const struct mcp_prompt_arg *args;   /* terminated by a NULL name */
	/* The user message text; NULL and *err set on failure. */
	char *(*render)(struct mcp_server *srv, const struct json *args,
			struct arena *a, const char **err);
	/* Or, instead, the whole "messages" array as JSON text. */
	char *(*render_messages)(struct mcp_server *srv, const struct json *args,
				 struct arena *a, const char **err);
};

/* ---- the server ------------------------------------------------------- */

struct mcp_options {
	const char *config_path;    /* /run/mcpos/config.json */
	const char *boot_path;      /* /run/mcpos/boot.json */
	const char *const *file_roots;  /* NULL-terminated */
	size_t page_size;           /* items per list page */
	bool is_system_service;     /* may power off the machine */
};

struct mcp_log_entry {
	int level;
	char text[200];
};

struct mcp_server {
	struct mcp_options opt;
	struct arena schemas;       /* parsed input/output schemas */
	const struct mcp_tool *tools[MCP_MAX_TOOLS];
	const struct json *input_schemas[MCP_MAX_TOOLS];
	const struct json *output_schemas[MCP_MAX_TOOLS];
	const char *tool_json[MCP_MAX_TOOLS];    /* each tools/list entry, written once */
	size_t tool_json_len[MCP_MAX_TOOLS];
	size_t ntools;
	const struct mcp_resource *resources[MCP_MAX_RESOURCES];
	size_t nresources;
	const struct mcp_prompt *prompts[MCP_MAX_PROMPTS];
	size_t nprompts;
	struct mcp_session *sessions[MCP_MAX_SESSIONS];
	size_t nsessions;
	struct pending_call *pending;   /* tools that returned TOOL_AGAIN */
	struct mcp_log_entry log[MCP_LOG_RING];
	unsigned log_next;              /* total entries ever logged */
};

/* Returns 0, or -1 with *err set (bad schema text, table full). */
int mcp_server_init(struct mcp_server *srv, const struct mcp_options *opt);
void mcp_server_free(struct mcp_server *srv);
int mcp_add_tools(struct mcp_server *srv, const struct mcp_tool *t, size_t n,
		  const char **err);
int mcp_add_resources(struct mcp_server *srv, const struct mcp_resource *r, size_t n);
int mcp_add_prompts(struct mcp_server *srv, const struct mcp_prompt *p, size_t n);
/* Runs every pending tool call that is due; returns how many milliseconds
 * until the next one is due (0: at once), or -1 when none is pending. */
int mcp_run_pending(struct mcp_server *srv);

/* Log levels, as in syslog and MCP's logging/setLevel. */
enum { MCP_LOG_DEBUG, MCP_LOG_INFO, MCP_LOG_NOTICE, MCP_LOG_WARNING,
       MCP_LOG_ERROR, MCP_LOG_CRITICAL, MCP_LOG_ALERT, MCP_LOG_EMERGENCY };
/* Records a line in the log ring (the mcpos://log resource) and sends it
 * as notifications/message to every session whose level admits it. */
void mcp_log(struct mcp_server *srv, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sends one complete JSON message (no framing) to the peer.  route is what
 * the transport passed with the input this message answers or belongs to
 * (for HTTP: the POST whose response stream carries it; a tool call keeps
 * its route until it ends), or NULL for a message of the server's own
 * (list_changed, log lines for another session's doing...). */
typedef void mcp_send_fn(void *ctx, void *route, const char *json, size_t len);

struct mcp_session *mcp_session_new(struct mcp_server *srv, mcp_send_fn *send, void *ctx);
void mcp_session_free(struct mcp_session *s);
/* One message as received (a JSON text, or a batch in 2025-03-26). */
void mcp_session_input(struct mcp_session *s, const char *msg, size_t len, void *route);
/* How many tool calls of this session with this route are still running. */
size_t mcp_session_pending(struct mcp_session *s, void *route);
/* Forgets a route that is gone (an HTTP response stream that closed): the
 * calls that used it are cancelled. */
void mcp_session_drop_route(struct mcp_session *s, void *route);
/* Negotiated revision, NULL before initialize. */
const char *mcp_session_version(const struct mcp_session *s);
/* A message that was too large to keep: answered with -32600. */
void mcp_session_oversized(struct mcp_session *s);

#endif
