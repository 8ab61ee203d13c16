/*
 * services.h - the declarative service table.
 *
 * A service is one line:
 *
 *   # name  stdio    oom_score_adj  ready   restart  argv...
 *   mcpd    console  -900           notify  always   /sbin/mcpd --stdio --serial ...
 *
 *   name           [A-Za-z0-9_.-], at most 31 characters, unique
 *   stdio          console (stdin/stdout on /dev/console, stderr to null),
 *                  null, or inherit (init's own fds).  In host tests
 *                  (MCPOS_INIT_TEST=1) console also means init's own fds,
 *                  never the host's console.
 *   oom_score_adj  -1000..1000; the protocol daemon gets -900 so the OOM
 *                  killer takes anything else first (init itself is -1000)
 *   ready          exec (ready once started) or notify: init passes a pipe
 *                  as fd 3 with MCPOS_READY_FD=3 and the service writes a
 *                  line to it when it is ready (s6's notification-fd idea)
 *   restart        always (supervised, restarted with backoff) or never
 *   argv           absolute program path and its arguments (at most 15)
 *
 * Blank lines and lines starting with '#' are ignored.  Services start in
 * table order and stop in reverse order.  The built-in table holds mcpd on
 * the console; mcpos.services=PATH replaces it (tests).
 */
#ifndef MCPOS_INIT_SERVICES_H
#define MCPOS_INIT_SERVICES_H

#include <stddef.h>

#define SERVICES_MAX 8
#define SERVICE_ARGV_MAX 16
#define SERVICE_LINE_MAX 512

enum service_stdio { STDIO_CONSOLE, STDIO_NULL, STDIO_INHERIT };

struct service_spec {
	char name[32];
	enum service_stdio stdio;
	int oom_score_adj;
	int notify;			/* readiness through fd 3 */
	int restart;			/* supervise and restart */
	char line[SERVICE_LINE_MAX];	/* storage the argv strings point into */
	char *argv[SERVICE_ARGV_MAX];	/* NULL-terminated */
};

struct service_table {
	struct service_spec svc[SERVICES_MAX];
	int count;
};

/* Parse a table.  0 on success; on error -1 with "line N: what" in err. */
int services_parse(const char *text, struct service_table *t,
		   char *err, size_t err_size);

/* The built-in table (never fails). */
void services_default(struct service_table *t);

#endif
