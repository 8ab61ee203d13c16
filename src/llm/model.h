/*
 * model.h - the transformer: llama and qwen2 from a GGUF file, one token
 * at a time, in scalar C.
 *
 * Both architectures are the same decoder with small differences:
 *
 *     x = token_embd[token]
 *     for each layer:
 *         h = rmsnorm(x) * attn_norm
 *         q, k, v = Wq h (+bq), Wk h (+bk), Wv h (+bv)    qwen2 has biases
 *         rotate q, k by position (RoPE)                 llama: adjacent
 *                                                        pairs; qwen2: NeoX
 *                                                        halves; optional
 *                                                        rope_freqs divisors
 *                                                        (llama3 scaling)
 *         append k, v to the cache; attend with grouped-query heads
 *         x += Wo attention
 *         h = rmsnorm(x) * ffn_norm
 *         x += W_down (silu(W_gate h) * W_up h)          SwiGLU
 *     logits = output (or token_embd if tied) . (rmsnorm(x) * output_norm)
 *
 * The KV cache holds F16, and attention rounds its inputs as llama.cpp's
 * CPU path does (see ops.h), so logits track llama.cpp's closely.
 *
 * Weights are used in place inside the caller's GGUF mapping; the model
 * owns only its run state (cache and activations), one allocation sized by
 * model_state_bytes().  Architectures other than llama and qwen2 are
 * refused by name.
 *
 *     struct model_config cfg;
 *     if (model_read_config(&g, &cfg, &err) != 0) ...       cheap: metadata
 *     struct model m;
 *     if (model_open(&m, &g, n_ctx, &err) != 0) ...         checks shapes
 *     for (pos...) logits = model_forward(&m, token, pos);
 *     model_close(&m);
 */
#ifndef MCPOS_LLM_MODEL_H
#define MCPOS_LLM_MODEL_H

#include "llm/gguf.h"
#include "llm/ops.h"

#include <stddef.h>
#include <stdint.h>

enum model_arch { MODEL_LLAMA, MODEL_QWEN2 };
enum rope_style { ROPE_NORMAL, ROPE_NEOX };

struct model_config {
	enum model_arch arch;
	uint32_t n_layer, n_embd, n_head, n_head_kv, head_dim, n_ff, n_vocab;
	uint32_t n_ctx_train;
	uint32_t n_rot;          /* rotated dimensions per head (usually head_dim) */
	float rope_theta, rms_eps;
	enum rope_style rope;
	int tied;                /* no output.weight: token_embd is reused */
	int qkv_bias;
	int rope_freqs;          /* rope_freqs.weight present */
};

struct model_error {
	char msg[256];
};

struct model_layer {
	const float *attn_norm;      /* [n_embd] */
	struct ops_matrix wq;        /* [n_embd] -> [n_head * head_dim] */
	struct ops_matrix wk, wv;    /* [n_embd] -> [n_head_kv * head_dim] */
	const float *bq, *bk, *bv;   /* qwen2 only: sizes as the outputs */
	struct ops_matrix wo;        /* [n_head * head_dim] -> [n_embd] */
	const float *ffn_norm;       /* [n_embd] */
	struct ops_matrix w_gate, w_up; /* [n_embd] -> [n_ff] */
	struct ops_matrix w_down;    /* [n_ff] -> [n_embd] */
};

struct model {
	struct model_config c;
	uint32_t n_ctx;              /* cache length in positions */
	struct ops_matrix tok_embd;  /* rows: n_vocab of [n_embd] */
	const float *out_norm;       /* [n_embd] */
	struct ops_matrix output;    /* [n_embd] -> [n_vocab] (tok_embd if tied) */
	const float *rope_freqs;     /* [n_rot / 2] divisors, or NULL */
	struct model_layer *layers;  /* [n_layer] */

	/* Run state: one allocation, carved up in model_open(). */
	void *arena;
	uint16_t *k_cache, *v_cache; /* [n_layer][n_ctx][n_head_kv * head_dim] f16 */
	float *x;        /* [n_embd] the residual stream */
	float *h;        /* [n_embd] normalized input of a sub-block */
	float *q;        /* [n_head * head_dim] */
	float *k, *v;    /* [n_head_kv * head_dim] this position's key, value */
	float *att_out;  /* [n_head * head_dim] */
	float *proj;     /* [n_embd] output of Wo or W_down */
	float *gate, *up; /* [n_ff] */
	float *scores;   /* [n_ctx] one head's attention weights */
	float *logits;   /* [n_vocab] */
	float *xq;       /* [OPS_SCRATCH(max(n_embd, n_ff, n_head*head_dim))] */
};

/* Read and check the hyperparameters; touches no tensor data. */
int model_read_config(const struct gguf_file *g, struct model_config *c,
		      struct model_error *err);

/* Bytes of run state for a context of n_ctx positions (cache + activations). */
uint64_t model_state_bytes(const struct model_config *c, uint32_t n_ctx);
/* Of which the KV cache. */
uint64_t model_kv_bytes(const struct model_config *c, uint32_t n_ctx);

/* Find and shape-check every tensor, allocate the run state. */
int model_open(struct model *m, const struct gguf_file *g, uint32_t n_ctx,
	       struct model_error *err);
void model_close(struct model *m);

/*
 * Run one token at position pos (0 <= pos < n_ctx; positions must be fed
 * in order, each once) and return the logits for the next token (n_vocab
 * floats, valid until the next call).
 */
const float *model_forward(struct model *m, uint32_t token, uint32_t pos);

#endif
