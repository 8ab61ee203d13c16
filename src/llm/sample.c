/*
 * sample.c - sampling and stop strings.  See sample.h.
 */
#include "llm/sample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PCG32 -------------------------------------------------------------- */

#define PCG_MULT 6364136223846793005ull

uint32_t sample_rng_u32(struct sample_rng *r)
{
	uint64_t old = r->state;
	r->state = old * PCG_MULT + r->inc;
	uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
	uint32_t rot = (uint32_t)(old >> 59);
	return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

void sample_rng_seed(struct sample_rng *r, uint64_t seed)
{
	/* The stream is fixed; the seed picks the starting point, mixed in
	 * the way PCG's reference seeding does. */
	r->state = 0;
	r->inc = (0xda3e39cb94b95bdbull << 1) | 1;
	sample_rng_u32(r);
	r->state += seed;
	sample_rng_u32(r);
}

float sample_rng_float(struct sample_rng *r)
{
	return (float)(sample_rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

/* ---- parameters ----------------------------------------------------------- */

void sample_params_default(struct sample_params *p)
{
	memset(p, 0, sizeof *p);
	p->temperature = 0.8f;
	p->top_k = 40;
	p->top_p = 0.95f;
	p->min_p = 0.05f;
	p->repeat_penalty = 1.0f;
	p->penalty_last_n = 64;
}

int sampler_init(struct sampler *s, const struct sample_params *p,
		 size_t n_vocab, char *err)
{
	memset(s, 0, sizeof *s);
	if (n_vocab == 0 || n_vocab > INT32_MAX) {
		snprintf(err, SAMPLE_ERR_MAX, "vocabulary size %zu", n_vocab);
		return -1;
	}
	if (!(p->temperature == p->temperature) || !(p->top_p >= 0) ||
	    !(p->min_p >= 0 && p->min_p <= 1)) {
		snprintf(err, SAMPLE_ERR_MAX, "temperature, top_p or min_p is not a valid number "
			 "(top_p >= 0, 0 <= min_p <= 1)");
		return -1;
	}
	if (!(p->repeat_penalty > 0) || !isfinite(p->repeat_penalty)) {
		snprintf(err, SAMPLE_ERR_MAX, "repeat_penalty must be > 0 (1 is off)");
		return -1;
	}
	if (!isfinite(p->presence_penalty) || !isfinite(p->frequency_penalty)) {
		snprintf(err, SAMPLE_ERR_MAX, "presence/frequency penalty must be finite");
		return -1;
	}
	if (p->penalty_last_n < 0 || p->penalty_last_n > 1 << 20) {
		snprintf(err, SAMPLE_ERR_MAX, "penalty_last_n %d outside 0..%d",
			 p->penalty_last_n, 1 << 20);
		return -1;
	}
	s->p = *p;
	s->n_vocab = n_vocab;
	s->cand = malloc(n_vocab * sizeof *s->cand);
	s->count = calloc(n_vocab, sizeof *s->count);
	s->window = malloc(((size_t)p->penalty_last_n + 1) * sizeof *s->window);
	if (!s->cand || !s->count || !s->window) {
		sampler_free(s);
		snprintf(err, SAMPLE_ERR_MAX, "out of memory for %zu candidates", n_vocab);
		return -1;
	}
	sample_rng_seed(&s->rng, p->seed);
	return 0;
}

void sampler_free(struct sampler *s)
{
	free(s->cand);
	free(s->count);
	free(s->window);
	s->cand = NULL;
	s->count = NULL;
	s->window = NULL;
}

int sampler_accept(struct sampler *s, int32_t id, int count_as_generated)
{
	size_t cap = (size_t)s->p.penalty_last_n;

	if (id >= 0 && (size_t)id < s->n_vocab && cap > 0) {
		if (s->window_n == cap) {
			/* the oldest token leaves the window */
			int32_t old = s->window[s->window_at];
			s->count[old]--;
		} else {
			s->window_n++;
		}
		s->window[s->window_at] = id;
		s->window_at = (s->window_at + 1) % cap;
		s->count[id]++;
	}
	if (count_as_generated)
		s->n_generated++;
	return s->p.max_tokens > 0 && s->n_generated >= s->p.max_tokens;
}

/* ---- sampling ----------------------------------------------------------- */

static int by_logit_desc(const void *a, const void *b)
{
	const struct sample_cand *x = a, *y = b;
	if (x->logit != y->logit)
		return x->logit > y->logit ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Probabilities of cand[0..n) (sorted, so cand[0] has the max logit). */
static void softmax(struct sample_cand *c, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		c[i].p = expf(c[i].logit - c[0].logit);
		sum += c[i].p;
	}
	for (size_t i = 0; i < n; i++)
		c[i].p = (float)(c[i].p / sum);
}

static void apply_penalties(struct sampler *s)
{
	const struct sample_params *p = &s->p;
	if (s->window_n == 0 || (p->repeat_penalty == 1.0f && p->presence_penalty == 0 &&
				 p->frequency_penalty == 0))
		return;
	/* Each distinct token in the window, once: the first time an id is
	 * met its candidate is marked (p = -1) so repeats skip it. */
	for (size_t i = 0; i < s->window_n; i++) {
		int32_t id = s->window[i];
		uint32_t c = s->count[id];
		if (c == 0 || s->cand[id].p < 0)
			continue; /* already done (marked with p = -1) */
		float *l = &s->cand[id].logit;
		if (*l <= 0)
			*l *= p->repeat_penalty;
		else
			*l /= p->repeat_penalty;
		*l -= (float)c * p->frequency_penalty + p->presence_penalty;
		s->cand[id].p = -1;
	}
}

int32_t sampler_sample(struct sampler *s, const float *logits)
{
	struct sample_cand *c = s->cand;
	size_t n = s->n_vocab;

	for (size_t i = 0; i < n; i++) {
		float l = logits[i];
		/* NaN is never chosen; +inf is clamped so softmax stays finite */
		if (l != l)
			l = -INFINITY;
		else if (l > 3.0e38f)
			l = 3.0e38f;
		c[i] = (struct sample_cand){ (int32_t)i, l, 0 };
	}
	apply_penalties(s);

	if (s->p.temperature <= 0) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (c[i].logit > c[best].logit)
				best = i;
		return c[best].id;
	}

	qsort(c, n, sizeof *c, by_logit_desc);
	if (s->p.top_k > 0 && (size_t)s->p.top_k < n)
		n = (size_t)s->p.top_k;
	if (c[0].logit == -INFINITY)
		return c[0].id; /* nothing is possible: lowest id */
	/* tokens at -inf can never be drawn */
	while (n > 1 && c[n - 1].logit == -INFINITY)
		n--;
	if (s->p.top_p < 1.0f) {
		softmax(c, n);
		double cum = 0;
		size_t keep = n;
		for (size_t i = 0; i < n; i++) {
			cum += c[i].p;
			if (cum >= s->p.top_p) {
				keep = i + 1;
				break;
			}
		}
		n = keep;
	}
	if (s->p.min_p > 0) {
		/* p_i >= min_p * p_max  <=>  logit_i >= logit_max + log(min_p) */
		float floor_logit = c[0].logit + logf(s->p.min_p);
		size_t keep = 1;
		while (keep < n && c[keep].logit >= floor_logit)
			keep++;
		n = keep;
	}
	for (size_t i = 0; i < n; i++)
		c[i].logit /= s->p.temperature;
	softmax(c, n);
	float r = sample_rng_float(&s->rng);
	double cum = 0;
	for (size_t i = 0; i < n; i++) {
		cum += c[i].p;
		if (r < cum)
			return c[i].id;
	}
	return c[n - 1].id; /* rounding left r just above the sum */
}

/* ---- stop strings ------------------------------------------------------- */

int stop_init(struct stop_matcher *m, const char *const *stops, size_t n, char *err)
{
	memset(m, 0, sizeof *m);
	if (n > STOP_MAX_STRINGS) {
		snprintf(err, SAMPLE_ERR_MAX, "%zu stop strings, at most %d", n, STOP_MAX_STRINGS);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(stops[i]);
		if (len == 0 || len >= STOP_MAX_LEN) {
			snprintf(err, SAMPLE_ERR_MAX, "stop string %zu: length %zu not in 1..%d",
				 i, len, STOP_MAX_LEN - 1);
			return -1;
		}
		memcpy(m->stops[i], stops[i], len + 1);
		m->lens[i] = len;
	}
	m->n = n;
	return 0;
}

size_t stop_feed(struct stop_matcher *m, const char *text, size_t len, char *out)
{
	if (m->stopped)
		return 0;
	/* Work in out: what was held, then the new text. */
	size_t total = m->n_held + len;
	memcpy(out, m->held, m->n_held);
	memcpy(out + m->n_held, text, len);
	m->n_held = 0;

	size_t first = total;
	for (size_t k = 0; k < m->n; k++) {
		const char *hit = memmem(out, total, m->stops[k], m->lens[k]);
		if (hit && (size_t)(hit - out) < first)
			first = (size_t)(hit - out);
	}
	if (first < total) {
		m->stopped = 1;
		return first;
	}
	/* Hold the longest tail that could still grow into a stop string. */
	size_t hold = 0;
	for (size_t k = 0; k < m->n; k++) {
		size_t max = m->lens[k] - 1 < total ? m->lens[k] - 1 : total;
		for (size_t t = max; t > hold; t--) {
			if (memcmp(out + total - t, m->stops[k], t) == 0) {
				hold = t;
				break;
			}
		}
	}
	memcpy(m->held, out + total - hold, hold);
	m->n_held = hold;
	return total - hold;
}

size_t stop_flush(struct stop_matcher *m, char *out)
{
	size_t n = m->stopped ? 0 : m->n_held;
	memcpy(out, m->held, n);
	m->n_held = 0;
	return n;
}
