/*
 * conformance.h - the fixtures the official conformance suite
 * (@modelcontextprotocol/conformance) calls by name: test_* tools,
 * test://... resources and test_* prompts.  Registered only with
 * --conformance, never in normal operation.
 */
#ifndef MCPOS_MCPD_CONFORMANCE_H
#define MCPOS_MCPD_CONFORMANCE_H

#include "mcp.h"

int conformance_register(struct mcp_server *srv, const char **err);

#endif
