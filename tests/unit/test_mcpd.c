/* test_mcpd.c - the MCP core (src/mcpd/mcp.c) driven message by message,
 * with the test tools and a small resource and prompt table. */
#include <stdlib.h>

#include "arena.h"
#include "check.h"
#include "json.h"
#include "mcpd/mcp.h"
#include "mcpd/schema.h"
#include "mcpd/conformance.h"
#include "mcpd/testing.h"

/* Everything the server sent since the last call to take(), one message
 * per array element. */
static struct jw OUT;
static struct arena A;

static void capture(void *ctx, void *route, const char *json, size_t len)
{
	(void)ctx;
	if (OUT.len)
		jw_bytes(&OUT, ",", 1);
	jw_bytes(&OUT, json, len);
}

static const struct json *take(void)
{
	struct jw w;
	jw_init(&w, 0);
	jw_bytes(&w, "[", 1);
	jw_bytes(&w, OUT.buf ? OUT.buf : "", OUT.len);
	jw_bytes(&w, "]", 1);
	const struct json *j = json_parse(&A, w.buf, w.len, NULL);
	jw_free(&w);
	jw_reset(&OUT);
	return j;
}

static const struct json *send_msg(struct mcp_session *s, const char *msg)
{
	mcp_session_input(s, msg, strlen(msg), NULL);
	return take();
}

/* The only message sent, or NULL if not exactly one. */
static const struct json *one(const struct json *msgs)
{
	return msgs && msgs->u.kids.count == 1 ? msgs->u.kids.head : NULL;
}

static int64_t error_code(const struct json *m)
{
	int64_t c = 0;
	json_int(json_get(json_get(m, "error"), "code"), &c);
	return c;
}

static const struct json *result(const struct json *m)
{
	return json_get(m, "result");
}

static char *read_text(struct mcp_server *srv, const char *uri, struct arena *a,
		       size_t *len, const char **err)
{
	if (!strcmp(uri, "test://item/missing")) {
		*err = "gone";
		return NULL;
	}
	char *t = arena_printf(a, "contents of %s", uri);
	*len = strlen(t);
	return t;
}

static const struct mcp_resource RES[] = {
	{ .uri = "test://a", .name = "a", .mime_type = "text/plain", .read = read_text },
	{ .uri = "test://log", .name = "log", .subscribable = true, .read = read_text },
	{ .uri = "test://item/{id}", .name = "item", .is_template = true, .read = read_text },
};

static char *render(struct mcp_server *srv, const struct json *args, struct arena *a,
		    const char **err)
{
	return arena_printf(a, "hello %s", json_str(json_get(args, "who")));
}

static const char *const WHO[] = { "world", "wombat", "zebra", NULL };
static const struct mcp_prompt_arg ARGS[] = {
	{ .name = "who", .required = true, .choices = WHO },
	{ 0 },
};
static const struct mcp_prompt PROMPTS[] = {
	{ .name = "greet", .description = "says hello", .args = ARGS, .render = render },
};

#define INIT(ver) "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":" \
	"{\"protocolVersion\":\"" ver "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"

static struct mcp_session *new_session(struct mcp_server *srv, const char *version)
{
	struct mcp_session *s = mcp_session_new(srv, capture, NULL);
	if (version) {
		char msg[300];
		snprintf(msg, sizeof msg, INIT("%s"), version);
		send_msg(s, msg);
	}
	return s;
}

int main(void)
{
	arena_init(&A, 0);
	jw_init(&OUT, 0);
	struct mcp_server srv;
	struct mcp_options opt = { .page_size = 2, .config_path = "/nonexistent",
				   .boot_path = "/nonexistent" };
	const char *err = NULL;
	mcp_server_init(&srv, &opt);
	TEST("mcpd", "tables register") {
		CHECK(testing_register(&srv, &err) == 0);
		CHECK_EQ(mcp_add_resources(&srv, RES, 3), 0);
		CHECK_EQ(mcp_add_prompts(&srv, PROMPTS, 1), 0);
		CHECK(conformance_register(&srv, &err) == 0);
		static const struct mcp_tool bad = { .name = "bad", .input_schema = "{nope", .run = NULL };
		CHECK(mcp_add_tools(&srv, &bad, 1, &err) == -1);
		CHECK(err && strstr(err, "tool bad: bad schema at byte 1"));
	}

	TEST("mcpd", "garbage gets -32700 with a null id") {
		struct mcp_session *s = new_session(&srv, NULL);
		const struct json *m = one(send_msg(s, "garbage"));
		CHECK_EQ(error_code(m), -32700);
		CHECK(json_get(m, "id") && json_get(m, "id")->type == JSON_NULL);
		CHECK_EQ(error_code(one(send_msg(s, "{\"a\":\"\xC0\xAF\"}"))), -32700);
		mcp_session_free(s);
	}

	TEST("mcpd", "envelope errors are -32600") {
		struct mcp_session *s = new_session(&srv, NULL);
		CHECK_EQ(error_code(one(send_msg(s, "[1,2]"))), -32600);
		CHECK_EQ(error_code(one(send_msg(s, "42"))), -32600);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"))), -32600);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}"))), -32600);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}"))), -32600);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}"))), -32600);
		const struct json *m = one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"ping\",\"params\":[]}"));
		CHECK_EQ(error_code(m), -32600);
		CHECK_STR(json_str(json_get(m, "id")), "x");
		mcp_session_free(s);
	}

	TEST("mcpd", "only initialize and ping before initialize") {
		struct mcp_session *s = new_session(&srv, NULL);
		const struct json *m = one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}"));
		CHECK_EQ(error_code(m), -32600);
		m = one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}"));
		CHECK(result(m) && result(m)->type == JSON_OBJECT);
		mcp_session_free(s);
	}

	TEST("mcpd", "version negotiation") {
		struct mcp_session *s = new_session(&srv, NULL);
		const struct json *m = one(send_msg(s, INIT("2024-11-05")));
		CHECK_STR(json_str(json_get(result(m), "protocolVersion")), "2024-11-05");
		CHECK_EQ(error_code(one(send_msg(s, INIT("2024-11-05")))), -32600);
		mcp_session_free(s);
		s = new_session(&srv, NULL);
		m = one(send_msg(s, INIT("1999-01-01")));
		CHECK_STR(json_str(json_get(result(m), "protocolVersion")), MCP_LATEST_VERSION);
		CHECK(json_get(json_get(result(m), "capabilities"), "tools"));
		mcp_session_free(s);
		s = new_session(&srv, NULL);
		m = one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}"));
		CHECK_EQ(error_code(m), -32602);
		mcp_session_free(s);
	}

	TEST("mcpd", "unknown methods and notifications") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		const struct json *m = one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"no/such\"}"));
		CHECK_EQ(error_code(m), -32601);
		int64_t id = 0;
		CHECK(json_int(json_get(m, "id"), &id) && id == 9);
		CHECK_EQ(send_msg(s, "{\"jsonrpc\":\"2.0\",\"method\":\"no/such\"}")->u.kids.count, 0);
		CHECK_EQ(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}")->u.kids.count, 0);
		mcp_session_free(s);
	}

	TEST("mcpd", "tools/list pages through every tool") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		size_t seen = 0;
		char req[200] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
		for (int pages = 0; pages < 10; pages++) {
			const struct json *r = result(one(send_msg(s, req)));
			const struct json *tools = json_get(r, "tools");
			CHECK(tools && tools->u.kids.count <= 2);
			if (!tools)
				break;
			seen += tools->u.kids.count;
			for (const struct json *t = tools->u.kids.head; t; t = t->next)
				CHECK(json_get(json_get(t, "inputSchema"), "type"));
			const char *next = json_str(json_get(r, "nextCursor"));
			if (!next)
				break;
			snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
				 "\"params\":{\"cursor\":\"%s\"}}", next);
		}
		CHECK_EQ(seen, srv.ntools);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
						    "\"params\":{\"cursor\":\"bogus\"}}"))), -32602);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
						    "\"params\":{\"cursor\":\"i999\"}}"))), -32602);
		mcp_session_free(s);
	}

	TEST("mcpd", "tools/call: unknown tool, bad arguments, structured result") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
						    "\"params\":{\"name\":\"nope\"}}"))), -32602);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
						    "\"params\":{\"name\":\"echo\",\"arguments\":[]}}"))), -32602);
		const struct json *r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			"\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\",\"n\":1.5}}}")));
		CHECK(json_get(r, "isError") && json_get(r, "isError")->type == JSON_TRUE);
		const char *why = json_str(json_get(json_get(r, "content")->u.kids.head, "text"));
		CHECK(why && strstr(why, "arguments.n: expected integer"));
		r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
			"\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\",\"tags\":[\"a\"]}}}")));
		CHECK(!json_get(r, "isError"));
		CHECK_STR(json_str(json_get(json_get(r, "structuredContent"), "text")), "hi");
		/* and the same as text for older clients */
		const char *text = json_str(json_get(json_get(r, "content")->u.kids.head, "text"));
		CHECK(text && strstr(text, "\"tags\":[\"a\"]"));
		mcp_session_free(s);
	}

	TEST("mcpd", "long calls: progress, completion and cancellation") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		const struct json *msgs = send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\","
			"\"params\":{\"name\":\"slow_count\",\"arguments\":{\"steps\":2,\"interval_ms\":0},"
			"\"_meta\":{\"progressToken\":7}}}");
		CHECK_EQ(msgs->u.kids.count, 0);   /* not done yet */
		int spins = 0;
		while (mcp_run_pending(&srv) >= 0 && spins < 100)
			spins++;
		msgs = take();
		CHECK_EQ(msgs->u.kids.count, 2);   /* a progress note, the result */
		CHECK_STR(json_str(json_get(msgs->u.kids.head, "method")), "notifications/progress");
		const struct json *last = msgs->u.kids.head->next;
		CHECK_STR(json_str(json_get(last, "id")), "a");
		CHECK(result(last) != NULL);

		msgs = send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/call\","
			"\"params\":{\"name\":\"slow_count\",\"arguments\":{\"steps\":1000,\"interval_ms\":10000}}}");
		CHECK(mcp_run_pending(&srv) > 0);
		CHECK_EQ(send_msg(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
				  "\"params\":{\"requestId\":\"b\"}}")->u.kids.count, 0);
		CHECK_EQ(mcp_run_pending(&srv), -1);
		CHECK_EQ(take()->u.kids.count, 0);   /* no answer to a cancelled call */
		mcp_session_free(s);
	}

	TEST("mcpd", "batches only in 2025-03-26") {
		struct mcp_session *s = new_session(&srv, "2025-03-26");
		const struct json *m = one(send_msg(s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
			"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
			"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},5]"));
		CHECK(m && m->type == JSON_ARRAY && m->u.kids.count == 3);
		if (m && m->u.kids.count == 3) {
			CHECK(result(m->u.kids.head));
			CHECK_EQ(error_code(m->u.kids.head->next), -32601);
			CHECK_EQ(error_code(m->u.kids.head->next->next), -32600);
		}
		CHECK_EQ(error_code(one(send_msg(s, "[]"))), -32600);
		CHECK_EQ(send_msg(s, "[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]")->u.kids.count, 0);
		mcp_session_free(s);
	}

	TEST("mcpd", "resources: list, templates, read, subscribe") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		const struct json *r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}")));
		CHECK_EQ(json_get(r, "resources")->u.kids.count, 2);   /* a page */
		r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/templates/list\"}")));
		CHECK_STR(json_str(json_get(json_get(r, "resourceTemplates")->u.kids.head, "uriTemplate")),
			  "test://item/{id}");
		r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\","
					   "\"params\":{\"uri\":\"test://item/42\"}}")));
		CHECK_STR(json_str(json_get(json_get(r, "contents")->u.kids.head, "text")),
			  "contents of test://item/42");
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\","
						    "\"params\":{\"uri\":\"test://item/a/b\"}}"))), -32002);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\","
						    "\"params\":{\"uri\":\"test://item/missing\"}}"))), -32002);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\","
						    "\"params\":{\"uri\":\"test://a\"}}"))), -32602);
		CHECK(result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\","
					     "\"params\":{\"uri\":\"test://log\"}}"))));
		mcp_session_free(s);
	}

	TEST("mcpd", "prompts and completion") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		const struct json *r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\","
			"\"params\":{\"name\":\"greet\",\"arguments\":{\"who\":\"you\"}}}")));
		const struct json *msg = json_get(r, "messages") ? json_get(r, "messages")->u.kids.head : NULL;
		CHECK_STR(json_str(json_get(json_get(msg, "content"), "text")), "hello you");
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\","
						    "\"params\":{\"name\":\"greet\"}}"))), -32602);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\","
						    "\"params\":{\"name\":\"greet\",\"arguments\":{\"who\":1}}}"))), -32602);
		r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\","
			"\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},"
			"\"argument\":{\"name\":\"who\",\"value\":\"w\"}}}")));
		const struct json *vals = json_get(json_get(r, "completion"), "values");
		CHECK(vals && vals->u.kids.count == 2);
		mcp_session_free(s);
	}

	TEST("mcpd", "logging level and list_changed notifications") {
		struct mcp_session *s = new_session(&srv, MCP_LATEST_VERSION);
		CHECK_EQ(error_code(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\","
						    "\"params\":{\"level\":\"loud\"}}"))), -32602);
		CHECK(result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\","
					     "\"params\":{\"level\":\"debug\"}}"))));
		const struct json *msgs = send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
						   "\"params\":{\"name\":\"add_tool\"}}");
		bool saw_log = false, saw_changed = false, saw_result = false;
		for (const struct json *m = msgs->u.kids.head; m; m = m->next) {
			const char *meth = json_str(json_get(m, "method"));
			saw_log |= meth && !strcmp(meth, "notifications/message");
			saw_changed |= meth && !strcmp(meth, "notifications/tools/list_changed");
			saw_result |= result(m) != NULL;
		}
		CHECK(saw_log && saw_changed && saw_result);
		mcp_session_free(s);
	}

	TEST("mcpd", "a tool asks the client (sampling) and uses its answer") {
		struct mcp_session *s = mcp_session_new(&srv, capture, NULL);
		send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
			    "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"sampling\":{}},"
			    "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
		const struct json *req = one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":"
			"\"tools/call\",\"params\":{\"name\":\"test_sampling\",\"arguments\":{\"prompt\":\"hi\"}}}"));
		CHECK_STR(json_str(json_get(req, "method")), "sampling/createMessage");
		const char *rid = json_str(json_get(req, "id"));
		CHECK(rid != NULL);
		char reply[300];
		snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":{\"role\":"
			 "\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hello\"},\"model\":\"m\"}}",
			 rid ? rid : "");
		CHECK_EQ(send_msg(s, reply)->u.kids.count, 0);
		CHECK_EQ(mcp_run_pending(&srv), -1);
		const struct json *r = result(one(take()));
		CHECK_STR(json_str(json_get(json_get(r, "content")->u.kids.head, "text")), "LLM response: hello");
		mcp_session_free(s);
		s = new_session(&srv, MCP_LATEST_VERSION);   /* declared no sampling */
		r = result(one(send_msg(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
			"\"params\":{\"name\":\"test_sampling\",\"arguments\":{\"prompt\":\"hi\"}}}")));
		CHECK(json_get(r, "isError") != NULL);
		mcp_session_free(s);
	}

	TEST("mcpd", "oversized message") {
		struct mcp_session *s = new_session(&srv, NULL);
		mcp_session_oversized(s);
		const struct json *m = one(take());
		CHECK_EQ(error_code(m), -32600);
		mcp_session_free(s);
	}

	TEST("schema", "keywords") {
		const char *sch = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"integer\",\"null\"],"
			"\"minimum\":0,\"maximum\":5},\"b\":{\"enum\":[\"x\",\"y\"]},\"c\":{\"const\":true}},"
			"\"required\":[\"a\"],\"additionalProperties\":false}";
		const struct json *schema = json_parse(&A, sch, strlen(sch), NULL);
#define V(text) schema_check(schema, json_parse(&A, text, strlen(text), NULL), "arguments", &A)
		CHECK(V("{\"a\":1,\"b\":\"x\",\"c\":true}") == NULL);
		CHECK(V("{\"a\":null}") == NULL);
		CHECK(V("{\"a\":2.0}") == NULL);
		CHECK_STR(V("{}"), "arguments: missing required property \"a\"");
		CHECK_STR(V("{\"a\":6}"), "arguments.a: must be <= 5");
		CHECK_STR(V("{\"a\":-1}"), "arguments.a: must be >= 0");
		CHECK_STR(V("{\"a\":\"1\"}"), "arguments.a: string is not an allowed type");
		CHECK_STR(V("{\"a\":1,\"b\":\"z\"}"), "arguments.b: not one of the allowed values");
		CHECK_STR(V("{\"a\":1,\"c\":false}"), "arguments.c: does not have the required value");
		CHECK_STR(V("{\"a\":1,\"d\":0}"), "arguments.d: unknown property");
		CHECK_STR(V("[]"), "arguments: expected object, got array");
#undef V
	}

	mcp_server_free(&srv);
	jw_free(&OUT);
	arena_free(&A);
	return check_done();
}
