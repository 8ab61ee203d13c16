/* shutdown.c - see shutdown.h */
#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

void shutdown_init(struct shutdown *sd, const struct log *lg)
{
	memset(sd, 0, sizeof(*sd));
	sd->log = lg;
}

const char *shutdown_action_name(enum after_ready action)
{
	return action == AFTER_REBOOT ? "reboot" : action == AFTER_HALT ? "halt" : "poweroff";
}

int shutdown_reboot_cmd(enum after_ready action)
{
	return action == AFTER_REBOOT ? RB_AUTOBOOT :
	       action == AFTER_HALT ? RB_HALT_SYSTEM : RB_POWER_OFF;
}

static void stop_others(struct shutdown *sd)
{
	sd->phase = SHUTDOWN_OTHERS;
	sd->killed = 0;
	sd->deadline_ms = timeline_now_ms() + SHUTDOWN_OTHERS_MS;
	log_debug(sd->log, "stopping all other processes");
	/* kill(-1) spares the caller (PID 1) and kernel threads. */
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
}

/* Signal the next running service at or below sd->victim, or go to step 2. */
static void stop_next_service(struct shutdown *sd, struct supervisor *sv)
{
	while (sd->victim >= 0 && sv->run[sd->victim].pid <= 0)
		sd->victim--;
	if (sd->victim < 0) {
		stop_others(sd);
		return;
	}
	log_info(sd->log, "stopping %s", sv->table.svc[sd->victim].name);
	sd->killed = 0;
	sd->deadline_ms = timeline_now_ms() + SHUTDOWN_SERVICE_MS;
	supervisor_signal(sv, sd->victim, SIGTERM);
	supervisor_signal(sv, sd->victim, SIGCONT);
}

void shutdown_begin(struct shutdown *sd, struct supervisor *sv, enum after_ready action)
{
	if (sd->phase != SHUTDOWN_NONE)
		return;
	sd->action = action == AFTER_NOTHING ? AFTER_POWEROFF : action;
	sd->phase = SHUTDOWN_SERVICES;
	log_info(sd->log, "%s requested: stopping services", shutdown_action_name(sd->action));
	supervisor_hold(sv);
	sd->victim = sv->table.count - 1;
	stop_next_service(sd, sv);
}

void shutdown_service_exited(struct shutdown *sd, struct supervisor *sv, int i)
{
	if (sd->phase == SHUTDOWN_SERVICES && i == sd->victim) {
		sd->victim--;
		stop_next_service(sd, sv);
	}
}

void shutdown_no_children(struct shutdown *sd)
{
	if (sd->phase == SHUTDOWN_OTHERS)
		sd->phase = SHUTDOWN_FINAL;
}

double shutdown_deadline(const struct shutdown *sd)
{
	return sd->phase == SHUTDOWN_SERVICES || sd->phase == SHUTDOWN_OTHERS ?
	       sd->deadline_ms : 0;
}

void shutdown_tick(struct shutdown *sd, struct supervisor *sv, double now)
{
	if (now < sd->deadline_ms)
		return;
	if (sd->phase == SHUTDOWN_SERVICES) {
		const char *name = sv->table.svc[sd->victim].name;
		if (!sd->killed) {
			log_error(sd->log, "service %s: did not stop in time; killing it", name);
			supervisor_signal(sv, sd->victim, SIGKILL);
			sd->killed = 1;
			sd->deadline_ms = now + SHUTDOWN_SERVICE_MS;
		} else {
			log_error(sd->log, "service %s: survives SIGKILL; going on", name);
			sd->victim--;
			stop_next_service(sd, sv);
		}
	} else if (sd->phase == SHUTDOWN_OTHERS) {
		if (!sd->killed) {
			log_info(sd->log, "processes left after SIGTERM; killing them");
			kill(-1, SIGKILL);
			sd->killed = 1;
			sd->deadline_ms = now + SHUTDOWN_OTHERS_MS;
		} else {
			/* Stuck in the kernel (D state): nothing more to do. */
			log_error(sd->log, "processes survive SIGKILL; going on");
			sd->phase = SHUTDOWN_FINAL;
		}
	}
}

int shutdown_final(struct shutdown *sd, struct mounts *m, int test_mode)
{
	const char *name = shutdown_action_name(sd->action);

	sync();
	mounts_release(m);
	if (!test_mode && mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) != 0)
		log_debug(sd->log, "remount / read-only: %s", strerror(errno));
	sync();
	/* The console line is the interface: always printed. */
	log_error(sd->log, "%s", name);
	if (test_mode)
		return 0;
	if (getpid() != 1) {
		log_error(sd->log, "not PID 1: refusing to call reboot()");
		return -1;
	}
	reboot(shutdown_reboot_cmd(sd->action));
	log_error(sd->log, "reboot(%s) failed: %s; staying up (rescue)", name, strerror(errno));
	sd->phase = SHUTDOWN_NONE;
	return -1;
}
