/* supervise.c - see supervise.h */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"

/* The service's fd for readiness, fixed by the protocol. */
#define READY_FD 3

void supervisor_init(struct supervisor *sv, const struct service_table *table,
		     int epfd, struct timeline *tl, const struct log *lg)
{
	memset(sv, 0, sizeof(*sv));
	sv->table = *table;
	/* argv points into each spec's own line: re-point into our copy. */
	for (int i = 0; i < sv->table.count; i++) {
		struct service_spec *dst = &sv->table.svc[i];
		const struct service_spec *src = &table->svc[i];
		for (int k = 0; k < SERVICE_ARGV_MAX && src->argv[k]; k++)
			dst->argv[k] = dst->line + (src->argv[k] - src->line);
	}
	for (int i = 0; i < SERVICES_MAX; i++)
		sv->run[i].ready_fd = -1;
	sv->epfd = epfd;
	sv->root = "";
	sv->http_token = "";
	sv->tl = tl;
	sv->log = lg;
}

int backoff_next(int last_ms, double uptime_ms, int failed_start)
{
	if (last_ms <= 0 || (uptime_ms >= BACKOFF_STABLE_MS && !failed_start))
		return BACKOFF_MIN_MS;
	return last_ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : last_ms * 2;
}

/* Record service i's boot stage once, with a note unless it got ready. */
static void settle(struct supervisor *sv, int i, const char *note)
{
	char stage[48];

	if (sv->run[i].settled)
		return;
	sv->run[i].settled = 1;
	snprintf(stage, sizeof(stage), "service:%s", sv->table.svc[i].name);
	timeline_add(sv->tl, stage, note, timeline_now_ms());
}

static void close_ready(struct supervisor *sv, int i)
{
	struct service_run *r = &sv->run[i];

	if (r->ready_fd < 0)
		return;
	epoll_ctl(sv->epfd, EPOLL_CTL_DEL, r->ready_fd, NULL);
	close(r->ready_fd);
	r->ready_fd = -1;
}

/* In the child, between fork and exec: only async-signal-safe work that
 * cannot disturb init (init is single-threaded, so setenv is safe too). */
static void child_stdio(const struct supervisor *sv, enum service_stdio how)
{
	char path[INIT_PATH_MAX];
	int null_fd, con = -1;

	if (how == STDIO_INHERIT || (how == STDIO_CONSOLE && sv->console_is_stdout))
		return;
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd < 0 && root_path(sv->root, "/dev/null", path, sizeof(path)))
		null_fd = open(path, O_RDWR);
	if (how == STDIO_CONSOLE && root_path(sv->root, "/dev/console", path, sizeof(path)))
		con = open(path, O_RDWR | O_NOCTTY);
	if (con < 0)
		con = null_fd;
	if (con >= 0) {
		dup2(con, 0);
		dup2(con, 1);
	}
	/* Never stderr on the console: mcpd speaks MCP over that serial line
	 * and a stray message would corrupt a frame (services.h). */
	if (null_fd >= 0)
		dup2(null_fd, 2);
}

static void child_exec(const struct supervisor *sv, const struct service_spec *s, int ready_w)
{
	sigset_t none;
	char adj[16];

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	child_stdio(sv, s->stdio);
	if (ready_w >= 0) {
		/* fd 3 survives exec; every other fd of init is close-on-exec. */
		if (ready_w != READY_FD)
			dup2(ready_w, READY_FD);
		else
			fcntl(READY_FD, F_SETFD, 0);
		setenv("MCPOS_READY_FD", "3", 1);
	} else {
		unsetenv("MCPOS_READY_FD");
	}
	if (sv->http_token && sv->http_token[0])
		setenv("MCPOS_HTTP_TOKEN", sv->http_token, 1);
	snprintf(adj, sizeof(adj), "%d", s->oom_score_adj);
	file_write_knob("/proc/self/oom_score_adj", adj);
	execv(s->argv[0], s->argv);
	_exit(127);
}

void supervisor_start(struct supervisor *sv, int i)
{
	struct service_spec *s = &sv->table.svc[i];
	struct service_run *r = &sv->run[i];
	int pipefd[2] = { -1, -1 };
	pid_t pid;

	r->restart_at_ms = 0;
	if (r->pid > 0 || r->state == SVC_MISSING || sv->holding)
		return;
	if (access(s->argv[0], X_OK) != 0) {
		log_error(sv->log, "service %s: %s: %s; not started", s->name, s->argv[0],
			  strerror(errno));
		r->state = SVC_MISSING;
		settle(sv, i, "missing");
		return;
	}
	if (s->notify && pipe2(pipefd, O_CLOEXEC) != 0) {
		log_error(sv->log, "service %s: readiness pipe: %s; treating it as ready=exec",
			  s->name, strerror(errno));
		pipefd[0] = pipefd[1] = -1;
	}
	pid = fork();
	if (pid == 0)
		child_exec(sv, s, pipefd[1]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (pid < 0) {
		log_error(sv->log, "service %s: fork: %s; retrying in %d ms", s->name,
			  strerror(errno), BACKOFF_MAX_MS);
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		if (s->restart)
			r->restart_at_ms = timeline_now_ms() + BACKOFF_MAX_MS;
		else
			settle(sv, i, "failed");
		return;
	}
	r->pid = pid;
	r->started_ms = timeline_now_ms();
	r->state = SVC_STARTING;
	log_debug(sv->log, "service %s: started, pid %d", s->name, (int)pid);
	r->ready_fd = pipefd[0];
	if (r->ready_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		if (epoll_ctl(sv->epfd, EPOLL_CTL_ADD, r->ready_fd, &ev) != 0) {
			log_error(sv->log, "service %s: cannot watch readiness (%s); assuming ready",
				  s->name, strerror(errno));
			close_ready(sv, i);
		}
	}
	if (r->ready_fd < 0) {
		r->state = SVC_UP;
		settle(sv, i, NULL);
	}
}

void supervisor_start_all(struct supervisor *sv)
{
	for (int i = 0; i < sv->table.count; i++)
		supervisor_start(sv, i);
}

void supervisor_readiness(struct supervisor *sv, int i)
{
	struct service_run *r;
	const char *name;
	char buf[128];
	ssize_t n;

	if (i < 0 || i >= sv->table.count || sv->run[i].ready_fd < 0)
		return;
	r = &sv->run[i];
	name = sv->table.svc[i].name;
	n = read(r->ready_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && !memchr(buf, '\n', (size_t)n))
		return;		/* part of a line: wait for the rest */
	close_ready(sv, i);
	if (n > 0) {
		r->state = SVC_UP;
		settle(sv, i, NULL);
		log_info(sv->log, "service %s: ready after %.0f ms", name,
			 timeline_now_ms() - r->started_ms);
	} else {
		r->state = SVC_UNREADY;
		settle(sv, i, "failed");
		log_error(sv->log, "service %s: closed its readiness fd without a line: "
			  "this start failed", name);
	}
}

static void describe_exit(char *buf, size_t size, int status)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == 127)
		snprintf(buf, size, "exited with status 127 (could not exec?)");
	else
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
}

int supervisor_child_exited(struct supervisor *sv, pid_t pid, int status)
{
	char how[80];

	for (int i = 0; i < sv->table.count; i++) {
		struct service_run *r = &sv->run[i];
		const struct service_spec *s = &sv->table.svc[i];
		if (r->pid != pid || pid <= 0)
			continue;
		double now = timeline_now_ms();
		int failed_start = r->state != SVC_UP;

		r->pid = 0;
		r->state = SVC_DOWN;
		close_ready(sv, i);
		describe_exit(how, sizeof(how), status);
		if (sv->holding) {
			log_info(sv->log, "service %s: %s", s->name, how);
			return i;
		}
		log_error(sv->log, "service %s: %s after %.0f ms", s->name, how, now - r->started_ms);
		settle(sv, i, "failed");
		if (!s->restart)
			return i;
		r->backoff_ms = backoff_next(r->backoff_ms, now - r->started_ms, failed_start);
		r->restart_at_ms = now + r->backoff_ms;
		r->restarts++;
		log_info(sv->log, "service %s: restart %u in %d ms", s->name, r->restarts,
			 r->backoff_ms);
		return i;
	}
	return -1;
}

int supervisor_boot_settled(const struct supervisor *sv)
{
	for (int i = 0; i < sv->table.count; i++)
		if (!sv->run[i].settled)
			return 0;
	return 1;
}

void supervisor_give_up(struct supervisor *sv)
{
	for (int i = 0; i < sv->table.count; i++) {
		if (sv->run[i].settled)
			continue;
		log_error(sv->log, "service %s: not ready in time; going on without it",
			  sv->table.svc[i].name);
		settle(sv, i, "timeout");
	}
}

double supervisor_next_due(const struct supervisor *sv)
{
	double next = 0;

	if (sv->holding)
		return 0;
	for (int i = 0; i < sv->table.count; i++) {
		double t = sv->run[i].restart_at_ms;
		if (t > 0 && (next == 0 || t < next))
			next = t;
	}
	return next;
}

void supervisor_run_due(struct supervisor *sv, double now)
{
	for (int i = 0; i < sv->table.count; i++)
		if (sv->run[i].restart_at_ms > 0 && now >= sv->run[i].restart_at_ms)
			supervisor_start(sv, i);
}

void supervisor_hold(struct supervisor *sv)
{
	sv->holding = 1;
	for (int i = 0; i < sv->table.count; i++)
		sv->run[i].restart_at_ms = 0;
}

int supervisor_signal(struct supervisor *sv, int i, int sig)
{
	pid_t pid = sv->run[i].pid;

	if (pid <= 0)
		return -1;
	/* The group reaches the service's helpers; the pid itself covers a
	 * service that left its session (setsid in the service). */
	kill(-pid, sig);
	kill(pid, sig);
	return 0;
}
