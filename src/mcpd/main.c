/*
 * main.c - mcpd: the MCP server of mcpos.
 *
 * One process, one epoll loop, no threads: it serves the transports named
 * on the command line until its input ends or it is told to stop.  See
 * usage() for the flags, mcp.h for the protocol, machine.h for the tools.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance.h"
#include "files.h"
#include "httpd.h"
#include "loop.h"
#include "mcp.h"
#include "machine.h"
#include "resources.h"
#include "stdio_conn.h"
#include "testing.h"
#include "unixd.h"

#define MAX_ROOTS 8
#define DEFAULT_TOKEN_PATH "/var/lib/mcpos/token"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mcpd --stdio [--serial] [options]\n"
		"  --stdio              serve MCP on stdin/stdout (newline-delimited JSON-RPC)\n"
		"  --serial             stdin is the serial console: raw mode, ignore NUL and CR\n"
		"  --config PATH        init's settings (default /run/mcpos/config.json)\n"
		"  --boot PATH          init's boot timeline (default /run/mcpos/boot.json)\n"
		"  --root DIR           a directory the file tools may use (repeatable;\n"
		"                       default /mnt/models /var/lib/mcpos /tmp)\n"
		"  --page-size N        items per tools/resources/prompts list page (default 50)\n"
		"  --http ADDR          serve Streamable HTTP on PORT, HOST:PORT or [V6]:PORT\n"
		"                       (a bare PORT binds 127.0.0.1; port 0 picks one and\n"
		"                       \"mcpd: http on ADDR\" on stderr says which)\n"
		"  --token-file PATH    HTTP bearer token (default: $MCPOS_HTTP_TOKEN, else\n"
		"                       " DEFAULT_TOKEN_PATH ", generated 0600 if absent)\n"
		"  --print-token-path   say which token file --http would use, and exit\n"
		"  --unix PATH          serve on a Unix socket (root and mcpd's user only)\n"
		"  --no-auth            HTTP without a token (tests; loopback only)\n"
		"  --test               also register the test suites' tools\n"
		"  --conformance        also register the conformance suite's fixtures\n"
		"environment: MCPOS_READY_FD=N  write \"ready\\n\" to fd N once serving\n");
}

struct args {
	bool stdio, serial, test, conformance, no_auth, print_token_path;
	const char *http, *token_file, *unix_path;
	struct mcp_options opt;
	const char *roots[MAX_ROOTS + 1];
	size_t nroots;
};

/* Returns 0, 1 for --help, or -1 after printing what is wrong. */
static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	a->opt.config_path = "/run/mcpos/config.json";
	a->opt.boot_path = "/run/mcpos/boot.json";
	for (int i = 1; i < argc; i++) {
		const char *f = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = !strcmp(f, "--config") || !strcmp(f, "--boot") ||
			     !strcmp(f, "--root") || !strcmp(f, "--page-size") ||
			     !strcmp(f, "--http") || !strcmp(f, "--token-file") ||
			     !strcmp(f, "--unix");
		if (takes && !v) {
			fprintf(stderr, "mcpd: %s needs a value\n", f);
			return -1;
		}
		if (!strcmp(f, "--stdio")) a->stdio = true;
		else if (!strcmp(f, "--serial")) a->serial = true;
		else if (!strcmp(f, "--test")) a->test = true;
		else if (!strcmp(f, "--conformance")) a->conformance = true;
		else if (!strcmp(f, "--no-auth")) a->no_auth = true;
		else if (!strcmp(f, "--print-token-path")) a->print_token_path = true;
		else if (!strcmp(f, "--http")) a->http = v;
		else if (!strcmp(f, "--unix")) a->unix_path = v;
		else if (!strcmp(f, "--token-file")) a->token_file = v;
		else if (!strcmp(f, "--help") || !strcmp(f, "-h")) return 1;
		else if (!strcmp(f, "--config")) a->opt.config_path = v;
		else if (!strcmp(f, "--boot")) a->opt.boot_path = v;
		else if (!strcmp(f, "--root")) {
			if (a->nroots == MAX_ROOTS || v[0] != '/') {
				fprintf(stderr, "mcpd: --root takes an absolute path, at most %d times\n",
					MAX_ROOTS);
				return -1;
			}
			a->roots[a->nroots++] = v;
		} else if (!strcmp(f, "--page-size")) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > 1000) {
				fprintf(stderr, "mcpd: --page-size must be 1..1000\n");
				return -1;
			}
			a->opt.page_size = (size_t)n;
		} else {
			fprintf(stderr, "mcpd: unknown option %s (try --help)\n", f);
			return -1;
		}
		if (takes)
			i++;
	}
	if (!a->token_file)
		a->token_file = DEFAULT_TOKEN_PATH;
	if (a->print_token_path)
		return 0;
	if (!a->stdio && !a->http && !a->unix_path) {
		fprintf(stderr, "mcpd: no transport: give --stdio, --http or --unix\n");
		return -1;
	}
	if (!a->nroots) {
		a->roots[0] = "/mnt/models";
		a->roots[1] = "/var/lib/mcpos";
		a->roots[2] = "/tmp";
		a->nroots = 3;
	}
	a->opt.file_roots = a->roots;
	/* Only the mcpd that init started may power the machine off. */
	a->opt.is_system_service = getppid() == 1 && access(a->opt.config_path, F_OK) == 0;
	return 0;
}

/* The HTTP bearer token: $MCPOS_HTTP_TOKEN (init passes the kernel command
 * line's mcpos.http_token= this way), else the token file, created with a
 * fresh random token if it does not exist yet. */
static int load_token(const char *path, char *out, size_t size, const char **err)
{
	const char *env = getenv("MCPOS_HTTP_TOKEN");
	if (env && *env) {
		if (strlen(env) >= size) {
			*err = "MCPOS_HTTP_TOKEN too long";
			return -1;
		}
		strcpy(out, env);
		return 0;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, out, size - 1);
		close(fd);
		if (n < 0)
			n = 0;
		out[n] = '\0';
		out[strcspn(out, " \t\r\n")] = '\0';
		if (strlen(out) < 16) {
			*err = "token file holds less than 16 characters";
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		*err = "cannot read the token file";
		return -1;
	}
	unsigned char rnd[24];
	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd || size < 2 * sizeof rnd + 1) {
		*err = "no randomness for a token";
		return -1;
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, out, strlen(out)) != (ssize_t)strlen(out) || write(fd, "\n", 1) != 1) {
		if (fd >= 0)
			close(fd);
		*err = "cannot create the token file";
		return -1;
	}
	close(fd);
	return 0;
}

static void signal_ready(void)
{
	const char *fd_text = getenv("MCPOS_READY_FD");
	if (!fd_text)
		return;
	char *end;
	long fd = strtol(fd_text, &end, 10);
	if (*end || fd < 0 || fd > 1024)
		return;
	ssize_t n;
	do
		n = write((int)fd, "ready\n", 6);
	while (n < 0 && errno == EINTR);
	close((int)fd);
}

/* The loop's state: what the sources' ready() functions change. */
struct mcpd {
	struct source sig, in;
	struct stdio_conn io;
	bool running, eof, failed;
};

static void on_signal(struct source *src, uint32_t events)
{
	struct mcpd *d = (struct mcpd *)((char *)src - offsetof(struct mcpd, sig));
	d->running = false;
}

static void on_stdin(struct source *src, uint32_t events)
{
	struct mcpd *d = (struct mcpd *)((char *)src - offsetof(struct mcpd, in));
	int r = stdio_readable(&d->io);
	if (r < 0) {
		perror("mcpd: reading stdin");
		d->failed = true;
	}
	if (r <= 0) {
		d->eof = r == 0;
		d->running = false;
	}
}

static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	struct args a;
	int r = parse_args(argc, argv, &a);
	if (r) {
		usage(r > 0 ? stdout : stderr);
		return r > 0 ? 0 : 2;
	}
	if (a.print_token_path) {
		printf("%s\n", getenv("MCPOS_HTTP_TOKEN") ? "$MCPOS_HTTP_TOKEN" : a.token_file);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	struct mcp_server srv;
	const char *err = NULL;
	mcp_server_init(&srv, &a.opt);
	if (machine_register(&srv, &err) || files_register(&srv, &err) ||
	    resources_register(&srv, &err) ||
	    (a.test && testing_register(&srv, &err)) ||
	    (a.conformance && conformance_register(&srv, &err))) {
		fprintf(stderr, "mcpd: %s\n", err ? err : "registry full");
		return 1;
	}

	static struct mcpd d;
	d.running = true;
	d.sig.ready = on_signal;
	d.in.ready = on_stdin;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int sfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &d.sig };
	if (ep < 0 || sfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev)) {
		perror("mcpd: epoll");
		return 1;
	}
	struct httpd *http = NULL;
	if (a.http) {
		static char token[256];
		if (!a.no_auth && load_token(a.token_file, token, sizeof token, &err)) {
			fprintf(stderr, "mcpd: HTTP token (%s): %s\n", a.token_file, err);
			return 1;
		}
		http = httpd_open(&srv, ep, a.http, a.no_auth ? NULL : token, &err);
		if (!http) {
			fprintf(stderr, "mcpd: --http %s: %s\n", a.http, err);
			return 1;
		}
		fprintf(stderr, "mcpd: http on %s\n", httpd_address(http));
	}
	struct unixd *unixd = NULL;
	if (a.unix_path && !(unixd = unixd_open(&srv, ep, a.unix_path, &err))) {
		fprintf(stderr, "mcpd: --unix %s: %s\n", a.unix_path, err);
		return 1;
	}
	/* epoll refuses regular files (stdin redirected from a file); they
	 * are always readable, so they are simply read in turn. */
	bool stdin_polled = false;
	if (a.stdio) {
		if (stdio_open(&d.io, &srv, 0, 1, a.serial, ep, &err)) {
			fprintf(stderr, "mcpd: %s\n", err);
			return 1;
		}
		ev.data.ptr = &d.in;
		stdin_polled = epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) == 0;
		if (!stdin_polled && errno != EPERM) {
			perror("mcpd: epoll stdin");
			return 1;
		}
	}
	signal_ready();

	while (d.running) {
		int timeout = mcp_run_pending(&srv);
		if (http)
			timeout = min_timeout(timeout, httpd_sweep(http));
		if (a.stdio && !stdin_polled) {
			on_stdin(&d.in, EPOLLIN);
			timeout = 0;
		}
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, timeout);
		if (n < 0 && errno != EINTR) {
			perror("mcpd: epoll_wait");
			d.failed = true;
			break;
		}
		for (int i = 0; i < n && d.running; i++) {
			struct source *src = evs[i].data.ptr;
			src->ready(src, evs[i].events);
		}
	}
	/* Calls still running when input ends finish before we go: a client
	 * that wrote its requests and closed its end still gets answers. */
	if (stdin_polled)
		epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
	while (d.eof && !d.io.broken && srv.pending) {
		int t = mcp_run_pending(&srv);
		if (t > 0) {
			struct epoll_event e;
			if (epoll_wait(ep, &e, 1, t) > 0) {
				if (e.data.ptr == &d.sig)
					break;
				struct source *src = e.data.ptr;
				src->ready(src, e.events);
			}
		}
	}
	if (a.stdio)
		stdio_close(&d.io);
	if (http)
		httpd_close(http);
	if (unixd)
		unixd_close(unixd);
	mcp_server_free(&srv);
	close(sfd);
	close(ep);
	return d.failed ? 1 : 0;
}
