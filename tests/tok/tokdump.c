/*
 * tokdump - the C side of the tokenizer comparison (tests/tok/compare.mjs).
 *
 *   tokdump MODEL.gguf [--special] [--add-special] < texts
 *
 * Reads the vocabulary from MODEL.gguf, then one text per input line,
 * hex-encoded (so any byte, newline included, can be sent).  For each it
 * prints the token ids, space-separated, a tab, the hex of the
 * detokenized ids (leading SPM space stripped), a tab, and the hex of the
 * same ids decoded one piece at a time through a struct utf8_stream, so
 * the test can check ids against the reference, the round trip, and that
 * streaming gives the same text.  --special parses
 * control-token text; --add-special adds BOS/EOS as the vocabulary says.
 */
#include "llm/gguf.h"
#include "llm/tokenizer.h"
#include "llm/utf8.h"
#include "llm/vocab_gguf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			unsigned char *p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	*size = n;
	return buf;
}

int main(int argc, char **argv)
{
	int special = 0, add_special = 0;
	const char *path = NULL;
	char err[TOK_ERR_MAX];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--special") == 0)
			special = 1;
		else if (strcmp(argv[i], "--add-special") == 0)
			add_special = 1;
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: tokdump MODEL.gguf [--special] [--add-special] < hex-lines\n");
		return 2;
	}
	size_t size;
	unsigned char *data = read_file(path, &size);
	if (!data) {
		fprintf(stderr, "tokdump: cannot read %s\n", path);
		return 1;
	}
	struct gguf_file g;
	struct gguf_error gerr;
	if (gguf_open(&g, data, size, &gerr) != 0) {
		fprintf(stderr, "tokdump: %s: %s\n", path, gerr.msg);
		return 1;
	}
	struct vocab_gguf vg;
	struct tokenizer *tok;
	if (vocab_gguf_tokenizer(&vg, &g, &tok, err) != 0) {
		fprintf(stderr, "tokdump: %s: %s\n", path, err);
		return 1;
	}

	size_t line_cap = 1 << 16;
	char *line = malloc(line_cap), *text = malloc(line_cap);
	size_t id_cap = 1 << 16;
	int32_t *ids = malloc(id_cap * sizeof *ids);
	char *out = malloc(8 * line_cap + 1);
	if (!line || !text || !ids || !out)
		return 1;
	while (fgets(line, (int)line_cap, stdin)) {
		size_t n = 0, len = strcspn(line, "\r\n");
		for (size_t i = 0; i + 1 < len; i += 2) {
			int hi = hexval(line[i]), lo = hexval(line[i + 1]);
			if (hi < 0 || lo < 0) {
				fprintf(stderr, "tokdump: bad hex input\n");
				return 1;
			}
			text[n++] = (char)(hi * 16 + lo);
		}
		long n_ids = tok_encode(tok, text, n, add_special, special, ids, id_cap);
		if (n_ids < 0 || (size_t)n_ids > id_cap) {
			fprintf(stderr, "tokdump: encode failed\n");
			return 1;
		}
		for (long i = 0; i < n_ids; i++)
			printf(i ? " %ld" : "%ld", (long)ids[i]);
		size_t dn = tok_detokenize(tok, ids, (size_t)n_ids, special,
					   tok_add_space_prefix(tok), out, 8 * line_cap + 1);
		putchar('\t');
		for (size_t i = 0; i < dn && i < 8 * line_cap; i++)
			printf("%02x", (unsigned char)out[i]);
		/* The same ids as a stream: piece by piece, through the
		 * UTF-8 holder, as generation shows them. */
		struct utf8_stream st;
		char piece[512], shown[UTF8_STREAM_OUT_MAX(512)];
		utf8_stream_init(&st);
		putchar('\t');
		for (long i = 0; i < n_ids; i++) {
			size_t pn = tok_piece(tok, ids[i], special, piece, sizeof piece);
			size_t skip = i == 0 && tok_add_space_prefix(tok) && pn > 0 && piece[0] == ' ';
			if (pn > sizeof piece)
				pn = sizeof piece;
			size_t sn = utf8_stream_feed(&st, piece + skip, pn - skip, shown);
			for (size_t k = 0; k < sn; k++)
				printf("%02x", (unsigned char)shown[k]);
		}
		size_t fn = utf8_stream_flush(&st, shown);
		for (size_t k = 0; k < fn; k++)
			printf("%02x", (unsigned char)shown[k]);
		putchar('\n');
	}
	free(line);
	free(text);
	free(ids);
	free(out);
	tok_close(tok);
	vocab_gguf_free(&vg);
	gguf_close(&g);
	free(data);
	return 0;
}
