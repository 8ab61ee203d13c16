/*
 * quant.h - the tensor element formats of GGUF files: their block layouts,
 * a scalar dequantizer for each, and reference quantizers.
 *
 * Type numbers are ggml's, as stored in a GGUF tensor entry.  Quantized
 * types pack a fixed number of elements (the block) into a fixed number of
 * bytes; a tensor row is a whole number of blocks.  Half floats inside
 * blocks ("d", "dmin") are IEEE binary16, little-endian.
 *
 *   type  elems bytes  layout of one block        value of element i
 *   F32       1     4  float
 *   F16       1     2  binary16
 *   BF16      1     2  top half of a float
 *   Q4_0     32    18  d, qs[16]                  d * (q - 8)
 *   Q4_1     32    20  d, m, qs[16]               d * q + m
 *   Q5_0     32    22  d, qh[4], qs[16]           d * (q - 16)
 *   Q5_1     32    24  d, m, qh[4], qs[16]        d * q + m
 *   Q8_0     32    34  d, int8 qs[32]             d * q
 *   Q2_K    256    84  scales[16], qs[64], d, dmin
 *   Q3_K    256   110  hmask[32], qs[64], scales[12], d
 *   Q4_K    256   144  d, dmin, scales[12], qs[128]
 *   Q5_K    256   176  d, dmin, scales[12], qh[32], qs[128]
 *   Q6_K    256   210  ql[128], qh[64], int8 scales[16], d
 *
 * 4-bit types: byte j of qs holds element j (low nibble) and j+16 (high).
 * 5-bit types add bit j of the little-endian u32 qh as bit 4 of element j.
 * The K types are "super-blocks" of 256 split into sub-blocks of 16 or 32
 * with their own scales (and mins), themselves quantized against the
 * super-block's d and dmin; quant.c spells out each bit layout.
 *
 * Everything reads bytes through memcpy, so blocks may sit at any address
 * (a tensor in a fuzzed buffer, say) and the code is endian-explicit.
 */
#ifndef MCPOS_LLM_QUANT_H
#define MCPOS_LLM_QUANT_H

#include <stddef.h>
#include <stdint.h>

enum quant_type {
	QUANT_F32 = 0,
	QUANT_F16 = 1,
	QUANT_Q4_0 = 2,
	QUANT_Q4_1 = 3,
	QUANT_Q5_0 = 6,
	QUANT_Q5_1 = 7,
	QUANT_Q8_0 = 8,
	QUANT_Q2_K = 10,
	QUANT_Q3_K = 11,
	QUANT_Q4_K = 12,
	QUANT_Q5_K = 13,
	QUANT_Q6_K = 14,
	QUANT_BF16 = 30,
};

#define QUANT_MAX_BLOCK 256 /* the largest block, in elements (QK_K) */

/* 1 if this engine reads the type, else 0 (also for ggml types we do not). */
int quant_supported(uint32_t type);
/* "Q4_K" etc.; "?" for an unsupported type. */
const char *quant_name(uint32_t type);
/* The type named `name` (case-insensitive), or -1. */
int quant_from_name(const char *name);

/* Elements and bytes per block; 0 for an unsupported type. */
uint32_t quant_block_elems(uint32_t type);
uint32_t quant_block_bytes(uint32_t type);

/*
 * Bytes of `n` elements: 0 on success, -1 if the type is unsupported, n is
 * not a whole number of blocks, or the size overflows.
 */
int quant_bytes(uint32_t type, uint64_t n, uint64_t *bytes);

/* Decode n elements (a whole number of blocks) from src into dst. */
void quant_dequantize(uint32_t type, const void *src, float *dst, size_t n);

/*
 * Encode n elements (a whole number of blocks) of src into dst, which holds
 * quant_bytes(type, n) bytes.  Deterministic: the same floats always give
 * the same bytes.  The scalar formats round to nearest; the block formats
 * choose scales from each block's range as ggml's reference quantizers do
 * (without their iterative refinement of K-quant scales, so the error is
 * somewhat larger than llama-quantize's, but the format is the same).
 */
void quant_quantize(uint32_t type, const float *src, void *dst, size_t n);

/* binary16 and bfloat16 conversions; float to half rounds to nearest even. */
float quant_f16_to_f32(uint16_t h);
uint16_t quant_f32_to_f16(float f);
float quant_bf16_to_f32(uint16_t h);
uint16_t quant_f32_to_bf16(float f);

#endif
