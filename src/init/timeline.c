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

static void copy_safe(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < size; i++) {
		char c = src[i];
		int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == ':' || c == '.' ||
			   c == '_' || c == '-';
		dst[i] = safe ? c : '_';
	}
	dst[i] = '\0';
}

void timeline_add(struct timeline *tl, const char *name, const char *note, double ms)
{
	struct timeline_stage *st;

	if (tl->count >= TIMELINE_MAX_STAGES)
		return;
	st = &tl->stage[tl->count++];
	copy_safe(st->name, sizeof(st->name), name);
	copy_safe(st->note, sizeof(st->note), note);
	st->ms = ms;
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
		/* timeline_add() keeps names and notes JSON-safe. */
		const struct timeline_stage *st = &tl->stage[i];
		EMIT("%s{\"name\":\"%s\",\"ms\":%.3f", i ? "," : "", st->name, st->ms);
		if (st->note[0])
			EMIT(",\"note\":\"%s\"", st->note);
		EMIT("}");
	}
	EMIT("]");
	if (tl->boot_ms >= 0)
		EMIT(",\"boot_ms\":%lld,\"mem_available_kib\":%llu,\"mem_total_kib\":%llu",
		     tl->boot_ms, (unsigned long long)tl->mem_available_kib,
		     (unsigned long long)tl->mem_total_kib);
	EMIT("}\n");
#undef EMIT
	return (int)used;
}
