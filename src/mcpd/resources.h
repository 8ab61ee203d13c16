/*
 * resources.h - the machine's resources and prompts (see machine.h):
 *
 *   mcpos://proc/meminfo        text/plain        /proc/meminfo
 *   mcpos://boot/timeline       application/json  init's boot.json
 *   mcpos://boot/timeline.svg   image/svg+xml     the same as a bar chart
 *   mcpos://log                 text/plain        mcpd's log ring; subscribable
 *   mcpos://proc/{pid}/status   text/plain        template, pid completable
 *
 * and the prompts diagnose_memory and summarise_boot, which embed them.
 */
#ifndef MCPOS_MCPD_RESOURCES_H
#define MCPOS_MCPD_RESOURCES_H

#include "mcp.h"

int resources_register(struct mcp_server *srv, const char **err);

/* The boot timeline (boot.json text) as an SVG bar chart; NULL if the
 * JSON does not have the expected shape.  Exposed for tests. */
char *boot_svg(struct arena *a, const struct json *boot, size_t *len);

#endif
