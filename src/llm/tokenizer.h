/*
 * tokenizer.h - text to token ids and back, as llama.cpp does it.
 *
 * Two vocabulary kinds, named by the GGUF key tokenizer.ggml.model:
 *
 *   "llama"  SentencePiece BPE (TinyLlama, Llama-2).  Spaces become "▁"
 *            (U+2581), a "▁" is put before the text (add_space_prefix),
 *            then the text is split into UTF-8 characters and adjacent
 *            pieces are merged, always the pair whose joined text is the
 *            token with the highest score first (leftmost on ties).  A
 *            character no token covers falls back to its bytes, one
 *            <0xXX> token each.
 *
 *   "gpt2"   byte-level BPE (Qwen2.5, SmolLM2, Llama-3).  The text is cut
 *            into words by the pre-tokenizer that tokenizer.ggml.pre names,
 *            each byte of a word is mapped to a printable code point (GPT-2's
 *            bytes_to_unicode), and adjacent pieces are merged by the rank
 *            of the pair in tokenizer.ggml.merges (lowest first).
 *
 * Pre-tokenizers are hand-written scanners equivalent to the regular
 * expressions llama.cpp uses for them (no regex engine):
 *
 *   "default" (or absent)  punctuation runs, then the GPT-2 rules, then
 *                          digit runs, then groups of three ASCII digits
 *   "gpt-2"                the GPT-2 rules: 's 't 're 've 'm 'll 'd,
 *                          ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+',
 *                          '\s+(?!\S)'
 *   "llama3", "llama-bpe", "llama-v3", "falcon3", "pixtral"
 *                          the Llama-3 rules: case-insensitive
 *                          contractions, an optional non-letter before a
 *                          letter run, numbers in groups of up to 3,
 *                          punctuation with trailing newlines, newline
 *                          runs, whitespace; a word that is a whole token
 *                          is taken as is (ignore_merges)
 *   "qwen2", "deepseek-r1-qwen"
 *                          the Llama-3 rules with single digits
 *   "smollm"               single digits, then the GPT-2 rules
 *
 * Special tokens: before either algorithm runs, the text is cut at every
 * occurrence of a token of type CONTROL, USER_DEFINED or UNKNOWN (longest
 * tokens first, leftmost occurrences), and those pieces become that token
 * directly.  USER_DEFINED tokens are always recognised; CONTROL and
 * UNKNOWN ones only when the caller asks to parse special tokens (so
 * "<|im_start|>" typed by a user is plain text unless the caller wants it
 * to be the control token).  As in llama.cpp, tokens named like
 * end-of-turn or fill-in-the-middle markers ("<|im_end|>", "<|eot_id|>",
 * "</s>", "<|fim_prefix|>", ...) count as CONTROL whatever their type in
 * the file, and the end-of-turn ones stop generation (tok_is_end).  With
 * SentencePiece, the text after a special token gets its own "▁" prefix.
 *
 * The vocabulary is described by plain arrays (struct tok_vocab), the way
 * the GGUF keys hold it, so this module does not know about GGUF: see
 * vocab_gguf.h for the glue.  Token strings are not copied: they and the
 * array describing them must outlive the tokenizer (they point into the
 * mapped model).  Merges are read by tok_open() only, and kept as pairs
 * of token ids.
 *
 * A tokenizer is immutable after tok_open() except for its scratch
 * buffers, so one thread at a time may encode with it.
 *
 * Usage:
 *
 *     struct tokenizer *tok;
 *     char err[TOK_ERR_MAX];
 *     if (tok_open(&tok, &vocab, err) != 0) { report(err); ... }
 *     int32_t ids[256];
 *     long n = tok_encode(tok, text, strlen(text), 1, 0, ids, 256);
 *     (n < 0: out of memory; n > 256: only 256 stored, call again)
 *     char piece[64];
 *     size_t len = tok_piece(tok, ids[0], 0, piece, sizeof piece);
 *     tok_close(tok);
 */
#ifndef MCPOS_LLM_TOKENIZER_H
#define MCPOS_LLM_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#define TOK_ERR_MAX 160

/* A byte string that is not NUL-terminated. */
struct tok_str {
	const char *ptr;
	size_t len;
};

enum tok_model {
	TOK_MODEL_SPM = 1, /* tokenizer.ggml.model = "llama" */
	TOK_MODEL_BPE = 2, /* tokenizer.ggml.model = "gpt2" */
};

/* tokenizer.ggml.token_type values (llama.cpp's llama_token_type). */
enum tok_type {
	TOK_TYPE_UNDEFINED = 0,
	TOK_TYPE_NORMAL = 1,
	TOK_TYPE_UNKNOWN = 2,
	TOK_TYPE_CONTROL = 3,
	TOK_TYPE_USER_DEFINED = 4,
	TOK_TYPE_UNUSED = 5,
	TOK_TYPE_BYTE = 6,
};

enum tok_pre {
	TOK_PRE_DEFAULT = 0,
	TOK_PRE_GPT2,
	TOK_PRE_LLAMA3,
	TOK_PRE_QWEN2,
	TOK_PRE_SMOLLM,
};

#define TOK_NONE (-1) /* no such token / flag not given */

/* What the GGUF tokenizer.ggml.* keys say.  Everything optional may be
 * NULL / TOK_NONE. */
struct tok_vocab {
	enum tok_model model;
	struct tok_str pre;           /* tokenizer.ggml.pre; ptr NULL: absent */
	uint32_t n_tokens;
	const struct tok_str *tokens; /* tokenizer.ggml.tokens */
	const float *scores;          /* tokenizer.ggml.scores, or NULL (0) */
	const int32_t *types;         /* tokenizer.ggml.token_type, or NULL */
	uint32_t n_merges;
	const struct tok_str *merges; /* tokenizer.ggml.merges: "left right" */
	int32_t bos_id, eos_id, eot_id, unk_id, pad_id;
	int add_bos, add_eos, add_space_prefix; /* 0, 1 or TOK_NONE */
};

/* A vocab with every id TOK_NONE and no arrays: fill in what you have. */
void tok_vocab_init(struct tok_vocab *v);

/* Map a tokenizer.ggml.pre name to its scanner.  0, or -1 if unknown. */
int tok_pre_from_name(const char *name, size_t len, enum tok_pre *out);

struct tokenizer;

/*
 * Build a tokenizer.  Checks what the encoder relies on: a known model
 * kind and pre-tokenizer, tokens present, special ids inside the
 * vocabulary, every merge of the form "left right".  Ids left TOK_NONE
 * get llama.cpp's defaults when they exist (SPM: unk 0, bos 1, eos 2;
 * BPE: bos and eos 11), and so do the flags (add_bos: SPM and the Llama-3
 * pre-tokenizer; add_space_prefix: SPM).  0, or -1 with err (TOK_ERR_MAX
 * bytes) saying what is wrong, e.g. "merge 12 has no space: 'ab'".
 */
int tok_open(struct tokenizer **out, const struct tok_vocab *v, char *err);
void tok_close(struct tokenizer *t);

/*
 * Encode text[0..len).  add_special adds BOS/EOS as the vocabulary asks;
 * parse_special lets CONTROL/UNKNOWN token text in the input become those
 * tokens.  Stores at most cap ids and returns how many the text needs (so
 * a return > cap means "call again with more room"), or -1 if out of
 * memory.
 */
long tok_encode(struct tokenizer *t, const char *text, size_t len,
		int add_special, int parse_special, int32_t *ids, size_t cap);

/*
 * The words the BPE pre-tokenizer cuts text[0..len) into, for tests and
 * debugging: stores at most cap end offsets (bytes, increasing, the last
 * is len) and returns the number of words, or -1 if out of memory.
 * Special tokens are not looked for.  (An SPM tokenizer has no
 * pre-tokenizer: the whole text is one word.)
 */
long tok_split(struct tokenizer *t, const char *text, size_t len,
	       size_t *ends, size_t cap);

/*
 * The bytes token `id` stands for: "▁" turned back into spaces (SPM), the
 * byte of a <0xXX> token, the bytes of a byte-level token (BPE).  Text of
 * CONTROL and UNKNOWN tokens only when `special`; USER_DEFINED always.
 * Stores at most cap bytes (no NUL) and returns the full length; 0 for an
 * id out of range.  A piece may end inside a UTF-8 character: feed pieces
 * through a struct utf8_stream (utf8.h) before showing them.
 */
size_t tok_piece(const struct tokenizer *t, int32_t id, int special,
		 char *buf, size_t cap);

/*
 * Detokenize a whole sequence into out (cap bytes, NUL-terminated when
 * cap > 0), as llama.cpp's llama_detokenize: with strip_space, one leading
 * space of the first piece is dropped (the space SPM's add_space_prefix
 * put there).  Bytes are passed through as the tokens give them (use
 * utf8_stream for display).  Returns the full length.
 */
size_t tok_detokenize(const struct tokenizer *t, const int32_t *ids,
		      size_t n, int special, int strip_space, char *out,
		      size_t cap);

uint32_t tok_n_tokens(const struct tokenizer *t);
enum tok_model tok_model(const struct tokenizer *t);
enum tok_type tok_token_type(const struct tokenizer *t, int32_t id);
struct tok_str tok_token_text(const struct tokenizer *t, int32_t id);
/* The id of the token whose text is exactly s, or TOK_NONE. */
int32_t tok_find(const struct tokenizer *t, const char *s, size_t len);
int32_t tok_bos(const struct tokenizer *t);
int32_t tok_eos(const struct tokenizer *t);
/* Whether generation should stop at this token: EOS, EOT, or a CONTROL
 * token whose text names an end ("<|im_end|>", "<|eot_id|>", ...). */
int tok_is_end(const struct tokenizer *t, int32_t id);
int tok_add_bos(const struct tokenizer *t);
int tok_add_space_prefix(const struct tokenizer *t);

#endif
