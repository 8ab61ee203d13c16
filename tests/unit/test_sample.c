/*
 * test_sample.c - the sampler's filters, penalties, generator and stop
 * strings.  Frequencies are measured over many seeded draws: the seed
 * makes every run identical, and the tolerances are several standard
 * deviations wide, so they test the distribution, not one lucky run.
 */
#include "../unit/check.h"

#include "llm/sample.h"

#include <math.h>
#include <string.h>

static struct sample_params plain(float temperature)
{
	struct sample_params p;
	sample_params_default(&p);
	p.temperature = temperature;
	p.top_k = 0;
	p.top_p = 1.0f;
	p.min_p = 0;
	p.seed = 1234;
	return p;
}

/* Draw n tokens from fixed logits and return the frequency of each. */
static void frequencies(const struct sample_params *p, const float *logits, size_t n_vocab,
			int n, double *freq)
{
	struct sampler s;
	char err[SAMPLE_ERR_MAX];
	for (size_t i = 0; i < n_vocab; i++)
		freq[i] = 0;
	if (sampler_init(&s, p, n_vocab, err) != 0) {
		printf("# sampler_init: %s\n", err);
		return;
	}
	for (int i = 0; i < n; i++)
		freq[sampler_sample(&s, logits)] += 1.0 / n;
	sampler_free(&s);
}

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

int main(void)
{
	/* probabilities 0.5, 0.3, 0.2 at temperature 1 */
	const float logits[3] = { logf(0.5f), logf(0.3f), logf(0.2f) };
	double f[3];
	char err[SAMPLE_ERR_MAX];

	TEST("rng", "same seed, same stream; another seed, another stream") {
		struct sample_rng a, b, c;
		sample_rng_seed(&a, 7);
		sample_rng_seed(&b, 7);
		sample_rng_seed(&c, 8);
		int same = 1, differ = 0;
		for (int i = 0; i < 100; i++) {
			uint32_t x = sample_rng_u32(&a), y = sample_rng_u32(&b), z = sample_rng_u32(&c);
			same &= x == y;
			differ |= x != z;
		}
		CHECK(same);
		CHECK(differ);
	}
	TEST("rng", "floats are uniform in [0, 1)") {
		struct sample_rng r;
		int buckets[16] = { 0 }, out_of_range = 0;
		const int n = 160000;
		sample_rng_seed(&r, 99);
		for (int i = 0; i < n; i++) {
			float x = sample_rng_float(&r);
			if (x < 0 || x >= 1)
				out_of_range++;
			else
				buckets[(int)(x * 16)]++;
		}
		CHECK_EQ(out_of_range, 0);
		/* chi-square, 15 degrees of freedom: 37.7 is the 0.1% tail */
		double chi = 0, e = n / 16.0;
		for (int i = 0; i < 16; i++)
			chi += (buckets[i] - e) * (buckets[i] - e) / e;
		CHECK(chi < 37.7);
	}
	TEST("sample", "greedy takes the best logit, lowest id on ties, never NaN") {
		struct sample_params p = plain(0);
		struct sampler s;
		CHECK_EQ(sampler_init(&s, &p, 4, err), 0);
		const float a[4] = { 0.1f, 2.0f, -1.0f, 2.0f };
		CHECK_EQ(sampler_sample(&s, a), 1);
		const float b[4] = { NAN, 0.5f, NAN, 0.7f };
		CHECK_EQ(sampler_sample(&s, b), 3);
		sampler_free(&s);
	}
	TEST("sample", "temperature 1 follows the softmax") {
		struct sample_params p = plain(1.0f);
		frequencies(&p, logits, 3, 20000, f);
		CHECK(NEAR(f[0], 0.5, 0.02) && NEAR(f[1], 0.3, 0.02) && NEAR(f[2], 0.2, 0.02));
	}
	TEST("sample", "low temperature sharpens, high temperature flattens") {
		struct sample_params p = plain(0.1f);
		frequencies(&p, logits, 3, 5000, f);
		CHECK(f[0] > 0.98);
		p = plain(10.0f);
		frequencies(&p, logits, 3, 20000, f);
		/* softmax(logits / 10): 0.3509, 0.3333, 0.3158 */
		CHECK(NEAR(f[0], 0.351, 0.02) && NEAR(f[1], 0.333, 0.02) && NEAR(f[2], 0.316, 0.02));
	}
	TEST("sample", "top-k keeps the k best") {
		struct sample_params p = plain(1.0f);
		p.top_k = 1;
		frequencies(&p, logits, 3, 2000, f);
		CHECK(NEAR(f[0], 1.0, 1e-9));
		p.top_k = 2;
		frequencies(&p, logits, 3, 20000, f);
		CHECK_EQ(f[2], 0);
		CHECK(NEAR(f[0], 0.625, 0.02) && NEAR(f[1], 0.375, 0.02));
	}
	TEST("sample", "top-p keeps the smallest set reaching p") {
		struct sample_params p = plain(1.0f);
		p.top_p = 0.7f;
		frequencies(&p, logits, 3, 20000, f);
		CHECK_EQ(f[2], 0);
		CHECK(NEAR(f[0], 0.625, 0.02));
		p.top_p = 0.4f;
		frequencies(&p, logits, 3, 2000, f);
		CHECK(NEAR(f[0], 1.0, 1e-9));
	}
	TEST("sample", "min-p drops tokens below min_p times the best") {
		struct sample_params p = plain(1.0f);
		p.min_p = 0.5f; /* keeps p >= 0.25 */
		frequencies(&p, logits, 3, 20000, f);
		CHECK_EQ(f[2], 0);
		CHECK(NEAR(f[0], 0.625, 0.02) && NEAR(f[1], 0.375, 0.02));
		p.min_p = 0.3f; /* 0.2 >= 0.15: all stay */
		frequencies(&p, logits, 3, 20000, f);
		CHECK(NEAR(f[2], 0.2, 0.02));
	}
	TEST("sample", "repetition penalty divides positive, multiplies negative logits") {
		struct sample_params p = plain(0);
		p.repeat_penalty = 1.5f;
		struct sampler s;
		CHECK_EQ(sampler_init(&s, &p, 3, err), 0);
		const float a[3] = { 2.0f, 1.9f, -1.0f };
		CHECK_EQ(sampler_sample(&s, a), 0);
		sampler_accept(&s, 0, 1);
		CHECK_EQ(sampler_sample(&s, a), 1);     /* 2.0 / 1.5 < 1.9 */
		const float b[3] = { -1.0f, -1.2f, -5.0f };
		sampler_free(&s);
		CHECK_EQ(sampler_init(&s, &p, 3, err), 0);
		sampler_accept(&s, 0, 0);
		sampler_accept(&s, 0, 0); /* counted once, not twice */
		CHECK_EQ(sampler_sample(&s, b), 1);     /* -1.5 < -1.2 */
		sampler_free(&s);
	}
	TEST("sample", "presence and frequency penalties over a sliding window") {
		struct sample_params p = plain(0);
		p.presence_penalty = 0.05f;
		p.frequency_penalty = 0.1f;
		p.penalty_last_n = 2;
		struct sampler s;
		CHECK_EQ(sampler_init(&s, &p, 2, err), 0);
		const float a[2] = { 1.0f, 0.9f };
		sampler_accept(&s, 0, 0);
		CHECK_EQ(sampler_sample(&s, a), 1);     /* 1 - 0.1 - 0.05 < 0.9 */
		sampler_accept(&s, 0, 0);
		const float b[2] = { 1.0f, 0.7f };
		CHECK_EQ(sampler_sample(&s, b), 0);     /* 1 - 0.2 - 0.05 > 0.7 */
		sampler_accept(&s, 1, 0);
		sampler_accept(&s, 1, 0);               /* 0 has left the window */
		const float c[2] = { 0.8f, 0.9f };
		CHECK_EQ(sampler_sample(&s, c), 0);     /* 0.9 - 0.2 - 0.05 < 0.8 */
		sampler_free(&s);
	}
	TEST("sample", "max_tokens counts generated tokens only") {
		struct sample_params p = plain(0);
		p.max_tokens = 2;
		struct sampler s;
		CHECK_EQ(sampler_init(&s, &p, 2, err), 0);
		CHECK_EQ(sampler_accept(&s, 0, 0), 0);
		CHECK_EQ(sampler_accept(&s, 0, 0), 0);
		CHECK_EQ(sampler_accept(&s, 1, 1), 0);
		CHECK_EQ(sampler_accept(&s, 1, 1), 1);
		sampler_free(&s);
	}
	TEST("sample", "the same seed gives the same tokens, another seed others") {
		struct sample_params p = plain(1.0f);
		float l[64];
		for (int i = 0; i < 64; i++)
			l[i] = (float)(i % 7) * 0.3f;
		struct sampler a, b, c;
		p.seed = 5;
		sampler_init(&a, &p, 64, err);
		sampler_init(&b, &p, 64, err);
		p.seed = 6;
		sampler_init(&c, &p, 64, err);
		int same = 1, differ = 0;
		for (int i = 0; i < 50; i++) {
			int32_t x = sampler_sample(&a, l), y = sampler_sample(&b, l), z = sampler_sample(&c, l);
			same &= x == y;
			differ |= x != z;
		}
		CHECK(same);
		CHECK(differ);
		sampler_free(&a);
		sampler_free(&b);
		sampler_free(&c);
	}
	TEST("sample", "bad parameters are refused with the name") {
		struct sample_params p = plain(1.0f);
		struct sampler s;
		p.repeat_penalty = 0;
		CHECK_EQ(sampler_init(&s, &p, 3, err), -1);
		CHECK(strstr(err, "repeat_penalty") != NULL);
		p = plain(1.0f);
		p.min_p = 2;
		CHECK_EQ(sampler_init(&s, &p, 3, err), -1);
		CHECK(strstr(err, "min_p") != NULL);
		p = plain(1.0f);
		CHECK_EQ(sampler_init(&s, &p, 0, err), -1);
	}

	TEST("stop", "a stop string split across pieces is held, then stops") {
		struct stop_matcher m;
		const char *stops[] = { "</s>", "STOP" };
		char out[256];
		CHECK_EQ(stop_init(&m, stops, 2, err), 0);
		size_t n = stop_feed(&m, "Hello </", 8, out);
		CHECK_EQ(n, 6);
		CHECK(memcmp(out, "Hello ", 6) == 0);
		n = stop_feed(&m, "s> more", 7, out);
		CHECK_EQ(n, 0);
		CHECK_EQ(m.stopped, 1);
		CHECK_EQ(stop_feed(&m, "x", 1, out), 0);
		CHECK_EQ(stop_flush(&m, out), 0);
	}
	TEST("stop", "a false start is released; text before a stop is kept") {
		struct stop_matcher m;
		const char *stops[] = { "STOP" };
		char out[256];
		stop_init(&m, stops, 1, err);
		CHECK_EQ(stop_feed(&m, "ST", 2, out), 0);
		size_t n = stop_feed(&m, "ART", 3, out);
		CHECK_EQ(n, 5);
		CHECK(memcmp(out, "START", 5) == 0);
		n = stop_feed(&m, "go S", 4, out);
		CHECK_EQ(n, 3);
		CHECK_EQ(stop_flush(&m, out), 1);
		CHECK_EQ(out[0], 'S');
		CHECK_EQ(m.stopped, 0);
		stop_init(&m, stops, 1, err);
		n = stop_feed(&m, "abSTOPcd", 8, out);
		CHECK_EQ(n, 2);
		CHECK_EQ(m.stopped, 1);
	}
	TEST("stop", "overlapping prefixes and the earliest of several stops") {
		struct stop_matcher m;
		const char *stops[] = { "aab", "xy" };
		char out[256];
		stop_init(&m, stops, 2, err);
		CHECK_EQ(stop_feed(&m, "aa", 2, out), 0);
		size_t n = stop_feed(&m, "ab", 2, out);
		CHECK_EQ(n, 1);
		CHECK_EQ(m.stopped, 1);
		stop_init(&m, stops, 2, err);
		n = stop_feed(&m, "1xy2aab", 7, out);
		CHECK_EQ(n, 1);
	}
	TEST("stop", "bad stop strings are refused") {
		struct stop_matcher m;
		const char *empty[] = { "" };
		CHECK_EQ(stop_init(&m, empty, 1, err), -1);
		char longer[STOP_MAX_LEN + 1];
		memset(longer, 'a', STOP_MAX_LEN);
		longer[STOP_MAX_LEN] = '\0';
		const char *too_long[] = { longer };
		CHECK_EQ(stop_init(&m, too_long, 1, err), -1);
		CHECK_EQ(stop_init(&m, empty, STOP_MAX_STRINGS + 1, err), -1);
	}
	return check_done();
}
