/* budget.c - see budget.h */
#include "budget.h"

#include <stdio.h>
#include <string.h>

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

void budget_derive(const struct machine_facts *f, const struct init_options *o,
		   struct derived_settings *s)
{
	uint64_t total = f->mem_total_kib * KIB;
	uint64_t avail = f->mem_available_kib * KIB;

	memset(s, 0, sizeof(*s));
	s->threads = o->threads > 0 ? o->threads : (f->cpus > 0 ? f->cpus : 1);

	/*
	 * What the OS keeps for itself once the model is loaded: mcpd's heap
	 * and buffers, page tables of a mapped model (8 bytes per 4 KiB page,
	 * ~1 MiB for 480 MiB), kernel slab growth under network load, and the
	 * tmpfs files of /run and /var.  8 MiB plus 1/64 of RAM: 16 MiB on a
	 * 512 MiB board, which leaves the design's >= 480 MB for the model.
	 */
	s->os_reserve_bytes = 8 * MIB + total / 64;
	if (o->model_budget)
		s->model_budget_bytes = o->model_budget;
	else
		s->model_budget_bytes = avail > s->os_reserve_bytes ?
					avail - s->os_reserve_bytes : 0;

	/*
	 * tmpfs sizes are ceilings, not reservations: a tmpfs costs nothing
	 * until written.  They stop a runaway writer from eating the model's
	 * memory.  /mnt/models holds the active model, so it may grow to the
	 * model budget; the others are small fractions of RAM.
	 */
	s->tmpfs_models_bytes = s->model_budget_bytes ? s->model_budget_bytes : total / 2;
	s->tmpfs_tmp_bytes = total / 16;
	s->tmpfs_var_bytes = total / 32;
	s->tmpfs_run_bytes = total / 128 > 1 * MIB ? total / 128 : 1 * MIB;

	/*
	 * The kernel's default free-page reserve is 4*sqrt(lowmem in KiB)
	 * (2.8 MiB at 512 MiB) and MemAvailable hides 1.5x that.  It is sized
	 * for general-purpose machines that swap and reclaim page cache; here
	 * nothing swaps and the one large consumer (the model) is mapped up
	 * front.  The reserve only has to absorb atomic allocations (network
	 * receive bursts), so 1/1024 of RAM, at least 512 KiB (the kernel's
	 * own floor is 128 KiB): 512 KiB at 512 MiB, 2 MiB at 2 GiB.
	 */
	s->min_free_kbytes = f->mem_total_kib / 1024;
	if (s->min_free_kbytes < 512)
		s->min_free_kbytes = 512;

	/*
	 * The gap between the min, low and high watermarks is 0.1% of RAM by
	 * default; it gives kswapd room to reclaim page cache in the
	 * background.  Here there is almost nothing to reclaim (the root, the
	 * model and the state are all in RAM-backed filesystems, nothing
	 * swaps), so the gap only hides memory: 0.01%.
	 */
	s->watermark_scale_factor = 1;
}

int budget_json(const struct machine_facts *f, const struct derived_settings *s,
		const struct init_options *o, char *buf, size_t size)
{
	int n = snprintf(buf, size,
		"{\"mem_total_kib\":%llu,\"mem_available_kib\":%llu,\"cpus\":%d,"
		"\"threads\":%d,\"model_budget_bytes\":%llu,\"os_reserve_bytes\":%llu,"
		"\"min_free_kbytes\":%llu,\"watermark_scale_factor\":%d,"
		"\"tmpfs\":{\"/tmp\":%llu,\"/var\":%llu,\"/run\":%llu,\"/mnt/models\":%llu},"
		"\"log\":\"%s\"}\n",
		(unsigned long long)f->mem_total_kib,
		(unsigned long long)f->mem_available_kib, f->cpus, s->threads,
		(unsigned long long)s->model_budget_bytes,
		(unsigned long long)s->os_reserve_bytes,
		(unsigned long long)s->min_free_kbytes,
		s->watermark_scale_factor,
		(unsigned long long)s->tmpfs_tmp_bytes,
		(unsigned long long)s->tmpfs_var_bytes,
		(unsigned long long)s->tmpfs_run_bytes,
		(unsigned long long)s->tmpfs_models_bytes, log_level_name(o->log));
	return n < 0 || (size_t)n >= size ? -1 : n;
}
