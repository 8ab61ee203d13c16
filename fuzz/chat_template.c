/*
 * fuzz/chat_template.c - recognising any template text and formatting any
 * messages never overflows: the input is a template, then messages
 * separated by 0xFF (the first byte of each picks the role).  The length
 * chat_format_messages() reports must equal what a big enough buffer
 * receives, and a short buffer must get a NUL-terminated prefix of it.
 */
#include "llm/chat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chat_template ct;
	struct chat_message msgs[16];
	size_t n = 0;
	const uint8_t *sep = memchr(data, 0xFF, size);
	size_t tmpl_len = sep ? (size_t)(sep - data) : size;

	chat_template_detect(&ct, (const char *)data, tmpl_len);
	if (ct.default_system_len >= CHAT_SYSTEM_MAX ||
	    strlen(ct.default_system) != ct.default_system_len)
		abort();
	const uint8_t *p = sep ? sep + 1 : data + size, *end = data + size;
	while (p < end && n < 16) {
		const uint8_t *q = memchr(p, 0xFF, (size_t)(end - p));
		if (!q)
			q = end;
		if (q > p)
			msgs[n++] = (struct chat_message){ (enum chat_role)(p[0] % 3),
							   (const char *)p + 1, (size_t)(q - p - 1) };
		p = q + 1;
	}
	size_t need = chat_format_messages(&ct, msgs, n, (int)(size & 1), NULL, NULL, 0);
	char *full = malloc(need + 1), small[17];
	if (!full)
		return 0;
	if (chat_format_messages(&ct, msgs, n, (int)(size & 1), NULL, full, need + 1) != need ||
	    chat_format_messages(&ct, msgs, n, (int)(size & 1), NULL, small, sizeof small) != need)
		abort();
	size_t prefix = need < sizeof small ? need : sizeof small - 1;
	if (strlen(small) > prefix || memcmp(small, full, strlen(small)) != 0)
		abort();
	free(full);
	return 0;
}
