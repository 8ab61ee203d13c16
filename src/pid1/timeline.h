/*
 * timeline.h - the boot timeline: CLOCK_BOOTTIME at each stage.
 *
 * CLOCK_BOOTTIME starts when the kernel starts keeping time, so the first
 * stage ("kernel", taken as init starts) is the kernel's own boot time and
 * every later stage is comparable across boots.  The JSON form is
 * /run/mcpos/boot.json:
 *
 *   {"clock":"boottime","stages":[{"name":"kernel","ms":201.532},...],
 *    "boot_ms":254,"mem_available_kib":499812}
 *
 * boot_ms and mem_available_kib are present once the "ready" stage is.
 */
#ifndef MCPOS_INIT_TIMELINE_H
#define MCPOS_INIT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#define TIMELINE_MAX_STAGES 32

struct timeline {
	struct { char name[40]; double ms; } stage[TIMELINE_MAX_STAGES];
	int count;
	long long boot_ms;		/* -1 until ready */
	uint64_t mem_available_kib;
};

void timeline_init(struct timeline *tl);

/* Milliseconds of CLOCK_BOOTTIME now. */
double timeline_now_ms(void);

/* Record a stage at time ms (full timelines drop later stages). */
void timeline_add(struct timeline *tl, const char *name, double ms);

/* JSON (with a trailing newline).  Length, or -1 if buf is too small. */
int timeline_json(const struct timeline *tl, char *buf, size_t size);

#endif
