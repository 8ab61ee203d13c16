/*
 * chatfmt - the C side of tests/tok/chat.mjs.
 *
 *   chatfmt TEMPLATE-FILE [--gen] < messages
 *
 * Recognises the Jinja template in TEMPLATE-FILE (an empty file: none),
 * reads messages as lines "role<TAB>hex-of-content", and prints the
 * recognised format's name on the first line and the hex of the
 * formatted conversation on the second (--gen adds the generation
 * prompt).
 */
#include "llm/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MSGS 32
#define MAX_TEXT (1 << 16)

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	static char tmpl[MAX_TEXT], line[2 * MAX_TEXT + 32], texts[MAX_MSGS][MAX_TEXT];
	static char out[MAX_MSGS * MAX_TEXT];
	struct chat_message msgs[MAX_MSGS];
	size_t n = 0;
	int gen = argc > 2 && strcmp(argv[2], "--gen") == 0;

	if (argc < 2) {
		fprintf(stderr, "usage: chatfmt TEMPLATE-FILE [--gen] < messages\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "chatfmt: cannot read %s\n", argv[1]);
		return 1;
	}
	size_t tlen = fread(tmpl, 1, sizeof tmpl, f);
	fclose(f);
	while (n < MAX_MSGS && fgets(line, sizeof line, stdin)) {
		char *tab = strchr(line, '\t');
		enum chat_role role;
		if (!tab || chat_role_from_name(line, (size_t)(tab - line), &role) != 0) {
			fprintf(stderr, "chatfmt: bad message line\n");
			return 1;
		}
		size_t len = 0;
		for (char *p = tab + 1; hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && len < MAX_TEXT; p += 2)
			texts[n][len++] = (char)(hexval(p[0]) * 16 + hexval(p[1]));
		msgs[n] = (struct chat_message){ role, texts[n], len };
		n++;
	}
	struct chat_template ct;
	chat_template_detect(&ct, tlen ? tmpl : NULL, tlen);
	size_t len = chat_format_messages(&ct, msgs, n, gen, "</s>", out, sizeof out);
	printf("%s%s\n", chat_format_name(ct.format), ct.recognised ? "" : " (fallback)");
	for (size_t i = 0; i < len && i < sizeof out; i++)
		printf("%02x", (unsigned char)out[i]);
	printf("\n");
	return 0;
}
