/* libFuzzer: the service table parser never crashes, and whatever it
 * accepts is well formed (absolute program, NULL-terminated argv). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pid1/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct service_table t;
	char *text = malloc(size + 1);
	char err[200];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (services_parse(text, &t, err, sizeof(err)) == 0) {
		for (int i = 0; i < t.count; i++) {
			int n = 0;
			if (!t.svc[i].argv[0] || t.svc[i].argv[0][0] != '/')
				abort();
			while (t.svc[i].argv[n])
				n++;
			if (n >= SERVICE_ARGV_MAX || !t.svc[i].name[0])
				abort();
		}
	} else if (strnlen(err, sizeof(err)) == 0) {
		abort();	/* an error always says what */
	}
	free(text);
	return 0;
}
