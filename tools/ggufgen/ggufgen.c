/*
 * ggufgen - write a GGUF model of any shape from seeded random weights.
 *
 * Tests and benchmarks need models of many shapes and tensor types, and
 * nothing may be downloaded; the weights are random but the file is a real
 * llama- or qwen2-architecture GGUF that llama.cpp and mcpos-llm both load.
 *
 *   ggufgen -o FILE [options]
 *     --arch llama|qwen2      architecture (default llama; qwen2 implies
 *                             --qkv-bias and NeoX RoPE in the readers)
 *     --layers N --embd N --heads N --heads-kv N --ff N --vocab N --ctx N
 *     --rope-theta F          RoPE base frequency (default 10000)
 *     --llama3-rope F,LO,HI,CTX  write rope_freqs.weight with llama3
 *                             frequency scaling (factor, low/high frequency
 *                             factors, original context length)
 *     --tied                  no output.weight: logits use token_embd
 *     --qkv-bias / --no-qkv-bias
 *     --type T                F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K
 *                             Q3_K Q4_K Q5_K Q6_K, or a mix: Q2_K_M Q3_K_M
 *                             Q4_K_M Q5_K_M (see pick_type())
 *     --tensor-type SUBSTR=T  override for tensors whose name contains SUBSTR
 *                             (repeatable; the first match wins)
 *     --seed N                weights come from (seed, tensor name)
 *     --std F                 standard deviation of matrix weights (0.02)
 *     --out-std F             ... of output.weight/token_embd (default std)
 *     --vocab-file FILE       tokens, one per line: TOKEN TAB SCORE TAB TYPE
 *                             (TOKEN with \\ \t \n \r \xHH escapes; TYPE as
 *                             llama.cpp: 1 normal 2 unknown 3 control
 *                             4 user-defined 5 unused 6 byte)
 *     --merges-file FILE      BPE merges, one "left right" per line
 *     --tokenizer llama|gpt2  tokenizer.ggml.model (default llama)
 *     --pre NAME              tokenizer.ggml.pre (gpt2 only)
 *     --bos ID --eos ID --unk ID --pad ID  special ids (default: found by
 *                             name in the vocabulary)
 *     --add-bos 0|1           tokenizer.ggml.add_bos_token
 *     --chat-template FILE    tokenizer.chat_template
 *     --name NAME             general.name
 *
 * Without --vocab-file the vocabulary is synthetic SentencePiece-style:
 * <unk> <s> </s>, the 256 byte tokens <0x00>..<0xFF>, then short pieces.
 * The output is a function of the options only.
 */
#include "gguf_write.h"
#include "llm/quant.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct options {
	const char *out, *arch, *name;
	uint32_t layers, embd, heads, heads_kv, ff, vocab, ctx;
	float rope_theta, rms_eps, std, out_std;
	int llama3;
	float l3_factor, l3_low, l3_high, l3_ctx;
	int tied, qkv_bias; /* qkv_bias: -1 = by arch */
	const char *type;
	const char *overrides[32];
	int n_overrides;
	uint64_t seed;
	const char *vocab_file, *merges_file, *tokenizer, *pre, *template_file;
	long bos, eos, unk, pad;
	int add_bos;
};

/* ---- deterministic random numbers (no libm: glibc and musl agree) ----- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s) { return (double)(splitmix(s) >> 11) / 9007199254740992.0; }

/* Irwin-Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1. */
static float gaussian(uint64_t *s)
{
	double sum = 0;
	for (int i = 0; i < 12; i++)
		sum += uniform(s);
	return (float)(sum - 6.0);
}

static uint64_t name_seed(uint64_t seed, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ seed; /* FNV-1a over the name */
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

/* ---- tensor types -------------------------------------------------------- */

/* llama.cpp's choice of layers that get more bits in the _M mixes. */
static int more_bits(uint32_t layer, uint32_t n_layers)
{
	return layer < n_layers / 8 || layer >= 7 * n_layers / 8 ||
	       (layer - n_layers / 8) % 3 == 2;
}

/* The type for a 2-D weight: overrides, then the mix rules. */
static int pick_type(const struct options *o, const char *name, int layer)
{
	for (int i = 0; i < o->n_overrides; i++) {
		const char *eq = strchr(o->overrides[i], '=');
		size_t n = (size_t)(eq - o->overrides[i]);
		char sub[128];
		if (n >= sizeof sub)
			continue;
		memcpy(sub, o->overrides[i], n);
		sub[n] = 0;
		if (strstr(name, sub))
			return quant_from_name(eq + 1);
	}
	int base = quant_from_name(o->type);
	if (base >= 0)
		return base;
	/* The _M mixes, after llama.cpp's llama_tensor_get_type(): output in
	 * Q6_K, attn_v and ffn_down with more bits in some layers. */
	int is_v = strstr(name, "attn_v.") != NULL, is_down = strstr(name, "ffn_down") != NULL;
	int is_out = strcmp(name, "output.weight") == 0;
	int mb = layer >= 0 && more_bits((uint32_t)layer, o->layers);
	if (strcasecmp(o->type, "Q4_K_M") == 0)
		return is_out || ((is_v || is_down) && mb) ? QUANT_Q6_K : QUANT_Q4_K;
	if (strcasecmp(o->type, "Q5_K_M") == 0)
		return is_out || ((is_v || is_down) && mb) ? QUANT_Q6_K : QUANT_Q5_K;
	if (strcasecmp(o->type, "Q3_K_M") == 0)
		return is_out ? QUANT_Q6_K : is_v ? (layer < 2 ? QUANT_Q5_K : QUANT_Q4_K) :
		       is_down ? (layer < 2 ? QUANT_Q5_K : QUANT_Q4_K) : QUANT_Q3_K;
	if (strcasecmp(o->type, "Q2_K_M") == 0)
		return is_out ? QUANT_Q6_K : (is_v || is_down) ? QUANT_Q3_K : QUANT_Q2_K;
	return -1;
}

/* If rows do not split into the type's blocks, fall back as llama.cpp does. */
static int fit_type(int type, uint64_t row)
{
	if (row % quant_block_elems((uint32_t)type) == 0)
		return type;
	if (row % 32 == 0)
		return type == QUANT_Q2_K || type == QUANT_Q3_K ? QUANT_Q4_0 :
		       type == QUANT_Q4_K ? QUANT_Q5_0 : type == QUANT_Q5_K ? QUANT_Q5_1 :
		       QUANT_Q8_0;
	return QUANT_F16;
}

/* ---- writing tensors ---------------------------------------------------- */

struct gen {
	const struct options *o;
	struct gguf_writer w;
	int counts[32]; /* tensors written per type, for the summary */
};

/* Write a tensor of shape ne[0] x ne[1] (ne[1] = 1 for vectors). */
static int add_tensor(struct gen *g, const char *name, int layer, uint64_t ne0,
		      uint64_t ne1, float mean, float std, int force_f32)
{
	uint64_t n = ne0 * ne1;
	float *x = malloc(n * sizeof *x);
	if (!x)
		return -1;
	uint64_t s = name_seed(g->o->seed, name);
	for (uint64_t i = 0; i < n; i++)
		x[i] = mean + std * gaussian(&s);
	int type = force_f32 ? QUANT_F32 : pick_type(g->o, name, layer);
	if (type < 0) {
		fprintf(stderr, "ggufgen: %s: unknown type '%s'\n", name, g->o->type);
		free(x);
		return -1;
	}
	type = fit_type(type, ne0);
	uint64_t bytes;
	if (quant_bytes((uint32_t)type, n, &bytes) != 0) {
		free(x);
		return -1;
	}
	void *q = malloc(bytes);
	if (!q) {
		free(x);
		return -1;
	}
	quant_quantize((uint32_t)type, x, q, n);
	uint64_t ne[2] = { ne0, ne1 };
	gguf_w_tensor(&g->w, name, ne1 > 1 ? 2 : 1, ne, (uint32_t)type, q, bytes);
	g->counts[type % 32]++;
	free(q);
	free(x);
	return 0;
}

/* llama3 frequency scaling, as Meta's reference defines it: long
 * wavelengths are slowed by `factor`, short ones kept, a smooth blend
 * between.  Stored as divisors of each frequency (llama.cpp's rope_freqs). */
static int add_llama3_freqs(struct gen *g, uint32_t head_dim)
{
	const struct options *o = g->o;
	uint32_t n = head_dim / 2;
	float *f = malloc(n * sizeof *f);
	if (!f)
		return -1;
	double low_wavelen = o->l3_ctx / o->l3_low, high_wavelen = o->l3_ctx / o->l3_high;
	/* The tool runs on the build host only, so libm's pow() is fine here
	 * (the weights themselves never go through libm). */
	double base_pow = 1.0, step = pow(o->rope_theta, -2.0 / head_dim);
	for (uint32_t i = 0; i < n; i++, base_pow *= step) {
		double wavelen = 2 * 3.14159265358979323846 / base_pow;
		double div;
		if (wavelen < high_wavelen)
			div = 1;
		else if (wavelen > low_wavelen)
			div = o->l3_factor;
		else {
			double smooth = (o->l3_ctx / wavelen - o->l3_low) / (o->l3_high - o->l3_low);
			div = 1 / ((1 - smooth) / o->l3_factor + smooth);
		}
		f[i] = (float)div;
	}
	uint64_t ne[1] = { n };
	gguf_w_tensor(&g->w, "rope_freqs.weight", 1, ne, QUANT_F32, f, n * sizeof *f);
	free(f);
	return 0;
}

static int add_weights(struct gen *g)
{
	const struct options *o = g->o;
	uint32_t head_dim = o->embd / o->heads, kv_dim = head_dim * o->heads_kv;
	float ostd = o->out_std > 0 ? o->out_std : o->std;
	char name[96];
	int qkv_bias = o->qkv_bias >= 0 ? o->qkv_bias : strcmp(o->arch, "qwen2") == 0;

	if (add_tensor(g, "token_embd.weight", -1, o->embd, o->vocab, 0, o->tied ? ostd : 1.0f, 0))
		return -1;
	if (o->llama3 && add_llama3_freqs(g, head_dim))
		return -1;
	for (uint32_t l = 0; l < o->layers; l++) {
		int L = (int)l;
#define T(suffix, ne0, ne1, mean, sd, f32) \
		(snprintf(name, sizeof name, "blk.%u." suffix, l), \
		 add_tensor(g, name, L, (ne0), (ne1), (mean), (sd), (f32)))
		if (T("attn_norm.weight", o->embd, 1, 1.0f, 0.1f, 1) ||
		    T("attn_q.weight", o->embd, o->embd, 0, o->std, 0) ||
		    T("attn_k.weight", o->embd, kv_dim, 0, o->std, 0) ||
		    T("attn_v.weight", o->embd, kv_dim, 0, o->std, 0) ||
		    (qkv_bias && (T("attn_q.bias", o->embd, 1, 0, o->std, 1) ||
				  T("attn_k.bias", kv_dim, 1, 0, o->std, 1) ||
				  T("attn_v.bias", kv_dim, 1, 0, o->std, 1))) ||
		    T("attn_output.weight", o->embd, o->embd, 0, o->std, 0) ||
		    T("ffn_norm.weight", o->embd, 1, 1.0f, 0.1f, 1) ||
		    T("ffn_gate.weight", o->embd, o->ff, 0, o->std, 0) ||
		    T("ffn_up.weight", o->embd, o->ff, 0, o->std, 0) ||
		    T("ffn_down.weight", o->ff, o->embd, 0, o->std, 0))
			return -1;
#undef T
	}
	if (add_tensor(g, "output_norm.weight", -1, o->embd, 1, 1.0f, 0.1f, 1))
		return -1;
	if (!o->tied && add_tensor(g, "output.weight", -1, o->embd, o->vocab, 0, ostd, 0))
		return -1;
	return 0;
}

/* ---- vocabulary ------------------------------------------------------- */

struct vocab {
	char **tokens;
	size_t *lens;
	float *scores;
	int32_t *types;
	size_t n, cap;
	char **merges;
	size_t n_merges, cap_merges;
};

static int vocab_push(struct vocab *v, const char *tok, size_t len, float score, int32_t type)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		char **t = realloc(v->tokens, cap * sizeof *t);
		if (t) v->tokens = t;
		size_t *l = realloc(v->lens, cap * sizeof *l);
		if (l) v->lens = l;
		float *s = realloc(v->scores, cap * sizeof *s);
		if (s) v->scores = s;
		int32_t *ty = realloc(v->types, cap * sizeof *ty);
		if (ty) v->types = ty;
		if (!t || !l || !s || !ty)
			return -1;
		v->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, tok, len);
	copy[len] = 0;
	v->tokens[v->n] = copy;
	v->lens[v->n] = len;
	v->scores[v->n] = score;
	v->types[v->n] = type;
	v->n++;
	return 0;
}

static void vocab_free(struct vocab *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->tokens[i]);
	for (size_t i = 0; i < v->n_merges; i++)
		free(v->merges[i]);
	free(v->tokens);
	free(v->lens);
	free(v->scores);
	free(v->types);
	free(v->merges);
}

/* <unk> <s> </s> <0x00>..<0xFF> then pieces "▁x", "x", "▁xy", "xy", ... */
static int synthetic_vocab(struct vocab *v, uint32_t size)
{
	static const char letters[] = "etaoinshrdlcumwfgypbvkjxqz";
	if (size < 259 + 4) {
		fprintf(stderr, "ggufgen: --vocab must be at least 263 for the synthetic vocabulary\n");
		return -1;
	}
	if (vocab_push(v, "<unk>", 5, 0, 2) || vocab_push(v, "<s>", 3, 0, 3) ||
	    vocab_push(v, "</s>", 4, 0, 3))
		return -1;
	for (int b = 0; b < 256; b++) {
		char t[8];
		snprintf(t, sizeof t, "<0x%02X>", b);
		if (vocab_push(v, t, 6, 0, 6))
			return -1;
	}
	/* Enumerate letter strings of growing length, each with and without the
	 * SentencePiece space marker U+2581. */
	char word[8];
	for (int len = 1; v->n < size && len < 6; len++) {
		size_t total = 1;
		for (int k = 0; k < len; k++)
			total *= 26;
		for (size_t idx = 0; idx < total && v->n < size; idx++) {
			size_t r = idx;
			for (int k = len - 1; k >= 0; k--, r /= 26)
				word[k] = letters[r % 26];
			char piece[16] = "\xe2\x96\x81";
			memcpy(piece + 3, word, (size_t)len);
			float score = -(float)v->n;
			if (vocab_push(v, piece, 3 + (size_t)len, score, 1))
				return -1;
			if (v->n < size && vocab_push(v, word, (size_t)len, score - 0.5f, 1))
				return -1;
		}
	}
	return 0;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Undo the escapes of a vocabulary line's TOKEN field in place. */
static int unescape(char *s, size_t *len)
{
	size_t j = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] != '\\') {
			s[j++] = s[i];
			continue;
		}
		char c = s[++i];
		if (c == '\\') s[j++] = '\\';
		else if (c == 't') s[j++] = '\t';
		else if (c == 'n') s[j++] = '\n';
		else if (c == 'r') s[j++] = '\r';
		else if (c == 'x' && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			s[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			return -1;
	}
	*len = j;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "ggufgen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *b2 = realloc(buf, cap * 2 + 1);
			if (!b2) { free(buf); buf = NULL; break; }
			buf = b2;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		*len = n;
	}
	return buf;
}

static int load_vocab(struct vocab *v, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return -1;
	int rc = 0;
	unsigned line_no = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		line_no++;
		char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab2) {
			fprintf(stderr, "ggufgen: %s:%u: expected TOKEN<TAB>SCORE<TAB>TYPE\n", path, line_no);
			rc = -1;
			break;
		}
		*tab1 = *tab2 = 0;
		char *end1, *end2;
		float score = strtof(tab1 + 1, &end1);
		long type = strtol(tab2 + 1, &end2, 10);
		size_t tl;
		if (*end1 || *end2 || type < 1 || type > 6 || unescape(line, &tl) != 0) {
			fprintf(stderr, "ggufgen: %s:%u: bad score, type or escape\n", path, line_no);
			rc = -1;
			break;
		}
		if (vocab_push(v, line, tl, score, (int32_t)type)) {
			rc = -1;
			break;
		}
	}
	free(text);
	return rc;
}

static int load_merges(struct vocab *v, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return -1;
	int rc = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!*line)
			continue;
		if (v->n_merges == v->cap_merges) {
			size_t cap = v->cap_merges ? v->cap_merges * 2 : 1024;
			char **m = realloc(v->merges, cap * sizeof *m);
			if (!m) { rc = -1; break; }
			v->merges = m;
			v->cap_merges = cap;
		}
		if (!(v->merges[v->n_merges] = strdup(line))) { rc = -1; break; }
		v->n_merges++;
	}
	free(text);
	return rc;
}

static long find_token(const struct vocab *v, const char *const *names)
{
	for (; *names; names++)
		for (size_t i = 0; i < v->n; i++)
			if (strcmp(v->tokens[i], *names) == 0)
				return (long)i;
	return -1;
}

static void add_tokenizer(struct gen *g, struct vocab *v, const char *chat_template)
{
	const struct options *o = g->o;
	gguf_w_str(&g->w, "tokenizer.ggml.model", o->tokenizer);
	if (o->pre)
		gguf_w_str(&g->w, "tokenizer.ggml.pre", o->pre);
	gguf_w_arr_str(&g->w, "tokenizer.ggml.tokens", (const char *const *)v->tokens, v->lens, v->n);
	gguf_w_arr_f32(&g->w, "tokenizer.ggml.scores", v->scores, v->n);
	gguf_w_arr_i32(&g->w, "tokenizer.ggml.token_type", v->types, v->n);
	if (v->n_merges)
		gguf_w_arr_str(&g->w, "tokenizer.ggml.merges", (const char *const *)v->merges,
			       NULL, v->n_merges);
	static const char *const bos_names[] = { "<s>", "<|begin_of_text|>", "<|endoftext|>", "<|im_start|>", NULL };
	static const char *const eos_names[] = { "</s>", "<|end_of_text|>", "<|im_end|>", "<|endoftext|>", NULL };
	static const char *const unk_names[] = { "<unk>", NULL };
	long bos = o->bos >= 0 ? o->bos : find_token(v, bos_names);
	long eos = o->eos >= 0 ? o->eos : find_token(v, eos_names);
	long unk = o->unk >= 0 ? o->unk : find_token(v, unk_names);
	if (bos >= 0) gguf_w_u32(&g->w, "tokenizer.ggml.bos_token_id", (uint32_t)bos);
	if (eos >= 0) gguf_w_u32(&g->w, "tokenizer.ggml.eos_token_id", (uint32_t)eos);
	if (unk >= 0) gguf_w_u32(&g->w, "tokenizer.ggml.unknown_token_id", (uint32_t)unk);
	if (o->pad >= 0) gguf_w_u32(&g->w, "tokenizer.ggml.padding_token_id", (uint32_t)o->pad);
	if (o->add_bos >= 0) gguf_w_bool(&g->w, "tokenizer.ggml.add_bos_token", o->add_bos);
	if (chat_template)
		gguf_w_str(&g->w, "tokenizer.chat_template", chat_template);
}

/* ---- main ----------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: ggufgen -o FILE [--arch llama|qwen2] [--layers N] [--embd N]\n"
		"  [--heads N] [--heads-kv N] [--ff N] [--vocab N] [--ctx N] [--rope-theta F]\n"
		"  [--llama3-rope FACTOR,LOW,HIGH,CTX] [--tied] [--qkv-bias|--no-qkv-bias]\n"
		"  [--type T] [--tensor-type SUBSTR=T]... [--seed N] [--std F] [--out-std F]\n"
		"  [--vocab-file F] [--merges-file F] [--tokenizer llama|gpt2] [--pre NAME]\n"
		"  [--bos ID] [--eos ID] [--unk ID] [--pad ID] [--add-bos 0|1]\n"
		"  [--chat-template FILE] [--name NAME]\n");
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v == 0 || v > 1u << 24)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
#define ARG(flag) (strcmp(a, flag) == 0 && (v || (bad = 1, 0)) && ++i)
		if (strcmp(a, "--tied") == 0) o->tied = 1;
		else if (strcmp(a, "--qkv-bias") == 0) o->qkv_bias = 1;
		else if (strcmp(a, "--no-qkv-bias") == 0) o->qkv_bias = 0;
		else if (ARG("-o")) o->out = v;
		else if (ARG("--arch")) o->arch = v;
		else if (ARG("--name")) o->name = v;
		else if (ARG("--layers")) bad = parse_u32(v, &o->layers);
		else if (ARG("--embd")) bad = parse_u32(v, &o->embd);
		else if (ARG("--heads")) bad = parse_u32(v, &o->heads);
		else if (ARG("--heads-kv")) bad = parse_u32(v, &o->heads_kv);
		else if (ARG("--ff")) bad = parse_u32(v, &o->ff);
		else if (ARG("--vocab")) bad = parse_u32(v, &o->vocab);
		else if (ARG("--ctx")) bad = parse_u32(v, &o->ctx);
		else if (ARG("--rope-theta")) o->rope_theta = strtof(v, NULL);
		else if (ARG("--llama3-rope")) {
			o->llama3 = 1;
			bad = sscanf(v, "%f,%f,%f,%f", &o->l3_factor, &o->l3_low, &o->l3_high, &o->l3_ctx) != 4;
		}
		else if (ARG("--type")) o->type = v;
		else if (ARG("--tensor-type")) {
			bad = !strchr(v, '=') || quant_from_name(strchr(v, '=') + 1) < 0 ||
			      o->n_overrides == 32;
			if (!bad) o->overrides[o->n_overrides++] = v;
		}
		else if (ARG("--seed")) o->seed = strtoull(v, NULL, 10);
		else if (ARG("--std")) o->std = strtof(v, NULL);
		else if (ARG("--out-std")) o->out_std = strtof(v, NULL);
		else if (ARG("--vocab-file")) o->vocab_file = v;
		else if (ARG("--merges-file")) o->merges_file = v;
		else if (ARG("--tokenizer")) o->tokenizer = v;
		else if (ARG("--pre")) o->pre = v;
		else if (ARG("--bos")) o->bos = strtol(v, NULL, 10);
		else if (ARG("--eos")) o->eos = strtol(v, NULL, 10);
		else if (ARG("--unk")) o->unk = strtol(v, NULL, 10);
		else if (ARG("--pad")) o->pad = strtol(v, NULL, 10);
		else if (ARG("--add-bos")) o->add_bos = atoi(v) != 0;
		else if (ARG("--chat-template")) o->template_file = v;
		else bad = 1;
#undef ARG
		if (bad) {
			fprintf(stderr, "ggufgen: bad or incomplete option '%s'\n", a);
			return -1;
		}
	}
	if (!o->out) {
		usage();
		return -1;
	}
	if (strcmp(o->arch, "llama") != 0 && strcmp(o->arch, "qwen2") != 0) {
		fprintf(stderr, "ggufgen: --arch must be llama or qwen2\n");
		return -1;
	}
	if (o->embd % o->heads != 0 || o->heads % o->heads_kv != 0 || (o->embd / o->heads) % 2) {
		fprintf(stderr, "ggufgen: --embd must split into --heads even-sized heads, "
			"and --heads must be a multiple of --heads-kv\n");
		return -1;
	}
	if (quant_from_name(o->type) < 0 && pick_type(o, "x", 0) < 0) {
		fprintf(stderr, "ggufgen: unknown --type '%s'\n", o->type);
		return -1;
	}
	return 0;
}

/* llama.cpp's general.file_type for the --type given. */
static uint32_t file_type(const char *t)
{
	static const struct { const char *name; uint32_t ft; } map[] = {
		{ "F32", 0 }, { "F16", 1 }, { "Q4_0", 2 }, { "Q4_1", 3 }, { "Q8_0", 7 },
		{ "Q5_0", 8 }, { "Q5_1", 9 }, { "Q2_K", 10 }, { "Q2_K_M", 10 },
		{ "Q3_K", 12 }, { "Q3_K_M", 12 }, { "Q4_K", 15 }, { "Q4_K_M", 15 },
		{ "Q5_K", 17 }, { "Q5_K_M", 17 }, { "Q6_K", 18 }, { "BF16", 32 },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(map[i].name, t) == 0)
			return map[i].ft;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {
		.arch = "llama", .name = "ggufgen", .layers = 2, .embd = 64, .heads = 4,
		.heads_kv = 2, .ff = 172, .vocab = 512, .ctx = 512, .rope_theta = 10000.0f,
		.rms_eps = 1e-5f, .std = 0.02f, .qkv_bias = -1, .type = "F32", .seed = 1,
		.tokenizer = "llama", .bos = -1, .eos = -1, .unk = -1, .pad = -1, .add_bos = -1,
	};
	if (parse_args(argc, argv, &o) != 0)
		return 2;

	struct gen g = { .o = &o };
	struct vocab v = { 0 };
	char *chat_template = NULL;
	size_t tl;
	int rc = 1;
	if (o.vocab_file ? load_vocab(&v, o.vocab_file) : synthetic_vocab(&v, o.vocab))
		goto out;
	if (o.merges_file && load_merges(&v, o.merges_file))
		goto out;
	if (o.template_file && !(chat_template = read_file(o.template_file, &tl)))
		goto out;
	o.vocab = (uint32_t)v.n;

	gguf_writer_init(&g.w, 32);
	char key[96];
#define KEY(suffix) (snprintf(key, sizeof key, "%s." suffix, o.arch), key)
	gguf_w_str(&g.w, "general.architecture", o.arch);
	gguf_w_str(&g.w, "general.name", o.name);
	gguf_w_u32(&g.w, "general.file_type", file_type(o.type));
	gguf_w_u32(&g.w, KEY("vocab_size"), o.vocab);
	gguf_w_u32(&g.w, KEY("context_length"), o.ctx);
	gguf_w_u32(&g.w, KEY("embedding_length"), o.embd);
	gguf_w_u32(&g.w, KEY("block_count"), o.layers);
	gguf_w_u32(&g.w, KEY("feed_forward_length"), o.ff);
	gguf_w_u32(&g.w, KEY("attention.head_count"), o.heads);
	gguf_w_u32(&g.w, KEY("attention.head_count_kv"), o.heads_kv);
	gguf_w_u32(&g.w, KEY("rope.dimension_count"), o.embd / o.heads);
	gguf_w_f32(&g.w, KEY("rope.freq_base"), o.rope_theta);
	gguf_w_f32(&g.w, KEY("attention.layer_norm_rms_epsilon"), o.rms_eps);
#undef KEY
	add_tokenizer(&g, &v, chat_template);
	if (add_weights(&g) != 0)
		goto out;

	FILE *f = fopen(o.out, "wb");
	if (!f) {
		fprintf(stderr, "ggufgen: %s: %s\n", o.out, strerror(errno));
		goto out;
	}
	int wrc = gguf_writer_write(&g.w, f);
	if (fclose(f) != 0 || wrc != 0) {
		fprintf(stderr, "ggufgen: %s: write failed\n", o.out);
		remove(o.out);
		goto out;
	}
	rc = 0;
out:
	gguf_writer_free(&g.w);
	vocab_free(&v);
	free(chat_template);
	return rc;
}
