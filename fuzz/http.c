/* fuzz/http.c - the HTTP request head parser on arbitrary bytes: it must
 * never read outside the buffer, and what it returns must lie inside it. */
#include <stdlib.h>
#include <string.h>

#include "mcpd/http.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* A copy of exactly `size` bytes, so ASan sees any overread. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct http_request r;
	int status = 0;
	const char *why = NULL;
	int rc = http_parse_head(buf, size, &r, &status, &why);
	if (rc == -1 && (status < 400 || !why))
		abort();
	if (rc == 1) {
		if (r.head_len > size || r.method < buf || r.target + r.target_len > buf + r.head_len)
			abort();
		for (size_t i = 0; i < r.nheaders; i++)
			if (r.headers[i].value + r.headers[i].value_len > buf + r.head_len)
				abort();
		http_header(&r, "content-type", NULL);
		http_header_contains(&r, "accept", "text/event-stream");
	}
	free(buf);
	return 0;
}
