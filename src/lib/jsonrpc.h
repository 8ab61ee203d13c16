/*
 * jsonrpc.h - JSON-RPC 2.0 messages: classify a parsed message, write
 * responses and notifications.
 *
 * rpc_classify() checks a parsed value against the JSON-RPC 2.0 envelope
 * as MCP narrows it: "jsonrpc" must be "2.0"; an id, when present, must be
 * a string or an integer (MCP forbids null ids); "method" a string;
 * "params", when present, an object (MCP never uses positional params).
 * A message with "result" or "error" and no method is a response.  What is
 * wrong is said in msg->error, and msg->id is kept when it was usable so
 * the error response can still name the request.
 *
 *     struct rpc_msg m;
 *     rpc_classify(doc, &m);
 *     if (m.kind == RPC_INVALID)
 *         rpc_error(&w, m.id, RPC_INVALID_REQUEST, m.error);
 */
#ifndef MCPOS_JSONRPC_H
#define MCPOS_JSONRPC_H

#include "json.h"

enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
};

enum rpc_kind { RPC_INVALID, RPC_REQUEST, RPC_NOTIFICATION, RPC_RESPONSE };

struct rpc_msg {
	enum rpc_kind kind;
	const struct json *id;       /* NULL for notifications and unusable ids */
	const char *method;
	const struct json *params;   /* NULL when absent */
	const char *error;           /* why RPC_INVALID */
};

void rpc_classify(const struct json *doc, struct rpc_msg *m);

/* {"jsonrpc":"2.0","id":ID,"result": -- the caller writes the result value
 * and then calls rpc_end(). */
void rpc_result_begin(struct jw *w, const struct json *id);
void rpc_end(struct jw *w);
/* A whole error response; a NULL id writes "id":null. */
void rpc_error(struct jw *w, const struct json *id, int code, const char *message);
/* An error response left open after "message", for a "data" member: the
 * caller writes it, closes the error object (jw_end_obj) and calls rpc_end. */
void rpc_error_begin(struct jw *w, const struct json *id, int code, const char *message);
/* {"jsonrpc":"2.0","method":METHOD,"params": -- then the params, rpc_end(). */
void rpc_notification_begin(struct jw *w, const char *method);

#endif
