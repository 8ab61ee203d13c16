/* libFuzzer: init's kernel command line parser never crashes, always
 * NUL-terminates its error text, and never leaves a relative root. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pid1/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct init_options o;
	char errs[300];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cmdline_parse(text, &o, errs, sizeof(errs));
	if (strnlen(errs, sizeof(errs)) == sizeof(errs) || (o.root[0] && o.root[0] != '/') ||
	    strnlen(o.root, sizeof(o.root)) == sizeof(o.root))
		abort();
	uint64_t v;
	parse_size(text, size < 40 ? strlen(text) : 40, &v);
	free(text);
	return 0;
}
