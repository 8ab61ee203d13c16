/*
 * vocab_gguf.c - tokenizer.ggml.* keys to a struct tok_vocab.
 */
#include "llm/vocab_gguf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "tokenizer.ggml."

/* The string array `key`, or NULL with err set (absent is an error only
 * when required). */
static const struct gguf_kv *array_of(const struct gguf_file *g, const char *key,
				      int want_string, int required, char *err)
{
	const struct gguf_kv *kv = gguf_find_kv(g, key);
	if (!kv) {
		if (required)
			snprintf(err, TOK_ERR_MAX, "%s: missing", key);
		return NULL;
	}
	if (kv->type != GGUF_TYPE_ARRAY) {
		snprintf(err, TOK_ERR_MAX, "%s: is %s, not an array", key,
			 gguf_type_name(kv->type));
		return NULL;
	}
	int is_string = kv->v.arr.type == GGUF_TYPE_STRING;
	if (is_string != want_string || (!want_string && gguf_scalar_size(kv->v.arr.type) == 0)) {
		snprintf(err, TOK_ERR_MAX, "%s: array of %s, expected %s", key,
			 gguf_type_name(kv->v.arr.type), want_string ? "strings" : "numbers");
		return NULL;
	}
	return kv;
}

static int read_strings(const struct gguf_kv *kv, struct tok_str **out)
{
	size_t n = (size_t)kv->v.arr.count;
	struct gguf_str *tmp = malloc((n ? n : 1) * sizeof *tmp);
	*out = malloc((n ? n : 1) * sizeof **out);
	if (!tmp || !*out) {
		free(tmp);
		free(*out);
		*out = NULL;
		return -1;
	}
	gguf_array_str(kv, tmp, n);
	for (size_t i = 0; i < n; i++)
		(*out)[i] = (struct tok_str){ tmp[i].ptr, tmp[i].len };
	free(tmp);
	return 0;
}

static int read_id(const struct gguf_file *g, const char *key, int32_t *id, char *err)
{
	uint32_t v;
	*id = TOK_NONE;
	if (!gguf_find_kv(g, key))
		return 0;
	if (gguf_get_u32(g, key, &v) != 0 || v > INT32_MAX) {
		snprintf(err, TOK_ERR_MAX, "%s: not a token id", key);
		return -1;
	}
	*id = (int32_t)v;
	return 0;
}

static int read_flag(const struct gguf_file *g, const char *key, int *flag, char *err)
{
	*flag = TOK_NONE;
	if (!gguf_find_kv(g, key))
		return 0;
	if (gguf_get_bool(g, key, flag) != 0) {
		snprintf(err, TOK_ERR_MAX, "%s: not a bool", key);
		return -1;
	}
	return 0;
}

int vocab_gguf_load(struct vocab_gguf *vg, const struct gguf_file *g, char *err)
{
	const char *model;
	size_t model_len;
	const struct gguf_kv *kv;

	memset(vg, 0, sizeof *vg);
	tok_vocab_init(&vg->vocab);
	struct tok_vocab *v = &vg->vocab;

	if (gguf_get_str(g, KEY "model", &model, &model_len) != 0) {
		snprintf(err, TOK_ERR_MAX, KEY "model: missing or not a string");
		return -1;
	}
	if (model_len == 5 && memcmp(model, "llama", 5) == 0) {
		v->model = TOK_MODEL_SPM;
	} else if (model_len == 4 && memcmp(model, "gpt2", 4) == 0) {
		v->model = TOK_MODEL_BPE;
	} else {
		snprintf(err, TOK_ERR_MAX, KEY "model: '%.*s' is not supported "
			 "(only \"llama\" and \"gpt2\")", (int)(model_len > 32 ? 32 : model_len), model);
		return -1;
	}
	if (gguf_find_kv(g, KEY "pre")) {
		if (gguf_get_str(g, KEY "pre", &v->pre.ptr, &v->pre.len) != 0) {
			snprintf(err, TOK_ERR_MAX, KEY "pre: not a string");
			return -1;
		}
	}

	kv = array_of(g, KEY "tokens", 1, 1, err);
	if (!kv)
		return -1;
	if (kv->v.arr.count == 0 || kv->v.arr.count > INT32_MAX / 2) {
		snprintf(err, TOK_ERR_MAX, KEY "tokens: %llu tokens",
			 (unsigned long long)kv->v.arr.count);
		return -1;
	}
	v->n_tokens = (uint32_t)kv->v.arr.count;
	if (read_strings(kv, &vg->tokens) != 0)
		goto oom;
	v->tokens = vg->tokens;

	err[0] = '\0';
	kv = array_of(g, KEY "scores", 0, 0, err);
	if (!kv && err[0])
		goto fail;
	if (kv) {
		if (kv->v.arr.count != v->n_tokens) {
			snprintf(err, TOK_ERR_MAX, KEY "scores: %llu entries for %u tokens",
				 (unsigned long long)kv->v.arr.count, (unsigned)v->n_tokens);
			goto fail;
		}
		vg->scores = malloc(v->n_tokens * sizeof *vg->scores);
		if (!vg->scores)
			goto oom;
		for (uint32_t i = 0; i < v->n_tokens; i++)
			vg->scores[i] = (float)gguf_array_num(kv, i);
		v->scores = vg->scores;
	}
	kv = array_of(g, KEY "token_type", 0, 0, err);
	if (!kv && err[0])
		goto fail;
	if (kv) {
		if (kv->v.arr.count != v->n_tokens) {
			snprintf(err, TOK_ERR_MAX, KEY "token_type: %llu entries for %u tokens",
				 (unsigned long long)kv->v.arr.count, (unsigned)v->n_tokens);
			goto fail;
		}
		vg->types = malloc(v->n_tokens * sizeof *vg->types);
		if (!vg->types)
			goto oom;
		for (uint32_t i = 0; i < v->n_tokens; i++) {
			double d = gguf_array_num(kv, i);
			vg->types[i] = d >= 0 && d <= 127 ? (int32_t)d : 0;
		}
		v->types = vg->types;
	}
	kv = array_of(g, KEY "merges", 1, 0, err);
	if (!kv && err[0])
		goto fail;
	if (kv && v->model == TOK_MODEL_BPE) {
		if (kv->v.arr.count > UINT32_MAX / 2) {
			snprintf(err, TOK_ERR_MAX, KEY "merges: too many");
			goto fail;
		}
		v->n_merges = (uint32_t)kv->v.arr.count;
		if (read_strings(kv, &vg->merges) != 0)
			goto oom;
		v->merges = vg->merges;
	}

	if (read_id(g, KEY "bos_token_id", &v->bos_id, err) ||
	    read_id(g, KEY "eos_token_id", &v->eos_id, err) ||
	    read_id(g, KEY "eot_token_id", &v->eot_id, err) ||
	    read_id(g, KEY "unknown_token_id", &v->unk_id, err) ||
	    read_id(g, KEY "padding_token_id", &v->pad_id, err) ||
	    read_flag(g, KEY "add_bos_token", &v->add_bos, err) ||
	    read_flag(g, KEY "add_eos_token", &v->add_eos, err) ||
	    read_flag(g, KEY "add_space_prefix", &v->add_space_prefix, err))
		goto fail;
	return 0;
oom:
	snprintf(err, TOK_ERR_MAX, "out of memory reading the vocabulary");
fail:
	vocab_gguf_free(vg);
	return -1;
}

void vocab_gguf_free(struct vocab_gguf *vg)
{
	free(vg->tokens);
	free(vg->merges);
	free(vg->scores);
	free(vg->types);
	memset(vg, 0, sizeof *vg);
	tok_vocab_init(&vg->vocab);
}

int vocab_gguf_tokenizer(struct vocab_gguf *vg, const struct gguf_file *g,
			 struct tokenizer **tok, char *err)
{
	*tok = NULL;
	if (vocab_gguf_load(vg, g, err) != 0)
		return -1;
	if (tok_open(tok, &vg->vocab, err) != 0) {
		vocab_gguf_free(vg);
		return -1;
	}
	free(vg->merges);
	vg->merges = NULL;
	vg->vocab.merges = NULL;
	vg->vocab.n_merges = 0;
	return 0;
}
