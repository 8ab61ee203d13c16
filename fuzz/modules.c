/* libFuzzer: the module list parser never crashes or loops, returns only
 * absolute paths, gives every refused line a reason, and stage names stay
 * JSON-safe whatever the path holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/modules.h"
#include "init/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct timeline tl;
	char *text = malloc(size + 1), *cursor;
	struct module_entry e;
	char stage[48], json[8192];
	int line = 0, r, entries = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cursor = text;
	timeline_init(&tl);
	while ((r = modules_next(&cursor, &line, &e)) != 0) {
		if (++entries > (int)size + 1)
			abort();	/* more entries than bytes: a loop */
		if (r < 0) {
			if (!e.why[0])
				abort();
			continue;
		}
		if (e.path[0] != '/' || strlen(e.params) >= MODULE_PARAMS_MAX)
			abort();
		modules_stage_name(e.path, stage, sizeof(stage));
		timeline_add(&tl, stage, "failed", 1.0);
	}
	if (timeline_json(&tl, json, sizeof(json)) < 0)
		abort();
	for (const char *p = json; *p; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20 ? *p != '\n' : 0)
			abort();
	free(text);
	return 0;
}
