/*
 * tokenizer.c - SentencePiece and byte-level BPE tokenizers.
 *
 * The behaviour follows llama.cpp's llama-vocab.cpp (the reference the
 * tests compare against); see tokenizer.h for what it is.  The code is
 * organised as:
 *
 *   lookup tables    token text -> id, merge pair -> rank (open addressing)
 *   scratch          growable buffers reused across calls
 *   special tokens   cutting the text at special token text
 *   merge engine     one priority-queue merger shared by SPM and BPE
 *   pre-tokenizers   scanners equivalent to llama.cpp's regexes
 *   encode / decode
 */
#include "llm/tokenizer.h"

#include "llm/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tokenizer ------------------------------------------------------ */

struct fragment {
	size_t start, len; /* a span of the input text */
	int32_t token;     /* TOK_NONE: raw text to tokenize */
};

struct symbol {
	size_t start, n;  /* bytes of the working text; n == 0: merged away */
	long prev, next;  /* neighbours in the chain, -1 at the ends */
	int32_t id;       /* BPE: the token this text is, or TOK_NONE */
};

struct bigram {
	double prio;      /* lower merges first: -score (SPM) or rank (BPE) */
	long left, right;
	size_t size;      /* bytes of left+right when queued */
};

struct span {
	size_t start, end; /* code point indices */
};

/* A growable array: the scratch an encode call reuses. */
struct buf {
	void *p;
	size_t cap; /* elements */
};

struct tokenizer {
	enum tok_model model;
	enum tok_pre pre;
	uint32_t n_tokens;
	const struct tok_str *tokens;
	const float *scores;
	uint8_t *types;           /* enum tok_type, | TOKEN_ENDS_TURN */
	int32_t bos, eos, eot, unk, pad;
	int add_bos, add_eos, add_space_prefix, ignore_merges;

	/* token text -> id + 1 (0 = empty slot) */
	uint32_t *token_slots;
	size_t token_mask;

	/* merge rank -> (left id, right id); the table maps a pair to
	 * rank + 1 (0: a free slot) */
	int32_t (*merge_pairs)[2];
	uint32_t *merge_slots;
	size_t merge_mask;

	int32_t byte_token[256];  /* SPM: the <0xXX> token of each byte */
	uint8_t byte_enc[256][2]; /* BPE: UTF-8 of the code point for a byte */
	uint8_t byte_enc_len[256];
	int16_t byte_dec[324];    /* BPE: code point -> byte, -1 if none */

	int32_t *specials;        /* longest text first */
	size_t n_specials;

	/* scratch */
	struct buf frags, frags2, text, cps, cls, offs, spans, spans2, syms, heap;
};

/* ---- hashing ------------------------------------------------------------ */

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* A power of two at most 3/4 full: short probe runs, little waste. */
static size_t table_size(size_t n)
{
	size_t size = 16;
	while (size < n + n / 3 + 1)
		size <<= 1;
	return size;
}

static int32_t lookup(const struct tokenizer *t, const char *s, size_t len)
{
	size_t i = (size_t)fnv(FNV_OFFSET, s, len) & t->token_mask;

	for (;; i = (i + 1) & t->token_mask) {
		uint32_t slot = t->token_slots[i];
		if (slot == 0)
			return TOK_NONE;
		const struct tok_str *tk = &t->tokens[slot - 1];
		if (tk->len == len && (len == 0 || memcmp(tk->ptr, s, len) == 0))
			return (int32_t)(slot - 1);
	}
}

/* Later duplicates win, as llama.cpp's token_to_id[text] = id does. */
static void insert_token(struct tokenizer *t, uint32_t id)
{
	const struct tok_str *tk = &t->tokens[id];
	size_t i = (size_t)fnv(FNV_OFFSET, tk->ptr, tk->len) & t->token_mask;

	for (;; i = (i + 1) & t->token_mask) {
		uint32_t slot = t->token_slots[i];
		if (slot == 0 || (t->tokens[slot - 1].len == tk->len &&
				  (tk->len == 0 || memcmp(t->tokens[slot - 1].ptr,
							  tk->ptr, tk->len) == 0))) {
			t->token_slots[i] = id + 1;
			return;
		}
	}
}

/*
 * Merges are kept by the ids of their two halves, not their text: 12
 * bytes a merge instead of the strings, which matters with Llama-3's 280k
 * merges on a 512 MiB board.  A merge whose halves are not both tokens
 * can never apply (every symbol BPE merges is a token), so it is dropped.
 */
static size_t merge_slot(int32_t l, int32_t r, size_t mask)
{
	/* a 64-bit mix (splitmix64's finaliser) spreads nearby ids */
	uint64_t key = ((uint64_t)(uint32_t)l << 32) | (uint32_t)r;
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebull;
	key ^= key >> 31;
	return (size_t)key & mask;
}

/* The rank of merging tokens l and r, or -1. */
static long merge_rank(const struct tokenizer *t, int32_t l, int32_t r)
{
	if (!t->merge_slots || l < 0 || r < 0)
		return -1;
	for (size_t i = merge_slot(l, r, t->merge_mask);; i = (i + 1) & t->merge_mask) {
		uint32_t slot = t->merge_slots[i];
		if (slot == 0)
			return -1;
		if (t->merge_pairs[slot - 1][0] == l && t->merge_pairs[slot - 1][1] == r)
			return (long)(slot - 1);
	}
}

/* The first of duplicate merges keeps its rank (llama.cpp's emplace). */
static void insert_merge(struct tokenizer *t, int32_t l, int32_t r, uint32_t rank)
{
	t->merge_pairs[rank][0] = l;
	t->merge_pairs[rank][1] = r;
	for (size_t i = merge_slot(l, r, t->merge_mask);; i = (i + 1) & t->merge_mask) {
		uint32_t slot = t->merge_slots[i];
		if (slot == 0) {
			t->merge_slots[i] = rank + 1;
			return;
		}
		if (t->merge_pairs[slot - 1][0] == l && t->merge_pairs[slot - 1][1] == r)
			return;
	}
}

/* ---- scratch ------------------------------------------------------------ */

static void *reserve(struct buf *b, size_t n, size_t elem)
{
	if (n <= b->cap)
		return b->p;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < n)
		cap *= 2;
	if (cap > SIZE_MAX / elem)
		return NULL;
	void *p = realloc(b->p, cap * elem);
	if (!p)
		return NULL;
	b->p = p;
	b->cap = cap;
	return p;
}

/* ---- opening ------------------------------------------------------------ */

void tok_vocab_init(struct tok_vocab *v)
{
	memset(v, 0, sizeof *v);
	v->bos_id = v->eos_id = v->eot_id = v->unk_id = v->pad_id = TOK_NONE;
	v->add_bos = v->add_eos = v->add_space_prefix = TOK_NONE;
}

static int name_is(const char *name, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(name, lit, len) == 0;
}

int tok_pre_from_name(const char *name, size_t len, enum tok_pre *out)
{
	static const struct {
		const char *name;
		enum tok_pre pre;
	} names[] = {
		{ "default", TOK_PRE_DEFAULT },
		{ "gpt-2", TOK_PRE_GPT2 },
		{ "llama3", TOK_PRE_LLAMA3 },
		{ "llama-v3", TOK_PRE_LLAMA3 },
		{ "llama-bpe", TOK_PRE_LLAMA3 },
		{ "falcon3", TOK_PRE_LLAMA3 },
		{ "pixtral", TOK_PRE_LLAMA3 },
		{ "falcon-h1", TOK_PRE_LLAMA3 },
		{ "midm-2.0", TOK_PRE_LLAMA3 },
		{ "lfm2", TOK_PRE_LLAMA3 },
		{ "qwen2", TOK_PRE_QWEN2 },
		{ "deepseek-r1-qwen", TOK_PRE_QWEN2 },
		{ "kormo", TOK_PRE_QWEN2 },
		{ "smollm", TOK_PRE_SMOLLM },
	};
	if (!name || len == 0) {
		*out = TOK_PRE_DEFAULT;
		return 0;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (name_is(name, len, names[i].name)) {
			*out = names[i].pre;
			return 0;
		}
	}
	return -1;
}

#define TOKEN_ENDS_TURN 0x80 /* in types[]: generation stops here */

static enum tok_type type_of(const struct tokenizer *t, uint32_t id)
{
	return (enum tok_type)(t->types[id] & 0x7F);
}

/*
 * llama.cpp recognises some tokens by their text and makes them CONTROL
 * whatever the file says (so "</s>" in Qwen's vocabulary is not matched
 * in plain text); the end-of-generation ones also stop generation.  We
 * do the same, so the two tokenize alike.
 */
static const char *const end_texts[] = {
	"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
	"<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>",
	"<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
	"<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
	"<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>", "[e~[",
	/* fill-in-the-middle pad, repo and separator tokens end it too */
	"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
	"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
	"<|file_sep|>",
};
static const char *const control_texts[] = {
	"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>",
	"\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>",
	"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>",
	"\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>",
	"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<MID>",
	"\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>",
	"<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>",
	"<\xEF\xBD\x9C" "fim\xE2\x96\x81" "hole\xEF\xBD\x9C>",
	"<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>",
};

static int text_in(const struct tok_str *tk, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name_is(tk->ptr, tk->len, list[i]))
			return 1;
	return 0;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void load_types(struct tokenizer *t, const int32_t *types)
{
	for (uint32_t i = 0; i < t->n_tokens; i++) {
		int32_t ty = types ? types[i] : TOK_TYPE_NORMAL;
		if (ty < TOK_TYPE_NORMAL || ty > TOK_TYPE_BYTE)
			ty = TOK_TYPE_UNDEFINED;
		const struct tok_str *tk = &t->tokens[i];
		if (tk->len >= 3 && tk->len <= 40) { /* the lists' lengths */
			if (text_in(tk, end_texts, N_OF(end_texts)))
				ty = TOK_TYPE_CONTROL | TOKEN_ENDS_TURN;
			else if (text_in(tk, control_texts, N_OF(control_texts)))
				ty = TOK_TYPE_CONTROL;
		}
		t->types[i] = (uint8_t)ty;
	}
}

static int is_special_type(enum tok_type ty)
{
	return ty == TOK_TYPE_CONTROL || ty == TOK_TYPE_USER_DEFINED ||
	       ty == TOK_TYPE_UNKNOWN;
}

struct special_key {
	size_t len;
	int32_t id;
};

/* Longest text first, so "<|im_start|>" is cut before "<|im"; then by id,
 * so the order is fully determined. */
static int by_length_desc(const void *a, const void *b)
{
	const struct special_key *x = a, *y = b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void build_byte_maps(struct tokenizer *t)
{
	/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for
	 * themselves, the others take code points from 256 upwards. */
	uint32_t next = 256;
	for (size_t i = 0; i < 324; i++)
		t->byte_dec[i] = -1;
	for (int b = 0; b < 256; b++) {
		int printable = (b >= 0x21 && b <= 0x7E) ||
				(b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
		uint32_t cp = printable ? (uint32_t)b : next++;
		uint8_t enc[4];
		size_t n = utf8_encode(cp, enc);
		memcpy(t->byte_enc[b], enc, n);
		t->byte_enc_len[b] = (uint8_t)n;
		t->byte_dec[cp] = (int16_t)b;
	}
}

static int check_id(int32_t *id, int32_t dflt, uint32_t n, const char *what,
		    char *err)
{
	if (*id == TOK_NONE) {
		*id = (dflt >= 0 && (uint32_t)dflt < n) ? dflt : TOK_NONE;
		return 0;
	}
	if (*id < 0 || (uint32_t)*id >= n) {
		snprintf(err, TOK_ERR_MAX, "%s token id %ld outside the %u tokens",
			 what, (long)*id, (unsigned)n);
		return -1;
	}
	return 0;
}

int tok_open(struct tokenizer **out, const struct tok_vocab *v, char *err)
{
	struct tokenizer *t;

	*out = NULL;
	if (v->model != TOK_MODEL_SPM && v->model != TOK_MODEL_BPE) {
		snprintf(err, TOK_ERR_MAX, "unknown tokenizer model %d", (int)v->model);
		return -1;
	}
	if (v->n_tokens == 0 || !v->tokens) {
		snprintf(err, TOK_ERR_MAX, "vocabulary has no tokens");
		return -1;
	}
	if (v->n_tokens > INT32_MAX / 2) {
		snprintf(err, TOK_ERR_MAX, "vocabulary has too many tokens: %u",
			 (unsigned)v->n_tokens);
		return -1;
	}
	for (uint32_t i = 0; i < v->n_tokens; i++) {
		if (!v->tokens[i].ptr && v->tokens[i].len) {
			snprintf(err, TOK_ERR_MAX, "token %u has no text", (unsigned)i);
			return -1;
		}
	}
	if (v->n_merges && !v->merges) {
		snprintf(err, TOK_ERR_MAX, "%u merges but no merge strings",
			 (unsigned)v->n_merges);
		return -1;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, TOK_ERR_MAX, "out of memory");
		return -1;
	}
	t->model = v->model;
	t->n_tokens = v->n_tokens;
	t->tokens = v->tokens;
	t->scores = v->scores;
	t->types = malloc(t->n_tokens);
	if (!t->types)
		goto oom;
	load_types(t, v->types);
	t->pre = TOK_PRE_DEFAULT;
	if (t->model == TOK_MODEL_BPE &&
	    tok_pre_from_name(v->pre.ptr, v->pre.ptr ? v->pre.len : 0, &t->pre) != 0) {
		snprintf(err, TOK_ERR_MAX, "unknown pre-tokenizer '%.*s'",
			 (int)(v->pre.len > 64 ? 64 : v->pre.len), v->pre.ptr);
		goto fail;
	}

	int spm = t->model == TOK_MODEL_SPM;
	t->bos = v->bos_id;
	t->eos = v->eos_id;
	t->eot = v->eot_id;
	t->unk = v->unk_id;
	t->pad = v->pad_id;
	if (check_id(&t->bos, spm ? 1 : 11, t->n_tokens, "BOS", err) ||
	    check_id(&t->eos, spm ? 2 : 11, t->n_tokens, "EOS", err) ||
	    check_id(&t->eot, TOK_NONE, t->n_tokens, "EOT", err) ||
	    check_id(&t->unk, spm ? 0 : TOK_NONE, t->n_tokens, "UNK", err) ||
	    check_id(&t->pad, TOK_NONE, t->n_tokens, "PAD", err))
		goto fail;
	t->add_bos = v->add_bos != TOK_NONE ? !!v->add_bos
					     : (spm || t->pre == TOK_PRE_LLAMA3);
	t->add_eos = v->add_eos != TOK_NONE ? !!v->add_eos : 0;
	t->add_space_prefix = v->add_space_prefix != TOK_NONE ? !!v->add_space_prefix : spm;
	t->ignore_merges = !spm && t->pre == TOK_PRE_LLAMA3;
	if (t->add_bos && t->bos == TOK_NONE) {
		snprintf(err, TOK_ERR_MAX, "add_bos is set but there is no BOS token");
		goto fail;
	}
	if (t->add_eos && t->eos == TOK_NONE) {
		snprintf(err, TOK_ERR_MAX, "add_eos is set but there is no EOS token");
		goto fail;
	}

	size_t tsize = table_size(t->n_tokens);
	t->token_slots = calloc(tsize, sizeof *t->token_slots);
	if (!t->token_slots)
		goto oom;
	t->token_mask = tsize - 1;
	for (uint32_t i = 0; i < t->n_tokens; i++)
		insert_token(t, i);

	if (!spm && v->n_merges) {
		size_t msize = table_size(v->n_merges);
		t->merge_pairs = malloc(v->n_merges * sizeof *t->merge_pairs);
		t->merge_slots = calloc(msize, sizeof *t->merge_slots);
		if (!t->merge_pairs || !t->merge_slots)
			goto oom;
		t->merge_mask = msize - 1;
		for (uint32_t m = 0; m < v->n_merges; m++) {
			const struct tok_str *ms = &v->merges[m];
			/* "left right", split at the first space after the
			 * first byte, as llama.cpp does */
			const char *sp = ms->len > 1 && ms->ptr
					 ? memchr(ms->ptr + 1, ' ', ms->len - 1) : NULL;
			if (!sp) {
				snprintf(err, TOK_ERR_MAX, "merge %u has no space: '%.*s'",
					 (unsigned)m, (int)(ms->len > 40 ? 40 : ms->len),
					 ms->ptr ? ms->ptr : "");
				goto fail;
			}
			size_t ll = (size_t)(sp - ms->ptr);
			int32_t l = lookup(t, ms->ptr, ll);
			int32_t r = lookup(t, sp + 1, ms->len - ll - 1);
			if (l != TOK_NONE && r != TOK_NONE)
				insert_merge(t, l, r, m);
		}
	}

	for (int b = 0; b < 256; b++) {
		char name[8];
		snprintf(name, sizeof name, "<0x%02X>", b);
		t->byte_token[b] = lookup(t, name, 6);
	}
	build_byte_maps(t);

	struct special_key *keys = malloc(t->n_tokens * sizeof *keys);
	t->specials = malloc(t->n_tokens * sizeof *t->specials);
	if (!keys || !t->specials) {
		free(keys);
		goto oom;
	}
	for (uint32_t i = 0; i < t->n_tokens; i++)
		if (is_special_type(type_of(t, i)) && t->tokens[i].len > 0)
			keys[t->n_specials++] = (struct special_key){ t->tokens[i].len, (int32_t)i };
	qsort(keys, t->n_specials, sizeof *keys, by_length_desc);
	for (size_t i = 0; i < t->n_specials; i++)
		t->specials[i] = keys[i].id;
	free(keys);
	/* Usually a few hundred of 150k tokens: give the rest back. */
	int32_t *fit = realloc(t->specials, (t->n_specials ? t->n_specials : 1) * sizeof *fit);
	if (fit)
		t->specials = fit;

	*out = t;
	return 0;
oom:
	snprintf(err, TOK_ERR_MAX, "out of memory");
fail:
	tok_close(t);
	return -1;
}

void tok_close(struct tokenizer *t)
{
	if (!t)
		return;
	free(t->types);
	free(t->token_slots);
	free(t->merge_pairs);
	free(t->merge_slots);
	free(t->specials);
	struct buf *bufs[] = { &t->frags, &t->frags2, &t->text, &t->cps, &t->cls,
			       &t->offs, &t->spans, &t->spans2, &t->syms, &t->heap };
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		free(bufs[i]->p);
	free(t);
}

/* ---- output ------------------------------------------------------------- */

struct out {
	int32_t *ids;
	size_t cap, n;
};

static void emit(struct out *o, int32_t id)
{
	if (o->n < o->cap)
		o->ids[o->n] = id;
	o->n++;
}

/* ---- special tokens ----------------------------------------------------- */

/* Cut the raw fragments at every occurrence of each special token, longest
 * tokens first, as llama.cpp's tokenizer_st_partition.  Returns the
 * number of fragments in t->frags, or -1 if out of memory. */
static long partition(struct tokenizer *t, const char *text, size_t len,
		      int parse_special)
{
	struct fragment *f = reserve(&t->frags, 1, sizeof *f);
	size_t n = 0;

	if (!f)
		return -1;
	if (len > 0)
		f[n++] = (struct fragment){ 0, len, TOK_NONE };
	for (size_t s = 0; s < t->n_specials && n > 0; s++) {
		int32_t id = t->specials[s];
		enum tok_type ty = type_of(t, (uint32_t)id);
		if (!parse_special && ty != TOK_TYPE_USER_DEFINED)
			continue;
		const struct tok_str *sp = &t->tokens[id];
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			struct fragment fr = ((struct fragment *)t->frags.p)[i];
			/* At most 2 new fragments per occurrence plus the tail. */
			size_t pos = fr.start, end = fr.start + fr.len;
			for (;;) {
				struct fragment *o = reserve(&t->frags2, m + 3, sizeof *o);
				if (!o)
					return -1;
				if (fr.token != TOK_NONE) {
					o[m++] = fr;
					break;
				}
				const char *hit = end - pos >= sp->len
					? memmem(text + pos, end - pos, sp->ptr, sp->len) : NULL;
				if (!hit) {
					if (pos < end)
						o[m++] = (struct fragment){ pos, end - pos, TOK_NONE };
					break;
				}
				size_t at = (size_t)(hit - text);
				if (at > pos)
					o[m++] = (struct fragment){ pos, at - pos, TOK_NONE };
				o[m++] = (struct fragment){ at, sp->len, id };
				pos = at + sp->len;
			}
		}
		struct buf tmp = t->frags;
		t->frags = t->frags2;
		t->frags2 = tmp;
		n = m;
	}
	return (long)n;
}

/* ---- the merge engine --------------------------------------------------- */

/* A binary min-heap of bigrams ordered by (prio, left): the order of
 * llama.cpp's priority queues, so ties merge leftmost first. */
static int before(const struct bigram *a, const struct bigram *b)
{
	return a->prio < b->prio || (a->prio == b->prio && a->left < b->left);
}

static int heap_push(struct tokenizer *t, size_t *n, struct bigram bg)
{
	struct bigram *h = reserve(&t->heap, *n + 1, sizeof *h);
	if (!h)
		return -1;
	size_t i = (*n)++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&bg, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = bg;
	return 0;
}

static struct bigram heap_pop(struct tokenizer *t, size_t *n)
{
	struct bigram *h = t->heap.p;
	struct bigram top = h[0], last = h[--(*n)];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}

/* Queue merging symbols l and r if the vocabulary allows it. */
static int add_bigram(struct tokenizer *t, const char *w, size_t *n_heap,
		      long l, long r)
{
	if (l < 0 || r < 0)
		return 0;
	struct symbol *s = t->syms.p;
	struct bigram bg = { 0, l, r, s[l].n + s[r].n };

	if (t->model == TOK_MODEL_SPM) {
		/* The joined text must be a token; its score decides. */
		int32_t id = lookup(t, w + s[l].start, bg.size);
		if (id == TOK_NONE)
			return 0;
		bg.prio = t->scores ? -(double)t->scores[id] : 0.0;
	} else {
		long rank = merge_rank(t, s[l].id, s[r].id);
		if (rank < 0)
			return 0;
		bg.prio = (double)rank;
	}
	return heap_push(t, n_heap, bg);
}

/* Split w[0..n) into UTF-8 characters and merge them as far as the
 * vocabulary allows.  The surviving symbols (n > 0) are the pieces, in
 * order.  Returns the number of symbols, or -1 if out of memory. */
static long merge_word(struct tokenizer *t, const char *w, size_t n)
{
	struct symbol *s = reserve(&t->syms, n, sizeof *s);
	size_t n_sym = 0, n_heap = 0;
	int bpe = t->model == TOK_MODEL_BPE; /* BPE looks merges up by id */

	if (!s)
		return -1;
	for (size_t off = 0; off < n;) {
		size_t len = utf8_lead_len((uint8_t)w[off]);
		if (len > n - off)
			len = n - off;
		s[n_sym] = (struct symbol){ off, len, (long)n_sym - 1, -1,
					    bpe ? lookup(t, w + off, len) : TOK_NONE };
		if (n_sym > 0)
			s[n_sym - 1].next = (long)n_sym;
		n_sym++;
		off += len;
	}
	for (size_t i = 1; i < n_sym; i++)
		if (add_bigram(t, w, &n_heap, (long)i - 1, (long)i) != 0)
			return -1;
	while (n_heap > 0) {
		struct bigram bg = heap_pop(t, &n_heap);
		struct symbol *l = &s[bg.left], *r = &s[bg.right];
		/* Stale entries: a side was merged away or has grown since. */
		if (l->n == 0 || r->n == 0 || l->n + r->n != bg.size)
			continue;
		l->n += r->n;
		r->n = 0;
		if (bpe)
			l->id = lookup(t, w + l->start, l->n);
		l->next = r->next;
		if (r->next >= 0)
			s[r->next].prev = bg.left;
		if (add_bigram(t, w, &n_heap, l->prev, bg.left) != 0 ||
		    add_bigram(t, w, &n_heap, bg.left, l->next) != 0)
			return -1;
	}
	return (long)n_sym;
}

/* ---- SentencePiece ------------------------------------------------------ */

static int spm_encode(struct tokenizer *t, const char *text, size_t len,
		      int space_prefix, struct out *o)
{
	/* ' ' -> "▁" (3 bytes) at most triples the text, plus the prefix. */
	char *w = reserve(&t->text, 3 * len + 3, 1);
	size_t n = 0;

	if (!w)
		return -1;
	if (space_prefix) {
		memcpy(w, "\xE2\x96\x81", 3);
		n = 3;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == ' ') {
			memcpy(w + n, "\xE2\x96\x81", 3);
			n += 3;
		} else {
			w[n++] = text[i];
		}
	}
	long n_sym = merge_word(t, w, n);
	if (n_sym < 0)
		return -1;
	const struct symbol *s = t->syms.p;
	for (long i = 0; i < n_sym; i++) {
		if (s[i].n == 0)
			continue;
		int32_t id = lookup(t, w + s[i].start, s[i].n);
		if (id != TOK_NONE) {
			emit(o, id);
			continue;
		}
		/* Byte fallback: <0xXX>, else a token that is the byte
		 * itself, else <unk> (llama.cpp would throw here). */
		for (size_t k = 0; k < s[i].n; k++) {
			uint8_t b = (uint8_t)w[s[i].start + k];
			int32_t bid = t->byte_token[b];
			if (bid == TOK_NONE)
				bid = lookup(t, (const char *)&b, 1);
			if (bid == TOK_NONE)
				bid = t->unk;
			if (bid != TOK_NONE)
				emit(o, bid);
		}
	}
	return 0;
}

/* ---- pre-tokenizers ----------------------------------------------------- */

/*
 * A scanner sees one piece, cps[0..n) with classes cls[0..n), and returns
 * the length of the match starting at i, 0 if none; the split keeps the
 * text between matches as pieces too, as a regex split does.
 */
typedef size_t (*scan_fn)(const uint32_t *cps, const uint8_t *cls, size_t n,
			  size_t i);

static int is_rn(uint32_t cp)
{
	return cp == '\r' || cp == '\n';
}

/* [^\s\p{L}\p{N}] */
static int is_other(uint8_t c)
{
	return c != UTF8_SPACE && c != UTF8_LETTER && c != UTF8_NUMBER;
}

static size_t run_of(const uint8_t *cls, size_t n, size_t i, uint8_t c)
{
	size_t j = i;
	while (j < n && cls[j] == c)
		j++;
	return j - i;
}

static size_t run_other(const uint8_t *cls, size_t n, size_t i)
{
	size_t j = i;
	while (j < n && is_other(cls[j]))
		j++;
	return j - i;
}

static uint32_t lower_ascii(uint32_t cp)
{
	return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
}

/* 's 't 're 've 'm 'll 'd: 0 or the length.  fold: case-insensitive. */
static size_t contraction(const uint32_t *cps, size_t n, size_t i, int fold)
{
	if (cps[i] != '\'' || i + 1 >= n)
		return 0;
	uint32_t a = fold ? lower_ascii(cps[i + 1]) : cps[i + 1];
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return 2;
	if (i + 2 >= n)
		return 0;
	uint32_t b = fold ? lower_ascii(cps[i + 2]) : cps[i + 2];
	if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
		return 3;
	return 0;
}

/* Whitespace run at i: \s+(?!\S) takes it all at the end of the piece,
 * else all but its last character (which goes with the next word). */
static size_t space_not_before_word(const uint8_t *cls, size_t n, size_t i)
{
	size_t k = run_of(cls, n, i, UTF8_SPACE);
	if (k == 0)
		return 0;
	if (i + k == n)
		return k;
	return k - 1;
}

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S) */
static size_t scan_gpt2(const uint32_t *cps, const uint8_t *cls, size_t n,
			size_t i)
{
	size_t m = contraction(cps, n, i, 0);
	if (m)
		return m;
	size_t s = cps[i] == ' ' && i + 1 < n ? i + 1 : i;
	if (cls[s] == UTF8_LETTER)
		return s - i + run_of(cls, n, s, UTF8_LETTER);
	if (cls[s] == UTF8_NUMBER)
		return s - i + run_of(cls, n, s, UTF8_NUMBER);
	if (is_other(cls[s]))
		return s - i + run_other(cls, n, s);
	return space_not_before_word(cls, n, i);
}

/*
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}
 * | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 */
static size_t scan_llama3_like(const uint32_t *cps, const uint8_t *cls,
			       size_t n, size_t i, size_t max_digits)
{
	size_t m = contraction(cps, n, i, 1);
	if (m)
		return m;
	if (cls[i] == UTF8_LETTER)
		return run_of(cls, n, i, UTF8_LETTER);
	if (!is_rn(cps[i]) && cls[i] != UTF8_NUMBER && i + 1 < n &&
	    cls[i + 1] == UTF8_LETTER)
		return 1 + run_of(cls, n, i + 1, UTF8_LETTER);
	if (cls[i] == UTF8_NUMBER) {
		size_t k = run_of(cls, n, i, UTF8_NUMBER);
		return k < max_digits ? k : max_digits;
	}
	size_t s = cps[i] == ' ' && i + 1 < n && is_other(cls[i + 1]) ? i + 1 : i;
	if (is_other(cls[s])) {
		size_t j = s + run_other(cls, n, s);
		while (j < n && is_rn(cps[j]))
			j++;
		return j - i;
	}
	/* Whitespace: up to its last newline if it has one... */
	size_t k = run_of(cls, n, i, UTF8_SPACE);
	for (size_t j = i + k; j > i; j--)
		if (is_rn(cps[j - 1]))
			return j - i;
	/* ...else \s+(?!\S), else \s+ (a single space before a word). */
	if (i + k < n && k >= 2)
		return k - 1;
	return k;
}

static size_t scan_llama3(const uint32_t *cps, const uint8_t *cls, size_t n,
			  size_t i)
{
	return scan_llama3_like(cps, cls, n, i, 3);
}

static size_t scan_qwen2(const uint32_t *cps, const uint8_t *cls, size_t n,
			 size_t i)
{
	return scan_llama3_like(cps, cls, n, i, 1);
}

/* \p{N} */
static size_t scan_digit(const uint32_t *cps, const uint8_t *cls, size_t n,
			 size_t i)
{
	(void)cps;
	(void)n;
	return cls[i] == UTF8_NUMBER;
}

/* \p{N}+ */
static size_t scan_number_run(const uint32_t *cps, const uint8_t *cls,
			      size_t n, size_t i)
{
	(void)cps;
	return run_of(cls, n, i, UTF8_NUMBER);
}

/* [0-9][0-9][0-9] */
static size_t scan_three_digits(const uint32_t *cps, const uint8_t *cls,
				size_t n, size_t i)
{
	(void)cls;
	if (i + 3 > n)
		return 0;
	for (size_t k = i; k < i + 3; k++)
		if (cps[k] < '0' || cps[k] > '9')
			return 0;
	return 3;
}

/* [\p{P}\$\+<=>\^~\|]+ */
static size_t scan_punct_run(const uint32_t *cps, const uint8_t *cls,
			     size_t n, size_t i)
{
	size_t j = i;
	while (j < n && (cls[j] == UTF8_PUNCT ||
			 (cps[j] < 0x80 && strchr("$+<=>^~|", (int)cps[j]) && cps[j])))
		j++;
	return j - i;
}

struct pre_stages {
	size_t n;
	scan_fn scan[4];
};

static struct pre_stages stages_for(enum tok_pre pre)
{
	switch (pre) {
	case TOK_PRE_GPT2:
		return (struct pre_stages){ 1, { scan_gpt2 } };
	case TOK_PRE_LLAMA3:
		return (struct pre_stages){ 1, { scan_llama3 } };
	case TOK_PRE_QWEN2:
		return (struct pre_stages){ 1, { scan_qwen2 } };
	case TOK_PRE_SMOLLM:
		return (struct pre_stages){ 2, { scan_digit, scan_gpt2 } };
	case TOK_PRE_DEFAULT:
		break;
	}
	return (struct pre_stages){ 4, { scan_punct_run, scan_gpt2,
					 scan_number_run, scan_three_digits } };
}

/* Split every span of t->spans by one scanner into t->spans2 and swap.
 * Returns the new count or -1. */
static long split_stage(struct tokenizer *t, size_t n_spans, scan_fn scan)
{
	const uint32_t *cps = t->cps.p;
	const uint8_t *cls = t->cls.p;
	size_t m = 0;

	for (size_t k = 0; k < n_spans; k++) {
		struct span sp = ((struct span *)t->spans.p)[k];
		size_t len = sp.end - sp.start, i = 0, gap = 0;
		while (i < len) {
			size_t hit = scan(cps + sp.start, cls + sp.start, len, i);
			if (hit == 0) {
				i++;
				continue;
			}
			struct span *o = reserve(&t->spans2, m + 2, sizeof *o);
			if (!o)
				return -1;
			if (i > gap)
				o[m++] = (struct span){ sp.start + gap, sp.start + i };
			o[m++] = (struct span){ sp.start + i, sp.start + i + hit };
			i += hit;
			gap = i;
		}
		if (gap < len) {
			struct span *o = reserve(&t->spans2, m + 1, sizeof *o);
			if (!o)
				return -1;
			o[m++] = (struct span){ sp.start + gap, sp.start + len };
		}
	}
	struct buf tmp = t->spans;
	t->spans = t->spans2;
	t->spans2 = tmp;
	return (long)m;
}

/* ---- byte-level BPE ----------------------------------------------------- */

/* Decode text into code points and classes (t->cps, t->cls, and the byte
 * offset where each starts in t->offs), then cut it into words with the
 * pre-tokenizer's stages (t->spans).  Returns the number of words, or -1. */
static long pre_split(struct tokenizer *t, const char *text, size_t len)
{
	uint32_t *cps = reserve(&t->cps, len, sizeof *cps);
	uint8_t *cls = reserve(&t->cls, len, 1);
	size_t *offs = reserve(&t->offs, len + 1, sizeof *offs);
	struct span *sp = reserve(&t->spans, 1, sizeof *sp);
	size_t n = 0, i = 0;

	if (!cps || !cls || !offs || !sp)
		return -1;
	/* Invalid UTF-8 becomes U+FFFD here, as in llama.cpp. */
	while (i < len) {
		offs[n] = i;
		i += utf8_decode((const uint8_t *)text + i, len - i, &cps[n]);
		cls[n] = (uint8_t)utf8_class(cps[n]);
		n++;
	}
	offs[n] = len;
	if (n == 0)
		return 0;
	sp[0] = (struct span){ 0, n };
	long n_spans = 1;
	struct pre_stages st = stages_for(t->pre);
	for (size_t s = 0; s < st.n; s++) {
		n_spans = split_stage(t, (size_t)n_spans, st.scan[s]);
		if (n_spans < 0)
			return -1;
	}
	return n_spans;
}

long tok_split(struct tokenizer *t, const char *text, size_t len,
	       size_t *ends, size_t cap)
{
	if (t->model == TOK_MODEL_SPM) {
		if (len > 0 && cap > 0)
			ends[0] = len;
		return len > 0;
	}
	long n = pre_split(t, text, len);
	for (long k = 0; k < n && (size_t)k < cap; k++)
		ends[k] = ((size_t *)t->offs.p)[((struct span *)t->spans.p)[k].end];
	return n;
}

static int bpe_encode(struct tokenizer *t, const char *text, size_t len,
		      struct out *o)
{
	long n_spans = pre_split(t, text, len);
	if (n_spans < 0)
		return -1;

	for (long k = 0; k < n_spans; k++) {
		struct span wsp = ((struct span *)t->spans.p)[k];
		/* Each code point is at most 4 bytes, each byte at most 2. */
		char *w = reserve(&t->text, 8 * (wsp.end - wsp.start), 1);
		size_t wn = 0;
		if (!w)
			return -1;
		for (size_t i = wsp.start; i < wsp.end; i++) {
			uint8_t enc[4];
			size_t el = utf8_encode(((uint32_t *)t->cps.p)[i], enc);
			for (size_t b = 0; b < el; b++) {
				memcpy(w + wn, t->byte_enc[enc[b]], t->byte_enc_len[enc[b]]);
				wn += t->byte_enc_len[enc[b]];
			}
		}
		if (t->ignore_merges) {
			int32_t id = lookup(t, w, wn);
			if (id != TOK_NONE) {
				emit(o, id);
				continue;
			}
		}
		long n_sym = merge_word(t, w, wn);
		if (n_sym < 0)
			return -1;
		const struct symbol *s = t->syms.p;
		for (long i = 0; i < n_sym; i++) {
			if (s[i].n == 0)
				continue;
			int32_t id = lookup(t, w + s[i].start, s[i].n);
			if (id != TOK_NONE) {
				emit(o, id);
				continue;
			}
			/* No token: llama.cpp tries each byte of the
			 * mapped text alone and drops what is not found. */
			for (size_t b = 0; b < s[i].n; b++) {
				int32_t bid = lookup(t, w + s[i].start + b, 1);
				if (bid != TOK_NONE)
					emit(o, bid);
			}
		}
	}
	return 0;
}

/* ---- encode ------------------------------------------------------------- */

long tok_encode(struct tokenizer *t, const char *text, size_t len,
		int add_special, int parse_special, int32_t *ids, size_t cap)
{
	struct out o = { ids, cap, 0 };

	if (add_special && t->add_bos)
		emit(&o, t->bos);
	long n_frags = partition(t, text, len, parse_special);
	if (n_frags < 0)
		return -1;
	int prev_special = 1; /* SPM: a space prefix at the start */
	for (long i = 0; i < n_frags; i++) {
		struct fragment f = ((struct fragment *)t->frags.p)[i];
		if (f.token != TOK_NONE) {
			emit(&o, f.token);
			prev_special = 1;
			continue;
		}
		int rc = t->model == TOK_MODEL_SPM
			 ? spm_encode(t, text + f.start, f.len,
				      t->add_space_prefix && prev_special, &o)
			 : bpe_encode(t, text + f.start, f.len, &o);
		if (rc != 0)
			return -1;
		prev_special = 0;
	}
	if (add_special && t->add_eos)
		emit(&o, t->eos);
	return (long)o.n;
}

/* ---- decode ------------------------------------------------------------- */

static size_t put(char *buf, size_t cap, size_t at, const void *p, size_t n)
{
	if (at < cap)
		memcpy(buf + at, p, n < cap - at ? n : cap - at);
	return at + n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t tok_piece(const struct tokenizer *t, int32_t id, int special,
		 char *buf, size_t cap)
{
	if (id < 0 || (uint32_t)id >= t->n_tokens)
		return 0;
	const struct tok_str *tk = &t->tokens[id];
	enum tok_type ty = type_of(t, (uint32_t)id);
	size_t n = 0;

	if (ty == TOK_TYPE_USER_DEFINED ||
	    (special && (ty == TOK_TYPE_CONTROL || ty == TOK_TYPE_UNKNOWN)))
		return put(buf, cap, 0, tk->ptr, tk->len);
	if (ty == TOK_TYPE_BYTE && t->model == TOK_MODEL_SPM) {
		if (tk->len == 6 && memcmp(tk->ptr, "<0x", 3) == 0 && tk->ptr[5] == '>') {
			int hi = hex_digit(tk->ptr[3]), lo = hex_digit(tk->ptr[4]);
			if (hi >= 0 && lo >= 0) {
				char b = (char)(hi * 16 + lo);
				return put(buf, cap, 0, &b, 1);
			}
		}
		return 0;
	}
	if (ty != TOK_TYPE_NORMAL)
		return 0;
	if (t->model == TOK_MODEL_SPM) {
		for (size_t i = 0; i < tk->len;) {
			if (tk->len - i >= 3 && memcmp(tk->ptr + i, "\xE2\x96\x81", 3) == 0) {
				n = put(buf, cap, n, " ", 1);
				i += 3;
			} else {
				n = put(buf, cap, n, tk->ptr + i, 1);
				i++;
			}
		}
		return n;
	}
	/* Byte-level: each code point of the text is one byte. */
	for (size_t i = 0; i < tk->len;) {
		uint32_t cp;
		size_t used = utf8_decode((const uint8_t *)tk->ptr + i, tk->len - i, &cp);
		if (cp < 324 && t->byte_dec[cp] >= 0) {
			char b = (char)t->byte_dec[cp];
			n = put(buf, cap, n, &b, 1);
		} else {
			n = put(buf, cap, n, tk->ptr + i, used);
		}
		i += used;
	}
	return n;
}

size_t tok_detokenize(const struct tokenizer *t, const int32_t *ids,
		      size_t n, int special, int strip_space, char *out,
		      size_t cap)
{
	size_t total = 0;
	char piece[256];

	for (size_t i = 0; i < n; i++) {
		size_t len = tok_piece(t, ids[i], special, piece, sizeof piece);
		size_t skip = 0;
		if (i == 0 && strip_space && len > 0 && piece[0] == ' ')
			skip = 1;
		if (len <= sizeof piece) {
			total = put(out, cap, total, piece + skip, len - skip);
		} else {
			/* A long token: write it straight into out. */
			char *tmp = malloc(len);
			if (tmp) {
				tok_piece(t, ids[i], special, tmp, len);
				total = put(out, cap, total, tmp + skip, len - skip);
				free(tmp);
			}
		}
	}
	if (cap > 0)
		out[total < cap ? total : cap - 1] = '\0';
	return total;
}

/* ---- accessors ---------------------------------------------------------- */

uint32_t tok_n_tokens(const struct tokenizer *t) { return t->n_tokens; }
enum tok_model tok_model(const struct tokenizer *t) { return t->model; }
int32_t tok_bos(const struct tokenizer *t) { return t->bos; }
int32_t tok_eos(const struct tokenizer *t) { return t->eos; }
int tok_add_bos(const struct tokenizer *t) { return t->add_bos; }
int tok_add_space_prefix(const struct tokenizer *t) { return t->add_space_prefix; }

enum tok_type tok_token_type(const struct tokenizer *t, int32_t id)
{
	if (id < 0 || (uint32_t)id >= t->n_tokens)
		return TOK_TYPE_UNDEFINED;
	return type_of(t, (uint32_t)id);
}

struct tok_str tok_token_text(const struct tokenizer *t, int32_t id)
{
	if (id < 0 || (uint32_t)id >= t->n_tokens)
		return (struct tok_str){ "", 0 };
	return t->tokens[id];
}

int32_t tok_find(const struct tokenizer *t, const char *s, size_t len)
{
	return lookup(t, s, len);
}

int tok_is_end(const struct tokenizer *t, int32_t id)
{
	if (id < 0 || (uint32_t)id >= t->n_tokens)
		return 0;
	return id == t->eos || id == t->eot || (t->types[id] & TOKEN_ENDS_TURN);
}
