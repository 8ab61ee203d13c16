/* fuzz/json.c - the JSON parser on arbitrary bytes, and the round trip:
 * whatever parses must write out as JSON that parses to the same tree and
 * writes out the same bytes again. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena a;
	arena_init(&a, 16u << 20);
	struct json_error err;
	const struct json *j = json_parse(&a, (const char *)data, size, &err);
	if (!j) {
		if (!err.msg || err.offset > size)
			abort();
		arena_free(&a);
		return 0;
	}
	struct jw w1, w2;
	jw_init(&w1, 0);
	jw_init(&w2, 0);
	jw_value(&w1, j);
	if (w1.failed || !json_utf8_valid(w1.buf, w1.len))
		abort();
	const struct json *k = json_parse(&a, w1.buf, w1.len, &err);
	if (!k || !json_equal(j, k))
		abort();
	jw_value(&w2, k);
	if (w2.failed || w1.len != w2.len || memcmp(w1.buf, w2.buf, w1.len))
		abort();
	jw_free(&w1);
	jw_free(&w2);
	arena_free(&a);
	return 0;
}
