/* test_mcpd_http.c - the strict HTTP/1.1 request head parser. */
#include "check.h"
#include "mcpd/http.h"

static int parse(const char *s, struct http_request *r, int *status, const char **why)
{
	return http_parse_head(s, strlen(s), r, status, why);
}

#define REFUSES(text, code) do { \
	struct http_request r_; int st_ = 0; const char *w_ = NULL; \
	CHECK_EQ(parse((text), &r_, &st_, &w_), -1); \
	CHECK_EQ(st_, (code)); \
	CHECK(w_ != NULL); \
} while (0)

int main(void)
{
	struct http_request r;
	int status;
	const char *why;

	TEST("http", "a POST with headers and a length") {
		const char *req = "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n"
				  "Accept: application/json, Text/Event-Stream\r\nX-Pad:  v  \r\n\r\n{\"a\":1}";
		CHECK_EQ(parse(req, &r, &status, &why), 1);
		CHECK_EQ(r.content_length, 12);
		CHECK(http_method_is(&r, "POST"));
		CHECK(r.target_len == 4 && !memcmp(r.target, "/mcp", 4));
		CHECK_EQ(r.head_len, strlen(req) - 7);
		size_t n;
		const char *v = http_header(&r, "x-pad", &n);
		CHECK(v && n == 1 && *v == 'v');
		CHECK(http_header_contains(&r, "ACCEPT", "text/event-stream"));
		CHECK(!http_header_contains(&r, "accept", "text/html"));
		CHECK(http_header(&r, "nope", NULL) == NULL);
		CHECK(!r.close);
	}

	TEST("http", "incomplete heads ask for more") {
		CHECK_EQ(parse("GET /mcp HTTP/1.1\r\nHost: x\r\n", &r, &status, &why), 0);
		CHECK_EQ(parse("", &r, &status, &why), 0);
		CHECK_EQ(parse("GET /mcp HTTP/1.1\r\nConnection: close\r\n\r\n", &r, &status, &why), 1);
		CHECK(r.close);
	}

	TEST("http", "malformed heads are refused with the right status") {
		REFUSES("GET /mcp HTTP/1.0\r\n\r\n", 505);
		REFUSES("GET mcp HTTP/1.1\r\n\r\n", 400);
		REFUSES("GET  /mcp HTTP/1.1\r\n\r\n", 400);
		REFUSES("G(T /mcp HTTP/1.1\r\n\r\n", 400);
		REFUSES("GET /mcp HTTP/1.1\r\nA: b\nC: d\r\n\r\n", 400);
		REFUSES("GET /mcp HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400);
		REFUSES("GET /mcp HTTP/1.1\r\nA b\r\n\r\n", 400);
		REFUSES("GET /mcp HTTP/1.1\r\nA: b\x01\r\n\r\n", 400);
		REFUSES("POST /mcp HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
		REFUSES("POST /mcp HTTP/1.1\r\n\r\n", 411);
		REFUSES("POST /mcp HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400);
		REFUSES("POST /mcp HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
		REFUSES("POST /mcp HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n", 400);
	}

	TEST("http", "head size and header count limits") {
		static char big[HTTP_MAX_HEAD + 64];
		strcpy(big, "GET /mcp HTTP/1.1\r\nX: ");
		memset(big + strlen(big), 'a', HTTP_MAX_HEAD);
		CHECK_EQ(http_parse_head(big, strlen(big), &r, &status, &why), -1);
		CHECK_EQ(status, 431);
		char many[HTTP_MAX_HEADERS * 8 + 64];
		strcpy(many, "GET /mcp HTTP/1.1\r\n");
		for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
			strcat(many, "A: b\r\n");
		strcat(many, "\r\n");
		CHECK_EQ(parse(many, &r, &status, &why), -1);
		CHECK_EQ(status, 431);
	}
	return check_done();
}
