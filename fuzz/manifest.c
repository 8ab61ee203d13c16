/*
 * fuzz/manifest.c - libFuzzer target for the mkcpio manifest parser.
 *
 * Besides not crashing, an accepted manifest must keep the parser's
 * promises (absolute, clean, unique paths whose parents are earlier dirs),
 * and must turn into an archive that the newc reader reads back entry for
 * entry.  A rejected one must say which line is to blame.
 */
#include "manifest.h"
#include "newc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct manifest_var vars[] = {
	{ "A", "a" },
	{ "D", "/d" },
	{ "SP", "x y" },
	{ "E", "" },
	{ "M", "0755" },
};

/* A sink that grows a buffer. */
struct membuf {
	unsigned char *buf;
	size_t len, cap;
};

static int membuf_write(void *ctx, const void *data, size_t len)
{
	struct membuf *b = ctx;
	if (len > b->cap - b->len) {
		size_t cap = (b->cap + len) * 2;
		unsigned char *p = realloc(b->buf, cap);
		if (!p)
			return -1;
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	return 0;
}

static void check_entries(const struct manifest *m)
{
	for (size_t i = 0; i < m->count; i++) {
		const struct manifest_entry *e = &m->entries[i];
		size_t len = strlen(e->path);
		if (e->path[0] != '/' || len < 2 || len >= MANIFEST_PATH_MAX ||
		    e->path[len - 1] == '/' || strstr(e->path, "//") ||
		    strstr(e->path, "/../") || strstr(e->path, "/./") || e->perm > 07777 ||
		    (len >= 2 && strcmp(e->path + len - 2, "/.") == 0) ||
		    (len >= 3 && strcmp(e->path + len - 3, "/..") == 0))
			abort();
		if ((e->kind == MANIFEST_FILE || e->kind == MANIFEST_SLINK) != (e->source != NULL))
			abort();
		size_t plen = (size_t)(strrchr(e->path, '/') - e->path);
		int parent_found = plen == 0;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->entries[j].path, e->path) == 0)
				abort();        /* a duplicate got through */
			if (strlen(m->entries[j].path) == plen &&
			    memcmp(m->entries[j].path, e->path, plen) == 0 &&
			    m->entries[j].kind == MANIFEST_DIR)
				parent_found = 1;
		}
		if (!parent_found)
			abort();
	}
}

/* Write the manifest as an archive (files empty) and read it back. */
static void round_trip(const struct manifest *m)
{
	struct membuf out = { 0 };
	struct newc_writer w;

	newc_writer_init(&w, membuf_write, &out);
	for (size_t i = 0; i < m->count; i++) {
		const struct manifest_entry *e = &m->entries[i];
		struct newc_header h = { .ino = (uint32_t)i + 1, .mode = e->perm, .nlink = 1 };
		static const uint32_t types[] = {
			[MANIFEST_DIR] = NEWC_S_IFDIR, [MANIFEST_FILE] = NEWC_S_IFREG,
			[MANIFEST_SLINK] = NEWC_S_IFLNK, [MANIFEST_NOD] = NEWC_S_IFCHR,
			[MANIFEST_PIPE] = NEWC_S_IFIFO, [MANIFEST_SOCK] = NEWC_S_IFSOCK,
		};
		h.mode |= types[e->kind];
		if (e->kind == MANIFEST_SLINK)
			h.filesize = (uint32_t)strlen(e->source);
		if (newc_begin_entry(&w, &h, e->path + 1) != 0 ||
		    newc_write_data(&w, e->source, e->kind == MANIFEST_SLINK ? h.filesize : 0) != 0 ||
		    newc_end_entry(&w) != 0)
			abort();
	}
	if (newc_write_trailer(&w) != 0)
		abort();

	struct newc_reader r;
	struct newc_entry e;
	struct newc_read_error err;
	size_t n = 0;
	int rc;
	newc_reader_init(&r, out.buf, out.len);
	while ((rc = newc_read_next(&r, &e, &err)) > 0) {
		if (n >= m->count || strcmp(e.name, m->entries[n].path + 1) != 0)
			abort();
		n++;
	}
	if (rc != 0 || n != m->count)
		abort();
	free(out.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	struct manifest_error err;

	if (manifest_parse(&m, (const char *)data, size, vars,
			   sizeof(vars) / sizeof(vars[0]), &err) != 0) {
		if (err.line == 0 || err.msg[0] == '\0' || m.count != 0)
			abort();
		return 0;
	}
	check_entries(&m);
	round_trip(&m);
	manifest_free(&m);
	return 0;
}
