/*
 * manifest.c - parse an mkcpio manifest (the format is in manifest.h).
 *
 * One pass over the text, one line at a time: split the line into fields,
 * substitute ${NAME} inside each field, check the fields, then check the
 * entry against the ones before it (parent declared, path not seen).  The
 * paths seen so far are in an open-addressing hash table, so a manifest of
 * n lines costs O(n) however deep its tree is.
 */
#include "manifest.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---------------------------------------------------------------
 * A chain of malloc'd blocks; everything the manifest points to lives here
 * and goes away in one manifest_free().  The flexible max_align_t member
 * puts the data right after the header at the strictest alignment. */

#define ARENA_BLOCK_SIZE 65536

struct manifest_arena {
	struct manifest_arena *next;
	size_t size, used;
	max_align_t data[];
};

static void *arena_alloc(struct manifest_arena **arena, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct manifest_arena *b = *arena;

	if (n > SIZE_MAX / 4)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK_SIZE ? n : ARENA_BLOCK_SIZE;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = *arena;
		b->size = size;
		b->used = 0;
		*arena = b;
	}
	void *p = (unsigned char *)b->data + b->used;
	b->used += n;
	return p;
}

static void arena_free(struct manifest_arena *arena)
{
	while (arena) {
		struct manifest_arena *next = arena->next;
		free(arena);
		arena = next;
	}
}

/* ---- the parser's state ------------------------------------------------- */

/* The most fields any kind takes (nod, counting the kind). */
#define MAX_FIELDS 8

/* How much of an offending field an error message quotes. */
#define QUOTE_MAX 200
#define QUOTE(n) ((int)((n) > QUOTE_MAX ? QUOTE_MAX : (n)))

struct field {
	const char *s;
	size_t len;
};

struct parser {
	struct manifest *m;
	size_t capacity;                /* of m->entries */
	size_t *slots;                  /* hash of paths: entry index + 1, 0 = empty */
	size_t nslots;                  /* a power of two */
	const struct manifest_var *vars;
	size_t nvars;
	struct manifest_error *err;
	unsigned line;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const struct {
	const char *name;
	enum manifest_kind kind;
	size_t nfields;                 /* counting the kind itself */
	const char *syntax;
} kinds[] = {
	{ "dir",   MANIFEST_DIR,   5, "dir PATH MODE UID GID" },
	{ "file",  MANIFEST_FILE,  6, "file PATH SOURCE MODE UID GID" },
	{ "slink", MANIFEST_SLINK, 6, "slink PATH TARGET MODE UID GID" },
	{ "nod",   MANIFEST_NOD,   8, "nod PATH MODE UID GID c|b MAJ MIN" },
	{ "pipe",  MANIFEST_PIPE,  5, "pipe PATH MODE UID GID" },
	{ "sock",  MANIFEST_SOCK,  5, "sock PATH MODE UID GID" },
};

const char *manifest_kind_name(enum manifest_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

/* ---- the table of paths seen -------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037u;     /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

/* The slot that holds path, or the empty slot where it would go. */
static size_t *table_slot(struct parser *p, const char *path, size_t len)
{
	size_t mask = p->nslots - 1;
	size_t i = (size_t)hash_bytes(path, len) & mask;

	for (;;) {
		size_t *slot = &p->slots[i];
		if (*slot == 0)
			return slot;
		const char *other = p->m->entries[*slot - 1].path;
		if (strncmp(other, path, len) == 0 && other[len] == '\0')
			return slot;
		i = (i + 1) & mask;
	}
}

static const struct manifest_entry *table_find(struct parser *p,
					       const char *path, size_t len)
{
	if (p->nslots == 0)
		return NULL;
	size_t *slot = table_slot(p, path, len);
	return *slot ? &p->m->entries[*slot - 1] : NULL;
}

/* Make room for one more path, keeping the load factor under one half. */
static int table_reserve(struct parser *p)
{
	if ((p->m->count + 1) * 2 <= p->nslots)
		return 0;
	size_t nslots = p->nslots ? p->nslots * 2 : 64;
	size_t *slots = arena_alloc(&p->m->arena, nslots * sizeof(*slots));
	if (!slots)
		return fail(p, "out of memory");
	memset(slots, 0, nslots * sizeof(*slots));
	p->slots = slots;
	p->nslots = nslots;
	for (size_t i = 0; i < p->m->count; i++) {
		const char *path = p->m->entries[i].path;
		*table_slot(p, path, strlen(path)) = i + 1;
	}
	return 0;
}

/* ---- fields ------------------------------------------------------------- */

int manifest_var_name_valid(const char *name, size_t len)
{
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static const struct manifest_var *var_find(struct parser *p,
					   const char *name, size_t len)
{
	for (size_t i = p->nvars; i-- > 0;) {
		const char *v = p->vars[i].name;
		if (strncmp(v, name, len) == 0 && v[len] == '\0')
			return &p->vars[i];
	}
	return NULL;
}

/*
 * Substitute ${NAME} in f.  With out == NULL only measures (and checks);
 * otherwise writes the result to out, which has room for *outlen bytes.
 */
static int substitute(struct parser *p, struct field f, char *out, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < f.len;) {
		const char *piece = f.s + i;
		size_t plen = 1;

		if (f.s[i] == '$' && i + 1 < f.len && f.s[i + 1] == '{') {
			const char *name = f.s + i + 2;
			const char *close = memchr(name, '}', f.len - i - 2);
			if (!close)
				return fail(p, "unterminated ${ in '%.*s'",
					    QUOTE(f.len), f.s);
			size_t nlen = (size_t)(close - name);
			if (!manifest_var_name_valid(name, nlen))
				return fail(p, "bad variable name '${%.*s}'",
					    QUOTE(nlen), name);
			const struct manifest_var *v = var_find(p, name, nlen);
			if (!v)
				return fail(p, "undefined variable ${%.*s}",
					    QUOTE(nlen), name);
			piece = v->value;
			plen = strlen(v->value);
			i += nlen + 3;
		} else {
			i++;
		}
		if (plen > MANIFEST_FIELD_MAX - o)
			return fail(p, "field '%.*s' is longer than %d bytes after substitution",
				    QUOTE(f.len), f.s, MANIFEST_FIELD_MAX);
		if (out)
			memcpy(out + o, piece, plen);
		o += plen;
	}
	*outlen = o;
	return 0;
}

/* The field, substituted, as a NUL-terminated string in the arena. */
static char *field_string(struct parser *p, struct field f)
{
	size_t len;

	if (substitute(p, f, NULL, &len) != 0)
		return NULL;
	char *s = arena_alloc(&p->m->arena, len + 1);
	if (!s) {
		fail(p, "out of memory");
		return NULL;
	}
	substitute(p, f, s, &len);
	s[len] = '\0';
	return s;
}

static int parse_mode(struct parser *p, const char *s, uint32_t *out)
{
	uint32_t v = 0;

	if (!*s)
		return fail(p, "empty MODE");
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '7')
			return fail(p, "bad MODE '%.*s': expected octal digits",
				    QUOTE(strlen(s)), s);
		v = v * 8 + (uint32_t)(*c - '0');
		if (v > 07777)
			return fail(p, "bad MODE '%.*s': more than 07777",
				    QUOTE(strlen(s)), s);
	}
	*out = v;
	return 0;
}

static int parse_decimal(struct parser *p, const char *what, const char *s,
			 uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return fail(p, "empty %s", what);
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return fail(p, "bad %s '%.*s': expected a decimal number",
				    what, QUOTE(strlen(s)), s);
		v = v * 10 + (uint64_t)(*c - '0');
		if (v > max)
			return fail(p, "bad %s '%.*s': more than %lu",
				    what, QUOTE(strlen(s)), s, (unsigned long)max);
	}
	*out = (uint32_t)v;
	return 0;
}

static int has_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int check_path(struct parser *p, const char *path)
{
	size_t len = strlen(path);

	if (path[0] != '/')
		return fail(p, "PATH '%.*s' is not absolute", QUOTE(len), path);
	if (len == 1)
		return fail(p, "PATH / is the root, which always exists: it cannot be an entry");
	if (len >= MANIFEST_PATH_MAX)
		return fail(p, "PATH '%.*s...' is too long (%zu bytes, at most %d)",
			    QUOTE(len), path, len, MANIFEST_PATH_MAX - 1);
	if (has_control_char(path))
		return fail(p, "PATH '%.*s' has a control character", QUOTE(len), path);
	for (const char *c = path + 1;;) {
		const char *slash = strchr(c, '/');
		size_t clen = slash ? (size_t)(slash - c) : strlen(c);
		if (clen == 0)
			return fail(p, "PATH '%s' has an empty component", path);
		if (clen == 1 && c[0] == '.')
			return fail(p, "PATH '%s' has a '.' component", path);
		if (clen == 2 && c[0] == '.' && c[1] == '.')
			return fail(p, "PATH '%s' has a '..' component", path);
		if (clen > MANIFEST_NAME_MAX)
			return fail(p, "PATH '%.*s...' has a component longer than %d bytes",
				    QUOTE(len), path, MANIFEST_NAME_MAX);
		if (!slash)
			return 0;
		c = slash + 1;
	}
}

/* The parent must be declared, as a directory, and the path must be new. */
static int check_place(struct parser *p, const char *path)
{
	size_t len = strlen(path);
	const struct manifest_entry *e = table_find(p, path, len);
	if (e)
		return fail(p, "duplicate path %s (first on line %u)", path, e->line);

	size_t plen = (size_t)(strrchr(path, '/') - path);
	if (plen == 0)
		return 0;       /* the parent is the root */
	const struct manifest_entry *parent = table_find(p, path, plen);
	if (!parent)
		return fail(p, "parent directory %.*s of %s is not declared before this line",
			    (int)plen, path, path);
	if (parent->kind != MANIFEST_DIR)
		return fail(p, "parent %.*s of %s is a %s (line %u), not a dir",
			    (int)plen, path, path, manifest_kind_name(parent->kind),
			    parent->line);
	return 0;
}

/* ---- lines -------------------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split a line into fields, up to a comment; returns how many there are,
 * which may be more than max: only the first max are stored, and the
 * count is enough to say "too many". */
static size_t split(const char *line, size_t len, struct field *fields, size_t max)
{
	size_t n = 0, i = 0;

	for (;;) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i == len || line[i] == '#')
			return n;
		size_t start = i;
		while (i < len && !is_blank(line[i]))
			i++;
		if (n < max)
			fields[n] = (struct field){ line + start, i - start };
		n++;
	}
}

static int append(struct parser *p, const struct manifest_entry *e)
{
	struct manifest *m = p->m;

	if (table_reserve(p) != 0)
		return -1;
	if (m->count == p->capacity) {
		size_t capacity = p->capacity ? p->capacity * 2 : 64;
		struct manifest_entry *entries =
			arena_alloc(&m->arena, capacity * sizeof(*entries));
		if (!entries)
			return fail(p, "out of memory");
		if (m->count)
			memcpy(entries, m->entries, m->count * sizeof(*entries));
		m->entries = entries;
		p->capacity = capacity;
	}
	m->entries[m->count] = *e;
	*table_slot(p, e->path, strlen(e->path)) = m->count + 1;
	m->count++;
	return 0;
}

static int parse_line(struct parser *p, const char *line, size_t len)
{
	struct field f[MAX_FIELDS];
	size_t n = split(line, len, f, MAX_FIELDS);
	size_t k;

	if (memchr(line, '\0', len))
		return fail(p, "NUL byte in the line");
	if (n == 0)
		return 0;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strlen(kinds[k].name) == f[0].len &&
		    memcmp(kinds[k].name, f[0].s, f[0].len) == 0)
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return fail(p, "unknown kind '%.*s' (expected dir, file, slink, nod, pipe or sock)",
			    QUOTE(f[0].len), f[0].s);
	if (n < kinds[k].nfields)
		return fail(p, "too few fields for %s: expected '%s'",
			    kinds[k].name, kinds[k].syntax);
	if (n > kinds[k].nfields)
		return fail(p, "too many fields for %s: expected '%s'",
			    kinds[k].name, kinds[k].syntax);

	char *s[MAX_FIELDS];
	for (size_t i = 1; i < n; i++)
		if (!(s[i] = field_string(p, f[i])))
			return -1;

	struct manifest_entry e = {
		.kind = kinds[k].kind,
		.line = p->line,
		.path = s[1],
	};
	if (check_path(p, e.path) != 0)
		return -1;

	/* Where MODE UID GID start: after the SOURCE or TARGET, if any. */
	size_t at = 2;
	if (e.kind == MANIFEST_FILE || e.kind == MANIFEST_SLINK) {
		const char *what = e.kind == MANIFEST_FILE ? "SOURCE" : "TARGET";
		e.source = s[2];
		if (!*e.source)
			return fail(p, "empty %s", what);
		if (e.kind == MANIFEST_SLINK) {
			size_t tlen = strlen(e.source);
			if (tlen >= MANIFEST_PATH_MAX)
				return fail(p, "TARGET is too long (%zu bytes, at most %d)",
					    tlen, MANIFEST_PATH_MAX - 1);
			if (has_control_char(e.source))
				return fail(p, "TARGET '%.*s' has a control character",
					    QUOTE(tlen), e.source);
		}
		at = 3;
	}
	if (parse_mode(p, s[at], &e.perm) != 0 ||
	    parse_decimal(p, "UID", s[at + 1], UINT32_MAX, &e.uid) != 0 ||
	    parse_decimal(p, "GID", s[at + 2], UINT32_MAX, &e.gid) != 0)
		return -1;
	if (e.kind == MANIFEST_NOD) {
		if ((s[5][0] != 'c' && s[5][0] != 'b') || s[5][1] != '\0')
			return fail(p, "bad device type '%.*s': expected c or b",
				    QUOTE(strlen(s[5])), s[5]);
		e.devtype = s[5][0];
		/* dev_t in the kernel: 12 bits of major, 20 of minor. */
		if (parse_decimal(p, "MAJ", s[6], 4095, &e.major) != 0 ||
		    parse_decimal(p, "MIN", s[7], 1048575, &e.minor) != 0)
			return -1;
	}
	if (check_place(p, e.path) != 0)
		return -1;
	return append(p, &e);
}

int manifest_parse(struct manifest *m, const char *text, size_t len,
		   const struct manifest_var *vars, size_t nvars,
		   struct manifest_error *err)
{
	struct parser p = {
		.m = m, .vars = vars, .nvars = nvars, .err = err, .line = 0,
	};

	*m = (struct manifest){ 0 };
	err->line = 0;
	err->msg[0] = '\0';
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		p.line++;
		if (parse_line(&p, text + pos, end - pos) != 0) {
			manifest_free(m);
			return -1;
		}
		pos = end + 1;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	arena_free(m->arena);
	*m = (struct manifest){ 0 };
}
