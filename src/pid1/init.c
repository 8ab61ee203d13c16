/*
 * init.c - PID 1 of mcpos.
 *
 * Boot: mount the kernel filesystems and size-limited tmpfs, discover the
 * machine (memory, CPUs, mcpos.* keys), write /run/mcpos/config.json, load
 * the modules listed in /etc/mcpos/modules, start the services of the table
 * (services.h), and once they are all ready print
 *
 *     mcpos: ready boot_ms=<n> mem_available_kib=<n>
 *
 * on the console and write the boot timeline to /run/mcpos/boot.json.
 *
 * Then one event loop (epoll over a signalfd, a timerfd and the services'
 * readiness pipes) for the life of the machine: reap every child (orphans
 * included), restart services that exit (exponential backoff: 100 ms
 * doubling to 10 s, back to 100 ms after 10 s of uptime), and shut down on
 *
 *     SIGTERM, SIGINT (ctrl-alt-del)  reboot
 *     SIGUSR1                         power off
 *     SIGUSR2                         halt
 *
 * Shutdown stops the services in reverse table order (SIGTERM to the
 * service's process group, SIGKILL after 5 s), then every other process
 * (SIGTERM, SIGKILL after 2 s), syncs, unmounts and calls reboot(2).
 *
 * PID 1 never returns.  When something essential fails (no /proc, no event
 * loop), init logs it and stays in a rescue state: it keeps reaping zombies
 * and obeying the shutdown signals as far as it can, so the machine is still
 * reachable or at least can be switched off.
 *
 * Host tests: with MCPOS_INIT_TEST=1 the command line comes from
 * MCPOS_CMDLINE, mcpos.root=DIR prefixes every path, and instead of
 * reboot(2) init prints "mcpos: <action>" and exits.  init also refuses to
 * call reboot(2) unless it is PID 1, so a stray run on a host cannot power
 * it off.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "cmdline.h"
#include "net.h"
#include "services.h"
#include "timeline.h"

#define READY_TIMEOUT_MS	10000.0
#define STOP_TIMEOUT_MS		5000.0
#define KILL_ALL_TIMEOUT_MS	2000.0
#define BACKOFF_MIN_MS		100
#define BACKOFF_MAX_MS		10000
#define STABLE_MS		10000.0

/* epoll tags: small integers below SERVICES_MAX are readiness pipes. */
#define TAG_SIGNAL	100
#define TAG_TIMER	101

enum phase { PHASE_BOOT, PHASE_RUNNING, PHASE_STOP_SERVICES, PHASE_KILL_ALL, PHASE_DONE };

struct service_run {
	pid_t pid;		/* 0 when not running */
	int ready_fd;		/* read end of the readiness pipe, or -1 */
	int settled;		/* ready, or given up on, for the boot */
	double started_ms;
	double restart_at_ms;	/* 0: no restart scheduled */
	int backoff_ms;
	int disabled;		/* missing program: never started again */
};

struct init {
	struct init_options opts;
	struct service_table table;
	struct service_run run[SERVICES_MAX];
	struct timeline tl;
	struct machine_facts facts;
	struct derived_settings settings;
	int test_mode;
	int epfd, sigfd, timerfd;
	enum phase phase;
	enum after_ready action;	/* what shutdown ends with */
	int stop_index;			/* service being stopped */
	double deadline_ms;		/* of the current stop step */
	double ready_deadline_ms;
	char mounted[8][300];		/* for unmounting in reverse order */
	int n_mounted;
};

static void say(const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* stdout is the console; a failed write has nowhere else to go. */
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

#define debug(in, ...) do { if ((in)->opts.log >= LOG_DEBUG) say("mcpos: " __VA_ARGS__); } while (0)
#define info(in, ...)  do { if ((in)->opts.log >= LOG_INFO) say("mcpos: " __VA_ARGS__); } while (0)
#define warn(...)      say("mcpos: " __VA_ARGS__)

static const char *in_root(const struct init *in, const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s", in->opts.root, path);

	/* A path that does not fit must not be used cut short. */
	if (n < 0 || (size_t)n >= size)
		snprintf(buf, size, "/nonexistent/path-too-long");
	return buf;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t used = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (used + 1 < size && (n = read(fd, buf + used, size - 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		used += (size_t)n;
	}
	buf[used] = '\0';
	close(fd);
	return (int)used;
}

/* Write a whole file atomically: a reader sees the old or the new one. */
static int write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[320];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

static int write_small(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void mkdir_p(const char *path, mode_t mode)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	mkdir(buf, mode);
}

static int mount_one(struct init *in, const char *fstype, const char *where,
		     unsigned long flags, const char *data, mode_t mode)
{
	char path[300];

	in_root(in, where, path, sizeof(path));
	mkdir_p(path, mode);
	if (mount(fstype, path, fstype, flags, data) != 0) {
		warn("mount %s on %s: %s", fstype, path, strerror(errno));
		return -1;
	}
	if (in->n_mounted < (int)(sizeof(in->mounted) / sizeof(in->mounted[0])))
		snprintf(in->mounted[in->n_mounted++], sizeof(in->mounted[0]), "%s", path);
	return 0;
}

static void publish_timeline(struct init *in)
{
	char json[4096], path[300];
	int n = timeline_json(&in->tl, json, sizeof(json));

	if (n < 0 || write_file_atomic(in_root(in, "/run/mcpos/boot.json", path, sizeof(path)),
				       json, (size_t)n))
		warn("cannot write boot.json: %s", n < 0 ? "too long" : strerror(errno));
}

/* ---- discovery --------------------------------------------------------- */

static void discover(struct init *in)
{
	char meminfo[4096];

	in->facts.cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (in->facts.cpus < 1)
		in->facts.cpus = 1;
	if (read_file("/proc/meminfo", meminfo, sizeof(meminfo)) < 0 ||
	    meminfo_get(meminfo, "MemTotal", &in->facts.mem_total_kib) ||
	    meminfo_get(meminfo, "MemAvailable", &in->facts.mem_available_kib)) {
		warn("cannot read MemTotal/MemAvailable from /proc/meminfo; assuming 512 MiB");
		in->facts.mem_total_kib = 512 * 1024;
		in->facts.mem_available_kib = 480 * 1024;
	}
	budget_derive(&in->facts, &in->opts, &in->settings);
}

static uint64_t mem_available_kib(void)
{
	char meminfo[4096];
	uint64_t kib = 0;

	if (read_file("/proc/meminfo", meminfo, sizeof(meminfo)) >= 0)
		meminfo_get(meminfo, "MemAvailable", &kib);
	return kib;
}

static void mount_all(struct init *in)
{
	char opt[64];

	/* /proc may already be there (mounted to read the command line). */
	if (in->n_mounted == 0)
		mount_one(in, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
	mount_one(in, "sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
	mount_one(in, "devtmpfs", "/dev", MS_NOSUID, "mode=0755", 0755);
	discover(in);
	snprintf(opt, sizeof(opt), "mode=1777,size=%llu", (unsigned long long)in->settings.tmpfs_tmp_bytes);
	mount_one(in, "tmpfs", "/tmp", MS_NOSUID | MS_NODEV, opt, 01777);
	snprintf(opt, sizeof(opt), "mode=0755,size=%llu", (unsigned long long)in->settings.tmpfs_var_bytes);
	mount_one(in, "tmpfs", "/var", MS_NOSUID | MS_NODEV, opt, 0755);
	snprintf(opt, sizeof(opt), "mode=0755,size=%llu", (unsigned long long)in->settings.tmpfs_run_bytes);
	mount_one(in, "tmpfs", "/run", MS_NOSUID | MS_NODEV | MS_NOEXEC, opt, 0755);
	snprintf(opt, sizeof(opt), "mode=0755,size=%llu", (unsigned long long)in->settings.tmpfs_models_bytes);
	mount_one(in, "tmpfs", "/mnt/models", MS_NOSUID | MS_NODEV | MS_NOEXEC, opt, 0755);
}

static void write_config(struct init *in)
{
	char json[1024], path[300];
	int n;

	mkdir_p(in_root(in, "/run/mcpos", path, sizeof(path)), 0755);
	mkdir_p(in_root(in, "/var/lib/mcpos", path, sizeof(path)), 0700);
	n = budget_json(&in->facts, &in->settings, &in->opts, json, sizeof(json));
	if (n < 0 || write_file_atomic(in_root(in, "/run/mcpos/config.json", path, sizeof(path)),
				       json, (size_t)n))
		warn("cannot write config.json");
}

/* The kernel's free-page reserve, see budget.c for the why.  Only on the
 * real machine: a host test must not retune its host. */
static void tune_vm(struct init *in)
{
	char v[32];

	if (in->test_mode)
		return;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)in->settings.min_free_kbytes);
	if (write_small("/proc/sys/vm/min_free_kbytes", v))
		warn("cannot set vm.min_free_kbytes: %s", strerror(errno));
	snprintf(v, sizeof(v), "%d", in->settings.watermark_scale_factor);
	if (write_small("/proc/sys/vm/watermark_scale_factor", v))
		warn("cannot set vm.watermark_scale_factor: %s", strerror(errno));
	/* Only emergencies on the console: it carries MCP once mcpd runs. */
	if (write_small("/proc/sys/kernel/printk", "1 4 1 7"))
		debug(in, "cannot set the console log level");
}

/* ---- modules ------------------------------------------------------------ */

static void load_modules(struct init *in)
{
	char list[4096], path[300];

	if (read_file(in_root(in, "/etc/mcpos/modules", path, sizeof(path)), list, sizeof(list)) < 0)
		return;		/* no list: nothing to load */
	for (char *line = list, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		char *params = line + strcspn(line, " \t");
		if (*params)
			*params++ = '\0';
		char mpath[300], stage[40];
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		int fd = open(in_root(in, line, mpath, sizeof(mpath)), O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, params, 0) != 0)
			warn("module %s: %s", line, strerror(errno));
		if (fd >= 0)
			close(fd);
		snprintf(stage, sizeof(stage), "module:%.*s", (int)strcspn(base, "."), base);
		timeline_add(&in->tl, stage, timeline_now_ms());
	}
}

/* ---- network ------------------------------------------------------------ */

static void bring_up_network(struct init *in)
{
	struct net_spec spec;
	char err[160];
	int r;

	if (in->test_mode)
		return;		/* a host test must not touch the host's interfaces */
	if ((r = net_loopback_up()) != 0)
		warn("lo: %s", strerror(-r));
	if (in->opts.net[0] && net_parse(in->opts.net, &spec) == 0) {
		if (net_configure("eth0", &spec, err, sizeof(err)) != 0)
			warn("network: %s", err);
		timeline_add(&in->tl, "network", timeline_now_ms());
	}
}

/* ---- services ----------------------------------------------------------- */

static void settle(struct init *in, int i, const char *why)
{
	char stage[48];

	if (in->run[i].settled)
		return;
	in->run[i].settled = 1;
	snprintf(stage, sizeof(stage), "service:%s", in->table.svc[i].name);
	timeline_add(&in->tl, stage, timeline_now_ms());
	if (why)
		warn("service %s: %s", in->table.svc[i].name, why);
}

static void child_stdio(struct init *in, enum service_stdio how)
{
	char path[300];
	int in_fd = -1, out_fd = -1, null_fd;

	if (how == STDIO_INHERIT)
		return;
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd < 0)
		null_fd = open(in_root(in, "/dev/null", path, sizeof(path)), O_RDWR);
	if (how == STDIO_CONSOLE) {
		in_fd = open(in_root(in, "/dev/console", path, sizeof(path)), O_RDWR | O_NOCTTY);
		out_fd = in_fd;
	}
	if (in_fd < 0)
		in_fd = out_fd = null_fd;
	if (in_fd >= 0) {
		dup2(in_fd, 0);
		dup2(out_fd, 1);
	}
	if (null_fd >= 0)
		dup2(null_fd, 2);
}

static void start_service(struct init *in, int i)
{
	struct service_spec *s = &in->table.svc[i];
	struct service_run *r = &in->run[i];
	int pipefd[2] = { -1, -1 };
	pid_t pid;

	r->restart_at_ms = 0;
	if (access(s->argv[0], X_OK) != 0) {
		warn("service %s: %s: %s; not started", s->name, s->argv[0], strerror(errno));
		r->disabled = 1;
		settle(in, i, NULL);
		return;
	}
	if (s->notify && pipe2(pipefd, O_CLOEXEC) != 0) {
		warn("service %s: pipe: %s", s->name, strerror(errno));
		pipefd[0] = pipefd[1] = -1;
	}
	pid = fork();
	if (pid < 0) {
		warn("service %s: fork: %s", s->name, strerror(errno));
		if (pipefd[0] >= 0) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		r->restart_at_ms = timeline_now_ms() + BACKOFF_MAX_MS;
		return;
	}
	if (pid == 0) {
		sigset_t none;
		char adj[16];

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		child_stdio(in, s->stdio);
		if (pipefd[1] >= 0) {
			/* fd 3 survives exec; every other fd of init is CLOEXEC. */
			if (pipefd[1] != 3) {
				dup2(pipefd[1], 3);
			} else {
				int fl = fcntl(3, F_GETFD);
				fcntl(3, F_SETFD, fl & ~FD_CLOEXEC);
			}
			setenv("MCPOS_READY_FD", "3", 1);
		} else {
			unsetenv("MCPOS_READY_FD");
		}
		if (in->opts.http_token[0])
			setenv("MCPOS_HTTP_TOKEN", in->opts.http_token, 1);
		snprintf(adj, sizeof(adj), "%d", s->oom_score_adj);
		write_small("/proc/self/oom_score_adj", adj);
		execv(s->argv[0], s->argv);
		_exit(127);
	}
	r->pid = pid;
	r->started_ms = timeline_now_ms();
	debug(in, "service %s: started, pid %d", s->name, (int)pid);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	r->ready_fd = pipefd[0];
	if (r->ready_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		if (epoll_ctl(in->epfd, EPOLL_CTL_ADD, r->ready_fd, &ev) != 0) {
			close(r->ready_fd);
			r->ready_fd = -1;
			settle(in, i, "cannot watch readiness; assuming ready");
		}
	} else {
		settle(in, i, NULL);	/* ready=exec: ready once started */
	}
}

static void close_ready(struct init *in, int i)
{
	if (in->run[i].ready_fd >= 0) {
		epoll_ctl(in->epfd, EPOLL_CTL_DEL, in->run[i].ready_fd, NULL);
		close(in->run[i].ready_fd);
		in->run[i].ready_fd = -1;
	}
}

static void on_ready_fd(struct init *in, int i)
{
	char buf[64];
	ssize_t n = read(in->run[i].ready_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && memchr(buf, '\n', (size_t)n)) {
		close_ready(in, i);
		settle(in, i, NULL);
		info(in, "service %s: ready", in->table.svc[i].name);
		return;
	}
	if (n <= 0) {	/* EOF without a line: this start did not get ready */
		close_ready(in, i);
		settle(in, i, "closed its readiness fd without reporting ready");
	}
}

/* ---- shutdown ----------------------------------------------------------- */

static void reap(struct init *in);

static const char *action_name(enum after_ready a)
{
	return a == AFTER_REBOOT ? "reboot" : a == AFTER_HALT ? "halt" : "poweroff";
}

static void stop_next_service(struct init *in)
{
	while (in->stop_index >= 0 && in->run[in->stop_index].pid == 0)
		in->stop_index--;
	if (in->stop_index < 0) {
		/* Services are down: now everything else. */
		in->phase = PHASE_KILL_ALL;
		in->deadline_ms = timeline_now_ms() + KILL_ALL_TIMEOUT_MS;
		kill(-1, SIGTERM);
		kill(-1, SIGCONT);
		return;
	}
	info(in, "stopping %s", in->table.svc[in->stop_index].name);
	kill(-in->run[in->stop_index].pid, SIGTERM);
	kill(in->run[in->stop_index].pid, SIGTERM);
	in->deadline_ms = timeline_now_ms() + STOP_TIMEOUT_MS;
}

static void begin_shutdown(struct init *in, enum after_ready action)
{
	if (in->phase >= PHASE_STOP_SERVICES)
		return;
	in->action = action;
	in->phase = PHASE_STOP_SERVICES;
	info(in, "%s requested: stopping services", action_name(action));
	for (int i = 0; i < in->table.count; i++)
		in->run[i].restart_at_ms = 0;
	in->stop_index = in->table.count - 1;
	stop_next_service(in);
	reap(in);	/* nothing left to wait for? then finish now */
}

static void finish_shutdown(struct init *in)
{
	static const int cmds[] = { [AFTER_POWEROFF] = RB_POWER_OFF,
				    [AFTER_REBOOT] = RB_AUTOBOOT, [AFTER_HALT] = RB_HALT_SYSTEM };

	in->phase = PHASE_DONE;
	sync();
	for (int i = in->n_mounted - 1; i >= 0; i--)
		if (umount2(in->mounted[i], MNT_DETACH) != 0)
			debug(in, "umount %s: %s", in->mounted[i], strerror(errno));
	sync();
	say("mcpos: %s", action_name(in->action));
	if (in->test_mode)
		exit(0);
	if (getpid() != 1) {
		warn("not PID 1: refusing to call reboot()");
		exit(1);
	}
	reboot(cmds[in->action]);
	warn("reboot(%s) failed: %s; staying up (rescue)", action_name(in->action), strerror(errno));
	in->phase = PHASE_RUNNING;
}

/* ---- reaping and supervision ------------------------------------------- */

static void on_child_exit(struct init *in, pid_t pid, int status)
{
	for (int i = 0; i < in->table.count; i++) {
		struct service_run *r = &in->run[i];
		if (r->pid != pid)
			continue;
		double now = timeline_now_ms();
		r->pid = 0;
		close_ready(in, i);
		if (WIFSIGNALED(status))
			info(in, "service %s: killed by signal %d", in->table.svc[i].name, WTERMSIG(status));
		else
			info(in, "service %s: exited with status %d", in->table.svc[i].name, WEXITSTATUS(status));
		settle(in, i, r->settled ? NULL : "exited before it was ready");
		if (in->phase >= PHASE_STOP_SERVICES) {
			if (i == in->stop_index) {
				in->stop_index--;
				stop_next_service(in);
			}
			return;
		}
		if (!in->table.svc[i].restart)
			return;
		/* A service that stayed up a while starts again quickly;
		 * one that keeps crashing waits longer each time. */
		if (now - r->started_ms >= STABLE_MS || r->backoff_ms == 0)
			r->backoff_ms = BACKOFF_MIN_MS;
		else if ((r->backoff_ms *= 2) > BACKOFF_MAX_MS)
			r->backoff_ms = BACKOFF_MAX_MS;
		r->restart_at_ms = now + r->backoff_ms;
		info(in, "service %s: restarting in %d ms", in->table.svc[i].name, r->backoff_ms);
		return;
	}
	debug(in, "reaped orphan %d", (int)pid);
}

static void reap(struct init *in)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		on_child_exit(in, pid, status);
	if (in->phase == PHASE_KILL_ALL && pid < 0 && errno == ECHILD)
		finish_shutdown(in);
}

/* ---- the event loop ---------------------------------------------------- */

static void announce_ready(struct init *in)
{
	char json[4096];
	double now = timeline_now_ms();

	in->phase = PHASE_RUNNING;
	timeline_add(&in->tl, "ready", now);
	in->tl.boot_ms = (long long)(now + 0.5);
	in->tl.mem_available_kib = mem_available_kib();
	say("mcpos: ready boot_ms=%lld mem_available_kib=%llu", in->tl.boot_ms,
	    (unsigned long long)in->tl.mem_available_kib);
	publish_timeline(in);
	if (in->opts.boot_json_console) {
		int n = timeline_json(&in->tl, json, sizeof(json));
		if (n > 0) {
			json[n - 1] = '\0';	/* one line */
			say("mcpos: boot.json %s", json);
		}
	}
	if (in->opts.after_ready != AFTER_NOTHING)
		begin_shutdown(in, in->opts.after_ready);
}

static void check_boot_done(struct init *in)
{
	if (in->phase != PHASE_BOOT)
		return;
	for (int i = 0; i < in->table.count; i++)
		if (!in->run[i].settled)
			return;
	announce_ready(in);
}

static void on_timer(struct init *in)
{
	double now = timeline_now_ms();

	if (in->phase == PHASE_BOOT && now >= in->ready_deadline_ms) {
		for (int i = 0; i < in->table.count; i++)
			settle(in, i, in->run[i].settled ? NULL : "not ready in time; going on without it");
	}
	if (in->phase == PHASE_STOP_SERVICES && now >= in->deadline_ms && in->stop_index >= 0) {
		warn("service %s: did not stop in time, killing it", in->table.svc[in->stop_index].name);
		kill(-in->run[in->stop_index].pid, SIGKILL);
		kill(in->run[in->stop_index].pid, SIGKILL);
		in->deadline_ms = now + STOP_TIMEOUT_MS;
	}
	if (in->phase == PHASE_KILL_ALL && now >= in->deadline_ms) {
		kill(-1, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;	/* SIGKILLed processes die at once */
		finish_shutdown(in);
	}
	if (in->phase == PHASE_BOOT || in->phase == PHASE_RUNNING)
		for (int i = 0; i < in->table.count; i++)
			if (in->run[i].restart_at_ms && now >= in->run[i].restart_at_ms && !in->run[i].disabled)
				start_service(in, i);
}

static void arm_timer(struct init *in)
{
	double next = 0;
	struct itimerspec its = { 0 };

#define CONSIDER(t) do { if ((t) > 0 && (next == 0 || (t) < next)) next = (t); } while (0)
	if (in->phase == PHASE_BOOT)
		CONSIDER(in->ready_deadline_ms);
	if (in->phase == PHASE_STOP_SERVICES || in->phase == PHASE_KILL_ALL)
		CONSIDER(in->deadline_ms);
	if (in->phase <= PHASE_RUNNING)
		for (int i = 0; i < in->table.count; i++)
			CONSIDER(in->run[i].restart_at_ms);
#undef CONSIDER
	if (next > 0) {
		its.it_value.tv_sec = (time_t)(next / 1000);
		its.it_value.tv_nsec = (long)((next - (double)its.it_value.tv_sec * 1000) * 1e6);
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(in->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_signal(struct init *in)
{
	struct signalfd_siginfo si;

	while (read(in->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD: reap(in); break;
		case SIGTERM: case SIGINT: begin_shutdown(in, AFTER_REBOOT); break;
		case SIGUSR1: begin_shutdown(in, AFTER_POWEROFF); break;
		case SIGUSR2: begin_shutdown(in, AFTER_HALT); break;
		default: break;
		}
	}
	/* SIGCHLDs coalesce; a shutdown step may also have ended the last child. */
	reap(in);
}

/* No event loop could be made: reap forever (the documented rescue). */
static void rescue_forever(void)
{
	warn("rescue: no event loop; only reaping children from now on");
	for (;;)
		if (wait(NULL) < 0)
			pause();
}

static void setup_events(struct init *in, sigset_t *mask)
{
	struct epoll_event ev = { .events = EPOLLIN };

	in->sigfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	in->timerfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	in->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (in->sigfd < 0 || in->timerfd < 0 || in->epfd < 0)
		rescue_forever();
	ev.data.u32 = TAG_SIGNAL;
	epoll_ctl(in->epfd, EPOLL_CTL_ADD, in->sigfd, &ev);
	ev.data.u32 = TAG_TIMER;
	epoll_ctl(in->epfd, EPOLL_CTL_ADD, in->timerfd, &ev);
}

static void load_options(struct init *in)
{
	char cmdline[4096], errs[1024];
	const char *text = "";

	if (in->test_mode) {
		text = getenv("MCPOS_CMDLINE") ? getenv("MCPOS_CMDLINE") : "";
	} else {
		/* /proc first: the command line lives there. */
		mount_one(in, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
		if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) >= 0)
			text = cmdline;
		else
			warn("rescue: cannot read /proc/cmdline: %s", strerror(errno));
	}
	if (cmdline_parse(text, &in->opts, errs, sizeof(errs)))
		for (char *line = strtok(errs, "\n"); line; line = strtok(NULL, "\n"))
			warn("command line: %s", line);
	if (!in->test_mode)
		in->opts.root[0] = '\0';	/* only host tests relocate */
}

static void load_services(struct init *in)
{
	static char text[SERVICES_MAX * SERVICE_LINE_MAX + 1024];
	char err[200], path[300];

	services_default(&in->table);
	if (!in->opts.services[0])
		return;
	if (read_file(in_root(in, in->opts.services, path, sizeof(path)), text, sizeof(text)) < 0) {
		warn("services %s: %s; using the built-in table", in->opts.services, strerror(errno));
		return;
	}
	if (services_parse(text, &in->table, err, sizeof(err))) {
		warn("services %s: %s; using the built-in table", in->opts.services, err);
		services_default(&in->table);
	}
}

int main(void)
{
	static struct init in;		/* PID 1's main loop owns this state */
	double kernel_ms = timeline_now_ms();
	sigset_t mask;

	in.test_mode = getenv("MCPOS_INIT_TEST") && !strcmp(getenv("MCPOS_INIT_TEST"), "1");
	if (getpid() != 1) {
		/* Mounting over /proc or powering off is only for PID 1 (of a
		 * machine, or of a test's PID namespace). */
		say("mcpos init: not PID 1; run it only as a machine's init or "
		    "under unshare -fpm --mount-proc with MCPOS_INIT_TEST=1");
		return 1;
	}
	timeline_init(&in.tl);
	for (int i = 0; i < SERVICES_MAX; i++)
		in.run[i].ready_fd = -1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (!in.test_mode && getpid() == 1)
		reboot(RB_DISABLE_CAD);	/* ctrl-alt-del arrives as SIGINT */

	load_options(&in);
	timeline_add(&in.tl, "kernel", kernel_ms);
	mount_all(&in);
	timeline_add(&in.tl, "mounts", timeline_now_ms());
	write_small("/proc/self/oom_score_adj", "-1000");
	tune_vm(&in);
	write_config(&in);
	timeline_add(&in.tl, "config", timeline_now_ms());
	info(&in, "%d CPUs, MemTotal %llu KiB, model budget %llu MiB, %d threads",
	     in.facts.cpus, (unsigned long long)in.facts.mem_total_kib,
	     (unsigned long long)(in.settings.model_budget_bytes >> 20), in.settings.threads);
	load_modules(&in);
	bring_up_network(&in);

	setup_events(&in, &mask);
	load_services(&in);
	in.ready_deadline_ms = timeline_now_ms() + READY_TIMEOUT_MS;
	for (int i = 0; i < in.table.count; i++)
		start_service(&in, i);
	check_boot_done(&in);

	for (;;) {
		struct epoll_event ev[8];

		arm_timer(&in);
		int n = epoll_wait(in.epfd, ev, 8, -1);
		if (n < 0 && errno != EINTR) {
			warn("epoll_wait: %s", strerror(errno));
			continue;
		}
		for (int k = 0; k < n; k++) {
			uint32_t tag = ev[k].data.u32;
			if (tag == TAG_SIGNAL) {
				on_signal(&in);
			} else if (tag == TAG_TIMER) {
				uint64_t ticks;
				if (read(in.timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					warn("timerfd: %s", strerror(errno));
				on_timer(&in);
			} else if (tag < SERVICES_MAX && in.run[tag].ready_fd >= 0) {
				on_ready_fd(&in, (int)tag);
			}
		}
		check_boot_done(&in);
	}
}
