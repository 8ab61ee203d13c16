/* libFuzzer: init's kernel command line parser never crashes, always
 * NUL-terminates its error text, never leaves a relative root or services
 * path, and keeps every value inside its field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct init_options o;
	char errs[300];
	uint64_t v;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cmdline_parse(text, &o, errs, sizeof(errs));
	if (strnlen(errs, sizeof(errs)) == sizeof(errs))
		abort();
	if ((o.root[0] && o.root[0] != '/') || (o.services[0] && o.services[0] != '/'))
		abort();
	if (strnlen(o.root, sizeof(o.root)) == sizeof(o.root) ||
	    strnlen(o.services, sizeof(o.services)) == sizeof(o.services) ||
	    strnlen(o.net, sizeof(o.net)) == sizeof(o.net) ||
	    strnlen(o.http_token, sizeof(o.http_token)) == sizeof(o.http_token))
		abort();
	if (o.threads < 0 || o.threads > 256 || o.log > LOG_DEBUG)
		abort();
	parse_size(text, strnlen(text, 40), &v);
	free(text);
	return 0;
}
