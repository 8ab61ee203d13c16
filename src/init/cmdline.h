/*
 * cmdline.h - the mcpos.* keys of the kernel command line.
 *
 * init has no configuration file: what it needs to know beyond the facts it
 * discovers (memory, CPUs) comes from these keys.  Everything else on the
 * command line belongs to the kernel and is ignored here.
 *
 *   mcpos.threads=N          LLM threads (default: the number of CPUs)
 *   mcpos.model_budget=SIZE  bytes for the model, K/M/G suffixes (default: derived)
 *   mcpos.log=quiet|info|debug  init's console verbosity (quiet: errors only)
 *   mcpos.after_ready=poweroff|reboot|halt   shut down once ready (tests)
 *   mcpos.boot_json=console  also print boot.json on the console when ready
 *   mcpos.services=PATH      service table file instead of the built-in one
 *   mcpos.root=PATH          do everything under PATH instead of / (host tests)
 *   mcpos.http_token=TOKEN   bearer token for mcpd's HTTP transport
 *   mcpos.net=ADDR/PREFIX[,GATEWAY]  configure eth0 (see net.h)
 *
 * A malformed value or an unknown mcpos.* key is reported (one line each in
 * the caller's buffer) and ignored: a typo on the command line must never
 * stop the machine from booting.
 */
#ifndef MCPOS_INIT_CMDLINE_H
#define MCPOS_INIT_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

enum after_ready { AFTER_NOTHING, AFTER_POWEROFF, AFTER_REBOOT, AFTER_HALT };

struct init_options {
	int threads;			/* 0: derive from the CPU count */
	uint64_t model_budget;		/* bytes; 0: derive from memory */
	enum log_level log;		/* LOG_ERROR is "quiet" */
	enum after_ready after_ready;
	int boot_json_console;
	char root[256];			/* "" means / */
	char services[256];		/* "" means the built-in table */
	char http_token[128];
	char net[64];			/* "": leave eth0 alone */
};

/* Pure (no I/O).  Fill *o with defaults, then apply the mcpos.* keys found in text.
 * Problems are appended to errs (NUL-terminated, one per line, truncated
 * to errs_size).  Returns the number of problems. */
int cmdline_parse(const char *text, struct init_options *o,
		  char *errs, size_t errs_size);

/* "512", "64K", "480M", "1G" -> bytes.  Returns 0 on success, -1 if the
 * text is not a size or overflows 64 bits. */
int parse_size(const char *text, size_t len, uint64_t *bytes);

#endif
