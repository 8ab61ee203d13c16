/*
 * vocab_gguf.h - the tokenizer's vocabulary, read from a GGUF file's
 * tokenizer.ggml.* keys.
 *
 *   tokenizer.ggml.model          "llama" (SentencePiece) or "gpt2" (BPE)
 *   tokenizer.ggml.pre            pre-tokenizer name (BPE)
 *   tokenizer.ggml.tokens         string[n]
 *   tokenizer.ggml.scores         f32[n]   (optional)
 *   tokenizer.ggml.token_type     i32[n]   (optional)
 *   tokenizer.ggml.merges         string[] (BPE)
 *   tokenizer.ggml.{bos,eos,eot,unknown,padding}_token_id   u32 (optional)
 *   tokenizer.ggml.add_{bos,eos}_token, add_space_prefix     bool (optional)
 *
 * The strings stay in the file (the tokenizer points into it); the arrays
 * of descriptors, scores and types are allocated here and freed by
 * vocab_gguf_free().  Every key's type and every array's length is
 * checked; an error names the key.
 *
 *     struct vocab_gguf vg;
 *     struct tokenizer *tok;
 *     if (vocab_gguf_tokenizer(&vg, &gguf, &tok, err) != 0) { report(err); ... }
 *     ...  tok_close(tok); vocab_gguf_free(&vg);   (tokenizer first)
 */
#ifndef MCPOS_LLM_VOCAB_GGUF_H
#define MCPOS_LLM_VOCAB_GGUF_H

#include "llm/gguf.h"
#include "llm/tokenizer.h"

struct vocab_gguf {
	struct tok_vocab vocab; /* what tok_open() takes */
	struct tok_str *tokens;
	struct tok_str *merges;
	float *scores;
	int32_t *types;
};

/* 0, or -1 with err (TOK_ERR_MAX bytes) set and nothing allocated. */
int vocab_gguf_load(struct vocab_gguf *vg, const struct gguf_file *g, char *err);
void vocab_gguf_free(struct vocab_gguf *vg);

/* vocab_gguf_load() then tok_open(), freeing the merge descriptors once
 * the tokenizer has read them (4.5 MiB for Llama-3).  0, or -1 with err
 * set and nothing allocated. */
int vocab_gguf_tokenizer(struct vocab_gguf *vg, const struct gguf_file *g,
			 struct tokenizer **tok, char *err);

#endif
