/*
 * init.c - PID 1 of mcpos: boot, then one event loop for the machine's life.
 *
 * Boot, each step a stage of the timeline (timeline.h, /run/mcpos/boot.json):
 *
 *   kernel   CLOCK_BOOTTIME as init starts: the kernel's share of the boot
 *   mounts   /proc, /sys, /dev, and the tmpfs sized from MemTotal (mounts.h)
 *   config   facts + mcpos.* keys -> /run/mcpos/config.json (budget.h)
 *   module:* each module of /etc/mcpos/modules (modules.h)
 *   network  eth0 configured from mcpos.net= (net.h), if given
 *   service:* each service ready, failed or timed out (supervise.h)
 *   ready    all services settled: the console gets exactly
 *
 *       mcpos: ready boot_ms=<n> mem_available_kib=<n>
 *
 * then the event loop: epoll over a signalfd (children, shutdown signals),
 * a timerfd (restart backoff, ready timeout, shutdown steps; one absolute
 * CLOCK_BOOTTIME deadline, the earliest of them) and the services'
 * readiness pipes.  Every child is reaped with waitpid(-1, WNOHANG),
 * orphans included.  Shutdown signals (shutdown.h):
 *
 *   SIGTERM, SIGINT (ctrl-alt-del)  reboot
 *   SIGUSR1                         power off
 *   SIGUSR2                         halt
 *
 * Console: init writes its log lines ("mcpos: " prefix, log.h) to
 * /dev/console, or to /dev/kmsg if there is no console.
 *
 * PID 1 never exits, whatever fails:
 *   - a mount, module, service or file that fails is logged and the boot
 *     goes on without it; a service that never reports ready is given up on
 *     after READY_TIMEOUT_MS, so "ready" is always reached.
 *   - no /proc (so no command line and no meminfo): logged as "rescue:",
 *     the boot goes on with defaults (512 MiB assumed) so the protocol
 *     daemon can still be reached to look at the machine.
 *   - no event loop (signalfd/timerfd/epoll cannot be made): the rescue
 *     state.  init logs "rescue:" and waits for signals with sigwaitinfo(2)
 *     only: it keeps reaping children and still powers off, reboots or
 *     halts on the signals above.  No service is supervised then.
 *
 * Host tests: with MCPOS_INIT_TEST=1 the command line comes from
 * MCPOS_CMDLINE, mcpos.root=DIR prefixes every path init touches,
 * stdio=console means init's own stdout, modules are not loaded, the
 * kernel's tunables are left alone, and shutdown ends with "mcpos: <action>"
 * and exit status 0 instead of reboot(2).  Outside a test init refuses to
 * run unless it is PID 1, and shutdown refuses reboot(2) unless it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "cmdline.h"
#include "fsutil.h"
#include "log.h"
#include "meminfo.h"
#include "modules.h"
#include "mounts.h"
#include "net.h"
#include "services.h"
#include "shutdown.h"
#include "supervise.h"
#include "timeline.h"

#define READY_TIMEOUT_MS 10000.0

/* epoll tags; 0..SERVICES_MAX-1 are the services' readiness pipes. */
#define TAG_SIGNAL 100
#define TAG_TIMER 101

struct init {
	int test_mode;
	struct init_options opts;
	struct log log;
	struct timeline tl;
	int published;			/* stages in the last boot.json */
	struct mounts mounts;
	struct machine_facts facts;
	struct derived_settings settings;
	struct supervisor sv;
	struct shutdown sd;
	int epfd, sigfd, timerfd;
	int ready;			/* the ready line was printed */
	double ready_deadline_ms;
};

/* ---- console ------------------------------------------------------------ */

/* Make /dev/console (or /dev/kmsg) init's stdout and stderr.  The kernel
 * normally hands init the console already; this also covers an image
 * without the /dev/console node.  0 on success. */
static int console_attach(struct init *in)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fcntl(0, F_GETFD) < 0 && fd != 0)
		dup2(fd, 0);
	if (fd != 1)
		dup2(fd, 1);
	if (fd != 2)
		dup2(fd, 2);
	if (fd > 2)
		close(fd);
	else
		fcntl(fd, F_SETFD, 0);	/* a standard fd is inherited by services */
	in->log.fd = 1;
	return 0;
}

/* ---- boot steps --------------------------------------------------------- */

static void read_options(struct init *in)
{
	char cmdline[4096], errs[1024];
	const char *text = "";

	if (in->test_mode) {
		text = getenv("MCPOS_CMDLINE") ? getenv("MCPOS_CMDLINE") : "";
	} else if (mounts_proc(&in->mounts) != 0 ||
		   file_read("/proc/cmdline", cmdline, sizeof(cmdline)) < 0) {
		log_error(&in->log, "rescue: cannot read /proc/cmdline (%s); using defaults",
			  strerror(errno));
	} else {
		text = cmdline;
	}
	if (cmdline_parse(text, &in->opts, errs, sizeof(errs)))
		for (char *save, *line = strtok_r(errs, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			log_error(&in->log, "command line: %s", line);
	if (!in->test_mode)
		in->opts.root[0] = '\0';	/* only host tests relocate */
	in->log.level = in->opts.log;
}

static void discover(struct init *in)
{
	char text[8192];
	struct meminfo mi;

	in->facts.cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (in->facts.cpus < 1)
		in->facts.cpus = 1;
	if (file_read("/proc/meminfo", text, sizeof(text)) < 0 || meminfo_parse(text, &mi)) {
		log_error(&in->log, "rescue: no MemTotal/MemAvailable in /proc/meminfo; "
			  "assuming 512 MiB");
		mi.total_kib = 512 * 1024;
		mi.available_kib = 480 * 1024;
	}
	in->facts.mem_total_kib = mi.total_kib;
	in->facts.mem_available_kib = mi.available_kib;
	budget_derive(&in->facts, &in->opts, &in->settings);
}

static uint64_t mem_available_now(void)
{
	char text[8192];
	struct meminfo mi;

	if (file_read("/proc/meminfo", text, sizeof(text)) < 0 || meminfo_parse(text, &mi))
		return 0;
	return mi.available_kib;
}

/* The kernel's free-page reserve (see budget.c for why).  Only on the real
 * machine: a host test must not retune its host. */
static void tune_kernel(struct init *in)
{
	static const char *const knobs[] = {
		"/proc/sys/vm/min_free_kbytes", "/proc/sys/vm/watermark_scale_factor",
		/* Only emergencies on the console: it carries MCP once mcpd runs. */
		"/proc/sys/kernel/printk",
	};
	char values[3][32];

	if (in->test_mode)
		return;
	snprintf(values[0], sizeof(values[0]), "%llu",
		 (unsigned long long)in->settings.min_free_kbytes);
	snprintf(values[1], sizeof(values[1]), "%d", in->settings.watermark_scale_factor);
	snprintf(values[2], sizeof(values[2]), "1 4 1 7");
	for (int i = 0; i < 3; i++)
		if (file_write_knob(knobs[i], values[i]))
			log_error(&in->log, "%s: %s", knobs[i], strerror(errno));
}

static void write_config(struct init *in)
{
	char json[1024], path[INIT_PATH_MAX];
	int n;

	/* /run/mcpos for init's JSON files (and mcpd's socket); /var/lib/mcpos
	 * is mcpd's private state (its HTTP token), hence 0700. */
	static const struct { const char *path; mode_t mode; } dirs[] = {
		{ "/run/mcpos", 0755 }, { "/var/lib/mcpos", 0700 },
	};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!root_path(in->opts.root, dirs[i].path, path, sizeof(path)) ||
		    mkdir_p(path, dirs[i].mode) != 0)
			log_error(&in->log, "mkdir %s: %s", dirs[i].path, strerror(errno));
	n = budget_json(&in->facts, &in->settings, &in->opts, json, sizeof(json));
	if (n < 0 || !root_path(in->opts.root, "/run/mcpos/config.json", path, sizeof(path)) ||
	    file_write_atomic(path, json, (size_t)n) != 0)
		log_error(&in->log, "cannot write /run/mcpos/config.json: %s",
			  n < 0 ? "too long" : strerror(errno));
}

static void publish_timeline(struct init *in)
{
	char json[4096], path[INIT_PATH_MAX];
	int n = timeline_json(&in->tl, json, sizeof(json));

	in->published = in->tl.count;
	if (n < 0 || !root_path(in->opts.root, "/run/mcpos/boot.json", path, sizeof(path)) ||
	    file_write_atomic(path, json, (size_t)n) != 0)
		log_error(&in->log, "cannot write /run/mcpos/boot.json: %s",
			  n < 0 ? "too long" : strerror(errno));
}

static void stage(struct init *in, const char *name)
{
	timeline_add(&in->tl, name, NULL, timeline_now_ms());
	publish_timeline(in);
}

static void load_services(struct init *in, struct service_table *t)
{
	static char text[SERVICES_MAX * SERVICE_LINE_MAX + 1024];
	char err[200], path[INIT_PATH_MAX];

	services_default(t);
	if (!in->opts.services[0])
		return;
	if (!root_path(in->opts.root, in->opts.services, path, sizeof(path)) ||
	    file_read(path, text, sizeof(text)) < 0) {
		log_error(&in->log, "services %s: %s; using the built-in table",
			  in->opts.services, errno == EFBIG ? "file too large" : strerror(errno));
		return;
	}
	if (services_parse(text, t, err, sizeof(err))) {
		log_error(&in->log, "services %s: %s; using the built-in table",
			  in->opts.services, err);
		services_default(t);
	}
}

/* Loopback always; eth0 when mcpos.net= says how (net.h). */
static void bring_up_network(struct init *in)
{
	struct net_spec spec;
	char err[160];
	int r;

	if (in->test_mode)
		return;		/* a host test must not touch the host's interfaces */
	if ((r = net_loopback_up()) != 0)
		log_error(&in->log, "lo: %s", strerror(-r));
	if (in->opts.net[0] && net_parse(in->opts.net, &spec) == 0) {
		const char *note = NULL;
		if (net_configure("eth0", &spec, err, sizeof(err)) != 0) {
			log_error(&in->log, "network: %s", err);
			note = "failed";
		}
		timeline_add(&in->tl, "network", note, timeline_now_ms());
	}
}

/* ---- the event loop ----------------------------------------------------- */

static void reap(struct init *in)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int i = supervisor_child_exited(&in->sv, pid, status);
		if (i >= 0)
			shutdown_service_exited(&in->sd, &in->sv, i);
		else
			log_debug(&in->log, "reaped orphan %d", (int)pid);
	}
	if (pid < 0 && errno == ECHILD)
		shutdown_no_children(&in->sd);
}

static void begin_shutdown(struct init *in, enum after_ready action)
{
	shutdown_begin(&in->sd, &in->sv, action);
	reap(in);	/* nothing left to wait for? then it is final now */
}

static void announce_ready(struct init *in)
{
	char json[4096];
	double now = timeline_now_ms();

	in->ready = 1;
	timeline_add(&in->tl, "ready", NULL, now);
	in->tl.boot_ms = (long long)(now + 0.5);
	in->tl.mem_available_kib = mem_available_now();
	in->tl.mem_total_kib = in->facts.mem_total_kib;
	/* The ready line is an interface (tests and benchmarks parse it):
	 * printed at every log level. */
	log_error(&in->log, "ready boot_ms=%lld mem_available_kib=%llu", in->tl.boot_ms,
		  (unsigned long long)in->tl.mem_available_kib);
	publish_timeline(in);
	if (in->opts.boot_json_console) {
		int n = timeline_json(&in->tl, json, sizeof(json));
		if (n > 0) {
			json[n - 1] = '\0';	/* one line */
			log_error(&in->log, "boot.json %s", json);
		}
	}
	if (in->opts.after_ready != AFTER_NOTHING)
		begin_shutdown(in, in->opts.after_ready);
}

static void on_signal(struct init *in)
{
	struct signalfd_siginfo si;

	while (read(in->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT: begin_shutdown(in, AFTER_REBOOT); break;
		case SIGUSR1: begin_shutdown(in, AFTER_POWEROFF); break;
		case SIGUSR2: begin_shutdown(in, AFTER_HALT); break;
		default: break;		/* SIGCHLD: reaped below */
		}
	}
	/* SIGCHLDs coalesce, so always reap everything that is there. */
	reap(in);
}

static void on_timer(struct init *in)
{
	double now = timeline_now_ms();
	uint64_t ticks;

	if (read(in->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_error(&in->log, "timerfd: %s", strerror(errno));
	if (!in->ready && now >= in->ready_deadline_ms)
		supervisor_give_up(&in->sv);
	supervisor_run_due(&in->sv, now);
	shutdown_tick(&in->sd, &in->sv, now);
}

/* Arm the timerfd for the earliest deadline (absolute CLOCK_BOOTTIME). */
static void arm_timer(struct init *in)
{
	double due[3] = {
		in->ready ? 0 : in->ready_deadline_ms,
		supervisor_next_due(&in->sv),
		shutdown_deadline(&in->sd),
	};
	double next = 0;
	struct itimerspec its = { 0 };

	for (int i = 0; i < 3; i++)
		if (due[i] > 0 && (next == 0 || due[i] < next))
			next = due[i];
	if (next > 0) {
		its.it_value.tv_sec = (time_t)(next / 1000);
		its.it_value.tv_nsec = (long)((next - (double)its.it_value.tv_sec * 1000) * 1e6);
		if (its.it_value.tv_nsec >= 1000000000L)
			its.it_value.tv_nsec = 999999999L;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;	/* 0 would disarm it */
	}
	if (timerfd_settime(in->timerfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		log_error(&in->log, "timerfd_settime: %s", strerror(errno));
}

static int setup_events(struct init *in, const sigset_t *mask)
{
	struct epoll_event sig = { .events = EPOLLIN, .data.u32 = TAG_SIGNAL };
	struct epoll_event tim = { .events = EPOLLIN, .data.u32 = TAG_TIMER };

	in->sigfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	in->timerfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	in->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (in->sigfd < 0 || in->timerfd < 0 || in->epfd < 0 ||
	    epoll_ctl(in->epfd, EPOLL_CTL_ADD, in->sigfd, &sig) != 0 ||
	    epoll_ctl(in->epfd, EPOLL_CTL_ADD, in->timerfd, &tim) != 0)
		return -1;
	return 0;
}

/* Reap until no child is left or ms pass, waking only for SIGCHLD. */
static void drain_children(double ms)
{
	double end = timeline_now_ms() + ms;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t pid;
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		double left = end - timeline_now_ms();
		if (pid < 0 || left <= 0)
			return;
		struct timespec ts;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)((left - (double)ts.tv_sec * 1000) * 1e6);
		sigtimedwait(&chld, NULL, &ts);
	}
}

/* The rescue state (see the top): signals only, through sigwaitinfo. */
static int rescue_loop(struct init *in, const sigset_t *mask, const char *why)
{
	log_error(&in->log, "rescue: %s (%s); only reaping and obeying shutdown "
		  "signals from now on", why, strerror(errno));
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(mask, &si);
		enum after_ready action = sig == SIGUSR1 ? AFTER_POWEROFF :
					  sig == SIGUSR2 ? AFTER_HALT :
					  sig == SIGTERM || sig == SIGINT ? AFTER_REBOOT :
					  AFTER_NOTHING;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (action == AFTER_NOTHING)
			continue;
		kill(-1, SIGTERM);
		kill(-1, SIGCONT);
		drain_children(SHUTDOWN_OTHERS_MS);
		kill(-1, SIGKILL);
		drain_children(SHUTDOWN_OTHERS_MS);
		in->sd.action = action;
		if (shutdown_final(&in->sd, &in->mounts, in->test_mode) == 0)
			return 0;
	}
}

int main(void)
{
	static struct init in;		/* PID 1's main loop owns this state */
	double kernel_ms = timeline_now_ms();
	struct service_table table;
	sigset_t mask;

	in.test_mode = getenv("MCPOS_INIT_TEST") && !strcmp(getenv("MCPOS_INIT_TEST"), "1");
	in.log = (struct log){ .fd = 1, .level = LOG_INFO, .prefix = "mcpos: " };
	if (getpid() != 1) {
		/* Mounting over /proc or powering off is only for PID 1 (of a
		 * machine, or of a test's PID namespace). */
		log_error(&in.log, "init: not PID 1; run it only as a machine's init or "
			  "under unshare -fpm --mount-proc with MCPOS_INIT_TEST=1");
		return 1;
	}
	int have_console = in.test_mode || console_attach(&in) == 0;
	timeline_init(&in.tl);
	shutdown_init(&in.sd, &in.log);
	mounts_init(&in.mounts, in.opts.root, &in.log);

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (!in.test_mode)
		reboot(RB_DISABLE_CAD);	/* ctrl-alt-del arrives as SIGINT */

	read_options(&in);
	timeline_add(&in.tl, "kernel", NULL, kernel_ms);
	mounts_kernel(&in.mounts);
	if (!have_console && console_attach(&in) != 0)
		in.log.fd = -1;		/* nowhere to write to */
	/* PID 1 is never the OOM killer's victim (needs CAP_SYS_RESOURCE). */
	if (file_write_knob("/proc/self/oom_score_adj", "-1000") != 0)
		log_error(&in.log, "oom_score_adj -1000: %s", strerror(errno));
	discover(&in);
	mounts_tmpfs(&in.mounts, &in.settings);
	timeline_add(&in.tl, "mounts", NULL, timeline_now_ms());
	tune_kernel(&in);
	write_config(&in);
	stage(&in, "config");
	log_info(&in.log, "%d CPUs, MemTotal %llu KiB, model budget %llu MiB, %d threads",
		 in.facts.cpus, (unsigned long long)in.facts.mem_total_kib,
		 (unsigned long long)(in.settings.model_budget_bytes >> 20), in.settings.threads);
	modules_load_list(in.opts.root, "/etc/mcpos/modules", in.test_mode, &in.tl, &in.log);
	bring_up_network(&in);
	publish_timeline(&in);

	if (setup_events(&in, &mask) != 0)
		return rescue_loop(&in, &mask, "cannot build the event loop");
	load_services(&in, &table);
	supervisor_init(&in.sv, &table, in.epfd, &in.tl, &in.log);
	in.sv.console_is_stdout = in.test_mode;
	in.sv.root = in.opts.root;
	in.sv.http_token = in.opts.http_token;
	in.ready_deadline_ms = timeline_now_ms() + READY_TIMEOUT_MS;
	supervisor_start_all(&in.sv);

	for (;;) {
		struct epoll_event ev[8];
		int n;

		/* A shutdown asked for during boot wins over "ready". */
		if (!in.ready && in.sd.phase == SHUTDOWN_NONE && supervisor_boot_settled(&in.sv))
			announce_ready(&in);
		if (in.tl.count != in.published)
			publish_timeline(&in);
		if (in.sd.phase == SHUTDOWN_FINAL &&
		    shutdown_final(&in.sd, &in.mounts, in.test_mode) == 0)
			return 0;	/* test mode only; see shutdown.h */
		arm_timer(&in);
		n = epoll_wait(in.epfd, ev, 8, -1);
		if (n < 0 && errno != EINTR)
			return rescue_loop(&in, &mask, "epoll_wait failed");
		for (int k = 0; k < n; k++) {
			uint32_t tag = ev[k].data.u32;
			if (tag == TAG_SIGNAL)
				on_signal(&in);
			else if (tag == TAG_TIMER)
				on_timer(&in);
			else if (tag < SERVICES_MAX)
				supervisor_readiness(&in.sv, (int)tag);
		}
	}
}
