/*
 * loop.h - what mcpd's single epoll loop dispatches to.
 *
 * Every file descriptor in the loop is registered with a pointer to a
 * struct source embedded in its owner; when epoll reports it, the loop
 * calls ready() with the events.  Owners add, modify and delete their own
 * registrations.
 */
#ifndef MCPOS_MCPD_LOOP_H
#define MCPOS_MCPD_LOOP_H

#include <stdint.h>

struct source {
	void (*ready)(struct source *s, uint32_t events);
};

/* Monotonic milliseconds. */
uint64_t loop_now_ms(void);

#endif
