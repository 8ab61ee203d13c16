/*
 * json.h - strict RFC 8259 JSON: a parser into an arena tree and a writer.
 *
 * Parsing.  json_parse() accepts exactly the RFC 8259 grammar and nothing
 * more: no comments, no trailing commas, no BOM, no NaN, no leading zeros,
 * no control characters in strings, no duplicate object keys.  Strings must
 * be valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * are refused) and \u escapes must pair surrogates correctly.  Nesting
 * deeper than JSON_MAX_DEPTH is refused, and so is a document whose tree
 * would need more arena than the arena's limit.  A number written without
 * fraction or exponent that fits int64 is JSON_INT, exactly; any other
 * number is JSON_DOUBLE (and one that overflows a double is refused).
 *
 * On error json_parse() returns NULL and fills *err with the byte offset
 * and a message ("invalid UTF-8 in string", "nesting too deep", ...); the
 * arena may hold partial garbage, to be dropped with arena_reset().
 *
 *     struct json_error err;
 *     const struct json *doc = json_parse(&arena, text, len, &err);
 *     if (!doc) printf("at byte %zu: %s\n", err.offset, err.msg);
 *     const char *m = json_str(json_get(doc, "method"));   (NULL if absent)
 *
 * Strings are decoded, NUL-terminated and carry their length (they may
 * contain U+0000).  Object members keep document order; each is a node with
 * `key` set, linked through `next` like array elements.
 *
 * Writing.  struct jw appends JSON to a growable buffer, placing commas and
 * colons itself and escaping strings (control characters, quote,
 * backslash; invalid UTF-8 is replaced by U+FFFD so the output is always
 * valid JSON).  Errors (out of memory, over the limit) are sticky: write
 * everything, then check jw.failed once.
 *
 *     struct jw w;
 *     jw_init(&w, 1 << 20);
 *     jw_obj(&w); jw_key(&w, "id"); jw_int(&w, 7); jw_end_obj(&w);
 *     if (!w.failed) write(fd, w.buf, w.len);
 *     jw_free(&w);
 */
#ifndef MCPOS_JSON_H
#define MCPOS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define JSON_MAX_DEPTH 128

enum json_type {
	JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_INT, JSON_DOUBLE,
	JSON_STRING, JSON_ARRAY, JSON_OBJECT,
};

struct json {
	enum json_type type;
	const char *key;        /* member name when inside an object, else NULL */
	size_t key_len;
	struct json *next;      /* next element or member */
	union {
		int64_t i;                                  /* JSON_INT */
		double d;                                   /* JSON_DOUBLE */
		struct { const char *s; size_t len; } str;  /* JSON_STRING */
		struct { struct json *head; size_t count; } kids; /* ARRAY, OBJECT */
	} u;
};

struct json_error {
	size_t offset;
	const char *msg;
};

const struct json *json_parse(struct arena *a, const char *text, size_t len,
			      struct json_error *err);

/* Lookups: all accept NULL and return NULL / false on a type mismatch. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_str(const struct json *j);
bool json_is_number(const struct json *j);
bool json_is_bool(const struct json *j);
/* Integer value; also a double with an exact integer value in range. */
bool json_int(const struct json *j, int64_t *out);
double json_number(const struct json *j);
/* Structural equality (objects compare member by member, in any order;
 * an integer equals a double of the same value). */
bool json_equal(const struct json *a, const struct json *b);
/* Is s[0..len) valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)? */
bool json_utf8_valid(const char *s, size_t len);
const char *json_type_name(enum json_type t);

struct jw {
	char *buf;
	size_t len, cap, limit;     /* limit: max len; 0 = none */
	bool failed;
	unsigned depth;
	bool after_key;
	uint8_t has_item[JSON_MAX_DEPTH + 1];
};

void jw_init(struct jw *w, size_t limit);
void jw_reset(struct jw *w);            /* empty, keep the buffer */
void jw_free(struct jw *w);
void jw_obj(struct jw *w);
void jw_end_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_keyn(struct jw *w, const char *key, size_t len);
void jw_str(struct jw *w, const char *s);       /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t len);
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);         /* NaN, Inf write null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A value that is already JSON text (trusted: not checked). */
void jw_raw(struct jw *w, const char *json, size_t len);
void jw_value(struct jw *w, const struct json *j);
/* Append bytes outside the JSON structure (e.g. the "\n" framing). */
void jw_bytes(struct jw *w, const char *s, size_t len);
/* jw_str of printf output. */
void jw_strf(struct jw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
