/*
 * budget.h - from what the machine is to what the system may use.
 *
 * init discovers the facts (MemTotal and MemAvailable from /proc/meminfo,
 * the online CPUs) and derives every limit from them, so the same image is
 * right on a 512 MiB board and on a 2 GiB VM without a configuration file.
 * The formulas live here, pure and unit-tested, each with its reason in
 * budget.c; init only applies them.  In short, on a machine with T bytes of
 * RAM of which A are available when init derives the settings:
 *
 *   os_reserve    = 8 MiB + T/64        (mcpd, page tables, kernel slabs)
 *   model_budget  = A - os_reserve      (or mcpos.model_budget=)
 *   threads       = online CPUs         (or mcpos.threads=)
 *   tmpfs limits  /tmp T/16, /var T/32, /run max(T/128, 1 MiB),
 *                 /mnt/models = model_budget (ceilings, not reservations)
 *   min_free_kbytes = max(T/1024, 512 KiB), watermark_scale_factor = 1
 */
#ifndef MCPOS_INIT_BUDGET_H
#define MCPOS_INIT_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"

struct machine_facts {
	uint64_t mem_total_kib;
	uint64_t mem_available_kib;
	int cpus;
};

struct derived_settings {
	int threads;
	uint64_t model_budget_bytes;
	uint64_t os_reserve_bytes;
	uint64_t tmpfs_tmp_bytes;
	uint64_t tmpfs_var_bytes;
	uint64_t tmpfs_run_bytes;
	uint64_t tmpfs_models_bytes;
	uint64_t min_free_kbytes;
	int watermark_scale_factor;	/* vm.watermark_scale_factor, 1/10000ths */
};

/* Derive the settings; options given on the command line win. */
void budget_derive(const struct machine_facts *facts,
		   const struct init_options *opts,
		   struct derived_settings *out);

/* The settings and facts as one JSON object (config.json).  Returns the
 * length written, or -1 if buf is too small. */
int budget_json(const struct machine_facts *facts,
		const struct derived_settings *s,
		const struct init_options *opts, char *buf, size_t size);

#endif
