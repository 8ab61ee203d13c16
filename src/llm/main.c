/*
 * mcpos-llm - run a GGUF model from the command line.
 *
 *   mcpos-llm info MODEL                      hyperparameters, tensors, memory plan
 *   mcpos-llm generate MODEL --tokens 1,2,3 [-n 32]
 *                                             greedy continuation, token ids
 *   mcpos-llm logits MODEL --tokens 1,2,3 [--top K]
 *                                             next-token logits after the
 *                                             prompt (all, or the top K)
 *   mcpos-llm bench MODEL [--pp 64] [--tg 32] prompt and generation speed,
 *                                             peak RSS against the plan
 *   mcpos-llm tokenize MODEL TEXT             (needs the tokenizer module)
 *   mcpos-llm chat MODEL                      (needs tokenizer and chat)
 *
 * Common options: --ctx N (context positions, default min(model's, 2048)),
 * --mem BYTES (budget, K/M/G suffixes; default: the memory available).
 * A model whose weights, KV cache and activations do not fit the budget
 * is refused before its weights are read.  While the weights are read in,
 * a progress bar is drawn if stderr is a terminal.
 */
#include "llm/gguf.h"
#include "llm/memplan.h"
#include "llm/model.h"
#include "llm/quant.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKENS 4096

struct args {
	const char *cmd, *model, *text;
	uint32_t tokens[MAX_TOKENS];
	uint32_t n_tokens;
	uint32_t n_predict, n_ctx, top, pp, tg;
	uint64_t mem;
};

struct mapped {
	void *base;
	size_t size;
	struct gguf_file g;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k') shift = 10, end++;
	else if (*end == 'M' || *end == 'm') shift = 20, end++;
	else if (*end == 'G' || *end == 'g') shift = 30, end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (parse_size(s, &v) != 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_tokens(const char *s, struct args *a)
{
	a->n_tokens = 0;
	while (*s) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (errno || end == s || v > UINT32_MAX || a->n_tokens == MAX_TOKENS)
			return -1;
		a->tokens[a->n_tokens++] = (uint32_t)v;
		s = end;
		if (*s == ',' || *s == ' ')
			s++;
		else if (*s)
			return -1;
	}
	return a->n_tokens > 0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	if (argc < 3)
		return -1;
	a->cmd = argv[1];
	a->model = argv[2];
	for (int i = 3; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad;
		if (o[0] != '-' && !a->text) {
			a->text = o;
			continue;
		}
		if (!v)
			bad = 1;
		else if (strcmp(o, "--tokens") == 0) bad = parse_tokens(v, a);
		else if (strcmp(o, "-n") == 0) bad = parse_u32(v, &a->n_predict);
		else if (strcmp(o, "--ctx") == 0) bad = parse_u32(v, &a->n_ctx) || a->n_ctx == 0;
		else if (strcmp(o, "--top") == 0) bad = parse_u32(v, &a->top);
		else if (strcmp(o, "--pp") == 0) bad = parse_u32(v, &a->pp);
		else if (strcmp(o, "--tg") == 0) bad = parse_u32(v, &a->tg);
		else if (strcmp(o, "--mem") == 0) bad = parse_size(v, &a->mem);
		else bad = 1;
		if (bad) {
			fprintf(stderr, "mcpos-llm: bad or incomplete option '%s'\n", o);
			return -2;
		}
		i++;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mcpos-llm info MODEL\n"
		"       mcpos-llm generate MODEL --tokens ID,ID,... [-n N]\n"
		"       mcpos-llm logits MODEL --tokens ID,ID,... [--top K]\n"
		"       mcpos-llm bench MODEL [--pp N] [--tg N]\n"
		"       mcpos-llm tokenize MODEL TEXT\n"
		"       mcpos-llm chat MODEL\n"
		"options: --ctx N  --mem BYTES[K|M|G]\n");
}

static int map_model(const char *path, struct mapped *m)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mcpos-llm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		fprintf(stderr, "mcpos-llm: %s: not a regular non-empty file\n", path);
		close(fd);
		return -1;
	}
	m->size = (size_t)st.st_size;
	m->base = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->base == MAP_FAILED) {
		fprintf(stderr, "mcpos-llm: %s: mmap: %s\n", path, strerror(errno));
		return -1;
	}
	struct gguf_error err;
	if (gguf_open(&m->g, m->base, m->size, &err) != 0) {
		fprintf(stderr, "mcpos-llm: %s: %s\n", path, err.msg);
		munmap(m->base, m->size);
		return -1;
	}
	return 0;
}

static void unmap_model(struct mapped *m)
{
	gguf_close(&m->g);
	munmap(m->base, m->size);
}

/*
 * Read the weights in, page by page, so the first token is not slowed by
 * page faults; draw a bar on a terminal.  Returns a checksum so the reads
 * cannot be optimised away.
 */
static unsigned touch_weights(const struct mapped *m)
{
	const volatile uint8_t *p = m->base;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), step = 64u << 20;
	int tty = isatty(2);
	unsigned sum = 0;
	madvise(m->base, m->size, MADV_WILLNEED);
	for (size_t off = 0; off < m->size; off += step) {
		size_t end = off + step < m->size ? off + step : m->size;
		for (size_t i = off; i < end; i += page)
			sum += p[i];
		if (tty) {
			int pct = (int)((double)end * 100 / (double)m->size);
			char bar[41];
			memset(bar, '#', (size_t)(pct * 40 / 100));
			memset(bar + pct * 40 / 100, '.', (size_t)(40 - pct * 40 / 100));
			bar[40] = 0;
			fprintf(stderr, "\rloading [%s] %3d%%", bar, pct);
		}
	}
	if (tty)
		fputc('\n', stderr);
	return sum;
}

static uint64_t available_memory(void)
{
	long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : UINT64_MAX;
}

/* Plan, check, load: on success the model is ready to run. */
static int open_model(const struct args *a, struct mapped *mp, struct model *m,
		      struct memplan *plan)
{
	struct model_config cfg;
	struct model_error err;
	if (model_read_config(&mp->g, &cfg, &err) != 0) {
		fprintf(stderr, "mcpos-llm: %s: %s\n", a->model, err.msg);
		return -1;
	}
	uint32_t n_ctx = a->n_ctx ? a->n_ctx : (cfg.n_ctx_train < 2048 ? cfg.n_ctx_train : 2048);
	uint64_t budget = a->mem ? a->mem : available_memory();
	char msg[512];
	memplan_make(plan, &cfg, memplan_weight_bytes(&mp->g), n_ctx);
	if (memplan_check(plan, budget, msg, sizeof msg) != 0) {
		fprintf(stderr, "mcpos-llm: %s: refused: %s\n", a->model, msg);
		return -1;
	}
	if (model_open(m, &mp->g, n_ctx, &err) != 0) {
		fprintf(stderr, "mcpos-llm: %s: %s\n", a->model, err.msg);
		return -1;
	}
	(void)touch_weights(mp);
	return 0;
}

static uint32_t argmax(const float *x, uint32_t n)
{
	uint32_t best = 0;
	for (uint32_t i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

/* Feed the prompt; the logits after its last token, or NULL on error. */
static const float *prefill(struct model *m, const struct args *a)
{
	const float *logits = NULL;
	if (a->n_tokens > m->n_ctx) {
		fprintf(stderr, "mcpos-llm: prompt of %u tokens exceeds context %u\n",
			a->n_tokens, m->n_ctx);
		return NULL;
	}
	for (uint32_t i = 0; i < a->n_tokens; i++) {
		if (a->tokens[i] >= m->c.n_vocab) {
			fprintf(stderr, "mcpos-llm: token %u out of range (vocabulary %u)\n",
				a->tokens[i], m->c.n_vocab);
			return NULL;
		}
		logits = model_forward(m, a->tokens[i], i);
	}
	return logits;
}

static int cmd_info(const struct args *a, struct mapped *mp)
{
	struct model_config c;
	struct model_error err;
	const struct gguf_file *g = &mp->g;
	printf("file: %s (%zu bytes, GGUF v%u, %llu metadata entries, %llu tensors)\n",
	       a->model, mp->size, g->version, (unsigned long long)g->n_kv,
	       (unsigned long long)g->n_tensors);
	const char *s;
	size_t n;
	if (gguf_get_str(g, "general.name", &s, &n) == 0)
		printf("name: %.*s\n", (int)n, s);
	unsigned counts[64] = { 0 };
	for (uint64_t i = 0; i < g->n_tensors; i++)
		counts[g->tensors[i].type % 64]++;
	printf("tensor types:");
	for (unsigned t = 0; t < 64; t++)
		if (counts[t])
			printf(" %s x%u", quant_name(t), counts[t]);
	printf("\n");
	if (model_read_config(g, &c, &err) != 0) {
		printf("model: not runnable: %s\n", err.msg);
		return 1;
	}
	printf("architecture: %s\n", c.arch == MODEL_LLAMA ? "llama" : "qwen2");
	printf("layers %u, embedding %u, heads %u (kv %u, dim %u), feed-forward %u, vocabulary %u\n",
	       c.n_layer, c.n_embd, c.n_head, c.n_head_kv, c.head_dim, c.n_ff, c.n_vocab);
	printf("context %u, rope %s theta %g%s, rms eps %g%s%s\n", c.n_ctx_train,
	       c.rope == ROPE_NEOX ? "neox" : "normal", (double)c.rope_theta,
	       c.rope_freqs ? " with frequency factors" : "", (double)c.rms_eps,
	       c.tied ? ", tied embeddings" : "", c.qkv_bias ? ", qkv bias" : "");
	uint32_t n_ctx = a->n_ctx ? a->n_ctx : (c.n_ctx_train < 2048 ? c.n_ctx_train : 2048);
	struct memplan p;
	memplan_make(&p, &c, memplan_weight_bytes(g), n_ctx);
	char t[32], w[32], k[32], act[32];
	memplan_format_bytes(p.total, t, sizeof t);
	memplan_format_bytes(p.weights, w, sizeof w);
	memplan_format_bytes(p.kv_cache, k, sizeof k);
	memplan_format_bytes(p.activations, act, sizeof act);
	printf("memory for %u positions: %s (weights %s, KV cache %s, activations %s)\n",
	       n_ctx, t, w, k, act);
	return 0;
}

static int cmd_generate(const struct args *a, struct model *m)
{
	const float *logits = prefill(m, a);
	if (!logits)
		return 1;
	uint32_t n = a->n_predict ? a->n_predict : 32;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tok = argmax(logits, m->c.n_vocab);
		printf(i ? " %u" : "%u", tok);
		uint32_t pos = a->n_tokens + i;
		if (pos >= m->n_ctx)
			break;
		logits = model_forward(m, tok, pos);
	}
	printf("\n");
	return 0;
}

static int cmd_logits(const struct args *a, struct model *m)
{
	const float *logits = prefill(m, a);
	if (!logits)
		return 1;
	uint32_t nv = m->c.n_vocab;
	if (!a->top) {
		for (uint32_t i = 0; i < nv; i++)
			printf("%.9g\n", (double)logits[i]);
		return 0;
	}
	/* top K by selection: K is small */
	float *copy = malloc(nv * sizeof *copy);
	if (!copy)
		return 1;
	memcpy(copy, logits, nv * sizeof *copy);
	for (uint32_t k = 0; k < a->top && k < nv; k++) {
		uint32_t best = argmax(copy, nv);
		printf("%u %.9g\n", best, (double)copy[best]);
		copy[best] = -INFINITY;
	}
	free(copy);
	return 0;
}

static int cmd_bench(const struct args *a, struct model *m, const struct memplan *plan)
{
	uint32_t pp = a->pp ? a->pp : 64, tg = a->tg ? a->tg : 32;
	if (pp + tg > m->n_ctx) {
		fprintf(stderr, "mcpos-llm: --pp + --tg exceed the context %u\n", m->n_ctx);
		return 1;
	}
	/* A fixed pseudo-random prompt: speed does not depend on the ids. */
	uint32_t tok = 1;
	double t0 = now();
	const float *logits = NULL;
	for (uint32_t i = 0; i < pp; i++) {
		tok = (tok * 1103515245u + 12345u) % m->c.n_vocab;
		logits = model_forward(m, tok, i);
	}
	double t1 = now();
	for (uint32_t i = 0; i < tg; i++)
		logits = model_forward(m, argmax(logits, m->c.n_vocab), pp + i);
	double t2 = now();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	uint64_t rss = (uint64_t)ru.ru_maxrss * 1024;
	uint64_t bound = plan->weights + plan->kv_cache + (16u << 20);
	printf("pp%u: %.2f tokens/s\n", pp, pp / (t1 - t0));
	printf("tg%u: %.2f tokens/s\n", tg, tg / (t2 - t1));
	printf("peak rss: %llu bytes; weights + KV cache + 16 MiB = %llu bytes: %s\n",
	       (unsigned long long)rss, (unsigned long long)bound, rss <= bound ? "ok" : "OVER");
	return rss <= bound ? 0 : 1;
}

int main(int argc, char **argv)
{
	static struct args a; /* MAX_TOKENS ids: too big for the stack */
	int pr = parse_args(argc, argv, &a);
	if (pr != 0) {
		if (pr == -1)
			usage();
		return 2;
	}
	int known = 0;
	static const char *const cmds[] = { "info", "generate", "logits", "bench", "tokenize", "chat" };
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		known |= strcmp(a.cmd, cmds[i]) == 0;
	if (!known) {
		usage();
		return 2;
	}
	if ((strcmp(a.cmd, "generate") == 0 || strcmp(a.cmd, "logits") == 0) && !a.n_tokens) {
		fprintf(stderr, "mcpos-llm: %s needs --tokens (text prompts need the tokenizer)\n", a.cmd);
		return 2;
	}
	if (strcmp(a.cmd, "tokenize") == 0 || strcmp(a.cmd, "chat") == 0) {
		fprintf(stderr, "mcpos-llm: %s: this build has no tokenizer yet\n", a.cmd);
		return 2;
	}

	struct mapped mp;
	if (map_model(a.model, &mp) != 0)
		return 1;
	int rc;
	if (strcmp(a.cmd, "info") == 0) {
		rc = cmd_info(&a, &mp);
	} else {
		struct model m;
		struct memplan plan;
		if (open_model(&a, &mp, &m, &plan) != 0) {
			unmap_model(&mp);
			return 1;
		}
		if (strcmp(a.cmd, "generate") == 0)
			rc = cmd_generate(&a, &m);
		else if (strcmp(a.cmd, "logits") == 0)
			rc = cmd_logits(&a, &m);
		else
			rc = cmd_bench(&a, &m, &plan);
		model_close(&m);
	}
	unmap_model(&mp);
	return rc;
}
