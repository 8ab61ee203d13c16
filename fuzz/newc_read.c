/*
 * fuzz/newc_read.c - libFuzzer target for the newc reader (mkcpio -l).
 *
 * Whatever the bytes, the reader must stay inside the buffer (ASan checks
 * that), move forward on every entry, hand out names and data that lie
 * inside the buffer, and say where and why it refused.
 */
#include "newc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct newc_reader r;
	struct newc_entry e;
	struct newc_read_error err;
	size_t last = 0;
	int rc;

	newc_reader_init(&r, data, size);
	while ((rc = newc_read_next(&r, &e, &err)) > 0) {
		if (r.pos <= last || r.pos > size || r.pos % 4 != 0)
			abort();
		last = r.pos;
		const unsigned char *name = (const unsigned char *)e.name;
		if (name < data || name + e.h.namesize > data + size ||
		    strlen(e.name) + 1 != e.h.namesize)
			abort();
		if (e.data < data || e.data + e.h.filesize > data + size)
			abort();
	}
	if (rc < 0 && (err.msg[0] == '\0' || err.offset > size))
		abort();
	return 0;
}
