/*
 * timeline.h - the boot timeline: CLOCK_BOOTTIME at each stage.
 *
 * CLOCK_BOOTTIME starts when the kernel starts keeping time, so the first
 * stage ("kernel", taken as init starts) is the kernel's own boot time and
 * every later stage is comparable across boots.  The JSON form is
 * /run/mcpos/boot.json:
 *
 *   {"clock":"boottime","stages":[{"name":"kernel","ms":201.532},
 *    {"name":"module:mcp","ms":230.100,"note":"failed"},...,
 *    {"name":"ready","ms":254.020}],"boot_ms":254,"mem_available_kib":499812,
 *    "mem_total_kib":506356}
 *
 * A stage has an optional one-word note when it did not simply succeed
 * (a module that failed to load, a service that timed out).  boot_ms,
 * mem_available_kib and mem_total_kib are present once the "ready" stage is.
 */
#ifndef MCPOS_INIT_TIMELINE_H
#define MCPOS_INIT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#define TIMELINE_MAX_STAGES 32

struct timeline_stage {
	char name[40];
	char note[16];		/* "" for none */
	double ms;
};

struct timeline {
	struct timeline_stage stage[TIMELINE_MAX_STAGES];
	int count;
	long long boot_ms;		/* -1 until ready */
	uint64_t mem_available_kib;
	uint64_t mem_total_kib;		/* MemTotal, reported with the ready figures */
};

void timeline_init(struct timeline *tl);

/* Milliseconds of CLOCK_BOOTTIME now. */
double timeline_now_ms(void);

/* Record a stage at time ms; note may be NULL.  Names and notes come
 * partly from files (module paths, service names), so any byte outside
 * [A-Za-z0-9:._-] is stored as '_' and long ones are cut: the JSON never
 * needs escaping.  A full timeline keeps its first stages. */
void timeline_add(struct timeline *tl, const char *name, const char *note, double ms);

/* JSON (with a trailing newline).  Length, or -1 if buf is too small. */
int timeline_json(const struct timeline *tl, char *buf, size_t size);

#endif
