/*
 * gguf.c - the GGUF reader.  See gguf.h for the format.
 *
 * Parsing is one forward pass with a cursor that refuses to step past the
 * end; every count read from the file is checked against the bytes left
 * before it sizes anything, so a hostile header cannot make us allocate
 * more than the file could describe.
 */
#include "llm/gguf.h"
#include "llm/quant.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const uint8_t *base;
	size_t size;
	size_t pos;
	struct gguf_error *err;
};

static int fail(struct cursor *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct cursor *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static size_t left(const struct cursor *c) { return c->size - c->pos; }

/* Read an n-byte little-endian integer; `what` names it in the error. */
static int read_uint(struct cursor *c, size_t n, uint64_t *out, const char *what)
{
	*out = 0;
	if (left(c) < n)
		return fail(c, "%s: truncated at byte %zu (file size %zu)", what,
			    c->pos, c->size);
	*out = load_le(c->base + c->pos, n);
	c->pos += n;
	return 0;
}

static int read_str(struct cursor *c, struct gguf_str *s, const char *what)
{
	uint64_t len;
	if (read_uint(c, 8, &len, what) != 0)
		return -1;
	if (len > left(c))
		return fail(c, "%s: string length %llu beyond file size %zu", what,
			    (unsigned long long)len, c->size);
	s->ptr = (const char *)c->base + c->pos;
	s->len = (size_t)len;
	c->pos += (size_t)len;
	return 0;
}

size_t gguf_scalar_size(enum gguf_value_type t)
{
	switch (t) {
	case GGUF_TYPE_UINT8: case GGUF_TYPE_INT8: case GGUF_TYPE_BOOL: return 1;
	case GGUF_TYPE_UINT16: case GGUF_TYPE_INT16: return 2;
	case GGUF_TYPE_UINT32: case GGUF_TYPE_INT32: case GGUF_TYPE_FLOAT32: return 4;
	case GGUF_TYPE_UINT64: case GGUF_TYPE_INT64: case GGUF_TYPE_FLOAT64: return 8;
	default: return 0;
	}
}

const char *gguf_type_name(enum gguf_value_type t)
{
	static const char *const names[GGUF_TYPE_COUNT] = {
		"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
		"string", "array", "u64", "i64", "f64",
	};
	return (unsigned)t < GGUF_TYPE_COUNT ? names[t] : "?";
}

static int is_signed(enum gguf_value_type t)
{
	return t == GGUF_TYPE_INT8 || t == GGUF_TYPE_INT16 ||
	       t == GGUF_TYPE_INT32 || t == GGUF_TYPE_INT64;
}

/* Decode one scalar at p (already bounds-checked) into kv->v. */
static void decode_scalar(enum gguf_value_type t, const uint8_t *p,
			  struct gguf_kv *kv)
{
	size_t n = gguf_scalar_size(t);
	uint64_t raw = load_le(p, n);
	if (t == GGUF_TYPE_FLOAT32) {
		uint32_t r32 = (uint32_t)raw;
		float f;
		memcpy(&f, &r32, 4);
		kv->v.f = f;
	} else if (t == GGUF_TYPE_FLOAT64) {
		memcpy(&kv->v.f, &raw, 8);
	} else if (is_signed(t)) {
		/* sign-extend from n bytes */
		unsigned shift = (unsigned)(64 - 8 * n);
		kv->v.i = (int64_t)(raw << shift) >> shift;
	} else {
		kv->v.u = raw;
	}
}

static int read_kv(struct cursor *c, struct gguf_kv *kv, uint64_t index)
{
	char what[96];
	snprintf(what, sizeof what, "metadata entry %llu key",
		 (unsigned long long)index);
	if (read_str(c, &kv->key, what) != 0)
		return -1;
	if (kv->key.len == 0)
		return fail(c, "metadata entry %llu: empty key",
			    (unsigned long long)index);
	/* From here on errors name the key (truncated for the message). */
	int kl = kv->key.len > 64 ? 64 : (int)kv->key.len;
	snprintf(what, sizeof what, "metadata '%.*s'", kl, kv->key.ptr);

	uint64_t t;
	if (read_uint(c, 4, &t, what) != 0)
		return -1;
	if (t >= GGUF_TYPE_COUNT)
		return fail(c, "%s: unknown value type %llu", what,
			    (unsigned long long)t);
	kv->type = (enum gguf_value_type)t;

	if (kv->type == GGUF_TYPE_STRING)
		return read_str(c, &kv->v.s, what);
	if (kv->type != GGUF_TYPE_ARRAY) {
		size_t n = gguf_scalar_size(kv->type);
		if (left(c) < n)
			return fail(c, "%s: truncated %s value", what,
				    gguf_type_name(kv->type));
		decode_scalar(kv->type, c->base + c->pos, kv);
		if (kv->type == GGUF_TYPE_BOOL && kv->v.u > 1)
			return fail(c, "%s: bool value %llu is not 0 or 1", what,
				    (unsigned long long)kv->v.u);
		c->pos += n;
		return 0;
	}

	uint64_t et, count;
	if (read_uint(c, 4, &et, what) != 0 || read_uint(c, 8, &count, what) != 0)
		return -1;
	if (et >= GGUF_TYPE_COUNT)
		return fail(c, "%s: unknown array element type %llu", what,
			    (unsigned long long)et);
	if (et == GGUF_TYPE_ARRAY)
		return fail(c, "%s: arrays of arrays are not supported", what);
	kv->v.arr.type = (enum gguf_value_type)et;
	kv->v.arr.count = count;
	kv->v.arr.data = c->base + c->pos;
	if (et == GGUF_TYPE_STRING) {
		/* Each string needs at least its 8-byte length. */
		if (count > left(c) / 8)
			return fail(c, "%s: %llu strings cannot fit in %zu bytes left",
				    what, (unsigned long long)count, left(c));
		for (uint64_t i = 0; i < count; i++) {
			struct gguf_str s;
			if (read_str(c, &s, what) != 0)
				return -1;
		}
		return 0;
	}
	size_t n = gguf_scalar_size(kv->v.arr.type);
	if (count > left(c) / n)
		return fail(c, "%s: %llu elements of %s beyond file size %zu", what,
			    (unsigned long long)count, gguf_type_name(kv->v.arr.type),
			    c->size);
	if (et == GGUF_TYPE_BOOL)
		for (uint64_t i = 0; i < count; i++)
			if (c->base[c->pos + i] > 1)
				return fail(c, "%s: bool element %llu is not 0 or 1",
					    what, (unsigned long long)i);
	c->pos += (size_t)(count * n);
	return 0;
}

/* A tensor name, quoted for messages (names are short but untrusted). */
static void quote_name(char *buf, size_t cap, struct gguf_str s)
{
	size_t j = 0;
	for (size_t i = 0; i < s.len && j + 5 < cap; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		buf[j++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (j + 5 >= cap && j < s.len) {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = 0;
}

static int read_tensor_info(struct cursor *c, struct gguf_tensor *t,
			    uint64_t index)
{
	char what[GGUF_MAX_NAME + 32];
	snprintf(what, sizeof what, "tensor %llu name", (unsigned long long)index);
	if (read_str(c, &t->name, what) != 0)
		return -1;
	char name[GGUF_MAX_NAME + 8];
	quote_name(name, sizeof name, t->name);
	snprintf(what, sizeof what, "tensor '%s'", name);
	if (t->name.len == 0)
		return fail(c, "tensor %llu: empty name", (unsigned long long)index);
	if (t->name.len >= GGUF_MAX_NAME)
		return fail(c, "%s: name is %zu bytes, the limit is %d", what,
			    t->name.len, GGUF_MAX_NAME - 1);

	uint64_t v;
	if (read_uint(c, 4, &v, what) != 0)
		return -1;
	if (v < 1 || v > GGUF_MAX_DIMS)
		return fail(c, "%s: %llu dimensions, expected 1 to %d", what,
			    (unsigned long long)v, GGUF_MAX_DIMS);
	t->n_dims = (uint32_t)v;
	t->n_elements = 1;
	for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++) {
		t->ne[d] = 1;
		if (d >= t->n_dims)
			continue;
		if (read_uint(c, 8, &t->ne[d], what) != 0)
			return -1;
		/* ggml keeps sizes in int64_t: bound every product by that. */
		if (t->ne[d] == 0 || t->ne[d] > (uint64_t)INT64_MAX / t->n_elements)
			return fail(c, "%s: dimension %u is %llu (zero or too large)",
				    what, d, (unsigned long long)t->ne[d]);
		t->n_elements *= t->ne[d];
	}
	if (read_uint(c, 4, &v, what) != 0)
		return -1;
	t->type = (uint32_t)v;
	if (!quant_supported(t->type))
		return fail(c, "%s: tensor type %llu is not supported", what,
			    (unsigned long long)v);
	uint32_t be = quant_block_elems(t->type);
	if (t->ne[0] % be != 0)
		return fail(c, "%s: row length %llu is not a multiple of the %s block size %u",
			    what, (unsigned long long)t->ne[0], quant_name(t->type), be);
	if (quant_bytes(t->type, t->n_elements, &t->size) != 0)
		return fail(c, "%s: byte size overflows", what);
	return read_uint(c, 8, &t->offset, what);
}

static int check_tensors(struct cursor *c, struct gguf_file *g)
{
	size_t data_size = g->size - g->data_offset;
	for (uint64_t i = 0; i < g->n_tensors; i++) {
		struct gguf_tensor *t = &g->tensors[i];
		char name[GGUF_MAX_NAME + 8];
		quote_name(name, sizeof name, t->name);
		if (t->offset % g->alignment != 0)
			return fail(c, "tensor '%s': offset %llu is not a multiple of the alignment %u",
				    name, (unsigned long long)t->offset, g->alignment);
		if (t->offset > data_size || t->size > data_size - t->offset)
			return fail(c, "tensor '%s': offset %llu + size %llu beyond file size %zu",
				    name, (unsigned long long)(g->data_offset + t->offset),
				    (unsigned long long)t->size, g->size);
		t->data = g->base + g->data_offset + t->offset;
		/* Names must be unique, or lookups would be ambiguous.  Quadratic,
		 * but models have hundreds of tensors, not millions. */
		for (uint64_t j = 0; j < i; j++)
			if (g->tensors[j].name.len == t->name.len &&
			    memcmp(g->tensors[j].name.ptr, t->name.ptr, t->name.len) == 0)
				return fail(c, "tensor '%s': duplicate name", name);
	}
	return 0;
}

/* Keys must be unique too; and general.alignment sets the data alignment. */
static int check_kv(struct cursor *c, struct gguf_file *g)
{
	for (uint64_t i = 0; i < g->n_kv; i++) {
		const struct gguf_kv *kv = &g->kv[i];
		int kl = kv->key.len > 64 ? 64 : (int)kv->key.len;
		for (uint64_t j = 0; j < i; j++)
			if (g->kv[j].key.len == kv->key.len &&
			    memcmp(g->kv[j].key.ptr, kv->key.ptr, kv->key.len) == 0)
				return fail(c, "metadata '%.*s': duplicate key", kl,
					    kv->key.ptr);
		if (gguf_str_eq(kv->key, "general.alignment")) {
			if (kv->type != GGUF_TYPE_UINT32)
				return fail(c, "metadata 'general.alignment': type %s, expected u32",
					    gguf_type_name(kv->type));
			uint64_t a = kv->v.u;
			if (a == 0 || (a & (a - 1)) != 0)
				return fail(c, "metadata 'general.alignment': %llu is not a power of two",
					    (unsigned long long)a);
			g->alignment = (uint32_t)a;
		}
	}
	return 0;
}

int gguf_open(struct gguf_file *g, const void *data, size_t size,
	      struct gguf_error *err)
{
	struct cursor c = { data, size, 0, err };
	memset(g, 0, sizeof *g);
	err->msg[0] = 0;
	g->base = data;
	g->size = size;
	g->alignment = GGUF_DEFAULT_ALIGNMENT;

	if (size < 4 || memcmp(data, "GGUF", 4) != 0)
		return fail(&c, "not a GGUF file (no 'GGUF' magic)");
	c.pos = 4;
	uint64_t v;
	if (read_uint(&c, 4, &v, "header version") != 0)
		return -1;
	if (v != 2 && v != 3) {
		if (v == 1)
			return fail(&c, "GGUF version 1 is not supported (only 2 and 3)");
		if ((v & 0xffff) == 0 && v != 0)
			return fail(&c, "GGUF version %llu looks byte-swapped: big-endian files are not supported",
				    (unsigned long long)v);
		return fail(&c, "GGUF version %llu is not supported (only 2 and 3)",
			    (unsigned long long)v);
	}
	g->version = (uint32_t)v;
	if (read_uint(&c, 8, &g->n_tensors, "header tensor count") != 0 ||
	    read_uint(&c, 8, &g->n_kv, "header metadata count") != 0)
		return -1;
	/* A kv is at least 8 (key length) + 1 (key) + 4 (type) + 1 bytes; a
	 * tensor at least 8 + 1 + 4 + 8 + 4 + 8.  Refuse counts the file could
	 * not hold before allocating for them. */
	if (g->n_kv > left(&c) / 14)
		return fail(&c, "header metadata count %llu: too many for file size %zu",
			    (unsigned long long)g->n_kv, size);
	if (g->n_tensors > left(&c) / 33)
		return fail(&c, "header tensor count %llu: too many for file size %zu",
			    (unsigned long long)g->n_tensors, size);

	size_t bytes = (size_t)g->n_kv * sizeof *g->kv +
		       (size_t)g->n_tensors * sizeof *g->tensors;
	void *mem = calloc(1, bytes ? bytes : 1);
	if (!mem)
		return fail(&c, "out of memory for %llu metadata entries and %llu tensors",
			    (unsigned long long)g->n_kv, (unsigned long long)g->n_tensors);
	g->kv = mem;
	g->tensors = (struct gguf_tensor *)(g->kv + g->n_kv);

	for (uint64_t i = 0; i < g->n_kv; i++)
		if (read_kv(&c, &g->kv[i], i) != 0)
			goto bad;
	if (check_kv(&c, g) != 0)
		goto bad;
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if (read_tensor_info(&c, &g->tensors[i], i) != 0)
			goto bad;

	/* The data section starts at the next multiple of the alignment. */
	size_t pad = (g->alignment - c.pos % g->alignment) % g->alignment;
	if (g->n_tensors > 0 && pad > left(&c)) {
		fail(&c, "data section: starts at %zu, beyond file size %zu",
		     c.pos + pad, size);
		goto bad;
	}
	g->data_offset = pad > left(&c) ? size : c.pos + pad;
	if (check_tensors(&c, g) != 0)
		goto bad;
	return 0;
bad:
	gguf_close(g);
	return -1;
}

void gguf_close(struct gguf_file *g)
{
	free(g->kv);
	g->kv = NULL;
	g->tensors = NULL;
	g->n_kv = g->n_tensors = 0;
}

int gguf_str_eq(struct gguf_str s, const char *cstr)
{
	size_t n = strlen(cstr);
	return s.len == n && memcmp(s.ptr, cstr, n) == 0;
}

const struct gguf_kv *gguf_find_kv(const struct gguf_file *g, const char *key)
{
	for (uint64_t i = 0; i < g->n_kv; i++)
		if (gguf_str_eq(g->kv[i].key, key))
			return &g->kv[i];
	return NULL;
}

const struct gguf_tensor *gguf_find_tensor(const struct gguf_file *g,
					   const char *name)
{
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if (gguf_str_eq(g->tensors[i].name, name))
			return &g->tensors[i];
	return NULL;
}

/* Any integer kv as a signed/unsigned pair; -1 if not an integer. */
static int kv_int(const struct gguf_kv *kv, int *neg, uint64_t *mag)
{
	if (!kv || gguf_scalar_size(kv->type) == 0 || kv->type == GGUF_TYPE_FLOAT32 ||
	    kv->type == GGUF_TYPE_FLOAT64)
		return -1;
	if (is_signed(kv->type) && kv->v.i < 0) {
		*neg = 1;
		*mag = (uint64_t)-(kv->v.i + 1) + 1;
	} else {
		*neg = 0;
		*mag = kv->v.u;
	}
	return 0;
}

int gguf_get_u64(const struct gguf_file *g, const char *key, uint64_t *out)
{
	int neg;
	uint64_t m;
	if (kv_int(gguf_find_kv(g, key), &neg, &m) != 0 || neg)
		return -1;
	*out = m;
	return 0;
}

int gguf_get_u32(const struct gguf_file *g, const char *key, uint32_t *out)
{
	uint64_t v;
	if (gguf_get_u64(g, key, &v) != 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int gguf_get_i64(const struct gguf_file *g, const char *key, int64_t *out)
{
	int neg;
	uint64_t m;
	if (kv_int(gguf_find_kv(g, key), &neg, &m) != 0)
		return -1;
	if (!neg && m > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - m) : (int64_t)m;
	return 0;
}

int gguf_get_f32(const struct gguf_file *g, const char *key, float *out)
{
	const struct gguf_kv *kv = gguf_find_kv(g, key);
	if (!kv || (kv->type != GGUF_TYPE_FLOAT32 && kv->type != GGUF_TYPE_FLOAT64))
		return -1;
	*out = (float)kv->v.f;
	return 0;
}

int gguf_get_bool(const struct gguf_file *g, const char *key, int *out)
{
	const struct gguf_kv *kv = gguf_find_kv(g, key);
	if (!kv || kv->type != GGUF_TYPE_BOOL)
		return -1;
	*out = (int)kv->v.u;
	return 0;
}

int gguf_get_str(const struct gguf_file *g, const char *key,
		 const char **ptr, size_t *len)
{
	const struct gguf_kv *kv = gguf_find_kv(g, key);
	if (!kv || kv->type != GGUF_TYPE_STRING)
		return -1;
	*ptr = kv->v.s.ptr;
	*len = kv->v.s.len;
	return 0;
}

size_t gguf_array_str(const struct gguf_kv *kv, struct gguf_str *out, size_t cap)
{
	if (kv->type != GGUF_TYPE_ARRAY || kv->v.arr.type != GGUF_TYPE_STRING)
		return 0;
	const uint8_t *p = kv->v.arr.data;
	size_t n = 0;
	for (; n < cap && n < kv->v.arr.count; n++) {
		/* Validated by gguf_open: every length lies inside the file. */
		uint64_t len = load_le(p, 8);
		out[n].ptr = (const char *)p + 8;
		out[n].len = (size_t)len;
		p += 8 + len;
	}
	return n;
}

double gguf_array_num(const struct gguf_kv *kv, uint64_t i)
{
	size_t n = gguf_scalar_size(kv->v.arr.type);
	if (kv->type != GGUF_TYPE_ARRAY || n == 0 || i >= kv->v.arr.count)
		return 0;
	struct gguf_kv tmp;
	decode_scalar(kv->v.arr.type, kv->v.arr.data + i * n, &tmp);
	if (kv->v.arr.type == GGUF_TYPE_FLOAT32 || kv->v.arr.type == GGUF_TYPE_FLOAT64)
		return tmp.v.f;
	return is_signed(kv->v.arr.type) ? (double)tmp.v.i : (double)tmp.v.u;
}
