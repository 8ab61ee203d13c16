/*
 * model.c - the llama/qwen2 forward pass.  See model.h.
 */
#include "llm/model.h"
#include "llm/quant.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct model_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct model_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* Hyperparameters are "<arch>.<name>" keys. */
static int get_u32(const struct gguf_file *g, const char *arch, const char *name,
		   uint32_t *out, int required, struct model_error *err)
{
	char key[128];
	snprintf(key, sizeof key, "%s.%s", arch, name);
	if (gguf_get_u32(g, key, out) == 0)
		return 0;
	if (!required)
		return 1;
	return fail(err, "metadata '%s': missing or not an unsigned integer", key);
}

int model_read_config(const struct gguf_file *g, struct model_config *c,
		      struct model_error *err)
{
	memset(c, 0, sizeof *c);
	const char *a;
	size_t alen;
	if (gguf_get_str(g, "general.architecture", &a, &alen) != 0)
		return fail(err, "metadata 'general.architecture': missing");
	char arch[32];
	if (alen >= sizeof arch)
		alen = sizeof arch - 1;
	memcpy(arch, a, alen);
	arch[alen] = 0;
	if (strcmp(arch, "llama") == 0) {
		c->arch = MODEL_LLAMA;
		c->rope = ROPE_NORMAL;
	} else if (strcmp(arch, "qwen2") == 0) {
		c->arch = MODEL_QWEN2;
		c->rope = ROPE_NEOX;
	} else {
		for (size_t i = 0; i < alen; i++)
			if (arch[i] < 0x20 || arch[i] > 0x7e)
				arch[i] = '?';
		return fail(err, "architecture '%s' is not supported (only llama and qwen2)", arch);
	}
	if (get_u32(g, arch, "block_count", &c->n_layer, 1, err) < 0 ||
	    get_u32(g, arch, "embedding_length", &c->n_embd, 1, err) < 0 ||
	    get_u32(g, arch, "feed_forward_length", &c->n_ff, 1, err) < 0 ||
	    get_u32(g, arch, "attention.head_count", &c->n_head, 1, err) < 0)
		return -1;
	if (get_u32(g, arch, "attention.head_count_kv", &c->n_head_kv, 0, err) != 0)
		c->n_head_kv = c->n_head;
	if (get_u32(g, arch, "context_length", &c->n_ctx_train, 0, err) != 0)
		c->n_ctx_train = 2048;
	char key[128];
	snprintf(key, sizeof key, "%s.rope.freq_base", arch);
	if (gguf_get_f32(g, key, &c->rope_theta) != 0)
		c->rope_theta = 10000.0f;
	snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", arch);
	if (gguf_get_f32(g, key, &c->rms_eps) != 0)
		c->rms_eps = 1e-5f;

	/* Sizes that would make the arithmetic below meaningless or huge. */
	if (c->n_layer == 0 || c->n_layer > 1024)
		return fail(err, "metadata '%s.block_count': %u layers", arch, c->n_layer);
	if (c->n_embd == 0 || c->n_embd > 65536 || c->n_ff == 0 || c->n_ff > 1 << 20)
		return fail(err, "metadata '%s': embedding %u / feed-forward %u out of range",
			    arch, c->n_embd, c->n_ff);
	if (c->n_head == 0 || c->n_embd % c->n_head != 0)
		return fail(err, "metadata '%s.attention.head_count': %u does not divide embedding %u",
			    arch, c->n_head, c->n_embd);
	if (c->n_head_kv == 0 || c->n_head % c->n_head_kv != 0)
		return fail(err, "metadata '%s.attention.head_count_kv': %u does not divide %u heads",
			    arch, c->n_head_kv, c->n_head);
	c->head_dim = c->n_embd / c->n_head;
	if (get_u32(g, arch, "rope.dimension_count", &c->n_rot, 0, err) != 0)
		c->n_rot = c->head_dim;
	if (c->n_rot == 0 || c->n_rot > c->head_dim || c->n_rot % 2)
		return fail(err, "metadata '%s.rope.dimension_count': %u for heads of %u",
			    arch, c->n_rot, c->head_dim);
	if (!(c->rope_theta > 0) || !(c->rms_eps >= 0))
		return fail(err, "metadata '%s': rope.freq_base or rms epsilon out of range", arch);

	const struct gguf_tensor *emb = gguf_find_tensor(g, "token_embd.weight");
	if (!emb || emb->n_dims != 2)
		return fail(err, "tensor 'token_embd.weight': missing or not 2-D");
	if (emb->ne[1] > UINT32_MAX)
		return fail(err, "tensor 'token_embd.weight': %llu rows", (unsigned long long)emb->ne[1]);
	c->n_vocab = (uint32_t)emb->ne[1];
	c->tied = gguf_find_tensor(g, "output.weight") == NULL;
	c->qkv_bias = gguf_find_tensor(g, "blk.0.attn_q.bias") != NULL;
	c->rope_freqs = gguf_find_tensor(g, "rope_freqs.weight") != NULL;
	return 0;
}

uint64_t model_kv_bytes(const struct model_config *c, uint32_t n_ctx)
{
	uint64_t kv_dim = (uint64_t)c->n_head_kv * c->head_dim;
	return 2 * (uint64_t)c->n_layer * n_ctx * kv_dim * sizeof(uint16_t);
}

/* Activation floats, in the order model_open() carves them. */
static uint64_t activation_floats(const struct model_config *c, uint32_t n_ctx)
{
	uint64_t qdim = (uint64_t)c->n_head * c->head_dim, kv = (uint64_t)c->n_head_kv * c->head_dim;
	uint64_t big = c->n_ff > c->n_embd ? c->n_ff : c->n_embd;
	if (qdim > big)
		big = qdim;
	return 3 * (uint64_t)c->n_embd + 2 * qdim + 2 * kv + 2 * (uint64_t)c->n_ff +
	       n_ctx + c->n_vocab + OPS_SCRATCH(big);
}

uint64_t model_state_bytes(const struct model_config *c, uint32_t n_ctx)
{
	return model_kv_bytes(c, n_ctx) + activation_floats(c, n_ctx) * sizeof(float) +
	       (uint64_t)c->n_layer * sizeof(struct model_layer);
}

/* ---- tensors ------------------------------------------------------------ */

struct finder {
	const struct gguf_file *g;
	struct model_error *err;
};

/* A matrix named `name` mapping `in` inputs to `out` outputs. */
static int matrix(struct finder *f, const char *name, uint64_t in, uint64_t out,
		  struct ops_matrix *m)
{
	const struct gguf_tensor *t = gguf_find_tensor(f->g, name);
	if (!t)
		return fail(f->err, "tensor '%s': missing", name);
	if (t->n_dims != 2 || t->ne[0] != in || t->ne[1] != out)
		return fail(f->err, "tensor '%s': shape [%llu, %llu], expected [%llu, %llu]",
			    name, (unsigned long long)t->ne[0], (unsigned long long)t->ne[1],
			    (unsigned long long)in, (unsigned long long)out);
	m->type = t->type;
	m->cols = in;
	m->rows = out;
	m->row_bytes = (size_t)(t->size / out);
	m->data = t->data;
	return 0;
}

/* An F32 vector of n elements (norm weights, biases, rope factors); its
 * data is used as float*, so it must be 4-byte aligned in memory. */
static int vector(struct finder *f, const char *name, uint64_t n, const float **v)
{
	const struct gguf_tensor *t = gguf_find_tensor(f->g, name);
	if (!t)
		return fail(f->err, "tensor '%s': missing", name);
	if (t->n_elements != n || t->ne[0] != n)
		return fail(f->err, "tensor '%s': %llu elements, expected %llu", name,
			    (unsigned long long)t->n_elements, (unsigned long long)n);
	if (t->type != QUANT_F32)
		return fail(f->err, "tensor '%s': type %s, expected F32", name, quant_name(t->type));
	if ((uintptr_t)t->data % sizeof(float) != 0)
		return fail(f->err, "tensor '%s': data not 4-byte aligned", name);
	*v = t->data;
	return 0;
}

static int find_layer(struct finder *f, const struct model_config *c, uint32_t i,
		      struct model_layer *l)
{
	uint64_t e = c->n_embd, qd = (uint64_t)c->n_head * c->head_dim;
	uint64_t kv = (uint64_t)c->n_head_kv * c->head_dim;
	char n[96];
#define NAME(s) (snprintf(n, sizeof n, "blk.%u." s, i), n)
	if (vector(f, NAME("attn_norm.weight"), e, &l->attn_norm) ||
	    matrix(f, NAME("attn_q.weight"), e, qd, &l->wq) ||
	    matrix(f, NAME("attn_k.weight"), e, kv, &l->wk) ||
	    matrix(f, NAME("attn_v.weight"), e, kv, &l->wv) ||
	    matrix(f, NAME("attn_output.weight"), qd, e, &l->wo) ||
	    vector(f, NAME("ffn_norm.weight"), e, &l->ffn_norm) ||
	    matrix(f, NAME("ffn_gate.weight"), e, c->n_ff, &l->w_gate) ||
	    matrix(f, NAME("ffn_up.weight"), e, c->n_ff, &l->w_up) ||
	    matrix(f, NAME("ffn_down.weight"), c->n_ff, e, &l->w_down))
		return -1;
	if (c->qkv_bias && (vector(f, NAME("attn_q.bias"), qd, &l->bq) ||
			    vector(f, NAME("attn_k.bias"), kv, &l->bk) ||
			    vector(f, NAME("attn_v.bias"), kv, &l->bv)))
		return -1;
#undef NAME
	return 0;
}

int model_open(struct model *m, const struct gguf_file *g, uint32_t n_ctx,
	       struct model_error *err)
{
	memset(m, 0, sizeof *m);
	if (model_read_config(g, &m->c, err) != 0)
		return -1;
	const struct model_config *c = &m->c;
	if (n_ctx == 0 || n_ctx > 1u << 20)
		return fail(err, "context length %u out of range", n_ctx);
	m->n_ctx = n_ctx;

	struct finder f = { g, err };
	if (matrix(&f, "token_embd.weight", c->n_embd, c->n_vocab, &m->tok_embd) ||
	    vector(&f, "output_norm.weight", c->n_embd, &m->out_norm))
		return -1;
	if (c->tied)
		m->output = m->tok_embd;
	else if (matrix(&f, "output.weight", c->n_embd, c->n_vocab, &m->output))
		return -1;
	if (c->rope_freqs && vector(&f, "rope_freqs.weight", c->n_rot / 2, &m->rope_freqs))
		return -1;

	uint64_t bytes = model_state_bytes(c, n_ctx);
	if (bytes > SIZE_MAX || !(m->arena = calloc(1, (size_t)bytes)))
		return fail(err, "out of memory for %llu bytes of run state",
			    (unsigned long long)bytes);
	/* Carve the arena: layer table, then floats, then the f16 cache (the
	 * layer table's size is a multiple of 8, floats keep 4-alignment). */
	m->layers = m->arena;
	float *p = (float *)(m->layers + c->n_layer);
	uint64_t qd = (uint64_t)c->n_head * c->head_dim, kv = (uint64_t)c->n_head_kv * c->head_dim;
	uint64_t big = c->n_ff > c->n_embd ? c->n_ff : c->n_embd;
	if (qd > big)
		big = qd;
#define TAKE(field, count) (m->field = p, p += (count))
	TAKE(x, c->n_embd);
	TAKE(h, c->n_embd);
	TAKE(proj, c->n_embd);
	TAKE(q, qd);
	TAKE(att_out, qd);
	TAKE(k, kv);
	TAKE(v, kv);
	TAKE(gate, c->n_ff);
	TAKE(up, c->n_ff);
	TAKE(scores, n_ctx);
	TAKE(logits, c->n_vocab);
	TAKE(xq, OPS_SCRATCH(big));
#undef TAKE
	uint64_t cache = (uint64_t)c->n_layer * n_ctx * kv;
	m->k_cache = (uint16_t *)p;
	m->v_cache = m->k_cache + cache;

	for (uint32_t i = 0; i < c->n_layer; i++)
		if (find_layer(&f, c, i, &m->layers[i]) != 0) {
			model_close(m);
			return -1;
		}
	return 0;
}

void model_close(struct model *m)
{
	free(m->arena);
	m->arena = NULL;
	m->layers = NULL;
}

/* ---- the forward pass ---------------------------------------------------- */

/*
 * Rotate one head's vector x[head_dim] for position pos.  Pair i (of
 * n_rot/2) turns by pos * theta^(-2i/n_rot) / freq_factor[i]; NORMAL pairs
 * adjacent elements (2i, 2i+1), NEOX pairs i with i + n_rot/2.  The angle
 * is built by repeated multiplication in float, as llama.cpp does, so the
 * two agree to the last bit of the angle.
 */
static void rope(const struct model *m, float *x, uint32_t pos)
{
	const struct model_config *c = &m->c;
	uint32_t half = c->n_rot / 2;
	float theta_scale = powf(c->rope_theta, -2.0f / (float)c->n_rot);
	float theta = (float)pos;
	for (uint32_t i = 0; i < half; i++, theta *= theta_scale) {
		float angle = m->rope_freqs ? theta / m->rope_freqs[i] : theta;
		float cs = cosf(angle), sn = sinf(angle);
		uint32_t a = c->rope == ROPE_NEOX ? i : 2 * i;
		uint32_t b = c->rope == ROPE_NEOX ? i + half : 2 * i + 1;
		float x0 = x[a], x1 = x[b];
		x[a] = x0 * cs - x1 * sn;
		x[b] = x0 * sn + x1 * cs;
	}
}

static float f16r(float v) { return quant_f16_to_f32(quant_f32_to_f16(v)); }

static void add(float *x, const float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] += y[i];
}

/*
 * Grouped-query attention for layer l at position pos: query head hd reads
 * key/value head hd / (n_head / n_head_kv).  As in llama.cpp's CPU path,
 * the query is rounded to f16 to meet the f16 keys, and the softmax
 * weights to f16 to meet the f16 values.
 */
static void attention(struct model *m, uint32_t l, uint32_t pos)
{
	const struct model_config *c = &m->c;
	uint32_t kv_dim = c->n_head_kv * c->head_dim, group = c->n_head / c->n_head_kv;
	const uint16_t *kc = m->k_cache + (size_t)l * m->n_ctx * kv_dim;
	const uint16_t *vc = m->v_cache + (size_t)l * m->n_ctx * kv_dim;
	float scale = 1.0f / sqrtf((float)c->head_dim);
	for (uint32_t hd = 0; hd < c->n_head; hd++) {
		const float *q = m->q + (size_t)hd * c->head_dim; /* [head_dim] */
		size_t kv_off = (size_t)(hd / group) * c->head_dim;
		for (uint32_t t = 0; t <= pos; t++) {
			const uint16_t *k = kc + (size_t)t * kv_dim + kv_off; /* [head_dim] */
			double s = 0;
			for (uint32_t i = 0; i < c->head_dim; i++)
				s += (double)(f16r(q[i]) * quant_f16_to_f32(k[i]));
			m->scores[t] = (float)s;
		}
		ops_softmax(m->scores, pos + 1, scale);
		float *out = m->att_out + (size_t)hd * c->head_dim; /* [head_dim] */
		for (uint32_t i = 0; i < c->head_dim; i++) {
			double s = 0;
			for (uint32_t t = 0; t <= pos; t++)
				s += (double)(f16r(m->scores[t]) *
					      quant_f16_to_f32(vc[(size_t)t * kv_dim + kv_off + i]));
			out[i] = (float)s;
		}
	}
}

const float *model_forward(struct model *m, uint32_t token, uint32_t pos)
{
	const struct model_config *c = &m->c;
	uint32_t e = c->n_embd, qd = c->n_head * c->head_dim, kv_dim = c->n_head_kv * c->head_dim;
	if (token >= c->n_vocab || pos >= m->n_ctx)
		return NULL;
	ops_get_row(m->x, &m->tok_embd, token);

	for (uint32_t l = 0; l < c->n_layer; l++) {
		const struct model_layer *w = &m->layers[l];
		ops_rmsnorm(m->h, m->x, w->attn_norm, e, c->rms_eps);
		ops_matvec(m->q, &w->wq, m->h, m->xq);
		ops_matvec(m->k, &w->wk, m->h, m->xq);
		ops_matvec(m->v, &w->wv, m->h, m->xq);
		if (w->bq) {
			add(m->q, w->bq, qd);
			add(m->k, w->bk, kv_dim);
			add(m->v, w->bv, kv_dim);
		}
		for (uint32_t hd = 0; hd < c->n_head; hd++)
			rope(m, m->q + (size_t)hd * c->head_dim, pos);
		for (uint32_t hd = 0; hd < c->n_head_kv; hd++)
			rope(m, m->k + (size_t)hd * c->head_dim, pos);
		size_t at = ((size_t)l * m->n_ctx + pos) * kv_dim;
		for (uint32_t i = 0; i < kv_dim; i++) {
			m->k_cache[at + i] = quant_f32_to_f16(m->k[i]);
			m->v_cache[at + i] = quant_f32_to_f16(m->v[i]);
		}
		attention(m, l, pos);
		ops_matvec(m->proj, &w->wo, m->att_out, m->xq);
		add(m->x, m->proj, e);

		ops_rmsnorm(m->h, m->x, w->ffn_norm, e, c->rms_eps);
		ops_matvec(m->gate, &w->w_gate, m->h, m->xq);
		ops_matvec(m->up, &w->w_up, m->h, m->xq);
		for (uint32_t i = 0; i < c->n_ff; i++)
			m->gate[i] = ops_silu(m->gate[i]) * m->up[i];
		ops_matvec(m->proj, &w->w_down, m->gate, m->xq);
		add(m->x, m->proj, e);
	}
	ops_rmsnorm(m->h, m->x, m->out_norm, e, c->rms_eps);
	ops_matvec(m->logits, &m->output, m->h, m->xq);
	return m->logits;
}
