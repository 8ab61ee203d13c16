/* test_json.c - the strict JSON parser and the writer. */
#include <math.h>
#include <stdlib.h>

#include "arena.h"
#include "check.h"
#include "json.h"

static struct arena A;

static const struct json *parse(const char *s)
{
	return json_parse(&A, s, strlen(s), NULL);
}

/* The parse error message for s, or "" if s parses. */
static const char *error_of(const char *s, size_t len)
{
	struct json_error e;
	if (json_parse(&A, s, len, &e))
		return "";
	return e.msg;
}

#define REJECTS(s, msg) CHECK_STR(error_of((s), sizeof(s) - 1), (msg))

/* Writes j and returns the text (valid until the next call). */
static struct jw W;

static const char *write_tree(const struct json *j)
{
	jw_reset(&W);
	jw_value(&W, j);
	return W.failed ? "(failed)" : arena_strndup(&A, W.buf, W.len);
}

int main(void)
{
	arena_init(&A, 0);
	jw_init(&W, 0);

	TEST("json", "scalars") {
		CHECK(parse("null")->type == JSON_NULL);
		CHECK(parse(" true ")->type == JSON_TRUE);
		CHECK(parse("false")->type == JSON_FALSE);
		CHECK_STR(json_str(parse("\"hi\"")), "hi");
		CHECK(parse("nul") == NULL);
		CHECK(parse("") == NULL);
		CHECK(parse("  ") == NULL);
	}

	TEST("json", "integers are exact int64") {
		const struct json *j = parse("9223372036854775807");
		CHECK(j && j->type == JSON_INT && j->u.i == INT64_MAX);
		j = parse("-9223372036854775808");
		CHECK(j && j->type == JSON_INT && j->u.i == INT64_MIN);
		j = parse("9223372036854775808");
		CHECK(j && j->type == JSON_DOUBLE && j->u.d == 9223372036854775808.0);
		j = parse("-0");
		CHECK(j && j->type == JSON_INT && j->u.i == 0);
		j = parse("1e2");
		CHECK(j && j->type == JSON_DOUBLE && j->u.d == 100.0);
		int64_t v = 0;
		CHECK(json_int(j, &v) && v == 100);
		CHECK(!json_int(parse("1.5"), &v));
	}

	TEST("json", "number grammar") {
		const struct json *j = parse("-12.5e-1");
		CHECK(j && j->type == JSON_DOUBLE && j->u.d == -1.25);
		REJECTS("01", "leading zero in number");
		REJECTS("1.", "digit expected after decimal point");
		REJECTS(".5", "value expected");
		REJECTS("1e", "digit expected in exponent");
		REJECTS("+1", "value expected");
		REJECTS("-", "invalid number");
		REJECTS("1e999", "number out of range");
		REJECTS("NaN", "value expected");
		REJECTS("0x10", "trailing characters after value");
	}

	TEST("json", "strings and escapes") {
		const struct json *j = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
		CHECK(j && !strcmp(j->u.str.s, "a\"b\\c/d\b\f\n\r\t"));
		j = parse("\"\\u00e9\\u20AC\"");
		CHECK_STR(json_str(j), "\xC3\xA9\xE2\x82\xAC");
		j = parse("\"\\ud83d\\ude00\"");   /* U+1F600 */
		CHECK_STR(json_str(j), "\xF0\x9F\x98\x80");
		j = parse("\"a\\u0000b\"");
		CHECK(j && j->u.str.len == 3 && j->u.str.s[1] == '\0');
		REJECTS("\"\\ud83d\"", "unpaired high surrogate");
		REJECTS("\"\\ud83d\\u0041\"", "unpaired high surrogate");
		REJECTS("\"\\ude00\"", "lone low surrogate");
		REJECTS("\"\\u12G4\"", "bad \\u escape");
		REJECTS("\"\\x\"", "bad escape in string");
		REJECTS("\"a\tb\"", "control character in string");
		REJECTS("\"abc", "unterminated string");
		REJECTS("\"abc\\\"", "unterminated string");
	}

	TEST("json", "UTF-8 validation") {
		CHECK(parse("\"\xC3\xA9\xF4\x8F\xBF\xBF\"") != NULL);
		REJECTS("\"\xC0\xAF\"", "invalid UTF-8 in string");   /* overlong / */
		REJECTS("\"\xE0\x80\xAF\"", "invalid UTF-8 in string");
		REJECTS("\"\xF0\x80\x80\xAF\"", "invalid UTF-8 in string");
		REJECTS("\"\xED\xA0\x80\"", "invalid UTF-8 in string"); /* surrogate */
		REJECTS("\"\xF4\x90\x80\x80\"", "invalid UTF-8 in string"); /* > 10FFFF */
		REJECTS("\"\xC3\"", "invalid UTF-8 in string");   /* truncated */
		REJECTS("\"\x80\"", "invalid UTF-8 in string");
		REJECTS("\"\xFF\"", "invalid UTF-8 in string");
		REJECTS("\xEF\xBB\xBF{}", "value expected");   /* BOM */
		CHECK(json_utf8_valid("\xE2\x82\xAC", 3));
		CHECK(!json_utf8_valid("\xE2\x82", 2));
	}

	TEST("json", "arrays and objects") {
		const struct json *j = parse("{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}");
		CHECK(j && j->type == JSON_OBJECT && j->u.kids.count == 2);
		const struct json *a = json_get(j, "a");
		CHECK(a && a->type == JSON_ARRAY && a->u.kids.count == 3);
		CHECK(a && a->u.kids.head->u.i == 1);
		CHECK_STR(json_str(json_get(j, "c")), "d");
		CHECK(json_get(j, "zz") == NULL);
		CHECK(json_get(a, "a") == NULL);
		CHECK(parse("[]") && parse("{}") && parse(" [ ] "));
		REJECTS("[1,]", "value expected");
		REJECTS("{\"a\":1,}", "object key expected");
		REJECTS("{a:1}", "object key expected");
		REJECTS("{\"a\" 1}", "':' expected");
		REJECTS("[1 2]", "',' or ']' expected");
		REJECTS("[1", "unterminated array");
		REJECTS("{\"a\":1", "unterminated object");
		REJECTS("[] []", "trailing characters after value");
		REJECTS("[1]/*c*/", "trailing characters after value");
	}

	TEST("json", "duplicate keys refused, small and large objects") {
		REJECTS("{\"a\":1,\"b\":2,\"a\":3}", "duplicate object key");
		char big[2000];
		size_t n = 0;
		big[n++] = '{';
		for (int i = 0; i < 40; i++)
			n += (size_t)sprintf(big + n, "%s\"k%d\":%d", i ? "," : "", i, i);
		strcpy(big + n, "}");
		CHECK(parse(big) != NULL);
		n += (size_t)sprintf(big + n, ",\"k17\":0}");
		big[n - 10] = ' ';   /* replace the first '}' with a space */
		CHECK_STR(error_of(big, strlen(big)), "duplicate object key");
	}

	TEST("json", "depth limit") {
		char deep[2 * JSON_MAX_DEPTH + 3];
		size_t d = JSON_MAX_DEPTH;
		memset(deep, '[', d);
		memset(deep + d, ']', d);
		CHECK(json_parse(&A, deep, 2 * d, NULL) != NULL);
		memset(deep, '[', d + 1);
		memset(deep + d + 1, ']', d + 1);
		CHECK_STR(error_of(deep, 2 * d + 2), "nesting too deep");
	}

	TEST("json", "size limit through the arena cap") {
		struct arena small;
		arena_init(&small, 4096);
		struct json_error e;
		char doc[8192];
		size_t n = 0;
		doc[n++] = '[';
		while (n < sizeof doc - 8)
			n += (size_t)sprintf(doc + n, "1,");
		doc[n - 1] = ']';
		CHECK(json_parse(&small, doc, n, &e) == NULL);
		CHECK_STR(e.msg, "document too large");
		arena_free(&small);
	}

	TEST("json", "error offsets") {
		struct json_error e;
		CHECK(json_parse(&A, "[1, x]", 6, &e) == NULL);
		CHECK_EQ(e.offset, 4);
	}

	TEST("json", "writer: structure, commas and escaping") {
		struct jw w;
		jw_init(&w, 0);
		jw_obj(&w);
		jw_key(&w, "a"); jw_int(&w, -5);
		jw_key(&w, "b"); jw_arr(&w); jw_bool(&w, true); jw_null(&w);
		jw_str(&w, "q\"\\\n\x01"); jw_end_arr(&w);
		jw_key(&w, "c"); jw_obj(&w); jw_end_obj(&w);
		jw_key(&w, "d"); jw_double(&w, 0.1);
		jw_key(&w, "e"); jw_double(&w, 3);
		jw_end_obj(&w);
		CHECK(!w.failed);
		CHECK_STR(w.buf, "{\"a\":-5,\"b\":[true,null,\"q\\\"\\\\\\n\\u0001\"],"
				 "\"c\":{},\"d\":0.1,\"e\":3.0}");
		jw_reset(&w);
		jw_str(&w, "ok\xFFz");    /* invalid byte becomes U+FFFD */
		CHECK_STR(w.buf, "\"ok\xEF\xBF\xBDz\"");
		jw_reset(&w);
		jw_double(&w, NAN);
		CHECK_STR(w.buf, "null");
		jw_free(&w);
	}

	TEST("json", "writer limit is sticky") {
		struct jw w;
		jw_init(&w, 8);
		jw_str(&w, "0123456789");
		CHECK(w.failed);
		jw_int(&w, 1);
		CHECK(w.failed);
		jw_free(&w);
	}

	TEST("json", "round trip parse, write, parse") {
		const char *docs[] = {
			"{\"x\":[1,-2.5,1e300,\"\\u0000\\ud83d\\ude00\",true,false,null,{}],\"y\":{\"z\":[]}}",
			"[0.1,0.2,0.30000000000000004,5e-324,-0.0,123456789012345678]",
			"\"\\u001f\\u007f\"",
		};
		for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
			const struct json *a = parse(docs[i]);
			CHECK(a != NULL);
			const char *text = write_tree(a);
			const struct json *b = parse(text);
			CHECK(b != NULL);
			CHECK(json_equal(a, b));
			CHECK_STR(write_tree(b), text);
		}
		CHECK(!json_equal(parse("[1,2]"), parse("[2,1]")));
		CHECK(json_equal(parse("{\"a\":1,\"b\":2}"), parse("{\"b\":2,\"a\":1}")));
		CHECK(!json_equal(parse("{\"a\":1}"), parse("{\"a\":1,\"b\":2}")));
		CHECK(json_equal(parse("1"), parse("1.0")));
	}

	jw_free(&W);
	arena_free(&A);
	return check_done();
}
