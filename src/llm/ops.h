/*
 * ops.h - the engine's numeric kernels, in one place so that SIMD and
 * threaded versions (issue 5) replace these bodies and nothing else.
 *
 * The matrix-vector product follows llama.cpp's CPU numerics on purpose:
 * before multiplying by a weight matrix the input vector is brought to the
 * precision llama.cpp's CPU backend computes with for that weight type
 * (its "vec_dot_type"):
 *
 *     weight type                    input vector becomes
 *     F32                            F32 (unchanged)
 *     F16, BF16                      F16, BF16
 *     Q4_0 Q5_0 Q8_0 Q4_1 Q5_1       Q8_0 grid: blocks of 32, d = amax/127
 *                                    stored as f16, q = round(x / d)
 *     Q2_K .. Q6_K                   Q8_K grid: blocks of 256, d = max/-127
 *                                    as a float, q = min(127, round(x / d))
 *
 * That rounding is part of what llama.cpp computes; doing the same keeps
 * our logits within float-summation noise of the reference, so greedy
 * decoding picks the same tokens.  Products are then exact float math on
 * dequantized values (the integer dot products of the SIMD kernels compute
 * the same sums).
 */
#ifndef MCPOS_LLM_OPS_H
#define MCPOS_LLM_OPS_H

#include <stddef.h>
#include <stdint.h>

/* A weight matrix: rows of `cols` elements of `type`, row-major, as GGUF
 * stores it (ne[0] = cols, ne[1] = rows). */
struct ops_matrix {
	uint32_t type;
	uint64_t cols, rows;
	size_t row_bytes;
	const void *data;
};

/* Round x[0..n) in place to the input grid for weights of `wtype` (above). */
void ops_round_input(uint32_t wtype, float *x, size_t n);

/*
 * out[r] = sum_c W[r][c] * x[c] for every row r.  `xq` is scratch of
 * OPS_SCRATCH(w->cols) floats (the rounded input and block sums); x and
 * out must not overlap.
 */
#define OPS_SCRATCH(cols) ((cols) + (cols) / 32 + 1)
void ops_matvec(float *out, const struct ops_matrix *w, const float *x, float *xq);

/* Dequantize row r of W into out[0..cols). */
void ops_get_row(float *out, const struct ops_matrix *w, uint64_t r);

/* out = x / rms(x) * weight (weight may be NULL for none). */
void ops_rmsnorm(float *out, const float *x, const float *weight, size_t n, float eps);

/* In-place softmax of x[0..n) after multiplying by scale. */
void ops_softmax(float *x, size_t n, float scale);

/* x / (1 + e^-x) */
float ops_silu(float x);

#endif
