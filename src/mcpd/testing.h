/*
 * testing.h - tools registered only with --test, for the test suites:
 * slow_count (progress and cancellation), add_tool (list_changed) and
 * echo (arbitrary arguments back as structured content).
 */
#ifndef MCPOS_MCPD_TESTING_H
#define MCPOS_MCPD_TESTING_H

#include "mcp.h"

int testing_register(struct mcp_server *srv, const char **err);

#endif
