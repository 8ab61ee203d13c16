/*
 * test_gguf.c - the GGUF reader against files built by the writer, and
 * against every way we could think of to break them.
 */
#include "check.h"
#include "gguf_write.h"
#include "llm/gguf.h"
#include "llm/quant.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int contains(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

/* A small valid file: a few kinds of metadata and two tensors. */
static int build_sample(uint8_t **buf, size_t *len)
{
	struct gguf_writer w;
	gguf_writer_init(&w, 32);
	gguf_w_str(&w, "general.architecture", "llama");
	gguf_w_u32(&w, "llama.block_count", 3);
	gguf_w_i32(&w, "test.negative", -5);
	gguf_w_f32(&w, "llama.rope.freq_base", 10000.0f);
	gguf_w_bool(&w, "test.flag", 1);
	const char *toks[] = { "<s>", "</s>", "hello" };
	gguf_w_arr_str(&w, "tokenizer.ggml.tokens", toks, NULL, 3);
	const float scores[] = { 0.0f, -1.5f, 2.25f };
	gguf_w_arr_f32(&w, "tokenizer.ggml.scores", scores, 3);

	float a[64];
	for (int i = 0; i < 64; i++)
		a[i] = (float)i;
	uint64_t ne_a[2] = { 8, 8 };
	gguf_w_tensor(&w, "blk.0.attn_q.weight", 2, ne_a, QUANT_F32, a, sizeof a);
	uint8_t q[34] = { 0 };
	uint64_t ne_b[1] = { 32 };
	gguf_w_tensor(&w, "output_norm.weight", 1, ne_b, QUANT_Q8_0, q, sizeof q);
	int rc = gguf_writer_to_mem(&w, buf, len);
	gguf_writer_free(&w);
	return rc;
}

/* Offsets inside the sample, found by searching (robust to layout edits). */
static size_t find(const uint8_t *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return i;
	return (size_t)-1;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Open a patched copy; returns rc and leaves the message in err. */
static int open_copy(const uint8_t *buf, size_t len, struct gguf_error *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, buf, len);
	struct gguf_file g;
	int rc = gguf_open(&g, copy, len, err);
	if (rc == 0)
		gguf_close(&g);
	free(copy);
	return rc;
}

int main(void)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct gguf_error err;

	TEST("gguf", "writer output opens and metadata reads back") {
		CHECK(build_sample(&buf, &len) == 0);
		struct gguf_file g;
		CHECK(gguf_open(&g, buf, len, &err) == 0);
		CHECK_EQ(g.version, 3);
		CHECK_EQ(g.n_kv, 7);
		CHECK_EQ(g.n_tensors, 2);
		const char *s;
		size_t n;
		CHECK(gguf_get_str(&g, "general.architecture", &s, &n) == 0);
		CHECK(n == 5 && memcmp(s, "llama", 5) == 0);
		uint32_t u;
		CHECK(gguf_get_u32(&g, "llama.block_count", &u) == 0);
		CHECK_EQ(u, 3);
		int64_t i64;
		CHECK(gguf_get_i64(&g, "test.negative", &i64) == 0);
		CHECK_EQ(i64, -5);
		CHECK(gguf_get_u32(&g, "test.negative", &u) == -1); /* negative */
		float f;
		CHECK(gguf_get_f32(&g, "llama.rope.freq_base", &f) == 0);
		CHECK(f == 10000.0f);
		int b;
		CHECK(gguf_get_bool(&g, "test.flag", &b) == 0);
		CHECK_EQ(b, 1);
		CHECK(gguf_get_u32(&g, "general.architecture", &u) == -1); /* string */
		CHECK(gguf_get_u32(&g, "no.such.key", &u) == -1);

		const struct gguf_kv *kv = gguf_find_kv(&g, "tokenizer.ggml.tokens");
		CHECK(kv && kv->type == GGUF_TYPE_ARRAY && kv->v.arr.count == 3);
		struct gguf_str toks[4];
		CHECK_EQ(gguf_array_str(kv, toks, 4), 3);
		CHECK(gguf_str_eq(toks[2], "hello"));
		CHECK(gguf_str_eq(toks[0], "<s>"));
		kv = gguf_find_kv(&g, "tokenizer.ggml.scores");
		CHECK(kv && gguf_array_num(kv, 1) == -1.5 && gguf_array_num(kv, 2) == 2.25);
		gguf_close(&g);
	}

	TEST("gguf", "tensor table: shapes, types, sizes, aligned data") {
		struct gguf_file g;
		CHECK(gguf_open(&g, buf, len, &err) == 0);
		const struct gguf_tensor *t = gguf_find_tensor(&g, "blk.0.attn_q.weight");
		CHECK(t != NULL);
		if (t) {
			CHECK_EQ(t->n_dims, 2);
			CHECK_EQ(t->ne[0], 8);
			CHECK_EQ(t->ne[1], 8);
			CHECK_EQ(t->ne[2], 1);
			CHECK_EQ(t->n_elements, 64);
			CHECK_EQ(t->size, 256);
			CHECK_EQ(((const uint8_t *)t->data - buf) % 32, 0);
			float v;
			memcpy(&v, (const uint8_t *)t->data + 4 * 63, 4);
			CHECK(v == 63.0f);
		}
		t = gguf_find_tensor(&g, "output_norm.weight");
		CHECK(t && t->type == QUANT_Q8_0 && t->size == 34 && t->offset == 256);
		CHECK(gguf_find_tensor(&g, "output_norm") == NULL);
		gguf_close(&g);
	}

	TEST("gguf", "every truncation is refused without a crash") {
		/* Cutting the file anywhere before the last tensor's end must
		 * fail (ASan would catch a read past the copy); the last tensor
		 * ends the file, so the check covers every byte. */
		int all_failed = 1;
		struct gguf_file g;
		CHECK(gguf_open(&g, buf, len, &err) == 0);
		const struct gguf_tensor *t = gguf_find_tensor(&g, "output_norm.weight");
		size_t end = t ? (size_t)((const uint8_t *)t->data - buf) + 34 : len;
		gguf_close(&g);
		for (size_t cut = 0; cut < end; cut++)
			if (open_copy(buf, cut, &err) == 0)
				all_failed = 0;
		CHECK(all_failed);
		CHECK(open_copy(buf, end, &err) == 0);
	}

	TEST("gguf", "bad magic and versions name the problem") {
		uint8_t *c = malloc(len);
		memcpy(c, buf, len);
		c[0] = 'X';
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "magic"));
		memcpy(c, buf, len);
		put_u32(c + 4, 1);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "version 1"));
		put_u32(c + 4, 0x03000000);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "byte-swapped"));
		put_u32(c + 4, 2); /* v2 has the same layout */
		CHECK(open_copy(c, len, &err) == 0);
		free(c);
	}

	TEST("gguf", "huge counts are refused before allocating") {
		uint8_t *c = malloc(len);
		memcpy(c, buf, len);
		put_u64(c + 8, UINT64_MAX / 2);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "tensor count"));
		memcpy(c, buf, len);
		put_u64(c + 16, (uint64_t)1 << 40);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "metadata count"));
		/* a string array claiming more strings than bytes */
		memcpy(c, buf, len);
		size_t k = find(c, len, "tokenizer.ggml.tokens");
		put_u64(c + k + 21 + 4 + 4, (uint64_t)1 << 60);
		CHECK(open_copy(c, len, &err) == -1 &&
		      contains(err.msg, "'tokenizer.ggml.tokens'") && contains(err.msg, "strings"));
		/* a string length past the end */
		memcpy(c, buf, len);
		k = find(c, len, "llama");
		put_u64(c + k - 8, 1u << 30);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "general.architecture") &&
		      contains(err.msg, "string length"));
		free(c);
	}

	TEST("gguf", "bad value types, dims, tensor types are named") {
		uint8_t *c = malloc(len);
		memcpy(c, buf, len);
		size_t k = find(c, len, "llama.block_count");
		put_u32(c + k + 17, 99);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "'llama.block_count'") &&
		      contains(err.msg, "unknown value type 99"));
		memcpy(c, buf, len);
		k = find(c, len, "test.flag");
		c[k + 9 + 4] = 2;
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "bool"));
		/* tensor entry: name, n_dims, ne[], type, offset */
		memcpy(c, buf, len);
		k = find(c, len, "blk.0.attn_q.weight") + 19;
		put_u32(c + k, 5);
		CHECK(open_copy(c, len, &err) == -1 &&
		      contains(err.msg, "tensor 'blk.0.attn_q.weight': 5 dimensions"));
		memcpy(c, buf, len);
		put_u64(c + k + 4, 0);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "dimension 0 is 0"));
		memcpy(c, buf, len);
		put_u64(c + k + 4, (uint64_t)1 << 62);
		put_u64(c + k + 12, (uint64_t)1 << 62);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "too large"));
		memcpy(c, buf, len);
		put_u32(c + k + 20, 16); /* IQ2_XXS: a real ggml type we do not read */
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "type 16 is not supported"));
		memcpy(c, buf, len);
		put_u32(c + k + 20, QUANT_Q4_0); /* row of 8 is not a 32-block */
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "not a multiple of the Q4_0 block"));
		free(c);
	}

	TEST("gguf", "offsets: misaligned, beyond the file, duplicates") {
		uint8_t *c = malloc(len);
		memcpy(c, buf, len);
		size_t k = find(c, len, "output_norm.weight") + 18;
		/* n_dims(4) ne0(8) type(4) offset(8) */
		put_u64(c + k + 16, 100000);
		CHECK(open_copy(c, len, &err) == -1 &&
		      contains(err.msg, "tensor 'output_norm.weight': offset") &&
		      contains(err.msg, "beyond file size"));
		put_u64(c + k + 16, 4);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "alignment 32"));
		put_u64(c + k + 16, UINT64_MAX - 31);
		CHECK(open_copy(c, len, &err) == -1 && contains(err.msg, "beyond file size"));
		/* a key renamed to another of a different length is no duplicate */
		memcpy(c, buf, len);
		memcpy(c + find(c, len, "llama.block_count"), "test.negativeXXXX", 17);
		CHECK(open_copy(c, len, &err) == 0);
		free(c);
	}

	TEST("gguf", "duplicate keys and tensor names are refused") {
		struct gguf_writer w;
		uint8_t *b2;
		size_t l2;
		gguf_writer_init(&w, 32);
		gguf_w_u32(&w, "a.key", 1);
		gguf_w_u32(&w, "a.key", 2);
		CHECK(gguf_writer_to_mem(&w, &b2, &l2) == 0);
		gguf_writer_free(&w);
		CHECK(open_copy(b2, l2, &err) == -1 && contains(err.msg, "'a.key': duplicate key"));
		free(b2);

		float z[4] = { 0 };
		uint64_t ne[1] = { 4 };
		gguf_writer_init(&w, 32);
		gguf_w_tensor(&w, "t", 1, ne, QUANT_F32, z, sizeof z);
		gguf_w_tensor(&w, "t", 1, ne, QUANT_F32, z, sizeof z);
		CHECK(gguf_writer_to_mem(&w, &b2, &l2) == 0);
		gguf_writer_free(&w);
		CHECK(open_copy(b2, l2, &err) == -1 && contains(err.msg, "'t': duplicate name"));
		free(b2);
	}

	TEST("gguf", "general.alignment is honoured and checked") {
		struct gguf_writer w;
		uint8_t *b2;
		size_t l2;
		float z[4] = { 1, 2, 3, 4 };
		uint64_t ne[1] = { 4 };
		gguf_writer_init(&w, 64);
		gguf_w_u32(&w, "general.alignment", 64);
		gguf_w_tensor(&w, "a", 1, ne, QUANT_F32, z, sizeof z);
		gguf_w_tensor(&w, "b", 1, ne, QUANT_F32, z, sizeof z);
		CHECK(gguf_writer_to_mem(&w, &b2, &l2) == 0);
		gguf_writer_free(&w);
		struct gguf_file g;
		CHECK(gguf_open(&g, b2, l2, &err) == 0);
		CHECK_EQ(g.alignment, 64);
		CHECK_EQ(g.data_offset % 64, 0);
		const struct gguf_tensor *t = gguf_find_tensor(&g, "b");
		CHECK(t && t->offset == 64);
		gguf_close(&g);
		size_t k = find(b2, l2, "general.alignment") + 17 + 4;
		put_u32(b2 + k, 48);
		CHECK(open_copy(b2, l2, &err) == -1 && contains(err.msg, "power of two"));
		put_u32(b2 + k, 0);
		CHECK(open_copy(b2, l2, &err) == -1 && contains(err.msg, "power of two"));
		free(b2);
	}

	TEST("gguf", "nested arrays and unknown element types are refused") {
		struct gguf_writer w;
		uint8_t *b2;
		size_t l2;
		int32_t v[2] = { 1, 2 };
		gguf_writer_init(&w, 32);
		gguf_w_arr_i32(&w, "x.arr", v, 2);
		CHECK(gguf_writer_to_mem(&w, &b2, &l2) == 0);
		gguf_writer_free(&w);
		size_t k = find(b2, l2, "x.arr") + 5 + 4;
		put_u32(b2 + k, GGUF_TYPE_ARRAY);
		CHECK(open_copy(b2, l2, &err) == -1 && contains(err.msg, "arrays of arrays"));
		put_u32(b2 + k, 77);
		CHECK(open_copy(b2, l2, &err) == -1 && contains(err.msg, "element type 77"));
		free(b2);
	}

	free(buf);
	return check_done();
}
