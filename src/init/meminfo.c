/* meminfo.c - see meminfo.h */
#include "meminfo.h"

#include <string.h>

/* Parse the value part of a line: spaces, digits, then " kB" or the end. */
static int parse_kib(const char *p, uint64_t *kib)
{
	uint64_t v = 0;
	int digits = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (!digits)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == 'k' && p[1] == 'B')
		p += 2;
	if (*p != '\n' && *p != '\0')
		return -1;
	*kib = v;
	return 0;
}

int meminfo_get(const char *text, const char *key, uint64_t *kib)
{
	size_t klen = strlen(key);

	if (klen == 0)
		return -1;
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			return parse_kib(line + klen + 1, kib);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int meminfo_parse(const char *text, struct meminfo *m)
{
	if (meminfo_get(text, "MemTotal", &m->total_kib))
		return -1;
	if (meminfo_get(text, "MemAvailable", &m->available_kib) &&
	    meminfo_get(text, "MemFree", &m->available_kib))
		return -1;
	return 0;
}
