/*
 * gguf.h - reading GGUF model files (versions 2 and 3), trusting nothing.
 *
 * A GGUF file is, all little-endian:
 *
 *     header    "GGUF", u32 version, u64 tensor_count, u64 kv_count
 *     kv        kv_count times: string key, u32 value type, value
 *     tensors   tensor_count times: string name, u32 n_dims,
 *               u64 ne[n_dims], u32 ggml type, u64 offset
 *     padding   zeros up to `general.alignment` (default 32)
 *     data      tensor bytes; each offset is relative to here and aligned
 *
 * A string is a u64 length and that many bytes (no NUL).  A value is one of
 * the scalar types below, a string, or an array: u32 element type, u64
 * count, then the elements (arrays of arrays are refused, as llama.cpp does).
 *
 * gguf_open() parses a byte range the caller owns (an mmap in mcpos-llm, a
 * buffer in tests) and checks every count, length, type, shape, offset and
 * alignment before anything is used, so every pointer it hands out lies
 * inside that range.  Strings point into the range and are not
 * NUL-terminated: use gguf_str_eq() or "%.*s".  On error it returns -1 and
 * err->msg names the bad field, e.g.
 *
 *     tensor 'blk.3.attn_q.weight': offset 123 beyond file size 100
 *
 * and nothing is left allocated.
 *
 * Usage:
 *
 *     struct gguf_file g;
 *     struct gguf_error err;
 *     if (gguf_open(&g, map, map_size, &err) != 0) { report(err.msg); ... }
 *     const char *arch = NULL; size_t arch_len;
 *     gguf_get_str(&g, "general.architecture", &arch, &arch_len);
 *     const struct gguf_tensor *t = gguf_find_tensor(&g, "token_embd.weight");
 *     gguf_close(&g);       (the byte range stays the caller's)
 */
#ifndef MCPOS_LLM_GGUF_H
#define MCPOS_LLM_GGUF_H

#include <stddef.h>
#include <stdint.h>

enum gguf_value_type {
	GGUF_TYPE_UINT8 = 0,
	GGUF_TYPE_INT8 = 1,
	GGUF_TYPE_UINT16 = 2,
	GGUF_TYPE_INT16 = 3,
	GGUF_TYPE_UINT32 = 4,
	GGUF_TYPE_INT32 = 5,
	GGUF_TYPE_FLOAT32 = 6,
	GGUF_TYPE_BOOL = 7,
	GGUF_TYPE_STRING = 8,
	GGUF_TYPE_ARRAY = 9,
	GGUF_TYPE_UINT64 = 10,
	GGUF_TYPE_INT64 = 11,
	GGUF_TYPE_FLOAT64 = 12,
	GGUF_TYPE_COUNT
};

/* Limits the reader enforces (llama.cpp's own, or looser). */
#define GGUF_MAX_DIMS 4
#define GGUF_DEFAULT_ALIGNMENT 32
#define GGUF_MAX_NAME 64 /* tensor names, as GGML_MAX_NAME */

struct gguf_str {
	const char *ptr; /* inside the file; not NUL-terminated */
	size_t len;
};

struct gguf_kv {
	struct gguf_str key;
	enum gguf_value_type type;
	union {
		uint64_t u;    /* UINT8..UINT64, BOOL (0 or 1) */
		int64_t i;     /* INT8..INT64 */
		double f;      /* FLOAT32, FLOAT64 */
		struct gguf_str s;
		struct {
			enum gguf_value_type type; /* element type, never ARRAY */
			uint64_t count;
			const uint8_t *data;       /* first element in the file */
		} arr;
	} v;
};

struct gguf_tensor {
	struct gguf_str name;
	uint32_t n_dims;
	uint64_t ne[GGUF_MAX_DIMS]; /* ne[0] is the row length; unused dims 1 */
	uint32_t type;              /* enum quant_type (quant.h) */
	uint64_t n_elements;
	uint64_t offset;            /* from the start of the data section */
	uint64_t size;              /* bytes */
	const void *data;           /* base + data_offset + offset */
};

struct gguf_file {
	const uint8_t *base;
	size_t size;
	uint32_t version;
	uint64_t n_kv;
	uint64_t n_tensors;
	struct gguf_kv *kv;          /* n_kv, in file order */
	struct gguf_tensor *tensors; /* n_tensors, in file order */
	uint32_t alignment;
	size_t data_offset;          /* start of the data section */
};

struct gguf_error {
	char msg[256];
};

/* Parse and validate `size` bytes at `data`.  0 or -1 with err->msg set. */
int gguf_open(struct gguf_file *g, const void *data, size_t size,
	      struct gguf_error *err);
void gguf_close(struct gguf_file *g);

int gguf_str_eq(struct gguf_str s, const char *cstr);

/* NULL if absent. */
const struct gguf_kv *gguf_find_kv(const struct gguf_file *g, const char *key);
const struct gguf_tensor *gguf_find_tensor(const struct gguf_file *g,
					   const char *name);

/*
 * Typed getters: 0 on success, -1 if the key is absent or of an
 * incompatible type (any integer type converts to the requested one when
 * the value fits; FLOAT32/FLOAT64 convert to each other).
 */
int gguf_get_u32(const struct gguf_file *g, const char *key, uint32_t *out);
int gguf_get_u64(const struct gguf_file *g, const char *key, uint64_t *out);
int gguf_get_i64(const struct gguf_file *g, const char *key, int64_t *out);
int gguf_get_f32(const struct gguf_file *g, const char *key, float *out);
int gguf_get_bool(const struct gguf_file *g, const char *key, int *out);
int gguf_get_str(const struct gguf_file *g, const char *key,
		 const char **ptr, size_t *len);

/* Bytes of one element of a scalar type (0 for STRING, ARRAY, unknown). */
size_t gguf_scalar_size(enum gguf_value_type t);
const char *gguf_type_name(enum gguf_value_type t);

/*
 * Arrays.  gguf_array_str() fills out[0..count) with the strings of a
 * STRING array (already validated, so this cannot fail) and returns the
 * count copied, at most cap.  Numeric elements are read with
 * gguf_array_num(); `i` must be < count.
 */
size_t gguf_array_str(const struct gguf_kv *kv, struct gguf_str *out,
		      size_t cap);
double gguf_array_num(const struct gguf_kv *kv, uint64_t i);

#endif
