/* fuzz/jsonrpc.c - the MCP dispatcher on arbitrary input: each line of the
 * input is one message to one session (so a corpus can initialize first),
 * with the test tools and a few pending-call steps in between.  Every
 * answer must be valid JSON. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "mcpd/mcp.h"
#include "mcpd/conformance.h"
#include "mcpd/testing.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_answer(void *ctx, void *route, const char *json, size_t len)
{
	struct arena *a = ctx;
	if (!json_parse(a, json, len, NULL))
		abort();
	arena_reset(a);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mcp_server srv;
	struct mcp_options opt = { .page_size = 2, .config_path = "/nonexistent",
				   .boot_path = "/nonexistent" };
	const char *err;
	struct arena a;
	arena_init(&a, 0);
	mcp_server_init(&srv, &opt);
	if (testing_register(&srv, &err) || conformance_register(&srv, &err))
		abort();
	struct mcp_session *s = mcp_session_new(&srv, check_answer, &a);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		mcp_session_input(s, p, n, NULL);
		mcp_run_pending(&srv);
		p += n + 1;
	}
	mcp_session_free(s);
	mcp_server_free(&srv);
	arena_free(&a);
	return 0;
}
