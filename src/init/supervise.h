/*
 * supervise.h - start the services of the table and keep them running.
 *
 * For each service (services.h) the supervisor forks a child that gets its
 * own session (so a stop signal reaches the whole process group), its
 * stdio, its oom_score_adj and, for ready=notify, a pipe as fd 3 with
 * MCPOS_READY_FD=3 in the environment; then it execs the program.
 *
 * Readiness, as s6 does it: the service writes a line to fd 3 once it
 * serves.  A ready=exec service is ready once started.  A service that
 * closes fd 3 without a line did not get ready: that start counts as
 * failed (logged, noted "failed" in the timeline, no backoff reset).
 * During boot, each service's first outcome becomes a timeline stage
 * "service:<name>"; supervisor_give_up() settles the ones still pending
 * when the boot's ready timeout passes, so boot never hangs on a service.
 *
 * Restarts (restart=always): a service that exits is started again after a
 * backoff: 100 ms, doubling on each quick exit up to 10 s, and back to
 * 100 ms once a run lasted 10 s.  Restarts are due times, not sleeps: the
 * caller's event loop asks supervisor_next_due() when to wake up and calls
 * supervisor_run_due() then.
 *
 * A service whose program is missing is logged and never started (the boot
 * still reaches ready without it).
 *
 * The supervisor does not wait for children itself: the caller reaps every
 * child (orphans included) and reports each exit with
 * supervisor_child_exited().  Readiness pipes are registered in the
 * caller's epoll set with data.u32 = the service's index (0..SERVICES_MAX-1).
 */
#ifndef MCPOS_INIT_SUPERVISE_H
#define MCPOS_INIT_SUPERVISE_H

#include <sys/types.h>

#include "log.h"
#include "services.h"
#include "timeline.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	10000
#define BACKOFF_STABLE_MS 10000.0	/* a run this long resets the backoff */

enum service_state {
	SVC_DOWN,	/* not running (a restart may be due) */
	SVC_STARTING,	/* running, readiness not reported yet */
	SVC_UP,		/* running and ready */
	SVC_UNREADY,	/* running, but closed fd 3 without a line */
	SVC_MISSING,	/* program missing: never started */
};

struct service_run {
	enum service_state state;
	pid_t pid;		/* 0 when not running */
	int ready_fd;		/* read end of the readiness pipe, or -1 */
	int settled;		/* its boot stage is recorded */
	double started_ms;
	double restart_at_ms;	/* 0: no restart due */
	int backoff_ms;		/* last backoff used; 0 before the first */
	unsigned restarts;
};

struct supervisor {
	struct service_table table;
	struct service_run run[SERVICES_MAX];
	int epfd;		/* caller's epoll set */
	int console_is_stdout;	/* stdio=console means init's own fds (tests) */
	const char *root;	/* prefix for /dev paths ("" for /) */
	const char *http_token;	/* passed as MCPOS_HTTP_TOKEN if not "" */
	int holding;		/* shutting down: no more restarts */
	const struct log *log;
	struct timeline *tl;
};

void supervisor_init(struct supervisor *sv, const struct service_table *table,
		     int epfd, struct timeline *tl, const struct log *lg);

/* Start service i now (fork + exec).  Failures are logged and, for a
 * restart=always service, retried after the longest backoff. */
void supervisor_start(struct supervisor *sv, int i);
void supervisor_start_all(struct supervisor *sv);

/* The readiness pipe of service i is readable. */
void supervisor_readiness(struct supervisor *sv, int i);

/* A reaped child.  Returns the service index, or -1 if pid was not a
 * service (an orphan).  Logs the exit and schedules a restart unless the
 * supervisor is holding. */
int supervisor_child_exited(struct supervisor *sv, pid_t pid, int status);

/* 1 when every service has its boot stage recorded. */
int supervisor_boot_settled(const struct supervisor *sv);

/* Settle every pending service as "timeout" (logged). */
void supervisor_give_up(struct supervisor *sv);

/* Earliest due restart (CLOCK_BOOTTIME ms), 0 if none. */
double supervisor_next_due(const struct supervisor *sv);

/* Start the services whose restart is due at now. */
void supervisor_run_due(struct supervisor *sv, double now);

/* Shutdown: cancel due restarts and never restart again. */
void supervisor_hold(struct supervisor *sv);

/* Send sig to service i's process group.  0 if sent, -1 if not running. */
int supervisor_signal(struct supervisor *sv, int i, int sig);

/* The backoff before the next start: BACKOFF_MIN_MS after the first exit
 * or after a run of BACKOFF_STABLE_MS, else twice the last, at most
 * BACKOFF_MAX_MS.  failed_start: the run never got ready, so its length
 * does not count as stable.  Pure. */
int backoff_next(int last_ms, double uptime_ms, int failed_start);

#endif
