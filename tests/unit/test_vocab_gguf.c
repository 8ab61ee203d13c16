/*
 * test_vocab_gguf.c - reading tokenizer.ggml.* keys from a GGUF buffer
 * built here, and the errors that name a bad key.
 */
#include "../unit/check.h"

#include "llm/gguf.h"
#include "llm/tokenizer.h"
#include "llm/vocab_gguf.h"

#include <stdint.h>
#include <string.h>

/* A tiny GGUF v3 writer: header, then KVs appended; no tensors. */
struct buf {
	uint8_t b[8192];
	size_t n;
	uint64_t n_kv;
};

static void raw(struct buf *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void u32(struct buf *w, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	raw(w, le, 4);
}

static void u64(struct buf *w, uint64_t v)
{
	u32(w, (uint32_t)v);
	u32(w, (uint32_t)(v >> 32));
}

static void str(struct buf *w, const char *s)
{
	u64(w, strlen(s));
	raw(w, s, strlen(s));
}

static void key(struct buf *w, const char *k, uint32_t type)
{
	str(w, k);
	u32(w, type);
	w->n_kv++;
}

static void kv_str(struct buf *w, const char *k, const char *v)
{
	key(w, k, GGUF_TYPE_STRING);
	str(w, v);
}

static void kv_u32(struct buf *w, const char *k, uint32_t v)
{
	key(w, k, GGUF_TYPE_UINT32);
	u32(w, v);
}

static void kv_strs(struct buf *w, const char *k, const char *const *v, size_t n)
{
	key(w, k, GGUF_TYPE_ARRAY);
	u32(w, GGUF_TYPE_STRING);
	u64(w, n);
	for (size_t i = 0; i < n; i++)
		str(w, v[i]);
}

static void kv_i32s(struct buf *w, const char *k, const int32_t *v, size_t n)
{
	key(w, k, GGUF_TYPE_ARRAY);
	u32(w, GGUF_TYPE_INT32);
	u64(w, n);
	for (size_t i = 0; i < n; i++)
		u32(w, (uint32_t)v[i]);
}

static void begin(struct buf *w)
{
	memset(w, 0, sizeof *w);
	raw(w, "GGUF", 4);
	u32(w, 3);
	u64(w, 0);
	u64(w, 0); /* kv count, patched by finish() */
}

static void finish(struct buf *w)
{
	for (int i = 0; i < 8; i++)
		w->b[16 + i] = (uint8_t)(w->n_kv >> (8 * i));
	while (w->n % 32)
		w->b[w->n++] = 0;
}

static const char *const toks[] = { "a", "b", "ab", "<|end|>" };
static const int32_t types[] = { 1, 1, 1, 3 };

/* A byte-level vocabulary with one merge; `bad` breaks one key. */
static void bpe_file(struct buf *w, const char *bad)
{
	begin(w);
	kv_str(w, "tokenizer.ggml.model", "gpt2");
	kv_str(w, "tokenizer.ggml.pre", strcmp(bad, "pre") == 0 ? "nonesuch" : "qwen2");
	if (strcmp(bad, "tokens") == 0)
		kv_str(w, "tokenizer.ggml.tokens", "a");
	else
		kv_strs(w, "tokenizer.ggml.tokens", toks, 4);
	kv_i32s(w, "tokenizer.ggml.token_type", types, strcmp(bad, "types") == 0 ? 3 : 4);
	const char *merges[] = { "a b" };
	kv_strs(w, "tokenizer.ggml.merges", merges, 1);
	kv_u32(w, "tokenizer.ggml.eos_token_id", strcmp(bad, "eos") == 0 ? 4 : 3);
	finish(w);
}

static int load(struct buf *w, struct gguf_file *g, struct vocab_gguf *vg, char *err)
{
	struct gguf_error gerr;
	if (gguf_open(g, w->b, w->n, &gerr) != 0) {
		printf("# gguf_open: %s\n", gerr.msg);
		return -2;
	}
	int rc = vocab_gguf_load(vg, g, err);
	if (rc != 0)
		gguf_close(g);
	return rc;
}

int main(void)
{
	static struct buf w;
	struct gguf_file g;
	struct vocab_gguf vg;
	struct tokenizer *tok;
	char err[TOK_ERR_MAX];

	TEST("vocab_gguf", "a byte-level vocabulary loads and tokenizes") {
		bpe_file(&w, "");
		CHECK_EQ(load(&w, &g, &vg, err), 0);
		CHECK_EQ(vg.vocab.model, TOK_MODEL_BPE);
		CHECK_EQ(vg.vocab.n_tokens, 4);
		CHECK_EQ(vg.vocab.n_merges, 1);
		CHECK_EQ(vg.vocab.eos_id, 3);
		CHECK_EQ(vg.vocab.bos_id, TOK_NONE);
		CHECK_EQ(vg.vocab.add_bos, TOK_NONE);
		CHECK(tok_open(&tok, &vg.vocab, err) == 0);
		tok_close(tok);
		vocab_gguf_free(&vg);
		/* the one-step form frees the merges once read */
		CHECK_EQ(vocab_gguf_tokenizer(&vg, &g, &tok, err), 0);
		CHECK(vg.merges == NULL);
		int32_t ids[8];
		CHECK_EQ(tok_encode(tok, "ab<|end|>", 9, 1, 1, ids, 8), 2);
		CHECK_EQ(ids[0], 2);
		CHECK_EQ(ids[1], 3);
		CHECK(tok_is_end(tok, 3));
		tok_close(tok);
		vocab_gguf_free(&vg);
		gguf_close(&g);
	}
	TEST("vocab_gguf", "errors name the key") {
		bpe_file(&w, "tokens");
		CHECK_EQ(load(&w, &g, &vg, err), -1);
		CHECK(strstr(err, "tokenizer.ggml.tokens") != NULL);
		bpe_file(&w, "types");
		CHECK_EQ(load(&w, &g, &vg, err), -1);
		CHECK(strstr(err, "token_type: 3 entries for 4 tokens") != NULL);
	}
	TEST("vocab_gguf", "what the tokenizer refuses is refused with the reason") {
		bpe_file(&w, "pre");
		CHECK_EQ(load(&w, &g, &vg, err), 0);
		CHECK_EQ(tok_open(&tok, &vg.vocab, err), -1);
		CHECK(strstr(err, "nonesuch") != NULL);
		vocab_gguf_free(&vg);
		gguf_close(&g);
		bpe_file(&w, "eos");
		CHECK_EQ(load(&w, &g, &vg, err), 0);
		vocab_gguf_free(&vg);
		CHECK_EQ(vocab_gguf_tokenizer(&vg, &g, &tok, err), -1);
		CHECK(tok == NULL);
		CHECK(strstr(err, "EOS token id 4") != NULL);
		gguf_close(&g);
	}
	TEST("vocab_gguf", "an unsupported model kind is named") {
		begin(&w);
		kv_str(&w, "tokenizer.ggml.model", "bert");
		finish(&w);
		CHECK_EQ(load(&w, &g, &vg, err), -1);
		CHECK(strstr(err, "'bert'") != NULL);
		begin(&w);
		finish(&w);
		CHECK_EQ(load(&w, &g, &vg, err), -1);
		CHECK(strstr(err, "tokenizer.ggml.model") != NULL);
	}
	return check_done();
}
