/* libFuzzer: /proc/meminfo parsing and the budgets derived from whatever it
 * yields never crash, and the derived numbers stay consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/budget.h"
#include "init/meminfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct machine_facts f = { .cpus = 2 };
	struct init_options o;
	struct derived_settings s;
	struct meminfo mi = { 0, 0 };
	uint64_t v;
	char json[1024];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	meminfo_get(text, "Cached", &v);
	if (meminfo_parse(text, &mi) == 0 && meminfo_get(text, "MemTotal", &v) != 0)
		abort();	/* parse succeeded without the key it needs */
	memset(&o, 0, sizeof(o));
	f.mem_total_kib = mi.total_kib % (1ull << 40);	/* what a kernel can report */
	f.mem_available_kib = mi.available_kib % (1ull << 40);
	budget_derive(&f, &o, &s);
	if (s.model_budget_bytes > f.mem_available_kib * 1024 || s.threads != 2)
		abort();
	if (budget_json(&f, &s, &o, json, sizeof(json)) < 0)
		abort();
	free(text);
	return 0;
}
