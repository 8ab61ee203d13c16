/*
 * gguf_write.h - building a GGUF file (version 3) in memory and writing it.
 *
 * The writer collects metadata and tensors in the order they are added
 * (that order is the file's) and lays them out on write: header, metadata,
 * tensor table, padding, then each tensor's bytes at the next multiple of
 * the alignment.  It copies everything it is given, so the caller's
 * buffers can be reused at once.  It checks nothing about meaning (keys may
 * repeat, shapes may be odd) so tests can also build broken files; the
 * reader, gguf.h, is the one that validates.
 *
 * Errors are sticky: an allocation failure makes every later call a no-op
 * and gguf_writer_write() return -1, so callers check once at the end.
 *
 *     struct gguf_writer w;
 *     gguf_writer_init(&w, 32);
 *     gguf_w_str(&w, "general.architecture", "llama");
 *     gguf_w_u32(&w, "llama.block_count", 2);
 *     uint64_t ne[2] = { 64, 128 };
 *     gguf_w_tensor(&w, "token_embd.weight", 2, ne, QUANT_F32, data, bytes);
 *     if (gguf_writer_write(&w, file) != 0) ...;
 *     gguf_writer_free(&w);
 */
#ifndef MCPOS_GGUF_WRITE_H
#define MCPOS_GGUF_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gguf_wbuf {
	uint8_t *data;
	size_t len, cap;
};

struct gguf_writer {
	uint32_t alignment;
	uint64_t n_kv, n_tensors;
	struct gguf_wbuf kv;      /* encoded metadata entries */
	struct gguf_wbuf infos;   /* encoded tensor entries, offsets included */
	struct gguf_wbuf data;    /* tensor bytes, each padded to alignment */
	int failed;
};

void gguf_writer_init(struct gguf_writer *w, uint32_t alignment);
void gguf_writer_free(struct gguf_writer *w);

void gguf_w_u32(struct gguf_writer *w, const char *key, uint32_t v);
void gguf_w_i32(struct gguf_writer *w, const char *key, int32_t v);
void gguf_w_f32(struct gguf_writer *w, const char *key, float v);
void gguf_w_bool(struct gguf_writer *w, const char *key, int v);
void gguf_w_str(struct gguf_writer *w, const char *key, const char *v);
/* Arrays: n strings (each of lens[i] bytes, or strlen if lens is NULL). */
void gguf_w_arr_str(struct gguf_writer *w, const char *key,
		    const char *const *v, const size_t *lens, size_t n);
void gguf_w_arr_f32(struct gguf_writer *w, const char *key, const float *v, size_t n);
void gguf_w_arr_i32(struct gguf_writer *w, const char *key, const int32_t *v, size_t n);

/* A tensor of `size` bytes already in its on-disk format (see quant.h). */
void gguf_w_tensor(struct gguf_writer *w, const char *name, uint32_t n_dims,
		   const uint64_t *ne, uint32_t type, const void *bytes, size_t size);

/* The whole file, to a stream or to a malloc'd buffer (the caller frees). */
int gguf_writer_write(struct gguf_writer *w, FILE *f);
int gguf_writer_to_mem(struct gguf_writer *w, uint8_t **out, size_t *len);

#endif
