/*
 * quant.c - block formats: scalar dequantize and reference quantize.
 *
 * The K-quant layouts interleave elements in ways that are hard to see in
 * a loop written for speed, so both directions are written around small
 * "where does element e live" helpers: dequantize reads through them and
 * quantize writes through them, which makes each the other's inverse by
 * construction.  The fast paths (SIMD dot products) belong in ops.c.
 */
#include "llm/quant.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define QK 32   /* elements in a Q4_0..Q8_0 block */
#define QK_K 256 /* elements in a K-quant super-block */

struct type_info {
	uint32_t type;
	const char *name;
	uint32_t elems, bytes;
};

static const struct type_info types[] = {
	{ QUANT_F32, "F32", 1, 4 },      { QUANT_F16, "F16", 1, 2 },
	{ QUANT_BF16, "BF16", 1, 2 },    { QUANT_Q4_0, "Q4_0", QK, 18 },
	{ QUANT_Q4_1, "Q4_1", QK, 20 },  { QUANT_Q5_0, "Q5_0", QK, 22 },
	{ QUANT_Q5_1, "Q5_1", QK, 24 },  { QUANT_Q8_0, "Q8_0", QK, 34 },
	{ QUANT_Q2_K, "Q2_K", QK_K, 84 }, { QUANT_Q3_K, "Q3_K", QK_K, 110 },
	{ QUANT_Q4_K, "Q4_K", QK_K, 144 }, { QUANT_Q5_K, "Q5_K", QK_K, 176 },
	{ QUANT_Q6_K, "Q6_K", QK_K, 210 },
};

static const struct type_info *info(uint32_t type)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

int quant_supported(uint32_t type) { return info(type) != NULL; }
const char *quant_name(uint32_t type) { return info(type) ? info(type)->name : "?"; }
uint32_t quant_block_elems(uint32_t type) { return info(type) ? info(type)->elems : 0; }
uint32_t quant_block_bytes(uint32_t type) { return info(type) ? info(type)->bytes : 0; }

int quant_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(types[i].name, name) == 0)
			return (int)types[i].type;
	return -1;
}

int quant_bytes(uint32_t type, uint64_t n, uint64_t *bytes)
{
	const struct type_info *t = info(type);
	if (!t || n % t->elems != 0)
		return -1;
	uint64_t blocks = n / t->elems;
	if (blocks > UINT64_MAX / t->bytes)
		return -1;
	*bytes = blocks * t->bytes;
	return 0;
}

/* ---- scalar conversions ------------------------------------------------ */

static uint32_t float_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bits_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

float quant_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
	if (exp == 0x1f) /* inf or nan */
		return bits_float(sign | 0x7f800000u | (man << 13));
	if (exp == 0) /* zero or subnormal: man * 2^-24 exactly */
		return (sign ? -1.0f : 1.0f) * (float)man * 0x1p-24f;
	return bits_float(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t quant_f32_to_f16(float f)
{
	uint32_t u = float_bits(f);
	uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
	uint32_t abs = u & 0x7fffffffu;
	if (abs > 0x7f800000u) /* nan: keep it a (quiet) nan */
		return sign | 0x7e00;
	if (abs >= 0x477ff000u) /* rounds to >= 65520: infinity */
		return sign | 0x7c00;
	if (abs < 0x38800000u) {
		/* Result is subnormal (or zero): value / 2^-24, rounded to even. */
		float a = bits_float(abs) * 0x1p24f;
		return sign | (uint16_t)lrintf(a);
	}
	/* Normal: drop 13 mantissa bits, rounding to nearest even; a carry
	 * into the exponent is the right answer. */
	uint32_t r = abs + 0xfffu + ((abs >> 13) & 1u);
	return sign | (uint16_t)((r - (112u << 23)) >> 13);
}

float quant_bf16_to_f32(uint16_t h) { return bits_float((uint32_t)h << 16); }

uint16_t quant_f32_to_bf16(float f)
{
	uint32_t u = float_bits(f);
	if ((u & 0x7fffffffu) > 0x7f800000u) /* nan: force quiet */
		return (uint16_t)((u >> 16) | 64);
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static float load_f16(const uint8_t *p) { return quant_f16_to_f32((uint16_t)(p[0] | p[1] << 8)); }

static void store_f16(uint8_t *p, float f)
{
	uint16_t h = quant_f32_to_f16(f);
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

/* The f16 a scale will be stored as, so quantizing uses what decoding sees. */
static float round_f16(float f) { return quant_f16_to_f32(quant_f32_to_f16(f)); }

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static int nearest(float x) { return (int)lrintf(x); }

/* ---- 32-element blocks ------------------------------------------------- */

/* The 4-bit value of element j (0..31) of a 16-byte qs array. */
static int nibble(const uint8_t *qs, int j) { return j < 16 ? qs[j] & 15 : qs[j - 16] >> 4; }

static void set_nibble(uint8_t *qs, int j, int v)
{
	if (j < 16)
		qs[j] = (uint8_t)((qs[j] & 0xf0) | v);
	else
		qs[j - 16] = (uint8_t)((qs[j - 16] & 0x0f) | v << 4);
}

static uint32_t load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 5-bit element j: low nibble from qs, bit 4 from bit j of qh. */
static int five_bits(const uint8_t *qh, const uint8_t *qs, int j)
{
	return nibble(qs, j) | (int)((load_u32(qh) >> j) & 1) << 4;
}

static void set_five_bits(uint8_t *qh, uint8_t *qs, int j, int v)
{
	set_nibble(qs, j, v & 15);
	if (v & 16)
		qh[j / 8] |= (uint8_t)(1u << (j % 8));
}

static void dequant_q4_0(const uint8_t *b, float *y)
{
	float d = load_f16(b);
	for (int j = 0; j < QK; j++)
		y[j] = d * (float)(nibble(b + 2, j) - 8);
}

static void dequant_q4_1(const uint8_t *b, float *y)
{
	float d = load_f16(b), m = load_f16(b + 2);
	for (int j = 0; j < QK; j++)
		y[j] = d * (float)nibble(b + 4, j) + m;
}

static void dequant_q5_0(const uint8_t *b, float *y)
{
	float d = load_f16(b);
	for (int j = 0; j < QK; j++)
		y[j] = d * (float)(five_bits(b + 2, b + 6, j) - 16);
}

static void dequant_q5_1(const uint8_t *b, float *y)
{
	float d = load_f16(b), m = load_f16(b + 2);
	for (int j = 0; j < QK; j++)
		y[j] = d * (float)five_bits(b + 4, b + 8, j) + m;
}

static void dequant_q8_0(const uint8_t *b, float *y)
{
	float d = load_f16(b);
	for (int j = 0; j < QK; j++)
		y[j] = d * (float)(int8_t)b[2 + j];
}

/* The block's value with the largest magnitude, sign kept. */
static float signed_absmax(const float *x, int n)
{
	float best = 0;
	for (int j = 0; j < n; j++)
		if (fabsf(x[j]) > fabsf(best))
			best = x[j];
	return best;
}

static void range(const float *x, int n, float *lo, float *hi)
{
	*lo = *hi = x[0];
	for (int j = 1; j < n; j++) {
		if (x[j] < *lo) *lo = x[j];
		if (x[j] > *hi) *hi = x[j];
	}
}

/*
 * Symmetric types: d = max / -(2^(bits-1)) maps the extreme value onto the
 * most negative code, which the offset encoding has one more of.
 */
static void quant_q4_0(const float *x, uint8_t *b)
{
	float d = round_f16(signed_absmax(x, QK) / -8.0f), id = d != 0 ? 1.0f / d : 0;
	memset(b, 0, 18);
	store_f16(b, d);
	for (int j = 0; j < QK; j++)
		set_nibble(b + 2, j, clampi(nearest(x[j] * id) + 8, 0, 15));
}

static void quant_q5_0(const float *x, uint8_t *b)
{
	float d = round_f16(signed_absmax(x, QK) / -16.0f), id = d != 0 ? 1.0f / d : 0;
	memset(b, 0, 22);
	store_f16(b, d);
	for (int j = 0; j < QK; j++)
		set_five_bits(b + 2, b + 6, j, clampi(nearest(x[j] * id) + 16, 0, 31));
}

/* Affine types: min stored as m, range split into 2^bits - 1 steps. */
static void quant_q4_1(const float *x, uint8_t *b)
{
	float lo, hi;
	range(x, QK, &lo, &hi);
	float d = round_f16((hi - lo) / 15.0f), id = d != 0 ? 1.0f / d : 0;
	float m = round_f16(lo);
	memset(b, 0, 20);
	store_f16(b, d);
	store_f16(b + 2, m);
	for (int j = 0; j < QK; j++)
		set_nibble(b + 4, j, clampi(nearest((x[j] - m) * id), 0, 15));
}

static void quant_q5_1(const float *x, uint8_t *b)
{
	float lo, hi;
	range(x, QK, &lo, &hi);
	float d = round_f16((hi - lo) / 31.0f), id = d != 0 ? 1.0f / d : 0;
	float m = round_f16(lo);
	memset(b, 0, 24);
	store_f16(b, d);
	store_f16(b + 2, m);
	for (int j = 0; j < QK; j++)
		set_five_bits(b + 4, b + 8, j, clampi(nearest((x[j] - m) * id), 0, 31));
}

static void quant_q8_0(const float *x, uint8_t *b)
{
	float amax = fabsf(signed_absmax(x, QK));
	float d = round_f16(amax / 127.0f), id = d != 0 ? 1.0f / d : 0;
	store_f16(b, d);
	for (int j = 0; j < QK; j++)
		b[2 + j] = (uint8_t)(int8_t)clampi(nearest(x[j] * id), -127, 127);
}

/* ---- K-quants: where element e (0..255) of a super-block lives ---------- */

/*
 * Q2_K and Q3_K: each half of 128 elements uses 32 bytes of qs; within it,
 * element 32*g + l (g 0..3, l 0..31) is the 2 bits at shift 2g of byte l.
 * Q3_K's third bit is bit (4*half + g) of hmask[l].
 */
static int q2_byte(int e) { return (e / 128) * 32 + e % 32; }
static int q2_shift(int e) { return 2 * ((e % 128) / 32); }
static int q3_hbit(int e) { return (e / 128) * 4 + (e % 128) / 32; }

/*
 * Q4_K and Q5_K: each chunk of 64 elements uses 32 bytes of qs; element
 * 64*c + l is the low nibble of byte 32*c + l, element 64*c + 32 + l the
 * high nibble.  Q5_K's fifth bit is bit (2c or 2c+1) of qh[l].
 */
static int q4k_byte(int e) { return (e / 64) * 32 + e % 32; }
static int q4k_high(int e) { return (e % 64) >= 32; }
static int q5k_hbit(int e) { return e / 32; }

/*
 * Q6_K: each half of 128 uses 64 bytes of ql and 32 of qh; element
 * 32*g + l of a half has its low 4 bits in ql[32*(g&1) + l] (nibble g>>1)
 * and its top 2 bits at shift 2g of qh[l].
 */
static int q6_lbyte(int e) { return (e / 128) * 64 + (((e % 128) / 32) & 1) * 32 + e % 32; }
static int q6_lhigh(int e) { return ((e % 128) / 32) >> 1; }
static int q6_hbyte(int e) { return (e / 128) * 32 + e % 32; }
static int q6_hshift(int e) { return 2 * ((e % 128) / 32); }

/*
 * The 12 scale bytes of Q4_K/Q5_K pack 8 pairs (scale, min) of 6 bits:
 * pairs 0..3 sit in the low 6 bits of bytes 0..3 and 4..7; pairs 4..7 keep
 * their low nibbles in bytes 8..11 (scale low, min high) and their top two
 * bits in the spare top bits of bytes 0..3 (scale) and 4..7 (min).
 */
static void get_scale_min(const uint8_t *s, int j, int *sc, int *m)
{
	if (j < 4) {
		*sc = s[j] & 63;
		*m = s[j + 4] & 63;
	} else {
		*sc = (s[j + 4] & 15) | (s[j - 4] >> 6) << 4;
		*m = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
	}
}

static void set_scale_min(uint8_t *s, int j, int sc, int m)
{
	if (j < 4) {
		s[j] = (uint8_t)((s[j] & 0xc0) | sc);
		s[j + 4] = (uint8_t)((s[j + 4] & 0xc0) | m);
	} else {
		s[j + 4] = (uint8_t)((sc & 15) | (m & 15) << 4);
		s[j - 4] = (uint8_t)((s[j - 4] & 63) | (sc >> 4) << 6);
		s[j] = (uint8_t)((s[j] & 63) | (m >> 4) << 6);
	}
}

/*
 * The 12 scale bytes of Q3_K pack 16 signed 6-bit scales (stored + 32):
 * the low nibble of scale i is nibble (i / 8) of byte i % 8, and its top
 * two bits sit at shift 2 * (i / 4) of byte 8 + i % 4.
 */
static int q3_scale(const uint8_t *s, int i)
{
	int low = (s[i % 8] >> (4 * (i / 8))) & 15;
	int high = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
	return (low | high << 4) - 32;
}

static void set_q3_scale(uint8_t *s, int i, int v)
{
	int u = v + 32;
	s[i % 8] |= (uint8_t)((u & 15) << (4 * (i / 8)));
	s[8 + i % 4] |= (uint8_t)((u >> 4) << (2 * (i / 4)));
}

/* Q2_K: 16 sub-blocks of 16; scales[i] = scale (low nibble) | min << 4;
 * value = d * scale * q - dmin * min, q in 0..3. */
static void dequant_q2_k(const uint8_t *b, float *y)
{
	const uint8_t *scales = b, *qs = b + 16;
	float d = load_f16(b + 80), dmin = load_f16(b + 82);
	for (int e = 0; e < QK_K; e++) {
		int s = scales[e / 16];
		int q = (qs[q2_byte(e)] >> q2_shift(e)) & 3;
		y[e] = d * (float)(s & 15) * (float)q - dmin * (float)(s >> 4);
	}
}

/* Q3_K: 16 sub-blocks of 16; value = d * scale * (q - 4), q in 0..7 with
 * its top bit in hmask. */
static void dequant_q3_k(const uint8_t *b, float *y)
{
	const uint8_t *hmask = b, *qs = b + 32, *scales = b + 96;
	float d = load_f16(b + 108);
	for (int e = 0; e < QK_K; e++) {
		int low = (qs[q2_byte(e)] >> q2_shift(e)) & 3;
		int high = (hmask[e % 32] >> q3_hbit(e)) & 1;
		y[e] = d * (float)q3_scale(scales, e / 16) * (float)((low | high << 2) - 4);
	}
}

/* Q4_K: 8 sub-blocks of 32; value = d * scale * q - dmin * min, q 0..15. */
static void dequant_q4_k(const uint8_t *b, float *y)
{
	float d = load_f16(b), dmin = load_f16(b + 2);
	const uint8_t *scales = b + 4, *qs = b + 16;
	for (int e = 0; e < QK_K; e++) {
		int sc, m;
		get_scale_min(scales, e / 32, &sc, &m);
		uint8_t byte = qs[q4k_byte(e)];
		int q = q4k_high(e) ? byte >> 4 : byte & 15;
		y[e] = d * (float)sc * (float)q - dmin * (float)m;
	}
}

/* Q5_K: Q4_K plus a fifth bit per element in qh. */
static void dequant_q5_k(const uint8_t *b, float *y)
{
	float d = load_f16(b), dmin = load_f16(b + 2);
	const uint8_t *scales = b + 4, *qh = b + 16, *qs = b + 48;
	for (int e = 0; e < QK_K; e++) {
		int sc, m;
		get_scale_min(scales, e / 32, &sc, &m);
		uint8_t byte = qs[q4k_byte(e)];
		int q = (q4k_high(e) ? byte >> 4 : byte & 15) |
			((qh[e % 32] >> q5k_hbit(e)) & 1) << 4;
		y[e] = d * (float)sc * (float)q - dmin * (float)m;
	}
}

/* Q6_K: 16 sub-blocks of 16 with int8 scales; value = d * scale * (q - 32). */
static void dequant_q6_k(const uint8_t *b, float *y)
{
	const uint8_t *ql = b, *qh = b + 128;
	const int8_t *scales = (const int8_t *)(b + 192);
	float d = load_f16(b + 208);
	for (int e = 0; e < QK_K; e++) {
		uint8_t lb = ql[q6_lbyte(e)];
		int q = (q6_lhigh(e) ? lb >> 4 : lb & 15) |
			((qh[q6_hbyte(e)] >> q6_hshift(e)) & 3) << 4;
		y[e] = d * (float)scales[e / 16] * (float)(q - 32);
	}
}

/*
 * Affine sub-blocks (Q2_K, Q4_K, Q5_K): like ggml, the minimum is clamped
 * to <= 0 so the stored min is a non-negative offset, and each sub-block's
 * scale is (max - min) / qmax.  Scales and mins are then quantized to
 * `sbits` bits against the super-block's d and dmin.  Returns d and dmin
 * and the integer scales and mins per sub-block.
 */
static void affine_subblocks(const float *x, int nsub, int sublen, int qmax,
			     int smax, float *d, float *dmin, int *sc, int *mn)
{
	float scale[16], minv[16], max_scale = 0, max_min = 0;
	for (int i = 0; i < nsub; i++) {
		float lo, hi;
		range(x + i * sublen, sublen, &lo, &hi);
		if (lo > 0) lo = 0;
		scale[i] = (hi - lo) / (float)qmax;
		minv[i] = -lo;
		if (scale[i] > max_scale) max_scale = scale[i];
		if (minv[i] > max_min) max_min = minv[i];
	}
	*d = round_f16(max_scale / (float)smax);
	*dmin = round_f16(max_min / (float)smax);
	for (int i = 0; i < nsub; i++) {
		sc[i] = *d != 0 ? clampi(nearest(scale[i] / *d), 0, smax) : 0;
		mn[i] = *dmin != 0 ? clampi(nearest(minv[i] / *dmin), 0, smax) : 0;
	}
}

/* The code q in 0..qmax nearest x for a sub-block with step `step` and
 * offset `off` (value = step * q - off). */
static int affine_code(float x, float step, float off, int qmax)
{
	return step != 0 ? clampi(nearest((x + off) / step), 0, qmax) : 0;
}

static void quant_q2_k(const float *x, uint8_t *b)
{
	float d, dmin;
	int sc[16], mn[16];
	affine_subblocks(x, 16, 16, 3, 15, &d, &dmin, sc, mn);
	memset(b, 0, 84);
	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)(sc[i] | mn[i] << 4);
	store_f16(b + 80, d);
	store_f16(b + 82, dmin);
	for (int e = 0; e < QK_K; e++) {
		int i = e / 16;
		int q = affine_code(x[e], d * (float)sc[i], dmin * (float)mn[i], 3);
		b[16 + q2_byte(e)] |= (uint8_t)(q << q2_shift(e));
	}
}

static void quant_k_affine(const float *x, uint8_t *b, int bits)
{
	int qmax = (1 << bits) - 1;
	float d, dmin;
	int sc[8], mn[8];
	affine_subblocks(x, 8, 32, qmax, 63, &d, &dmin, sc, mn);
	memset(b, 0, bits == 4 ? 144 : 176);
	store_f16(b, d);
	store_f16(b + 2, dmin);
	for (int i = 0; i < 8; i++)
		set_scale_min(b + 4, i, sc[i], mn[i]);
	uint8_t *qh = b + 16, *qs = bits == 4 ? b + 16 : b + 48;
	for (int e = 0; e < QK_K; e++) {
		int i = e / 32;
		int q = affine_code(x[e], d * (float)sc[i], dmin * (float)mn[i], qmax);
		qs[q4k_byte(e)] |= (uint8_t)((q & 15) << (q4k_high(e) ? 4 : 0));
		if (bits == 5)
			qh[e % 32] |= (uint8_t)(((q >> 4) & 1) << q5k_hbit(e));
	}
}

/*
 * Symmetric sub-blocks (Q3_K, Q6_K): each sub-block's scale maps its
 * largest-magnitude value onto the most negative code (-qneg); the scales
 * are quantized the same way against d, to `smin`..`smax`.
 */
static float symmetric_subblocks(const float *x, int qneg, int sneg, int smax,
				 int *sc)
{
	float scale[16], max_scale = 0;
	for (int i = 0; i < 16; i++) {
		scale[i] = signed_absmax(x + 16 * i, 16) / (float)-qneg;
		if (fabsf(scale[i]) > fabsf(max_scale))
			max_scale = scale[i];
	}
	float d = round_f16(max_scale / (float)-sneg);
	for (int i = 0; i < 16; i++)
		sc[i] = d != 0 ? clampi(nearest(scale[i] / d), -sneg, smax) : 0;
	return d;
}

static int symmetric_code(float x, float step, int qneg, int qpos)
{
	return step != 0 ? clampi(nearest(x / step), -qneg, qpos) : 0;
}

static void quant_q3_k(const float *x, uint8_t *b)
{
	int sc[16];
	float d = symmetric_subblocks(x, 4, 32, 31, sc);
	memset(b, 0, 110);
	for (int i = 0; i < 16; i++)
		set_q3_scale(b + 96, i, sc[i]);
	store_f16(b + 108, d);
	for (int e = 0; e < QK_K; e++) {
		int q = symmetric_code(x[e], d * (float)sc[e / 16], 4, 3) + 4;
		b[32 + q2_byte(e)] |= (uint8_t)((q & 3) << q2_shift(e));
		b[e % 32] |= (uint8_t)((q >> 2) << q3_hbit(e));
	}
}

static void quant_q6_k(const float *x, uint8_t *b)
{
	int sc[16];
	float d = symmetric_subblocks(x, 32, 128, 127, sc);
	memset(b, 0, 210);
	for (int i = 0; i < 16; i++)
		b[192 + i] = (uint8_t)(int8_t)sc[i];
	store_f16(b + 208, d);
	for (int e = 0; e < QK_K; e++) {
		int q = symmetric_code(x[e], d * (float)sc[e / 16], 32, 31) + 32;
		b[q6_lbyte(e)] |= (uint8_t)((q & 15) << (q6_lhigh(e) ? 4 : 0));
		b[128 + q6_hbyte(e)] |= (uint8_t)((q >> 4) << q6_hshift(e));
	}
}

/* ---- dispatch ---------------------------------------------------------- */

typedef void (*dequant_fn)(const uint8_t *block, float *y);
typedef void (*quant_fn)(const float *x, uint8_t *block);

static void block_fns(uint32_t type, dequant_fn *dq, quant_fn *q)
{
	switch (type) {
	case QUANT_Q4_0: *dq = dequant_q4_0; *q = quant_q4_0; break;
	case QUANT_Q4_1: *dq = dequant_q4_1; *q = quant_q4_1; break;
	case QUANT_Q5_0: *dq = dequant_q5_0; *q = quant_q5_0; break;
	case QUANT_Q5_1: *dq = dequant_q5_1; *q = quant_q5_1; break;
	case QUANT_Q8_0: *dq = dequant_q8_0; *q = quant_q8_0; break;
	case QUANT_Q2_K: *dq = dequant_q2_k; *q = quant_q2_k; break;
	case QUANT_Q3_K: *dq = dequant_q3_k; *q = quant_q3_k; break;
	case QUANT_Q6_K: *dq = dequant_q6_k; *q = quant_q6_k; break;
	case QUANT_Q4_K: *dq = dequant_q4_k; *q = NULL; break;
	case QUANT_Q5_K: *dq = dequant_q5_k; *q = NULL; break;
	default: *dq = NULL; *q = NULL; break;
	}
}

void quant_dequantize(uint32_t type, const void *src, float *dst, size_t n)
{
	const uint8_t *p = src;
	switch (type) {
	case QUANT_F32:
		memcpy(dst, src, n * sizeof(float));
		return;
	case QUANT_F16:
		for (size_t i = 0; i < n; i++)
			dst[i] = load_f16(p + 2 * i);
		return;
	case QUANT_BF16:
		for (size_t i = 0; i < n; i++)
			dst[i] = quant_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
		return;
	}
	const struct type_info *t = info(type);
	dequant_fn dq;
	quant_fn q;
	block_fns(type, &dq, &q);
	if (!t || !dq)
		return;
	for (size_t i = 0; i < n / t->elems; i++)
		dq(p + i * t->bytes, dst + i * t->elems);
}

void quant_quantize(uint32_t type, const float *src, void *dst, size_t n)
{
	uint8_t *p = dst;
	switch (type) {
	case QUANT_F32:
		memcpy(dst, src, n * sizeof(float));
		return;
	case QUANT_F16:
		for (size_t i = 0; i < n; i++)
			store_f16(p + 2 * i, src[i]);
		return;
	case QUANT_BF16:
		for (size_t i = 0; i < n; i++) {
			uint16_t h = quant_f32_to_bf16(src[i]);
			p[2 * i] = (uint8_t)h;
			p[2 * i + 1] = (uint8_t)(h >> 8);
		}
		return;
	}
	const struct type_info *t = info(type);
	dequant_fn dq;
	quant_fn q;
	block_fns(type, &dq, &q);
	if (!t)
		return;
	for (size_t i = 0; i < n / t->elems; i++) {
		if (q)
			q(src + i * t->elems, p + i * t->bytes);
		else
			quant_k_affine(src + i * t->elems, p + i * t->bytes,
				       type == QUANT_Q4_K ? 4 : 5);
	}
}
