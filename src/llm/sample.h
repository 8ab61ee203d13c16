/*
 * sample.h - choosing the next token from the model's logits, and
 * knowing when to stop.
 *
 * The sampler applies, in llama.cpp's default order:
 *
 *   1. penalties over the last `penalty_last_n` accepted tokens: each
 *      token seen is made less likely once, by repeat_penalty (a positive
 *      logit divided, a negative one multiplied, as llama.cpp does), and
 *      by presence_penalty + count * frequency_penalty subtracted;
 *   2. top_k      keep the k most likely                    (0: off)
 *   3. top_p      keep the smallest set whose probability   (1: off)
 *                 reaches p (nucleus)
 *   4. min_p      keep tokens at least min_p times as       (0: off)
 *                 likely as the most likely one
 *   5. temperature: logits / T, then draw from the softmax with the
 *      sampler's own PCG32 generator.  T <= 0 means greedy: the most
 *      likely token after penalties (lowest id on ties), no randomness.
 *
 * The same seed, parameters and logits give the same tokens on every run
 * (the generator is ours, sums run in a fixed order); across C libraries
 * expf() may differ in the last bit, which changes a draw only when it
 * lands within that rounding of a boundary.
 *
 * Stopping: sampler_accept() records a token and reports when max_tokens
 * have been generated; end-of-generation tokens are the tokenizer's
 * business (tok_is_end); stop strings are matched on the detokenized
 * text by struct stop_matcher, which holds back text that may be the
 * start of a stop string, so what it lets through never has to be taken
 * back, even when a stop string spans several tokens.
 *
 *     struct sampler s;
 *     if (sampler_init(&s, &params, n_vocab, err) != 0) ...
 *     for (;;) {
 *         int32_t id = sampler_sample(&s, logits);
 *         if (tok_is_end(tok, id) || sampler_accept(&s, id)) break;
 *         ...
 *     }
 *     sampler_free(&s);
 */
#ifndef MCPOS_LLM_SAMPLE_H
#define MCPOS_LLM_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#define SAMPLE_ERR_MAX 128

/* PCG32 (O'Neill's permuted congruential generator, XSH-RR output). */
struct sample_rng {
	uint64_t state;
	uint64_t inc;
};

void sample_rng_seed(struct sample_rng *r, uint64_t seed);
uint32_t sample_rng_u32(struct sample_rng *r);
/* Uniform in [0, 1), 24 random bits. */
float sample_rng_float(struct sample_rng *r);

struct sample_params {
	float temperature;       /* <= 0: greedy */
	int top_k;               /* <= 0: off */
	float top_p;             /* >= 1: off */
	float min_p;             /* <= 0: off */
	float repeat_penalty;    /* 1: off */
	float presence_penalty;  /* 0: off */
	float frequency_penalty; /* 0: off */
	int penalty_last_n;      /* window of past tokens the penalties see */
	int max_tokens;          /* <= 0: no limit */
	uint64_t seed;
};

/* llama.cpp's defaults: T 0.8, top-k 40, top-p 0.95, min-p 0.05,
 * repeat 1.0 over 64 tokens, no limit, seed 0. */
void sample_params_default(struct sample_params *p);

struct sample_cand {
	int32_t id;
	float logit;
	float p;
};

struct sampler {
	struct sample_params p;
	struct sample_rng rng;
	size_t n_vocab;
	struct sample_cand *cand; /* n_vocab, scratch */
	uint32_t *count;          /* n_vocab, occurrences in the window */
	int32_t *window;          /* penalty_last_n, a ring */
	size_t window_n, window_at;
	int n_generated;
};

/* Checks the parameters (err names the bad one) and allocates the
 * scratch once.  0 or -1. */
int sampler_init(struct sampler *s, const struct sample_params *p,
		 size_t n_vocab, char *err);
void sampler_free(struct sampler *s);

/* Pick the next token from n_vocab logits (not modified). */
int32_t sampler_sample(struct sampler *s, const float *logits);

/* Record a token the model will continue from (the prompt's too, so the
 * penalties see them: pass count_as_generated 0).  Returns 1 when
 * max_tokens generated tokens have now been accepted, else 0. */
int sampler_accept(struct sampler *s, int32_t id, int count_as_generated);

/* ---- stop strings ------------------------------------------------------- */

#define STOP_MAX_STRINGS 8
#define STOP_MAX_LEN 64

struct stop_matcher {
	char stops[STOP_MAX_STRINGS][STOP_MAX_LEN];
	size_t lens[STOP_MAX_STRINGS];
	size_t n;
	char held[STOP_MAX_LEN];
	size_t n_held;
	int stopped;
};

/* Up to STOP_MAX_STRINGS non-empty strings shorter than STOP_MAX_LEN.
 * 0, or -1 with err naming the bad one. */
int stop_init(struct stop_matcher *m, const char *const *stops, size_t n,
	      char *err);

/*
 * Feed generated text; writes to out what is now certain not to be part
 * of a stop string (out must hold len + STOP_MAX_LEN bytes) and returns
 * its length.  When a stop string completes, the text before it is
 * written, m->stopped is set, and everything after is dropped.
 */
size_t stop_feed(struct stop_matcher *m, const char *text, size_t len, char *out);

/* The end of generation: release what was held (nothing if stopped). */
size_t stop_flush(struct stop_matcher *m, char *out);

#endif
