/*
 * test_quant.c - tensor formats: half-float conversions, blocks decoded by
 * hand, and quantize/dequantize round trips within their error bounds.
 */
#include "check.h"
#include "llm/quant.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A small deterministic generator (xorshift64*), uniform in [-1, 1). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static float uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	uint64_t r = rng_state * 0x2545f4914f6cdd1dull;
	return (float)((double)(r >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* Roughly normal: weights of real models look like this, not uniform. */
static float normalish(void) { return (uniform() + uniform() + uniform() + uniform()) * 0.8660254f; }

static void h16(uint8_t *p, float f)
{
	uint16_t h = quant_f32_to_f16(f);
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

static int near(float a, float b) { return fabsf(a - b) <= 1e-6f * (1 + fabsf(b)); }

int main(void)
{
	TEST("quant", "f16: exact values, rounding to even, limits") {
		CHECK_EQ(quant_f32_to_f16(1.0f), 0x3c00);
		CHECK_EQ(quant_f32_to_f16(-2.0f), 0xc000);
		CHECK_EQ(quant_f32_to_f16(0.5f), 0x3800);
		CHECK_EQ(quant_f32_to_f16(65504.0f), 0x7bff);
		CHECK_EQ(quant_f32_to_f16(65519.0f), 0x7bff);
		CHECK_EQ(quant_f32_to_f16(65520.0f), 0x7c00);
		CHECK_EQ(quant_f32_to_f16(1e9f), 0x7c00);
		CHECK_EQ(quant_f32_to_f16(0x1p-24f), 0x0001);
		CHECK_EQ(quant_f32_to_f16(0x1p-25f), 0x0000); /* tie rounds to even 0 */
		CHECK_EQ(quant_f32_to_f16(0x1.8p-24f), 0x0002); /* tie rounds up to even */
		CHECK_EQ(quant_f32_to_f16(0x1p-14f), 0x0400); /* smallest normal */
		CHECK_EQ(quant_f32_to_f16(1.0f + 0x1p-11f), 0x3c00); /* tie: even */
		CHECK_EQ(quant_f32_to_f16(1.0f + 0x3p-11f), 0x3c02); /* tie: even */
		CHECK_EQ(quant_f32_to_f16(0.1f), 0x2e66);
		CHECK_EQ(quant_f32_to_f16(-0.0f), 0x8000);
		CHECK(isnan(quant_f16_to_f32(quant_f32_to_f16(NAN))));
		CHECK(quant_f16_to_f32(0x7c00) == INFINITY);
		CHECK(quant_f16_to_f32(0x0001) == 0x1p-24f);
		CHECK(quant_f16_to_f32(0x3555) == 0x1.554p-2f);
		int bad = 0;
		for (uint32_t h = 0; h < 0x10000; h++) {
			if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
				continue; /* nan payloads need not survive */
			if (quant_f32_to_f16(quant_f16_to_f32((uint16_t)h)) != h)
				bad++;
		}
		CHECK_EQ(bad, 0);
	}

	TEST("quant", "bf16: truncation with rounding to even") {
		CHECK_EQ(quant_f32_to_bf16(1.0f), 0x3f80);
		CHECK_EQ(quant_f32_to_bf16(-3.0f), 0xc040);
		CHECK_EQ(quant_f32_to_bf16(1.0f + 0x1p-8f), 0x3f80);  /* tie: even */
		CHECK_EQ(quant_f32_to_bf16(1.0f + 0x3p-8f), 0x3f82);  /* tie: even */
		CHECK(quant_bf16_to_f32(0x4049) == 3.140625f);
		CHECK(isnan(quant_bf16_to_f32(quant_f32_to_bf16(NAN))));
	}

	TEST("quant", "type table: names, block sizes, byte counts") {
		CHECK_EQ(quant_from_name("q4_k"), QUANT_Q4_K);
		CHECK_EQ(quant_from_name("BF16"), QUANT_BF16);
		CHECK_EQ(quant_from_name("Q4_K_M"), -1);
		CHECK_STR(quant_name(QUANT_Q6_K), "Q6_K");
		CHECK(!quant_supported(9) && !quant_supported(16) && !quant_supported(1000));
		uint64_t b;
		CHECK(quant_bytes(QUANT_Q4_K, 512, &b) == 0 && b == 288);
		CHECK(quant_bytes(QUANT_Q3_K, 256, &b) == 0 && b == 110);
		CHECK(quant_bytes(QUANT_Q2_K, 256, &b) == 0 && b == 84);
		CHECK(quant_bytes(QUANT_Q5_K, 256, &b) == 0 && b == 176);
		CHECK(quant_bytes(QUANT_Q6_K, 256, &b) == 0 && b == 210);
		CHECK(quant_bytes(QUANT_Q5_1, 64, &b) == 0 && b == 48);
		CHECK(quant_bytes(QUANT_Q4_0, 33, &b) == -1);
		CHECK(quant_bytes(QUANT_F32, UINT64_MAX / 2, &b) == -1);
		CHECK(quant_bytes(9, 32, &b) == -1);
	}

	TEST("quant", "Q4_0, Q4_1, Q8_0 blocks decoded by hand") {
		uint8_t b[34] = { 0 };
		float y[32];
		h16(b, 0.5f);
		b[2] = 0x9f; /* element 0 = 15, element 16 = 9 */
		b[17] = 0x08; /* element 15 = 8, element 31 = 0 */
		quant_dequantize(QUANT_Q4_0, b, y, 32);
		CHECK(y[0] == 3.5f && y[16] == 0.5f && y[15] == 0.0f && y[31] == -4.0f &&
		      y[1] == -4.0f);

		memset(b, 0, sizeof b);
		h16(b, 0.25f);
		h16(b + 2, -1.0f);
		b[4] = 0x4c; /* element 0 = 12, element 16 = 4 */
		quant_dequantize(QUANT_Q4_1, b, y, 32);
		CHECK(y[0] == 2.0f && y[16] == 0.0f && y[1] == -1.0f);

		memset(b, 0, sizeof b);
		h16(b, 0.125f);
		b[2] = 0x80;  /* -128 */
		b[33] = 0x7f; /* 127 */
		b[10] = 3;
		quant_dequantize(QUANT_Q8_0, b, y, 32);
		CHECK(y[0] == -16.0f && y[31] == 15.875f && y[8] == 0.375f && y[1] == 0.0f);
	}

	TEST("quant", "Q5_0 and Q5_1: the fifth bit comes from qh bit j") {
		uint8_t b[24] = { 0 };
		float y[32];
		h16(b, 1.0f);
		/* qh = bits 0 and 17 set: element 0 gets +16, element 17 too */
		b[2] = 0x01;
		b[4] = 0x02;
		b[6] = 0x31; /* element 0 low = 1, element 16 low = 3 */
		b[7] = 0x05; /* element 1 low = 5, element 17 low = 0 */
		quant_dequantize(QUANT_Q5_0, b, y, 32);
		CHECK(y[0] == 1.0f);   /* 17 - 16 */
		CHECK(y[16] == -13.0f); /* 3 - 16 */
		CHECK(y[1] == -11.0f);  /* 5 - 16 */
		CHECK(y[17] == 0.0f);   /* 16 - 16 */
		CHECK(y[31] == -16.0f);

		memset(b, 0, sizeof b);
		h16(b, 0.5f);
		h16(b + 2, 2.0f);
		b[4 + 3] = 0x80; /* qh bit 31: element 31 */
		b[8 + 15] = 0xf0; /* element 31 low = 15 */
		quant_dequantize(QUANT_Q5_1, b, y, 32);
		CHECK(y[31] == 0.5f * 31 + 2.0f && y[0] == 2.0f && y[15] == 2.0f);
	}

	TEST("quant", "Q2_K block decoded by hand") {
		uint8_t b[84] = { 0 };
		float y[256];
		b[0] = 0x21;  /* sub-block 0: scale 1, min 2 */
		b[15] = 0x0f; /* sub-block 15: scale 15, min 0 */
		b[9] = 0x13;  /* sub-block 9: scale 3, min 1 */
		h16(b + 80, 0.5f);  /* d */
		h16(b + 82, 0.25f); /* dmin */
		/* element 0: byte 0 shift 0; element 32: byte 0 shift 2;
		 * element 255: half 1, g 3, l 31 -> byte 63 shift 6;
		 * element 144 (sub-block 9): half 1, g 0, l 16 -> byte 48 shift 0 */
		b[16 + 0] = 0x03 | 0x02 << 2;
		b[16 + 63] = 0x03 << 6;
		b[16 + 48] = 0x02;
		quant_dequantize(QUANT_Q2_K, b, y, 256);
		CHECK(y[0] == 0.5f * 1 * 3 - 0.25f * 2);
		CHECK(y[1] == -0.5f);
		CHECK(y[32] == 0.0f); /* sub-block 2: scale 0 min 0 */
		CHECK(y[255] == 0.5f * 15 * 3);
		CHECK(y[144] == 0.5f * 3 * 2 - 0.25f);
	}

	TEST("quant", "Q3_K block decoded by hand") {
		uint8_t b[110] = { 0 };
		float y[256];
		uint8_t *hmask = b, *qs = b + 32, *sc = b + 96;
		h16(b + 108, 2.0f);
		/* scale 0 = 33 - 32 = 1: low nibble 1 (byte 0 low), high 2 bits 2
		 * (byte 8 shift 0) -> 0x21 = 33 */
		sc[0] |= 0x01;
		sc[8] |= 0x02;
		/* scale 13 = 63 - 32 = 31: low 15 (byte 5 high nibble), high 3
		 * (byte 9, shift 2 * 3) */
		sc[5] |= 0xf0;
		sc[9] |= 0x03 << 6;
		/* element 0: q low bits 3, hmask bit set -> 7 - 4 = 3 */
		qs[0] = 0x03;
		hmask[0] = 0x01;
		/* element 208 (sub-block 13): half 1, g 2, l 16 -> qs byte 48
		 * shift 4; hbit 6 of hmask[16] clear -> 1 - 4 = -3 */
		qs[48] = 0x01 << 4;
		quant_dequantize(QUANT_Q3_K, b, y, 256);
		CHECK(y[0] == 2.0f * 1 * 3);
		CHECK(y[1] == 2.0f * 1 * -4);
		CHECK(y[208] == 2.0f * 31 * -3);
		CHECK(y[16] == 2.0f * -32 * -4); /* scale 1 = 0 - 32 */
	}

	TEST("quant", "Q4_K and Q5_K: 6-bit scales and mins packed in 12 bytes") {
		uint8_t b[176] = { 0 };
		float y[256];
		h16(b, 1.0f);
		h16(b + 2, 0.5f);
		uint8_t *s = b + 4;
		s[0] = 10;            /* sub-block 0 scale 10 */
		s[4] = 3;             /* sub-block 0 min 3 */
		/* sub-block 5: scale 0x2b = 43 (low 0xb in s[9], high 2 in s[1] top),
		 * min 0x35 = 53 (low 5 in s[9] high nibble, high 3 in s[5] top) */
		s[9] = 0x5b;
		s[1] |= 2 << 6;
		s[5] |= 3 << 6;
		uint8_t *qs = b + 16;
		qs[0] = 0x07;  /* element 0 = 7 (sub-block 0), element 32 = 0 */
		qs[64 + 1] = 0xc0; /* chunk 2: element 128+32+1 = 161 (sub-block 5) = 12 */
		quant_dequantize(QUANT_Q4_K, b, y, 256);
		CHECK(y[0] == 10.0f * 7 - 0.5f * 3);
		CHECK(y[161] == 43.0f * 12 - 0.5f * 53);
		CHECK(y[160] == -0.5f * 53);

		/* Q5_K: same header and scales, then qh[32], then qs[128] */
		memset(b + 16, 0, 160);
		uint8_t *qh = b + 16;
		qs = b + 48;
		qs[0] = 0x07;
		qh[0] = 0x01;       /* element 0 bit 4 */
		qs[64 + 1] = 0xc0;
		qh[1] = 1 << 5;     /* element 161 is in sub-block 5: bit 5 */
		quant_dequantize(QUANT_Q5_K, b, y, 256);
		CHECK(y[0] == 10.0f * 23 - 0.5f * 3);
		CHECK(y[161] == 43.0f * 28 - 0.5f * 53);
		CHECK(y[32] == 0.0f); /* sub-block 1: scale 0, min 0 */
	}

	TEST("quant", "Q6_K block decoded by hand") {
		uint8_t b[210] = { 0 };
		float y[256];
		uint8_t *ql = b, *qh = b + 128;
		int8_t sc[16] = { 1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8 };
		memcpy(b + 192, sc, 16);
		h16(b + 208, 0.5f);
		/* element 0: ql[0] low = 0xf, qh[0] bits 0-1 = 3 -> 63 - 32 = 31 */
		ql[0] = 0x0f;
		qh[0] = 0x03;
		/* element 200: half 1, g 2, l 8 -> ql[64 + 8] high nibble,
		 * qh[32 + 8] shift 4; scale index 12 (-5) */
		ql[72] = 0x20;
		qh[40] = 0x01 << 4;
		quant_dequantize(QUANT_Q6_K, b, y, 256);
		CHECK(y[0] == 0.5f * 1 * 31);
		CHECK(y[1] == 0.5f * 1 * -32);
		CHECK(y[200] == 0.5f * -5 * (18 - 32));
		CHECK(y[255] == 0.5f * -8 * -32);
	}

	TEST("quant", "F32, F16, BF16 rows round trip") {
		float x[8] = { 1.0f, -2.5f, 0.1f, 1e-3f, 65504.0f, -0.0f, 3.14159f, 7.0f }, y[8];
		uint8_t buf[32];
		quant_quantize(QUANT_F32, x, buf, 8);
		quant_dequantize(QUANT_F32, buf, y, 8);
		CHECK(memcmp(x, y, sizeof x) == 0);
		quant_quantize(QUANT_F16, x, buf, 8);
		quant_dequantize(QUANT_F16, buf, y, 8);
		for (int i = 0; i < 8; i++)
			CHECK(fabsf(y[i] - x[i]) <= fabsf(x[i]) * 0x1p-11f);
		quant_quantize(QUANT_BF16, x, buf, 8);
		quant_dequantize(QUANT_BF16, buf, y, 8);
		for (int i = 0; i < 8; i++)
			CHECK(fabsf(y[i] - x[i]) <= fabsf(x[i]) * 0x1p-8f);
	}

	/*
	 * Round trips.  For 32-element blocks the error of each element is at
	 * most half a step (d/2) plus the f16 rounding of d and the minimum,
	 * except in the symmetric types (Q4_0, Q5_0) where a value of the sign
	 * opposite to the block's extreme can land one step beyond the top code
	 * and is clamped: up to a whole step.  So that is checked per element.
	 * All types are checked by relative RMS error, with bounds 10-50% above
	 * what these quantizers give on this data (each bit roughly halves the
	 * error; a layout bug gives errors of order 1, far beyond any bound);
	 * the measured value is printed.
	 */
	static const struct { uint32_t type; float max_rel_rms; } rt[] = {
		{ QUANT_Q8_0, 0.006f }, { QUANT_Q4_0, 0.09f }, { QUANT_Q4_1, 0.08f },
		{ QUANT_Q5_0, 0.045f }, { QUANT_Q5_1, 0.04f }, { QUANT_Q2_K, 0.45f },
		{ QUANT_Q3_K, 0.20f },  { QUANT_Q4_K, 0.10f }, { QUANT_Q5_K, 0.05f },
		{ QUANT_Q6_K, 0.025f },
	};
	enum { N = 4096 };
	float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	uint8_t *q = malloc(N * 2);
	for (int i = 0; i < N; i++)
		x[i] = normalish() * 0.02f;
	for (size_t t = 0; t < sizeof rt / sizeof rt[0]; t++) {
		char name[64];
		snprintf(name, sizeof name, "%s round trip within bounds", quant_name(rt[t].type));
		TEST("quant", name) {
			memset(q, 0xaa, N * 2);
			quant_quantize(rt[t].type, x, q, N);
			quant_dequantize(rt[t].type, q, y, N);
			double se = 0, sx = 0;
			for (int i = 0; i < N; i++) {
				se += (double)(y[i] - x[i]) * (y[i] - x[i]);
				sx += (double)x[i] * x[i];
			}
			double rel = sqrt(se / sx);
			printf("#   %s relative rms error %.4f (bound %.3f)\n",
			       quant_name(rt[t].type), rel, rt[t].max_rel_rms);
			CHECK(rel < rt[t].max_rel_rms);
			CHECK(rel > 0); /* a lossy format that loses nothing is broken */
			if (quant_block_elems(rt[t].type) == 32) {
				int steps = rt[t].type == QUANT_Q8_0 ? 127 :
					    rt[t].type == QUANT_Q4_0 ? 8 :
					    rt[t].type == QUANT_Q5_0 ? 16 :
					    rt[t].type == QUANT_Q4_1 ? 15 : 31;
				int affine = rt[t].type == QUANT_Q4_1 || rt[t].type == QUANT_Q5_1;
				int bad = 0;
				for (int b0 = 0; b0 < N; b0 += 32) {
					float lo = x[b0], hi = x[b0], amax = 0;
					for (int j = b0; j < b0 + 32; j++) {
						lo = fminf(lo, x[j]);
						hi = fmaxf(hi, x[j]);
						amax = fmaxf(amax, fabsf(x[j]));
					}
					float d = affine ? (hi - lo) / (float)steps : amax / (float)steps;
					float step = affine || rt[t].type == QUANT_Q8_0 ? d / 2 : d;
					float bound = step * 1.002f + amax * 0x1p-10f;
					for (int j = b0; j < b0 + 32; j++)
						if (fabsf(y[j] - x[j]) > bound)
							bad++;
				}
				CHECK_EQ(bad, 0);
			}
		}
	}

	TEST("quant", "zeros and constants quantize without nan") {
		for (size_t t = 0; t < sizeof rt / sizeof rt[0]; t++) {
			for (int i = 0; i < 256; i++)
				x[i] = 0;
			quant_quantize(rt[t].type, x, q, 256);
			quant_dequantize(rt[t].type, q, y, 256);
			int bad = 0;
			for (int i = 0; i < 256; i++)
				bad += y[i] != 0;
			for (int i = 0; i < 256; i++)
				x[i] = 0.75f;
			quant_quantize(rt[t].type, x, q, 256);
			quant_dequantize(rt[t].type, q, y, 256);
			for (int i = 0; i < 256; i++)
				bad += !(fabsf(y[i] - 0.75f) < 0.75f * 0.1f);
			if (bad)
				printf("#   %s: %d bad elements\n", quant_name(rt[t].type), bad);
			CHECK_EQ(bad, 0);
		}
	}

	TEST("quant", "quantize is deterministic and decodes its own codes exactly") {
		/* Values already on a Q8_0 grid come back exactly. */
		uint8_t b[34];
		float in[32], out[32];
		for (int j = 0; j < 32; j++)
			in[j] = 0.5f * (float)(j - 16) * (j == 0 ? -127.0f / 16.0f : 1.0f);
		quant_quantize(QUANT_Q8_0, in, b, 32);
		quant_dequantize(QUANT_Q8_0, b, out, 32);
		int bad = 0;
		for (int j = 0; j < 32; j++)
			bad += !near(out[j], in[j]);
		CHECK_EQ(bad, 0);
		uint8_t *q2 = malloc(N * 2);
		quant_quantize(QUANT_Q3_K, x, q, 1024);
		quant_quantize(QUANT_Q3_K, x, q2, 1024);
		CHECK(memcmp(q, q2, 440) == 0);
		free(q2);
	}

	free(x);
	free(y);
	free(q);
	return check_done();
}
