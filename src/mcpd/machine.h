/*
 * machine.h - the machine as MCP: tools that inspect and control the
 * system mcpd runs on, the resources that expose its state, and prompts
 * that put them to use.
 *
 * Tools: system_info, processes_list, process_signal, mounts,
 * kernel_log, boot_timeline, network_interfaces, thermal_zones, power.
 * Resources: mcpos://proc/meminfo, mcpos://boot/timeline (JSON and
 * .svg), mcpos://log (subscribable), template mcpos://proc/{pid}/status.
 * Prompts: diagnose_memory, summarise_boot.
 *
 * Everything reads /proc, /sys and the two files init writes
 * (/run/mcpos/config.json, boot.json); on a normal host the latter are
 * absent and the tools say so.  power acts only for the image's own mcpd
 * (opt.is_system_service): it signals init, which does the rest.
 */
#ifndef MCPOS_MCPD_MACHINE_H
#define MCPOS_MCPD_MACHINE_H

#include "mcp.h"

int machine_register(struct mcp_server *srv, const char **err);

#endif
