/*
 * fuzz/tokenizer.c - the tokenizers never crash, and round-trip.
 *
 * The first byte picks a case:
 *   0-11   a complete vocabulary (every byte has a token) with some
 *          merges: SentencePiece or byte-level BPE under each
 *          pre-tokenizer.  The rest of the input is the text; encode must
 *          succeed and, for valid UTF-8, detokenizing gives it back.
 *   else   a hostile vocabulary made from the input itself (tokens,
 *          types, scores and merges cut out of it), then the text: any
 *          outcome but a crash, a leak or undefined behaviour is fine.
 */
#include "llm/tokenizer.h"
#include "llm/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 600

struct fixture {
	struct tok_str toks[MAX_TOKENS];
	int32_t types[MAX_TOKENS];
	float scores[MAX_TOKENS];
	struct tok_str merges[MAX_TOKENS];
	uint32_t n, n_merges;
	char store[1 << 16];
	size_t used;
};

static void add(struct fixture *f, const void *s, size_t n, int32_t type, float score)
{
	if (f->n >= MAX_TOKENS || f->used + n > sizeof f->store)
		return;
	memcpy(f->store + f->used, s, n);
	f->toks[f->n] = (struct tok_str){ f->store + f->used, n };
	f->types[f->n] = type;
	f->scores[f->n] = score;
	f->used += n;
	f->n++;
}

static void add_merge(struct fixture *f, const char *s)
{
	size_t n = strlen(s);
	if (f->n_merges >= MAX_TOKENS || f->used + n > sizeof f->store)
		return;
	memcpy(f->store + f->used, s, n);
	f->merges[f->n_merges++] = (struct tok_str){ f->store + f->used, n };
	f->used += n;
}

static void complete_vocab(struct fixture *f, enum tok_model model)
{
	static const char *const pieces[] = { "he", "ll", "hell", "hello", "or", "wor", "world",
					      "12", "123", "\xC3\xA9t\xC3\xA9" };
	static const char *const merges[] = { "h e", "l l", "he ll", "hell o", "o r", "w or",
					      "wor l", "worl d", "1 2", "12 3" };
	add(f, "<unk>", 5, TOK_TYPE_UNKNOWN, 0);
	add(f, "<s>", 3, TOK_TYPE_CONTROL, 0);
	add(f, "</s>", 4, TOK_TYPE_CONTROL, 0);
	add(f, "<|im_end|>", 10, TOK_TYPE_CONTROL, 0);
	if (model == TOK_MODEL_SPM) {
		/* No user-defined token here: SentencePiece puts a space
		 * after every special token, so text around one would not
		 * round-trip (the reference does the same). */
		for (int b = 0; b < 256; b++) {
			char name[8];
			snprintf(name, sizeof name, "<0x%02X>", b);
			add(f, name, 6, TOK_TYPE_BYTE, 0);
		}
		add(f, "\xE2\x96\x81", 3, TOK_TYPE_NORMAL, -1);
		add(f, "\xE2\x96\x81h", 4, TOK_TYPE_NORMAL, -2);
		for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
			add(f, pieces[i], strlen(pieces[i]), TOK_TYPE_NORMAL, -(float)i);
		return;
	}
	add(f, "<tool>", 6, TOK_TYPE_USER_DEFINED, 0);
	/* Byte-level: a token for each byte's code point, then merges whose
	 * results are all tokens (ASCII letters map to themselves). */
	uint32_t next = 256;
	for (int b = 0; b < 256; b++) {
		int printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
		uint8_t enc[4];
		size_t n = utf8_encode(printable ? (uint32_t)b : next++, enc);
		add(f, enc, n, TOK_TYPE_NORMAL, 0);
	}
	for (size_t i = 0; i < 9; i++) {
		add(f, pieces[i], strlen(pieces[i]), TOK_TYPE_NORMAL, 0);
		add_merge(f, merges[i]);
	}
}

static void round_trip(struct tokenizer *t, const uint8_t *text, size_t len, int special)
{
	size_t cap = 4 * len + 8;
	int32_t *ids = malloc(cap * sizeof *ids);
	char *out = malloc(4 * len + 16), *want = malloc(len + 1);
	if (!ids || !out || !want)
		abort();
	long n = tok_encode(t, (const char *)text, len, 1, special, ids, cap);
	if (n < 0 || (size_t)n > cap)
		abort(); /* out of memory, or more ids than bytes: both bugs here */
	int spm = tok_model(t) == TOK_MODEL_SPM;
	int32_t *body = ids;
	size_t n_body = (size_t)n;
	if (tok_add_bos(t) && n_body > 0) { /* drop BOS so the strip applies */
		body++;
		n_body--;
	}
	size_t dn = tok_detokenize(t, body, n_body, special, spm, out, 4 * len + 16);
	if (utf8_valid_prefix(text, len) == len && !(spm && special)) {
		/* SentencePiece reads "▁" as a space: compare with that. */
		size_t wn = 0;
		for (size_t i = 0; i < len; i++) {
			if (spm && i + 2 < len && memcmp(text + i, "\xE2\x96\x81", 3) == 0) {
				want[wn++] = ' ';
				i += 2;
			} else {
				want[wn++] = (char)text[i];
			}
		}
		if (dn != wn || memcmp(out, want, wn) != 0) {
			fprintf(stderr, "round trip failed: %zu bytes back for %zu\n", dn, wn);
			abort();
		}
	}
	free(ids);
	free(out);
	free(want);
}

/* A vocabulary cut out of the input: records are "type score text\n". */
static void hostile(const uint8_t *data, size_t size)
{
	struct fixture *f = calloc(1, sizeof *f);
	size_t i = 0;
	if (!f)
		abort();
	while (i < size && f->n < 300) {
		if (data[i] == 0xFF) { /* end of the vocabulary part */
			i++;
			break;
		}
		size_t j = i + 2;
		while (j < size && data[j] != '\n' && data[j] != 0xFF)
			j++;
		if (j > size)
			j = size;
		if (i + 2 <= j) {
			add(f, data + i + 2, j - i - 2, data[i] % 8, (float)(int8_t)data[i + 1]);
			/* every token pair also makes a merge "a b" */
			if (f->n >= 2 && f->n_merges < 300) {
				char m[128];
				const struct tok_str *a = &f->toks[f->n - 2], *b = &f->toks[f->n - 1];
				if (a->len + b->len + 2 < sizeof m && a->len > 0) {
					memcpy(m, a->ptr, a->len);
					m[a->len] = ' ';
					memcpy(m + a->len + 1, b->ptr, b->len);
					m[a->len + 1 + b->len] = '\0';
					if (strlen(m) == a->len + 1 + b->len)
						add_merge(f, m);
				}
			}
		}
		i = j + 1;
	}
	const uint8_t *text = i < size ? data + i : data;
	size_t len = i < size ? size - i : 0;
	static const char *const pres[] = { "default", "gpt-2", "llama3", "qwen2", "smollm" };
	for (int model = TOK_MODEL_SPM; model <= TOK_MODEL_BPE; model++) {
		struct tok_vocab v;
		struct tokenizer *t;
		char err[TOK_ERR_MAX];
		tok_vocab_init(&v);
		v.model = (enum tok_model)model;
		v.n_tokens = f->n;
		v.tokens = f->toks;
		v.types = f->types;
		v.scores = f->scores;
		v.n_merges = model == TOK_MODEL_BPE ? f->n_merges : 0;
		v.merges = f->merges;
		v.pre = (struct tok_str){ pres[size % 5], strlen(pres[size % 5]) };
		if (tok_open(&t, &v, err) != 0)
			continue;
		int32_t ids[512];
		tok_encode(t, (const char *)text, len, 1, 1, ids, 512);
		tok_encode(t, (const char *)text, len, 0, 0, ids, 512);
		char out[4096];
		long n = tok_encode(t, (const char *)text, len, 1, (int)(size & 1), ids, 512);
		if (n > 0)
			tok_detokenize(t, ids, (size_t)(n < 512 ? n : 512), 1, 1, out, sizeof out);
		size_t ends[64];
		tok_split(t, (const char *)text, len, ends, 64);
		tok_close(t);
	}
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t mode = data[0];
	if (mode >= 12) {
		hostile(data + 1, size - 1);
		return 0;
	}
	static const char *const pres[] = { NULL, "gpt-2", "llama3", "qwen2", "smollm" };
	struct fixture *f = calloc(1, sizeof *f);
	struct tok_vocab v;
	struct tokenizer *t;
	char err[TOK_ERR_MAX];
	int spm = mode % 6 == 5;
	if (!f)
		abort();
	complete_vocab(f, spm ? TOK_MODEL_SPM : TOK_MODEL_BPE);
	tok_vocab_init(&v);
	v.model = spm ? TOK_MODEL_SPM : TOK_MODEL_BPE;
	v.n_tokens = f->n;
	v.tokens = f->toks;
	v.types = f->types;
	v.scores = f->scores;
	v.n_merges = f->n_merges;
	v.merges = f->merges;
	v.bos_id = 1;
	if (!spm && pres[mode % 6])
		v.pre = (struct tok_str){ pres[mode % 6], strlen(pres[mode % 6]) };
	if (tok_open(&t, &v, err) != 0) {
		fprintf(stderr, "fixture vocabulary refused: %s\n", err);
		abort();
	}
	round_trip(t, data + 1, size - 1, mode >= 6);
	tok_close(t);
	free(f);
	return 0;
}
