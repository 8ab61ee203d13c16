/*
 * test_tokenizer.c - UTF-8 helpers, pre-tokenizers, SentencePiece and
 * byte-level BPE on tiny hand-made vocabularies.  (Real vocabularies are
 * compared against llama.cpp in tests/tok/compare.mjs.)
 */
#include "../unit/check.h"

#include "llm/tokenizer.h"
#include "llm/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- building vocabularies ---------------------------------------------- */

#define VB_MAX 600

struct vb {
	struct tok_str toks[VB_MAX];
	int32_t types[VB_MAX];
	float scores[VB_MAX];
	struct tok_str merges[64];
	uint32_t n, n_merges;
	char store[32768];
	size_t used;
};

static const char *keep(struct vb *b, const char *s, size_t n)
{
	char *p = b->store + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static int32_t add_tok(struct vb *b, const char *s, enum tok_type type, float score)
{
	b->toks[b->n] = (struct tok_str){ keep(b, s, strlen(s)), strlen(s) };
	b->types[b->n] = type;
	b->scores[b->n] = score;
	return (int32_t)b->n++;
}

static void add_merge(struct vb *b, const char *s)
{
	b->merges[b->n_merges++] = (struct tok_str){ keep(b, s, strlen(s)), strlen(s) };
}

static void vocab_of(struct vb *b, struct tok_vocab *v, enum tok_model model)
{
	tok_vocab_init(v);
	v->model = model;
	v->n_tokens = b->n;
	v->tokens = b->toks;
	v->types = b->types;
	v->scores = b->scores;
	v->n_merges = b->n_merges;
	v->merges = b->n_merges ? b->merges : NULL;
}

/* GPT-2's byte-to-code-point table, written out independently of the
 * tokenizer's: printable Latin-1 maps to itself, the rest to 256+. */
static void byte_level(uint8_t byte, char out[3])
{
	uint32_t cp = byte, next = 256;
	for (uint32_t b = 0; b < 256; b++) {
		int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
		if (!printable) {
			if (b == byte)
				cp = next;
			next++;
		}
	}
	uint8_t enc[4];
	size_t n = utf8_encode(cp, enc);
	memcpy(out, enc, n);
	out[n] = '\0';
}

/* SPM: <unk> <s> </s>, 256 byte tokens, and a few scored pieces chosen so
 * that merging by score differs from merging left to right. */
static struct vb spm_vb;
static int32_t spm_space, spm_hello, spm_h_space, spm_ll;

static struct tokenizer *spm_tokenizer(void)
{
	struct vb *b = &spm_vb;
	struct tok_vocab v;
	struct tokenizer *t = NULL;
	char err[TOK_ERR_MAX];

	memset(b, 0, sizeof *b);
	add_tok(b, "<unk>", TOK_TYPE_UNKNOWN, 0);
	add_tok(b, "<s>", TOK_TYPE_CONTROL, 0);
	add_tok(b, "</s>", TOK_TYPE_CONTROL, 0);
	for (int i = 0; i < 256; i++) {
		char name[8];
		snprintf(name, sizeof name, "<0x%02X>", i);
		add_tok(b, name, TOK_TYPE_BYTE, 0);
	}
	spm_space = add_tok(b, "\xE2\x96\x81", TOK_TYPE_NORMAL, -1);
	add_tok(b, "h", TOK_TYPE_NORMAL, -1);
	add_tok(b, "e", TOK_TYPE_NORMAL, -1);
	add_tok(b, "l", TOK_TYPE_NORMAL, -1);
	add_tok(b, "o", TOK_TYPE_NORMAL, -1);
	spm_ll = add_tok(b, "ll", TOK_TYPE_NORMAL, -1.0f);
	add_tok(b, "llo", TOK_TYPE_NORMAL, -1.5f);
	add_tok(b, "he", TOK_TYPE_NORMAL, -2.0f);
	spm_hello = add_tok(b, "hello", TOK_TYPE_NORMAL, -0.5f);
	spm_h_space = add_tok(b, "\xE2\x96\x81h", TOK_TYPE_NORMAL, -3.0f);
	vocab_of(b, &v, TOK_MODEL_SPM);
	if (tok_open(&t, &v, err) != 0)
		printf("# spm tok_open: %s\n", err);
	return t;
}

/* BPE: the 256 byte-level tokens (id = byte), merges for "hello" and
 * " world", a whole-word token no merge reaches, and special tokens. */
static struct vb bpe_vb;
static int32_t bpe_hello, bpe_world, bpe_xyz, bpe_end, bpe_tool, bpe_im_end;

static struct tokenizer *bpe_tokenizer(const char *pre)
{
	struct vb *b = &bpe_vb;
	struct tok_vocab v;
	struct tokenizer *t = NULL;
	char err[TOK_ERR_MAX];

	memset(b, 0, sizeof *b);
	for (int i = 0; i < 256; i++) {
		char s[3];
		byte_level((uint8_t)i, s);
		add_tok(b, s, TOK_TYPE_NORMAL, 0);
	}
	add_tok(b, "he", TOK_TYPE_NORMAL, 0);
	add_tok(b, "ll", TOK_TYPE_NORMAL, 0);
	add_tok(b, "hell", TOK_TYPE_NORMAL, 0);
	bpe_hello = add_tok(b, "hello", TOK_TYPE_NORMAL, 0);
	add_tok(b, "\xC4\xA0w", TOK_TYPE_NORMAL, 0);
	add_tok(b, "or", TOK_TYPE_NORMAL, 0);
	add_tok(b, "\xC4\xA0wor", TOK_TYPE_NORMAL, 0);
	add_tok(b, "\xC4\xA0worl", TOK_TYPE_NORMAL, 0);
	bpe_world = add_tok(b, "\xC4\xA0world", TOK_TYPE_NORMAL, 0);
	bpe_xyz = add_tok(b, "xyz", TOK_TYPE_NORMAL, 0);
	bpe_end = add_tok(b, "<|end|>", TOK_TYPE_CONTROL, 0);
	bpe_tool = add_tok(b, "<tool>", TOK_TYPE_USER_DEFINED, 0);
	/* Marked user-defined, but llama.cpp treats it as control. */
	bpe_im_end = add_tok(b, "<|im_end|>", TOK_TYPE_USER_DEFINED, 0);
	add_merge(b, "h e");
	add_merge(b, "l l");
	add_merge(b, "he ll");
	add_merge(b, "hell o");
	add_merge(b, "\xC4\xA0 w");
	add_merge(b, "o r");
	add_merge(b, "\xC4\xA0w or");
	add_merge(b, "\xC4\xA0wor l");
	add_merge(b, "\xC4\xA0worl d");
	vocab_of(b, &v, TOK_MODEL_BPE);
	v.scores = NULL;
	if (pre)
		v.pre = (struct tok_str){ pre, strlen(pre) };
	v.bos_id = bpe_end;
	if (tok_open(&t, &v, err) != 0)
		printf("# bpe tok_open: %s\n", err);
	return t;
}

/* ---- helpers ------------------------------------------------------------ */

static int ids_are(const int32_t *got, long n, const int32_t *want, long n_want)
{
	if (n != n_want) {
		printf("#   got %ld ids, want %ld:", n, n_want);
		for (long i = 0; i < n && i < 32; i++)
			printf(" %d", got[i]);
		printf("\n");
		return 0;
	}
	for (long i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			printf("#   id %ld: got %d, want %d\n", i, got[i], want[i]);
			return 0;
		}
	}
	return 1;
}

#define CHECK_IDS(got, n, ...) do { \
	const int32_t want_[] = { __VA_ARGS__ }; \
	CHECK(ids_are((got), (n), want_, (long)(sizeof want_ / sizeof want_[0]))); \
} while (0)

/* Split with the tokenizer's pre-tokenizer and join the words with '|'. */
static const char *split(struct tokenizer *t, const char *text)
{
	static char out[512];
	size_t ends[64], start = 0, w = 0;
	long n = tok_split(t, text, strlen(text), ends, 64);

	for (long k = 0; k < n && k < 64; k++) {
		if (k)
			out[w++] = '|';
		memcpy(out + w, text + start, ends[k] - start);
		w += ends[k] - start;
		start = ends[k];
	}
	out[w] = '\0';
	return out;
}

static long enc(struct tokenizer *t, const char *s, int add, int special, int32_t *ids)
{
	return tok_encode(t, s, strlen(s), add, special, ids, 64);
}

/* ---- tests -------------------------------------------------------------- */

static void test_utf8(void)
{
	TEST("utf8", "decodes like llama.cpp, bad bytes as U+FFFD") {
		uint32_t cp;
		CHECK_EQ(utf8_decode((const uint8_t *)"\xC3\xA9", 2, &cp), 2);
		CHECK_EQ(cp, 0xE9);
		CHECK_EQ(utf8_decode((const uint8_t *)"\xF0\x9F\x98\x80", 4, &cp), 4);
		CHECK_EQ(cp, 0x1F600);
		CHECK_EQ(utf8_decode((const uint8_t *)"\xC3", 1, &cp), 1);
		CHECK_EQ(cp, UTF8_REPLACEMENT);
		CHECK_EQ(utf8_decode((const uint8_t *)"\xC3\x41", 2, &cp), 1);
		CHECK_EQ(cp, UTF8_REPLACEMENT);
		CHECK_EQ(utf8_decode((const uint8_t *)"\xFF", 1, &cp), 1);
		CHECK_EQ(cp, UTF8_REPLACEMENT);
		/* No overlong check, as the reference. */
		CHECK_EQ(utf8_decode((const uint8_t *)"\xC0\x80", 2, &cp), 2);
		CHECK_EQ(cp, 0);
	}
	TEST("utf8", "encode round-trips every plane") {
		uint32_t cps[] = { 0x24, 0xA2, 0x20AC, 0x10348, 0x10FFFF };
		for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
			uint8_t buf[4];
			uint32_t back;
			size_t n = utf8_encode(cps[i], buf);
			CHECK_EQ(n, i < 2 ? i + 1 : (i == 2 ? 3 : 4));
			CHECK_EQ(utf8_decode(buf, n, &back), n);
			CHECK_EQ(back, cps[i]);
		}
	}
	TEST("utf8", "classes: letters, numbers, White_Space, punctuation") {
		CHECK_EQ(utf8_class('a'), UTF8_LETTER);
		CHECK_EQ(utf8_class('Z'), UTF8_LETTER);
		CHECK_EQ(utf8_class('7'), UTF8_NUMBER);
		CHECK_EQ(utf8_class(' '), UTF8_SPACE);
		CHECK_EQ(utf8_class('\n'), UTF8_SPACE);
		CHECK_EQ(utf8_class('!'), UTF8_PUNCT);
		CHECK_EQ(utf8_class('_'), UTF8_PUNCT);
		CHECK_EQ(utf8_class('$'), UTF8_OTHER);  /* a symbol */
		CHECK_EQ(utf8_class('+'), UTF8_OTHER);
		CHECK_EQ(utf8_class(0x1F), UTF8_OTHER); /* not White_Space */
		CHECK_EQ(utf8_class(0xE9), UTF8_LETTER);
		CHECK_EQ(utf8_class(0x4E2D), UTF8_LETTER);   /* 中 */
		CHECK_EQ(utf8_class(0x0663), UTF8_NUMBER);   /* Arabic-Indic 3 */
		CHECK_EQ(utf8_class(0x2167), UTF8_NUMBER);   /* Roman numeral 8 */
		CHECK_EQ(utf8_class(0x3000), UTF8_SPACE);
		CHECK_EQ(utf8_class(0xA0), UTF8_SPACE);
		CHECK_EQ(utf8_class(0x200B), UTF8_OTHER);    /* zero width: Cf */
		CHECK_EQ(utf8_class(0x300C), UTF8_PUNCT);    /* 「 */
		CHECK_EQ(utf8_class(0x1F600), UTF8_OTHER);
		CHECK_EQ(utf8_class(0x0301), UTF8_OTHER);    /* combining mark */
		CHECK_EQ(utf8_class(0x1FFFFF), UTF8_OTHER);
	}
	TEST("utf8", "valid prefix rejects overlongs, surrogates, > U+10FFFF") {
		CHECK_EQ(utf8_valid_prefix((const uint8_t *)"ab\xC3\xA9", 4), 4);
		CHECK_EQ(utf8_valid_prefix((const uint8_t *)"a\xC0\x80", 3), 1);
		CHECK_EQ(utf8_valid_prefix((const uint8_t *)"a\xED\xA0\x80", 4), 1);
		CHECK_EQ(utf8_valid_prefix((const uint8_t *)"a\xF4\x90\x80\x80", 5), 1);
		CHECK_EQ(utf8_valid_prefix((const uint8_t *)"a\xE2\x82", 3), 1);
	}
	TEST("utf8", "stream holds a character split across pieces") {
		struct utf8_stream st;
		char out[UTF8_STREAM_OUT_MAX(4)];
		const char *emoji = "\xF0\x9F\x98\x80";
		utf8_stream_init(&st);
		CHECK_EQ(utf8_stream_feed(&st, "a", 1, out), 1);
		for (int i = 0; i < 3; i++)
			CHECK_EQ(utf8_stream_feed(&st, emoji + i, 1, out), 0);
		CHECK_EQ(utf8_stream_feed(&st, emoji + 3, 1, out), 4);
		CHECK(memcmp(out, emoji, 4) == 0);
		/* two pieces, the second completing and starting characters */
		CHECK_EQ(utf8_stream_feed(&st, "\xC3", 1, out), 0);
		size_t n = utf8_stream_feed(&st, "\xA9x\xE2\x82", 4, out);
		CHECK_EQ(n, 3);
		CHECK(memcmp(out, "\xC3\xA9x", 3) == 0);
		CHECK_EQ(utf8_stream_feed(&st, "\xAC", 1, out), 3);
		CHECK(memcmp(out, "\xE2\x82\xAC", 3) == 0);
		CHECK_EQ(utf8_stream_flush(&st, out), 0);
	}
	TEST("utf8", "stream replaces what can never be valid, loses nothing else") {
		struct utf8_stream st;
		char out[UTF8_STREAM_OUT_MAX(8)];
		utf8_stream_init(&st);
		size_t n = utf8_stream_feed(&st, "\xFF" "a\xE2\x82" "b", 5, out);
		CHECK_EQ(n, 8);
		CHECK(memcmp(out, "\xEF\xBF\xBD" "a\xEF\xBF\xBD" "b", 8) == 0);
		CHECK_EQ(utf8_stream_feed(&st, "\xF0\x9F", 2, out), 0);
		CHECK_EQ(utf8_stream_flush(&st, out), 3);
		CHECK(memcmp(out, "\xEF\xBF\xBD", 3) == 0);
		/* a surrogate lead is cut at its second byte */
		n = utf8_stream_feed(&st, "\xED\xA0\x80", 3, out);
		CHECK_EQ(n, 9);
	}
}

static void test_pre(void)
{
	TEST("pre", "names map to scanners; unknown names are refused") {
		enum tok_pre p;
		CHECK(tok_pre_from_name("llama-bpe", 9, &p) == 0 && p == TOK_PRE_LLAMA3);
		CHECK(tok_pre_from_name("qwen2", 5, &p) == 0 && p == TOK_PRE_QWEN2);
		CHECK(tok_pre_from_name("smollm", 6, &p) == 0 && p == TOK_PRE_SMOLLM);
		CHECK(tok_pre_from_name("gpt-2", 5, &p) == 0 && p == TOK_PRE_GPT2);
		CHECK(tok_pre_from_name(NULL, 0, &p) == 0 && p == TOK_PRE_DEFAULT);
		CHECK(tok_pre_from_name("qwen", 4, &p) == -1);
	}
	TEST("pre", "gpt-2: contractions, optional space, whitespace before words") {
		struct tokenizer *t = bpe_tokenizer("gpt-2");
		CHECK(t != NULL);
		if (t) {
			CHECK_STR(split(t, "Hello world's  123 abc!!\n\n"),
				  "Hello| world|'s| | 123| abc|!!|\n\n");
			CHECK_STR(split(t, "I'LL \tx"), "I|'|LL| |\t|x");
			CHECK_STR(split(t, "caf\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD"),
				  "caf\xC3\xA9| \xE4\xBD\xA0\xE5\xA5\xBD");
		}
		tok_close(t);
	}
	TEST("pre", "llama3: digit triples, newline runs, case-folded contractions") {
		struct tokenizer *t = bpe_tokenizer("llama3");
		CHECK(t != NULL);
		if (t) {
			CHECK_STR(split(t, "Hello world's  1234567 ABC'LL\n\n  x"),
				  "Hello| world|'s| | |123|456|7| ABC|'LL|\n\n| | x");
			CHECK_STR(split(t, "(x) ...\n\ny"), "(x|)| ...\n\n|y");
			CHECK_STR(split(t, "\tword"), "\tword");
		}
		tok_close(t);
	}
	TEST("pre", "qwen2: single digits") {
		struct tokenizer *t = bpe_tokenizer("qwen2");
		CHECK(t != NULL);
		if (t)
			CHECK_STR(split(t, "ab 123"), "ab| |1|2|3");
		tok_close(t);
	}
	TEST("pre", "smollm: digits first, then the gpt-2 rules") {
		struct tokenizer *t = bpe_tokenizer("smollm");
		CHECK(t != NULL);
		if (t)
			CHECK_STR(split(t, "ab12 3 cd"), "ab|1|2| |3| cd");
		tok_close(t);
	}
	TEST("pre", "default: punctuation, gpt-2 rules, numbers, digit triples") {
		struct tokenizer *t = bpe_tokenizer(NULL);
		CHECK(t != NULL);
		if (t)
			CHECK_STR(split(t, "a,b 1234!"), "a|,|b| |123|4|!");
		tok_close(t);
	}
}

static void test_spm(void)
{
	int32_t ids[64];
	struct tokenizer *t = spm_tokenizer();

	TEST("spm", "opens with llama.cpp's defaults") {
		CHECK(t != NULL);
		if (t) {
			CHECK_EQ(tok_bos(t), 1);
			CHECK_EQ(tok_eos(t), 2);
			CHECK_EQ(tok_add_bos(t), 1);
			CHECK_EQ(tok_add_space_prefix(t), 1);
		}
	}
	if (!t)
		return;
	TEST("spm", "merges the best-scored pair first, not left to right") {
		long n = enc(t, "hello", 0, 0, ids);
		CHECK_IDS(ids, n, spm_space, spm_hello);
		n = enc(t, "hell", 0, 0, ids);
		/* "▁h" (-3) loses to "ll" (-1) and "he" (-2) */
		CHECK_IDS(ids, n, spm_space, tok_find(t, "he", 2), spm_ll);
	}
	TEST("spm", "BOS only with add_special; empty text") {
		long n = enc(t, "hello", 1, 0, ids);
		CHECK_IDS(ids, n, 1, spm_space, spm_hello);
		CHECK_EQ(enc(t, "", 0, 0, ids), 0);
		n = enc(t, "", 1, 0, ids);
		CHECK_IDS(ids, n, 1);
	}
	TEST("spm", "bytes no piece covers fall back to <0xXX>") {
		long n = enc(t, "h\xC3\xA9", 0, 0, ids);
		CHECK_IDS(ids, n, spm_h_space, 3 + 0xC3, 3 + 0xA9);
	}
	TEST("spm", "special text only when asked; space prefix after it") {
		long n = enc(t, "<s>hello", 0, 1, ids);
		CHECK_IDS(ids, n, 1, spm_space, spm_hello);
		n = enc(t, "<s>hello", 0, 0, ids);
		CHECK_IDS(ids, n, spm_space, 3 + '<', 3 + 's', 3 + '>', spm_hello);
	}
	TEST("spm", "pieces: spaces restored, bytes, control text only if special") {
		char buf[16];
		CHECK_EQ(tok_piece(t, spm_h_space, 0, buf, sizeof buf), 2);
		CHECK(memcmp(buf, " h", 2) == 0);
		CHECK_EQ(tok_piece(t, 3 + 0xC3, 0, buf, sizeof buf), 1);
		CHECK_EQ((uint8_t)buf[0], 0xC3);
		CHECK_EQ(tok_piece(t, 1, 0, buf, sizeof buf), 0);
		CHECK_EQ(tok_piece(t, 1, 1, buf, sizeof buf), 3);
		CHECK_EQ(tok_piece(t, -1, 1, buf, sizeof buf), 0);
		CHECK_EQ(tok_piece(t, 100000, 1, buf, sizeof buf), 0);
		/* a short buffer gets a prefix and the full length */
		CHECK_EQ(tok_piece(t, spm_h_space, 0, buf, 1), 2);
	}
	TEST("spm", "detokenize round-trips, dropping the prefix space") {
		const char *text = "hello h\xC3\xA9llo  hell";
		char out[64];
		long n = enc(t, text, 0, 0, ids);
		CHECK(n > 0 && n <= 64);
		size_t len = tok_detokenize(t, ids, (size_t)n, 0, 1, out, sizeof out);
		CHECK_EQ(len, strlen(text));
		CHECK_STR(out, text);
		/* BOS first: its empty piece takes the strip, as in llama.cpp */
		n = enc(t, text, 1, 0, ids);
		len = tok_detokenize(t, ids, (size_t)n, 0, 1, out, sizeof out);
		CHECK_EQ(len, strlen(text) + 1);
		CHECK_EQ(out[0], ' ');
		/* a short buffer: a NUL-terminated prefix and the full length */
		CHECK_EQ(tok_detokenize(t, ids, (size_t)n, 0, 1, out, 4), strlen(text) + 1);
		CHECK_EQ(strlen(out), 3);
	}
	TEST("spm", "a short id buffer gets a prefix and the full count") {
		int32_t two[2];
		CHECK_EQ(tok_encode(t, "hello hello", 11, 1, 0, two, 2), 5);
		CHECK_EQ(two[0], 1);
		CHECK_EQ(two[1], spm_space);
	}
	tok_close(t);
}

static void test_bpe(void)
{
	int32_t ids[64];
	struct tokenizer *t = bpe_tokenizer("gpt-2");

	TEST("bpe", "opens; BPE defaults: no BOS, no space prefix") {
		CHECK(t != NULL);
		if (t) {
			CHECK_EQ(tok_add_bos(t), 0);
			CHECK_EQ(tok_add_space_prefix(t), 0);
		}
	}
	if (!t)
		return;
	TEST("bpe", "merges by rank inside each word") {
		long n = enc(t, "hello world", 1, 0, ids);
		CHECK_IDS(ids, n, bpe_hello, bpe_world);
		n = enc(t, "hex", 0, 0, ids);
		CHECK_IDS(ids, n, tok_find(t, "he", 2), 'x');
		/* " world" is one word, "world" alone has no merges for "wo" */
		n = enc(t, "world", 0, 0, ids);
		CHECK_IDS(ids, n, 'w', tok_find(t, "or", 2), 'l', 'd');
	}
	TEST("bpe", "every byte has a token: newline, controls, UTF-8") {
		long n = enc(t, "\n\x01\xC3\xA9", 0, 0, ids);
		/* pieces: "\n", "\x01" and "é" are separate words */
		CHECK_IDS(ids, n, '\n', 1, 0xC3, 0xA9);
	}
	TEST("bpe", "invalid UTF-8 is read as U+FFFD, as llama.cpp does") {
		long n = enc(t, "\xFF", 0, 0, ids);
		CHECK_IDS(ids, n, 0xEF, 0xBF, 0xBD);
	}
	TEST("bpe", "user-defined tokens always, control tokens when asked") {
		long n = enc(t, "a<tool>b", 0, 0, ids);
		CHECK_IDS(ids, n, 'a', bpe_tool, 'b');
		n = enc(t, "a<|end|>", 0, 1, ids);
		CHECK_IDS(ids, n, 'a', bpe_end);
		n = enc(t, "<|end|>", 0, 0, ids);
		CHECK(n == 7 && ids[0] == '<');
		/* "<|im_end|>" is promoted to control and ends a turn */
		n = enc(t, "<|im_end|>", 0, 0, ids);
		CHECK(n > 1);
		n = enc(t, "<|im_end|>", 0, 1, ids);
		CHECK_IDS(ids, n, bpe_im_end);
		CHECK_EQ(tok_token_type(t, bpe_im_end), TOK_TYPE_CONTROL);
		CHECK(tok_is_end(t, bpe_im_end));
		CHECK(!tok_is_end(t, bpe_tool));
	}
	TEST("bpe", "pieces map byte-level text back to bytes") {
		char buf[16];
		CHECK_EQ(tok_piece(t, bpe_world, 0, buf, sizeof buf), 6);
		CHECK(memcmp(buf, " world", 6) == 0);
		CHECK_EQ(tok_piece(t, '\n', 0, buf, sizeof buf), 1);
		CHECK_EQ(buf[0], '\n');
		CHECK_EQ(tok_piece(t, bpe_tool, 0, buf, sizeof buf), 6);
		CHECK_EQ(tok_piece(t, bpe_end, 0, buf, sizeof buf), 0);
	}
	TEST("bpe", "round trip over mixed text") {
		const char *text = "hello world \xF0\x9F\x98\x80 x\n\n<tool> 42!";
		char out[128];
		long n = enc(t, text, 0, 0, ids);
		CHECK(n > 0 && n <= 64);
		tok_detokenize(t, ids, (size_t)n, 0, 0, out, sizeof out);
		CHECK_STR(out, text);
	}
	tok_close(t);

	TEST("bpe", "llama3 takes a whole-word token without merges") {
		struct tokenizer *l3 = bpe_tokenizer("llama3");
		struct tokenizer *g2 = bpe_tokenizer("gpt-2");
		CHECK(l3 && g2);
		if (l3 && g2) {
			long n = enc(l3, "xyz", 0, 0, ids);
			CHECK_IDS(ids, n, bpe_xyz);
			n = enc(g2, "xyz", 0, 0, ids);
			CHECK_IDS(ids, n, 'x', 'y', 'z');
			/* and llama3 adds BOS by default */
			n = enc(l3, "xyz", 1, 0, ids);
			CHECK_IDS(ids, n, bpe_end, bpe_xyz);
		}
		tok_close(l3);
		tok_close(g2);
	}
}

static void test_errors(void)
{
	struct tokenizer *t = NULL;
	struct tok_vocab v;
	char err[TOK_ERR_MAX];
	struct tok_str toks[2] = { { "a", 1 }, { "b", 1 } };
	struct tok_str bad_merge[1] = { { "ab", 2 } };

	TEST("errors", "unknown pre-tokenizer is named") {
		tok_vocab_init(&v);
		v.model = TOK_MODEL_BPE;
		v.n_tokens = 2;
		v.tokens = toks;
		v.pre = (struct tok_str){ "nope", 4 };
		CHECK_EQ(tok_open(&t, &v, err), -1);
		CHECK(t == NULL);
		CHECK(strstr(err, "'nope'") != NULL);
	}
	TEST("errors", "a merge without a space is refused") {
		v.pre = (struct tok_str){ NULL, 0 };
		v.n_merges = 1;
		v.merges = bad_merge;
		CHECK_EQ(tok_open(&t, &v, err), -1);
		CHECK(strstr(err, "merge 0") != NULL);
	}
	TEST("errors", "special ids outside the vocabulary are refused") {
		v.n_merges = 0;
		v.merges = NULL;
		v.eos_id = 2;
		CHECK_EQ(tok_open(&t, &v, err), -1);
		CHECK(strstr(err, "EOS") != NULL);
	}
	TEST("errors", "empty vocabulary, unknown model, add_bos without BOS") {
		tok_vocab_init(&v);
		v.model = TOK_MODEL_SPM;
		CHECK_EQ(tok_open(&t, &v, err), -1);
		v.n_tokens = 2;
		v.tokens = toks;
		v.model = (enum tok_model)7;
		CHECK_EQ(tok_open(&t, &v, err), -1);
		v.model = TOK_MODEL_SPM; /* default BOS id 1 exists here */
		v.add_bos = 1;
		CHECK_EQ(tok_open(&t, &v, err), 0);
		tok_close(t);
		v.model = TOK_MODEL_BPE; /* default BOS id 11 does not */
		CHECK_EQ(tok_open(&t, &v, err), -1);
		CHECK(strstr(err, "BOS") != NULL);
	}
}

int main(void)
{
	test_utf8();
	test_pre();
	test_spm();
	test_bpe();
	test_errors();
	return check_done();
}
