/*
 * gguf_write.c - the GGUF writer.  See gguf_write.h.
 */
#include "gguf_write.h"

#include <stdlib.h>
#include <string.h>

/* GGUF value types (the reader's enum, repeated so the writer stands alone). */
enum { T_U32 = 4, T_I32 = 5, T_F32 = 6, T_BOOL = 7, T_STRING = 8, T_ARRAY = 9 };

static void put(struct gguf_writer *w, struct gguf_wbuf *b, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			w->failed = 1;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_le(struct gguf_writer *w, struct gguf_wbuf *b, uint64_t v, size_t n)
{
	uint8_t tmp[8];
	for (size_t i = 0; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	put(w, b, tmp, n);
}

static void put_str(struct gguf_writer *w, struct gguf_wbuf *b, const char *s, size_t n)
{
	put_le(w, b, n, 8);
	put(w, b, s, n);
}

static void put_f32(struct gguf_writer *w, struct gguf_wbuf *b, float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	put_le(w, b, u, 4);
}

static void key(struct gguf_writer *w, const char *k, uint32_t type)
{
	put_str(w, &w->kv, k, strlen(k));
	put_le(w, &w->kv, type, 4);
	w->n_kv++;
}

void gguf_writer_init(struct gguf_writer *w, uint32_t alignment)
{
	memset(w, 0, sizeof *w);
	w->alignment = alignment ? alignment : 32;
}

void gguf_writer_free(struct gguf_writer *w)
{
	free(w->kv.data);
	free(w->infos.data);
	free(w->data.data);
	memset(w, 0, sizeof *w);
}

void gguf_w_u32(struct gguf_writer *w, const char *k, uint32_t v)
{
	key(w, k, T_U32);
	put_le(w, &w->kv, v, 4);
}

void gguf_w_i32(struct gguf_writer *w, const char *k, int32_t v)
{
	key(w, k, T_I32);
	put_le(w, &w->kv, (uint32_t)v, 4);
}

void gguf_w_f32(struct gguf_writer *w, const char *k, float v)
{
	key(w, k, T_F32);
	put_f32(w, &w->kv, v);
}

void gguf_w_bool(struct gguf_writer *w, const char *k, int v)
{
	key(w, k, T_BOOL);
	put_le(w, &w->kv, v ? 1 : 0, 1);
}

void gguf_w_str(struct gguf_writer *w, const char *k, const char *v)
{
	key(w, k, T_STRING);
	put_str(w, &w->kv, v, strlen(v));
}

static void array_head(struct gguf_writer *w, const char *k, uint32_t type, size_t n)
{
	key(w, k, T_ARRAY);
	put_le(w, &w->kv, type, 4);
	put_le(w, &w->kv, n, 8);
}

void gguf_w_arr_str(struct gguf_writer *w, const char *k, const char *const *v,
		    const size_t *lens, size_t n)
{
	array_head(w, k, T_STRING, n);
	for (size_t i = 0; i < n; i++)
		put_str(w, &w->kv, v[i], lens ? lens[i] : strlen(v[i]));
}

void gguf_w_arr_f32(struct gguf_writer *w, const char *k, const float *v, size_t n)
{
	array_head(w, k, T_F32, n);
	for (size_t i = 0; i < n; i++)
		put_f32(w, &w->kv, v[i]);
}

void gguf_w_arr_i32(struct gguf_writer *w, const char *k, const int32_t *v, size_t n)
{
	array_head(w, k, T_I32, n);
	for (size_t i = 0; i < n; i++)
		put_le(w, &w->kv, (uint32_t)v[i], 4);
}

static void pad(struct gguf_writer *w, struct gguf_wbuf *b)
{
	static const uint8_t zeros[64];
	size_t n = (w->alignment - b->len % w->alignment) % w->alignment;
	while (n > 0) {
		size_t k = n < sizeof zeros ? n : sizeof zeros;
		put(w, b, zeros, k);
		n -= k;
	}
}

void gguf_w_tensor(struct gguf_writer *w, const char *name, uint32_t n_dims,
		   const uint64_t *ne, uint32_t type, const void *bytes, size_t size)
{
	put_str(w, &w->infos, name, strlen(name));
	put_le(w, &w->infos, n_dims, 4);
	for (uint32_t d = 0; d < n_dims; d++)
		put_le(w, &w->infos, ne[d], 8);
	put_le(w, &w->infos, type, 4);
	put_le(w, &w->infos, w->data.len, 8);
	put(w, &w->data, bytes, size);
	pad(w, &w->data);
	w->n_tensors++;
}

/* Everything before the data section, padded. */
static int head(struct gguf_writer *w, struct gguf_wbuf *h)
{
	put(w, h, "GGUF", 4);
	put_le(w, h, 3, 4);
	put_le(w, h, w->n_tensors, 8);
	put_le(w, h, w->n_kv, 8);
	put(w, h, w->kv.data, w->kv.len);
	put(w, h, w->infos.data, w->infos.len);
	pad(w, h);
	return w->failed ? -1 : 0;
}

int gguf_writer_write(struct gguf_writer *w, FILE *f)
{
	struct gguf_wbuf h = { 0 };
	int rc = head(w, &h);
	if (rc == 0 && (fwrite(h.data, 1, h.len, f) != h.len ||
			fwrite(w->data.data, 1, w->data.len, f) != w->data.len))
		rc = -1;
	free(h.data);
	return rc;
}

int gguf_writer_to_mem(struct gguf_writer *w, uint8_t **out, size_t *len)
{
	struct gguf_wbuf h = { 0 };
	if (head(w, &h) != 0) {
		free(h.data);
		return -1;
	}
	put(w, &h, w->data.data, w->data.len);
	if (w->failed) {
		free(h.data);
		return -1;
	}
	*out = h.data;
	*len = h.len;
	return 0;
}
