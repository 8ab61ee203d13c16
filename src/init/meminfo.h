/*
 * meminfo.h - read the facts init needs out of /proc/meminfo text.
 *
 * The kernel writes one "Key:   value kB" line per counter.  This module
 * only parses text (the caller reads the file), so it is pure and is unit
 * tested and fuzzed on arbitrary input.
 */
#ifndef MCPOS_INIT_MEMINFO_H
#define MCPOS_INIT_MEMINFO_H

#include <stdint.h>

struct meminfo {
	uint64_t total_kib;	/* MemTotal: RAM the kernel manages */
	uint64_t available_kib;	/* MemAvailable: what can be allocated
				 * without swapping (the kernel's estimate) */
};

/* The value of "key:" in KiB.  The key must start a line and match
 * exactly ("Mem" does not match "MemTotal"); the value is decimal digits
 * followed by " kB" or the end of the line.  0 on success, -1 if the key is
 * absent, the value is not a number in kB, or it overflows. */
int meminfo_get(const char *text, const char *key, uint64_t *kib);

/* MemTotal and MemAvailable.  Kernels before 3.14 have no MemAvailable;
 * MemFree stands in for it then.  0 on success, -1 if either is missing. */
int meminfo_parse(const char *text, struct meminfo *m);

#endif
