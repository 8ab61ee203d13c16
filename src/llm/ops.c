/*
 * ops.c - scalar reference kernels.  See ops.h for why inputs are rounded.
 */
#include "llm/ops.h"
#include "llm/quant.h"

#include <math.h>
#include <string.h>

/* Q8_0: per 32, d = amax / 127; codes from the exact d, values from the
 * f16 d that the block stores. */
static void round_q8_0(float *x, size_t n)
{
	for (size_t b = 0; b + 32 <= n; b += 32) {
		float amax = 0;
		for (int j = 0; j < 32; j++)
			amax = fmaxf(amax, fabsf(x[b + j]));
		float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
		float dq = quant_f16_to_f32(quant_f32_to_f16(d));
		for (int j = 0; j < 32; j++)
			x[b + j] = dq * roundf(x[b + j] * id);
	}
}

/* Q8_K: per 256, the largest-magnitude value maps to -127; d stays float. */
static void round_q8_k(float *x, size_t n)
{
	for (size_t b = 0; b + 256 <= n; b += 256) {
		float amax = 0, max = 0;
		for (int j = 0; j < 256; j++)
			if (fabsf(x[b + j]) > amax) {
				amax = fabsf(x[b + j]);
				max = x[b + j];
			}
		if (amax == 0)
			continue; /* all zeros stay zeros */
		float iscale = -127.0f / max, d = 1.0f / iscale;
		for (int j = 0; j < 256; j++) {
			float q = nearbyintf(iscale * x[b + j]);
			x[b + j] = d * (q > 127 ? 127 : q);
		}
	}
}

void ops_round_input(uint32_t wtype, float *x, size_t n)
{
	switch (wtype) {
	case QUANT_F32:
		return;
	case QUANT_F16:
		for (size_t i = 0; i < n; i++)
			x[i] = quant_f16_to_f32(quant_f32_to_f16(x[i]));
		return;
	case QUANT_BF16:
		for (size_t i = 0; i < n; i++)
			x[i] = quant_bf16_to_f32(quant_f32_to_bf16(x[i]));
		return;
	case QUANT_Q4_0: case QUANT_Q4_1: case QUANT_Q5_0: case QUANT_Q5_1: case QUANT_Q8_0:
		round_q8_0(x, n);
		return;
	default:
		round_q8_k(x, n);
		return;
	}
}

void ops_get_row(float *out, const struct ops_matrix *w, uint64_t r)
{
	quant_dequantize(w->type, (const uint8_t *)w->data + r * w->row_bytes, out,
			 (size_t)w->cols);
}

/*
 * Q4_1 and Q5_1 meet Q8_1 inputs, whose blocks also store s = d * sum(q)
 * as f16, and llama.cpp's dot product uses that s for the weights' min
 * term: sum(w * x) = d_w * sum(q_w * x) + m_w * s.  Computes s per block.
 */
static void q8_1_sums(const float *x, size_t n, float *s)
{
	for (size_t b = 0; b + 32 <= n; b += 32) {
		float amax = 0;
		for (int j = 0; j < 32; j++)
			amax = fmaxf(amax, fabsf(x[b + j]));
		float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
		int sum = 0;
		for (int j = 0; j < 32; j++)
			sum += (int)roundf(x[b + j] * id);
		s[b / 32] = quant_f16_to_f32(quant_f32_to_f16(d * (float)sum));
	}
}

/* The min of a Q4_1/Q5_1 block (its second f16). */
static float block_min(const uint8_t *block)
{
	return quant_f16_to_f32((uint16_t)(block[2] | block[3] << 8));
}

void ops_matvec(float *out, const struct ops_matrix *w, const float *x, float *xq)
{
	size_t n = (size_t)w->cols, be = quant_block_elems(w->type);
	size_t bb = quant_block_bytes(w->type);
	int has_min = w->type == QUANT_Q4_1 || w->type == QUANT_Q5_1;
	float *sums = xq + n; /* has_min: n / 32 block sums after the input */
	if (has_min)
		q8_1_sums(x, n, sums);
	memcpy(xq, x, n * sizeof *xq);
	ops_round_input(w->type, xq, n);
	/* One block at a time: dequantize, then multiply.  F32 rows are read
	 * through the same path (a block of one), which keeps alignment out
	 * of the picture. */
	size_t chunk = be == 1 ? 256 : be;
	float tmp[256];
	for (uint64_t r = 0; r < w->rows; r++) {
		const uint8_t *row = (const uint8_t *)w->data + r * w->row_bytes;
		double sum = 0;
		for (size_t c = 0; c < n; c += chunk) {
			size_t m = n - c < chunk ? n - c : chunk;
			const uint8_t *block = row + c / be * bb;
			quant_dequantize(w->type, block, tmp, m);
			float part = 0;
			if (has_min) {
				float mn = block_min(block);
				for (size_t j = 0; j < m; j++)
					part += (tmp[j] - mn) * xq[c + j];
				part += mn * sums[c / 32];
			} else {
				for (size_t j = 0; j < m; j++)
					part += tmp[j] * xq[c + j];
			}
			sum += part;
		}
		out[r] = (float)sum;
	}
}

void ops_rmsnorm(float *out, const float *x, const float *weight, size_t n, float eps)
{
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (double)x[i] * x[i];
	float scale = 1.0f / sqrtf((float)(ss / (double)n) + eps);
	for (size_t i = 0; i < n; i++)
		out[i] = x[i] * scale * (weight ? weight[i] : 1.0f);
}

void ops_softmax(float *x, size_t n, float scale)
{
	float max = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		x[i] *= scale;
		if (x[i] > max)
			max = x[i];
	}
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		x[i] = expf(x[i] - max);
		sum += x[i];
	}
	float inv = (float)(1.0 / sum);
	for (size_t i = 0; i < n; i++)
		x[i] *= inv;
}

float ops_silu(float x) { return x / (1.0f + expf(-x)); }
