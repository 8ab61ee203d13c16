/* libFuzzer: the service table parser never crashes, and whatever it
 * accepts is well formed (named, absolute program, NULL-terminated argv). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct service_table t;
	char *text = malloc(size + 1);
	char err[200];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (services_parse(text, &t, err, sizeof(err)) == 0) {
		if (t.count < 0 || t.count > SERVICES_MAX)
			abort();
		for (int i = 0; i < t.count; i++) {
			int n = 0;
			if (!t.svc[i].argv[0] || t.svc[i].argv[0][0] != '/')
				abort();
			while (t.svc[i].argv[n])
				n++;
			if (n >= SERVICE_ARGV_MAX || !t.svc[i].name[0])
				abort();
			if (t.svc[i].oom_score_adj < -1000 || t.svc[i].oom_score_adj > 1000)
				abort();
		}
	} else if (strnlen(err, sizeof(err)) == 0) {
		abort();	/* an error always says what */
	}
	free(text);
	return 0;
}
