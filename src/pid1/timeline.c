/* timeline.c - see timeline.h */
#include "timeline.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void timeline_init(struct timeline *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->boot_ms = -1;
}

double timeline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void timeline_add(struct timeline *tl, const char *name, double ms)
{
	if (tl->count >= TIMELINE_MAX_STAGES)
		return;
	snprintf(tl->stage[tl->count].name, sizeof(tl->stage[0].name), "%s", name);
	tl->stage[tl->count].ms = ms;
	tl->count++;
}

int timeline_json(const struct timeline *tl, char *buf, size_t size)
{
	size_t used = 0;
	int n;

#define EMIT(...) do { \
	n = snprintf(buf + used, size - used, __VA_ARGS__); \
	if (n < 0 || (size_t)n >= size - used) return -1; \
	used += (size_t)n; \
} while (0)
	if (size == 0)
		return -1;
	EMIT("{\"clock\":\"boottime\",\"stages\":[");
	for (int i = 0; i < tl->count; i++) {
		/* Stage names are ours (service names come from a validated
		 * table): letters, digits, ':', '-', '_' and '.' only. */
		EMIT("%s{\"name\":\"%s\",\"ms\":%.3f}", i ? "," : "",
		     tl->stage[i].name, tl->stage[i].ms);
	}
	EMIT("]");
	if (tl->boot_ms >= 0)
		EMIT(",\"boot_ms\":%lld,\"mem_available_kib\":%llu", tl->boot_ms,
		     (unsigned long long)tl->mem_available_kib);
	EMIT("}\n");
#undef EMIT
	return (int)used;
}
