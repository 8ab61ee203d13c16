/*
 * arena.h - bump allocation for data that dies all at once.
 *
 * A request's parse tree, its reply and every temporary string made while
 * answering it live in one arena; arena_reset() frees them together, so
 * nothing is freed one by one and nothing leaks when an error path returns
 * early.  Memory comes in blocks (the first one kept across resets, so a
 * steady stream of small requests does not touch malloc at all), and the
 * arena can be capped: past `limit` bytes arena_alloc() returns NULL, which
 * is how the JSON parser enforces its size limit.
 *
 *     struct arena a;
 *     arena_init(&a, 1 << 20);          (cap at 1 MiB; 0 = no cap)
 *     char *s = arena_alloc(&a, 100);   (16-byte aligned, NULL when capped)
 *     arena_reset(&a);                  (everything gone, first block kept)
 *     arena_free(&a);                   (everything gone)
 */
#ifndef MCPOS_ARENA_H
#define MCPOS_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;   /* newest block first */
	size_t limit;               /* max bytes handed out; 0 = unlimited */
	size_t used;                /* bytes handed out since the last reset */
};

void arena_init(struct arena *a, size_t limit);
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of s[0..len). */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* printf into the arena; NULL when out of memory. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
