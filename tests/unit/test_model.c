/*
 * test_model.c - the forward pass on tiny models built in memory, the
 * refusals of model_open(), and the memory planner.
 *
 * (Agreement with llama.cpp on every tensor type is tests/llm/compare.mjs;
 * here are the properties that can be computed by hand.)
 */
#include "check.h"
#include "gguf_write.h"
#include "llm/gguf.h"
#include "llm/memplan.h"
#include "llm/model.h"
#include "llm/quant.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { EMBD = 32, HEADS = 4, HEADS_KV = 2, HEAD_DIM = 8, FF = 64, VOCAB = 16, LAYERS = 2 };

struct spec {
	const char *arch;
	int tied, zero_blocks, skip_tensor;
	uint32_t type; /* of the matrices */
};

static uint64_t rng = 42;
static float rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (float)((double)(rng >> 11) / 9007199254740992.0 - 0.5);
}

static void tensor(struct gguf_writer *w, const char *name, uint64_t ne0, uint64_t ne1,
		   uint32_t type, float scale, float mean)
{
	size_t n = (size_t)(ne0 * ne1);
	float *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = mean + scale * rnd();
	uint64_t bytes;
	quant_bytes(type, n, &bytes);
	void *q = malloc(bytes);
	quant_quantize(type, x, q, n);
	uint64_t ne[2] = { ne0, ne1 };
	gguf_w_tensor(w, name, ne1 > 1 ? 2 : 1, ne, type, q, bytes);
	free(q);
	free(x);
}

static size_t build(const struct spec *s, uint8_t **buf)
{
	struct gguf_writer w;
	char k[64];
	rng = 42;
	gguf_writer_init(&w, 32);
	gguf_w_str(&w, "general.architecture", s->arch);
#define KEY(x) (snprintf(k, sizeof k, "%s." x, s->arch), k)
	gguf_w_u32(&w, KEY("block_count"), LAYERS);
	gguf_w_u32(&w, KEY("embedding_length"), EMBD);
	gguf_w_u32(&w, KEY("feed_forward_length"), FF);
	gguf_w_u32(&w, KEY("attention.head_count"), HEADS);
	gguf_w_u32(&w, KEY("attention.head_count_kv"), HEADS_KV);
	gguf_w_u32(&w, KEY("context_length"), 64);
	gguf_w_f32(&w, KEY("attention.layer_norm_rms_epsilon"), 1e-5f);
#undef KEY
	tensor(&w, "token_embd.weight", EMBD, VOCAB, s->type, 2.0f, 0);
	const char *mats[] = { "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down" };
	uint64_t in[] = { EMBD, EMBD, EMBD, EMBD, EMBD, EMBD, FF };
	uint64_t out[] = { EMBD, HEADS_KV * HEAD_DIM, HEADS_KV * HEAD_DIM, EMBD, FF, FF, EMBD };
	for (int l = 0; l < LAYERS; l++) {
		char n[64];
		snprintf(n, sizeof n, "blk.%d.attn_norm.weight", l);
		tensor(&w, n, EMBD, 1, QUANT_F32, 0.2f, 1.0f);
		snprintf(n, sizeof n, "blk.%d.ffn_norm.weight", l);
		tensor(&w, n, EMBD, 1, QUANT_F32, 0.2f, 1.0f);
		for (int i = 0; i < 7; i++) {
			snprintf(n, sizeof n, "blk.%d.%s.weight", l, mats[i]);
			if (s->skip_tensor && l == 1 && i == 5)
				continue;
			/* zero_blocks: the sub-blocks add nothing to the residual */
			int zero = s->zero_blocks && (i == 3 || i == 6);
			tensor(&w, n, in[i], out[i], s->type, zero ? 0 : 0.5f, 0);
		}
		if (strcmp(s->arch, "qwen2") == 0) {
			snprintf(n, sizeof n, "blk.%d.attn_q.bias", l);
			tensor(&w, n, EMBD, 1, QUANT_F32, 0.1f, 0);
			snprintf(n, sizeof n, "blk.%d.attn_k.bias", l);
			tensor(&w, n, HEADS_KV * HEAD_DIM, 1, QUANT_F32, 0.1f, 0);
			snprintf(n, sizeof n, "blk.%d.attn_v.bias", l);
			tensor(&w, n, HEADS_KV * HEAD_DIM, 1, QUANT_F32, 0.1f, 0);
		}
	}
	tensor(&w, "output_norm.weight", EMBD, 1, QUANT_F32, 0.2f, 1.0f);
	if (!s->tied)
		tensor(&w, "output.weight", EMBD, VOCAB, s->type, 1.0f, 0);
	size_t len = 0;
	gguf_writer_to_mem(&w, buf, &len);
	gguf_writer_free(&w);
	return len;
}

/* Open spec as a model with n_ctx positions; 0 or -1 with err filled. */
static int open_spec(const struct spec *s, uint8_t **buf, struct gguf_file *g,
		     struct model *m, struct model_error *err)
{
	size_t len = build(s, buf);
	struct gguf_error gerr;
	if (gguf_open(g, *buf, len, &gerr) != 0) {
		snprintf(err->msg, sizeof err->msg, "%s", gerr.msg);
		return -1;
	}
	if (model_open(m, g, 16, err) != 0) {
		gguf_close(g);
		return -1;
	}
	return 0;
}

static void close_spec(uint8_t *buf, struct gguf_file *g, struct model *m)
{
	model_close(m);
	gguf_close(g);
	free(buf);
}

int main(void)
{
	TEST("model", "with silent blocks, logits are output . rmsnorm(embedding)") {
		/* attn_output and ffn_down are zero, so the residual stream stays
		 * the token's embedding and the logits can be computed here. */
		struct spec s = { "llama", 0, 1, 0, QUANT_F32 };
		uint8_t *buf;
		struct gguf_file g;
		struct model m;
		struct model_error err;
		CHECK(open_spec(&s, &buf, &g, &m, &err) == 0);
		const struct gguf_tensor *emb = gguf_find_tensor(&g, "token_embd.weight");
		const struct gguf_tensor *out = gguf_find_tensor(&g, "output.weight");
		const struct gguf_tensor *nw = gguf_find_tensor(&g, "output_norm.weight");
		uint32_t tokens[3] = { 3, 7, 3 };
		double worst = 0;
		for (uint32_t pos = 0; pos < 3; pos++) {
			const float *logits = model_forward(&m, tokens[pos], pos);
			float e[EMBD], nrm[EMBD], wn[EMBD], row[EMBD];
			memcpy(e, (const float *)emb->data + tokens[pos] * EMBD, sizeof e);
			memcpy(wn, nw->data, sizeof wn);
			double ss = 0;
			for (int i = 0; i < EMBD; i++)
				ss += (double)e[i] * e[i];
			for (int i = 0; i < EMBD; i++)
				nrm[i] = (float)(e[i] / sqrt(ss / EMBD + 1e-5) * wn[i]);
			for (int v = 0; v < VOCAB; v++) {
				memcpy(row, (const float *)out->data + v * EMBD, sizeof row);
				double want = 0;
				for (int i = 0; i < EMBD; i++)
					want += (double)row[i] * nrm[i];
				worst = fmax(worst, fabs(want - logits[v]));
			}
		}
		printf("#   max |logit - hand-computed| %.3g\n", worst);
		CHECK(worst < 1e-4);
		close_spec(buf, &g, &m);
	}

	TEST("model", "tied embeddings: output uses token_embd") {
		struct spec s = { "llama", 1, 1, 0, QUANT_F32 };
		uint8_t *buf;
		struct gguf_file g;
		struct model m;
		struct model_error err;
		CHECK(open_spec(&s, &buf, &g, &m, &err) == 0);
		CHECK(m.c.tied);
		const float *logits = model_forward(&m, 5, 0);
		/* logit[9] after token 5 = emb[9] . (rmsnorm(emb[5]) * norm) */
		const float *emb = gguf_find_tensor(&g, "token_embd.weight")->data;
		const float *nw = gguf_find_tensor(&g, "output_norm.weight")->data;
		double ss = 0, want = 0;
		for (int i = 0; i < EMBD; i++)
			ss += (double)emb[5 * EMBD + i] * emb[5 * EMBD + i];
		for (int i = 0; i < EMBD; i++)
			want += (double)emb[9 * EMBD + i] * emb[5 * EMBD + i] / sqrt(ss / EMBD + 1e-5) * nw[i];
		CHECK(fabs(want - logits[9]) < 1e-4);
		close_spec(buf, &g, &m);
	}

	TEST("model", "forward is deterministic and finite for llama and qwen2, all types") {
		const uint32_t types[] = { QUANT_F32, QUANT_F16, QUANT_BF16, QUANT_Q8_0, QUANT_Q4_0,
					   QUANT_Q4_1, QUANT_Q5_0, QUANT_Q5_1 };
		for (int a = 0; a < 2; a++)
			for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
				struct spec s = { a ? "qwen2" : "llama", a, 0, 0, types[t] };
				float first[VOCAB];
				int bad = 0;
				for (int run = 0; run < 2; run++) {
					uint8_t *buf;
					struct gguf_file g;
					struct model m;
					struct model_error err;
					if (open_spec(&s, &buf, &g, &m, &err) != 0) {
						printf("#   %s\n", err.msg);
						bad++;
						continue;
					}
					CHECK_EQ(m.c.qkv_bias, a);
					const float *lg = NULL;
					for (uint32_t p = 0; p < 10; p++)
						lg = model_forward(&m, (p * 7) % VOCAB, p);
					for (int v = 0; v < VOCAB; v++)
						bad += !isfinite(lg[v]);
					if (run == 0)
						memcpy(first, lg, sizeof first);
					else
						bad += memcmp(first, lg, sizeof first) != 0;
					close_spec(buf, &g, &m);
				}
				if (bad)
					printf("#   %s %s: %d problems\n", s.arch, quant_name(types[t]), bad);
				CHECK_EQ(bad, 0);
			}
	}

	TEST("model", "the KV cache: earlier tokens change later logits, in order") {
		struct spec s = { "llama", 0, 0, 0, QUANT_F32 };
		uint8_t *buf;
		struct gguf_file g;
		struct model m;
		struct model_error err;
		CHECK(open_spec(&s, &buf, &g, &m, &err) == 0);
		float a[VOCAB], b[VOCAB];
		model_forward(&m, 1, 0);
		memcpy(a, model_forward(&m, 2, 1), sizeof a);
		/* a fresh run with another first token: position 1 must differ */
		model_forward(&m, 9, 0);
		memcpy(b, model_forward(&m, 2, 1), sizeof b);
		CHECK(memcmp(a, b, sizeof a) != 0);
		/* and the same first token again reproduces the first run */
		model_forward(&m, 1, 0);
		memcpy(b, model_forward(&m, 2, 1), sizeof b);
		CHECK(memcmp(a, b, sizeof a) == 0);
		CHECK(model_forward(&m, VOCAB, 2) == NULL);   /* token out of range */
		CHECK(model_forward(&m, 0, 16) == NULL);      /* beyond the context */
		close_spec(buf, &g, &m);
	}

	TEST("model", "refusals name the architecture, tensor and shape") {
		uint8_t *buf;
		struct gguf_file g;
		struct model m;
		struct model_error err;
		struct spec s = { "gpt2", 0, 0, 0, QUANT_F32 };
		CHECK(open_spec(&s, &buf, &g, &m, &err) == -1);
		CHECK(strstr(err.msg, "architecture 'gpt2' is not supported") != NULL);
		free(buf);
		struct spec s2 = { "llama", 0, 0, 1, QUANT_F32 };
		CHECK(open_spec(&s2, &buf, &g, &m, &err) == -1);
		CHECK(strstr(err.msg, "tensor 'blk.1.ffn_up.weight': missing") != NULL);
		free(buf);
		/* a wrong head count makes attn_k the wrong shape */
		struct spec s3 = { "llama", 0, 0, 0, QUANT_F32 };
		size_t len = build(&s3, &buf);
		size_t at = 0;
		for (size_t i = 0; i + 23 < len; i++)
			if (memcmp(buf + i, "attention.head_count_kv", 23) == 0)
				at = i + 23 + 4;
		buf[at] = 4;
		struct gguf_error gerr;
		CHECK(gguf_open(&g, buf, len, &gerr) == 0);
		CHECK(model_open(&m, &g, 16, &err) == -1);
		CHECK(strstr(err.msg, "tensor 'blk.0.attn_k.weight': shape [32, 16], expected [32, 32]") != NULL);
		printf("#   %s\n", err.msg);
		gguf_close(&g);
		free(buf);
	}

	TEST("memplan", "KV cache bytes, refusal message, longest context that fits") {
		struct model_config c = { .n_layer = 30, .n_embd = 576, .n_head = 9, .n_head_kv = 3,
					  .head_dim = 64, .n_ff = 1536, .n_vocab = 49152 };
		/* SmolLM2-135M's shape: 2 (K and V) x 30 layers x 2048 positions
		 * x 192 dims x 2 bytes = 47185920 */
		CHECK_EQ(model_kv_bytes(&c, 2048), 47185920ull);
		struct memplan p;
		memplan_make(&p, &c, 100u << 20, 2048);
		CHECK_EQ(p.kv_cache, 47185920ull);
		CHECK(p.total == p.weights + p.kv_cache + p.activations + p.overhead);
		CHECK(p.activations > 49152 * 4); /* at least the logits */
		char msg[512];
		CHECK(memplan_check(&p, p.total, msg, sizeof msg) == 0);
		CHECK(memplan_check(&p, p.total - 1, msg, sizeof msg) == -1);
		printf("#   %s\n", msg);
		CHECK(strstr(msg, "KV cache 45.0 MiB for 2048 positions") != NULL);
		CHECK(strstr(msg, "weights 100.0 MiB") != NULL);
		CHECK(strstr(msg, "budget is") != NULL);
		uint32_t fit = memplan_max_ctx(&c, 100u << 20, p.total - 1, 2048);
		CHECK(fit == 2047);
		CHECK(memplan_max_ctx(&c, 100u << 20, 50u << 20, 2048) == 0);
	}

	return check_done();
}
