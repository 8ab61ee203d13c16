/*
 * memplan.h - will this model fit?  Decided from the GGUF header alone,
 * before a byte of weights is read.
 *
 * Resident memory while generating is the weights (mapped from the file
 * and all touched once per token), the KV cache (two f16 vectors per
 * layer per position), the activations, and a fixed allowance for the
 * program, its stack and the tokenizer's tables.  The plan adds these up
 * and compares the sum with a budget (the caller's: init's config, a
 * command-line flag, or the memory available).
 *
 *     struct memplan p;
 *     memplan_make(&p, &cfg, weight_bytes, n_ctx);
 *     if (memplan_check(&p, budget, msg, sizeof msg) != 0) refuse(msg);
 *
 * The message names the bytes needed (and of what) and the bytes
 * available, e.g.
 *
 *     model needs 412.3 MiB (weights 380.0 MiB + KV cache 24.0 MiB for
 *     2048 positions + activations 4.3 MiB + overhead 4.0 MiB), budget is
 *     256.0 MiB
 */
#ifndef MCPOS_LLM_MEMPLAN_H
#define MCPOS_LLM_MEMPLAN_H

#include "llm/model.h"

#include <stddef.h>
#include <stdint.h>

/* Fixed allowance for code, stacks, stdio and the tokenizer's tables. */
#define MEMPLAN_OVERHEAD (4u << 20)

struct memplan {
	uint32_t n_ctx;
	uint64_t weights;     /* tensor bytes in the file */
	uint64_t kv_cache;
	uint64_t activations; /* run state other than the cache */
	uint64_t overhead;
	uint64_t total;
};

/* Sum of every tensor's bytes in a GGUF file: what mapping it costs. */
uint64_t memplan_weight_bytes(const struct gguf_file *g);

void memplan_make(struct memplan *p, const struct model_config *c,
		  uint64_t weight_bytes, uint32_t n_ctx);

/*
 * 0 if p->total <= budget; else -1 and msg (cap bytes) says what is
 * needed and what is available.
 */
int memplan_check(const struct memplan *p, uint64_t budget, char *msg, size_t cap);

/* The longest context (<= want) that fits the budget, or 0 if none does. */
uint32_t memplan_max_ctx(const struct model_config *c, uint64_t weight_bytes,
			 uint64_t budget, uint32_t want);

/* "412.3 MiB" etc. into buf. */
void memplan_format_bytes(uint64_t bytes, char *buf, size_t cap);

#endif
