/*
 * shutdown.h - the orderly end: services, everything else, then reboot(2).
 *
 * Signals to PID 1 choose the action (init.c maps them):
 *
 *   SIGTERM, SIGINT (ctrl-alt-del)  reboot
 *   SIGUSR1                         power off
 *   SIGUSR2                         halt
 *
 * The steps, each bounded in time so shutdown never hangs:
 *
 *   1. services, in reverse start order: SIGTERM to the service's process
 *      group; SIGKILL if it is still there after SHUTDOWN_SERVICE_MS; move
 *      on after another SHUTDOWN_SERVICE_MS even if it survives that.
 *   2. every other process: SIGTERM (and SIGCONT, so stopped ones can
 *      act on it) to all; SIGKILL after SHUTDOWN_OTHERS_MS; give up
 *      waiting after another SHUTDOWN_OTHERS_MS.
 *   3. sync, unmount what init mounted (lazily), sync, print
 *      "mcpos: <action>" on the console and call reboot(2).
 *
 * This module only decides and sends signals; the caller's event loop
 * reaps children, reports service exits, and calls shutdown_tick() at
 * shutdown_deadline().
 *
 * Safety: reboot(2) is called only by PID 1 outside test mode.  In test
 * mode (MCPOS_INIT_TEST=1, host tests) the final step prints the action
 * and tells the caller to exit instead.
 */
#ifndef MCPOS_INIT_SHUTDOWN_H
#define MCPOS_INIT_SHUTDOWN_H

#include "cmdline.h"
#include "log.h"
#include "mounts.h"
#include "supervise.h"

#define SHUTDOWN_SERVICE_MS 5000.0
#define SHUTDOWN_OTHERS_MS 2000.0

enum shutdown_phase {
	SHUTDOWN_NONE,		/* running normally */
	SHUTDOWN_SERVICES,	/* step 1 */
	SHUTDOWN_OTHERS,	/* step 2 */
	SHUTDOWN_FINAL,		/* step 3 is due */
};

struct shutdown {
	enum shutdown_phase phase;
	enum after_ready action;
	int victim;		/* service being stopped (step 1) */
	int killed;		/* SIGKILL sent in the current step */
	double deadline_ms;	/* of the current step */
	const struct log *log;
};

void shutdown_init(struct shutdown *sd, const struct log *lg);

/* Start shutting down (no-op if already started). */
void shutdown_begin(struct shutdown *sd, struct supervisor *sv, enum after_ready action);

/* Service i (from supervisor_child_exited) is gone. */
void shutdown_service_exited(struct shutdown *sd, struct supervisor *sv, int i);

/* The caller found no child left to wait for (waitpid gave ECHILD). */
void shutdown_no_children(struct shutdown *sd);

/* When the current step times out (CLOCK_BOOTTIME ms), 0 if none. */
double shutdown_deadline(const struct shutdown *sd);

/* Call at shutdown_deadline(): escalate or move on. */
void shutdown_tick(struct shutdown *sd, struct supervisor *sv, double now);

/* Step 3.  Returns 0 when the caller should exit (test mode), or -1 when
 * reboot(2) was refused or failed (logged): the caller stays up. */
int shutdown_final(struct shutdown *sd, struct mounts *m, int test_mode);

/* "reboot", "poweroff", "halt" (AFTER_NOTHING: "poweroff"). */
const char *shutdown_action_name(enum after_ready action);

/* The reboot(2) command for an action. */
int shutdown_reboot_cmd(enum after_ready action);

#endif
