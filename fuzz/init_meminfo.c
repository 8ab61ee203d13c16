/* libFuzzer: /proc/meminfo parsing and budget derivation never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pid1/budget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct machine_facts f = { .cpus = 2 };
	struct init_options o;
	struct derived_settings s;
	char json[1024];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	meminfo_get(text, "MemTotal", &f.mem_total_kib);
	meminfo_get(text, "MemAvailable", &f.mem_available_kib);
	memset(&o, 0, sizeof(o));
	f.mem_total_kib %= 1ull << 40;	/* KiB values a kernel can report */
	f.mem_available_kib %= 1ull << 40;
	budget_derive(&f, &o, &s);
	if (budget_json(&f, &s, &o, json, sizeof(json)) < 0)
		abort();
	free(text);
	return 0;
}
