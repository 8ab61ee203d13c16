/*
 * memplan.c - memory budget arithmetic.  See memplan.h.
 */
#include "llm/memplan.h"

#include <stdio.h>

uint64_t memplan_weight_bytes(const struct gguf_file *g)
{
	uint64_t sum = 0;
	for (uint64_t i = 0; i < g->n_tensors; i++)
		sum += g->tensors[i].size; /* each <= file size: no overflow */
	return sum;
}

void memplan_make(struct memplan *p, const struct model_config *c,
		  uint64_t weight_bytes, uint32_t n_ctx)
{
	p->n_ctx = n_ctx;
	p->weights = weight_bytes;
	p->kv_cache = model_kv_bytes(c, n_ctx);
	p->activations = model_state_bytes(c, n_ctx) - p->kv_cache;
	p->overhead = MEMPLAN_OVERHEAD;
	p->total = p->weights + p->kv_cache + p->activations + p->overhead;
}

void memplan_format_bytes(uint64_t bytes, char *buf, size_t cap)
{
	if (bytes >= (1ull << 30))
		snprintf(buf, cap, "%.2f GiB", (double)bytes / (1ull << 30));
	else if (bytes >= (1u << 20))
		snprintf(buf, cap, "%.1f MiB", (double)bytes / (1u << 20));
	else if (bytes >= 1024)
		snprintf(buf, cap, "%.1f KiB", (double)bytes / 1024);
	else
		snprintf(buf, cap, "%llu bytes", (unsigned long long)bytes);
}

int memplan_check(const struct memplan *p, uint64_t budget, char *msg, size_t cap)
{
	if (p->total <= budget)
		return 0;
	char t[32], w[32], k[32], a[32], o[32], b[32];
	memplan_format_bytes(p->total, t, sizeof t);
	memplan_format_bytes(p->weights, w, sizeof w);
	memplan_format_bytes(p->kv_cache, k, sizeof k);
	memplan_format_bytes(p->activations, a, sizeof a);
	memplan_format_bytes(p->overhead, o, sizeof o);
	memplan_format_bytes(budget, b, sizeof b);
	snprintf(msg, cap, "model needs %s (%llu bytes: weights %s + KV cache %s for %u "
		 "positions + activations %s + overhead %s), budget is %s (%llu bytes)",
		 t, (unsigned long long)p->total, w, k, p->n_ctx, a, o, b,
		 (unsigned long long)budget);
	return -1;
}

uint32_t memplan_max_ctx(const struct model_config *c, uint64_t weight_bytes,
			 uint64_t budget, uint32_t want)
{
	/* Total grows with n_ctx, so bisect on it. */
	struct memplan p;
	uint32_t lo = 0, hi = want;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		memplan_make(&p, c, weight_bytes, mid);
		if (p.total <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
