/* jsonrpc.c - see jsonrpc.h. */
#include "jsonrpc.h"

#include <string.h>

void rpc_classify(const struct json *doc, struct rpc_msg *m)
{
	memset(m, 0, sizeof *m);
	m->kind = RPC_INVALID;
	if (!doc || doc->type != JSON_OBJECT) {
		m->error = "a JSON-RPC message must be an object";
		return;
	}
	const struct json *id = json_get(doc, "id");
	if (id && id->type != JSON_STRING && id->type != JSON_INT) {
		m->error = "id must be a string or an integer";
		return;
	}
	m->id = id;
	const char *ver = json_str(json_get(doc, "jsonrpc"));
	if (!ver || strcmp(ver, "2.0")) {
		m->error = "\"jsonrpc\" must be \"2.0\"";
		return;
	}
	const struct json *method = json_get(doc, "method");
	if (!method) {
		if (id && (json_get(doc, "result") || json_get(doc, "error"))) {
			m->kind = RPC_RESPONSE;
			return;
		}
		m->error = "\"method\" is missing";
		return;
	}
	if (method->type != JSON_STRING) {
		m->error = "\"method\" must be a string";
		return;
	}
	m->method = method->u.str.s;
	const struct json *params = json_get(doc, "params");
	if (params && params->type != JSON_OBJECT) {
		m->error = "\"params\" must be an object";
		return;
	}
	m->params = params;
	m->kind = id ? RPC_REQUEST : RPC_NOTIFICATION;
}

static void envelope(struct jw *w)
{
	jw_obj(w);
	jw_key(w, "jsonrpc");
	jw_str(w, "2.0");
}

void rpc_result_begin(struct jw *w, const struct json *id)
{
	envelope(w);
	jw_key(w, "id");
	jw_value(w, id);
	jw_key(w, "result");
}

void rpc_end(struct jw *w)
{
	jw_end_obj(w);
}

void rpc_error_begin(struct jw *w, const struct json *id, int code, const char *message)
{
	envelope(w);
	jw_key(w, "id");
	jw_value(w, id);
	jw_key(w, "error");
	jw_obj(w);
	jw_key(w, "code");
	jw_int(w, code);
	jw_key(w, "message");
	jw_str(w, message);
}

void rpc_error(struct jw *w, const struct json *id, int code, const char *message)
{
	rpc_error_begin(w, id, code, message);
	jw_end_obj(w);
	jw_end_obj(w);
}

void rpc_notification_begin(struct jw *w, const char *method)
{
	envelope(w);
	jw_key(w, "method");
	jw_str(w, method);
	jw_key(w, "params");
}
