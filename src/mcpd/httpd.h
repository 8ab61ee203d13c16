/*
 * httpd.h - the Streamable HTTP transport (MCP 2025-11-25, also serving the
 * older revisions' clients), on the shared epoll loop.
 *
 * One endpoint, /mcp:
 *   POST    one JSON-RPC message (or a 2025-03-26 batch).  Notifications
 *           and responses only: 202.  Requests: 200 with the answer as
 *           application/json, or as a text/event-stream when there is more
 *           than the answer to send (progress, log lines) or the answer
 *           comes later (a long tool call); the stream ends with the answer.
 *           An initialize creates a session and its answer carries
 *           Mcp-Session-Id; every later request must carry it (400 without,
 *           404 for an unknown or terminated one).
 *   GET     a text/event-stream for the session's unsolicited messages
 *           (list_changed, resource updates, log lines).
 *   DELETE  ends the session.
 *
 * Every request must carry "Authorization: Bearer <token>" unless auth is
 * off (tests).  An Origin header must name a loopback host and, when
 * listening on loopback, so must Host (DNS rebinding protection); an
 * MCP-Protocol-Version header must name a revision we speak.  Heads and
 * bodies must arrive within HTTP_IO_TIMEOUT_MS, so a stalled client only
 * costs its own connection; one that does not read its answers is dropped
 * when HTTP_MAX_OUTPUT bytes are waiting.
 */
#ifndef MCPOS_MCPD_HTTPD_H
#define MCPOS_MCPD_HTTPD_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "mcp.h"

#define HTTP_IO_TIMEOUT_MS 10000
#define HTTP_IDLE_TIMEOUT_MS 60000
#define HTTP_MAX_OUTPUT (16u << 20)
#define HTTP_MAX_CONNS 256

struct httpd;

/* addr: "PORT", "HOST:PORT" or "[V6]:PORT" (numeric; PORT 0 picks one).
 * token NULL: no authentication.  Returns NULL with *err set. */
struct httpd *httpd_open(struct mcp_server *srv, int ep, const char *addr,
			 const char *token, const char **err);
/* The address actually bound, e.g. "127.0.0.1:40123". */
const char *httpd_address(const struct httpd *h);
/* Closes connections past their deadline; returns ms until the next
 * deadline, or -1 if none. */
int httpd_sweep(struct httpd *h);
void httpd_close(struct httpd *h);

#endif
