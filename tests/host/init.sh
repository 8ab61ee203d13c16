#!/bin/sh
# Host tests of init as PID 1 of a new PID + mount namespace (unshare), with
# MCPOS_INIT_TEST=1 so it never touches the host: everything it mounts and
# writes lives under mcpos.root=$dir, and shutdown ends in exit, not reboot.
#
# Synchronisation is through fifos that the test services write to: every
# wait is a blocking read bounded by `timeout`, never a sleep.
. tests/lib/tap.sh
INIT=build/x86_64/init
[ -x "$INIT" ] || { not_ok "init: $INIT missing (make build/x86_64/init)"; tap_done; }
if ! unshare -fpm --mount-proc true 2>/dev/null; then
	skip "init: host tests" "unshare -fpm needs root and namespaces"; tap_done
fi

work=$(mktemp -d /tmp/mcpos-init.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A service program: a tiny static C program so the test does not depend on
# a shell inside the namespace behaving a certain way.
cat > "$work/svc.c" <<'C'
/* svc NAME FIFO [notify|orphan|noready]: reports "NAME start PID" and, on
 * SIGTERM, "NAME stop" to FIFO; notify writes the readiness line. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static const char *name, *fifo;
static void report(const char *what) {
	char line[128];
	int fd = open(fifo, O_WRONLY), n = snprintf(line, sizeof line, "%s %s %d\n", name, what, (int)getpid());
	if (fd >= 0) { if (write(fd, line, n) < 0) {} close(fd); }
}
static void on_term(int sig) { (void)sig; report("stop"); _exit(0); }
int main(int argc, char **argv) {
	name = argv[1]; fifo = argv[2];
	signal(SIGTERM, on_term);
	if (argc > 3 && !strcmp(argv[3], "orphan")) {
		/* Leave a grandchild that exits after we are gone: init must reap it. */
		if (fork() == 0) {
			if (fork() == 0) {	/* grandchild: wait for its parent to go */
				while (getppid() != 1) {}
				report("orphan");
				_exit(0);
			}
			_exit(0);
		}
	}
	report("start");
	if (argc > 3 && !strcmp(argv[3], "notify") && getenv("MCPOS_READY_FD")) {
		int fd = atoi(getenv("MCPOS_READY_FD"));
		if (write(fd, "ready\n", 6) < 0) {}
		close(fd);
	}
	if (argc > 3 && !strcmp(argv[3], "noready")) {
		/* hold the readiness fd open and never write: init must time out */
	}
	for (;;) pause();
}
C
cc -O1 -o "$work/svc" "$work/svc.c" || { not_ok "init: build test service"; tap_done; }
mkfifo "$work/events"

# start_init CMDLINE...: run init in the background; its console goes to $work/console.
start_init() {
	MCPOS_INIT_TEST=1 MCPOS_CMDLINE="mcpos.root=$work/root $*" \
		unshare -fpm --mount-proc "$INIT" > "$work/console" 2>&1 &
	init_job=$!
	# Keep the fifo open for reading so writers never block on open.
	exec 3<>"$work/events"
}
# expect PATTERN: the next event line must match (bounded wait).
expect() {
	# sh's read takes exactly one line from the fifo (head would buffer more).
	line=$(timeout 20 sh -c 'read -r l && echo "$l"' <&3) || { echo "timeout"; return 1; }
	case $line in $1) echo "$line"; return 0 ;; *) echo "unexpected: $line"; return 1 ;; esac
}
wait_console() { # wait_console REGEX: bounded poll of the console file via tail -f
	timeout 20 sh -c "tail -n +1 -f '$work/console' | grep -m1 -E '$1'" > /dev/null
}

mkdir -p "$work/root"
cat > "$work/root/services" <<EOF2
first  inherit 0    notify always $work/svc first $work/events notify
second inherit 500  exec   always $work/svc second $work/events orphan
EOF2

# --- boot, readiness, files ------------------------------------------------
start_init "mcpos.services=/services mcpos.threads=3 mcpos.log=debug"
# Three events in any order (the services run concurrently).
events=""
for i in 1 2 3; do events="$events|$(expect "*")"; done
case $events in *"|first start"*) ;; *) events=bad ;; esac
case $events in *"|second start"*) ;; *) events=bad ;; esac
case $events in *"|second orphan"*) ;; *) events=bad ;; esac
check "init: both services started (and the orphan ran)" test "$events" != bad
check "init: services start in table order" sh -c "grep -n 'started, pid' '$work/console' | head -n 2 | tr '\n' ' ' | grep -q 'first.*second'"
ns_init=$(pgrep -P "$init_job" | head -n 1)
nsroot=/proc/$ns_init/root
if wait_console "^mcpos: ready boot_ms=[0-9]+ mem_available_kib=[0-9]+$"; then ok "init: ready line printed"; else not_ok "init: ready line printed"; fi
for f in config.json boot.json; do
	if node -e "JSON.parse(require('fs').readFileSync('$nsroot$work/root/run/mcpos/$f','utf8'))" 2>/dev/null; then
		ok "init: /run/mcpos/$f is valid JSON"
	else not_ok "init: /run/mcpos/$f is valid JSON"; fi
done
check "init: config.json has the command line's threads" grep -q '"threads":3' "$nsroot$work/root/run/mcpos/config.json"
check "init: boot.json has both services and ready" sh -c "f='$nsroot$work/root/run/mcpos/boot.json'; grep -q service:first \$f && grep -q service:second \$f && grep -q boot_ms \$f"
check "init: tmpfs mounted on /run with a size limit" grep -q " $work/root/run tmpfs .*size=" /proc/$ns_init/mounts

# --- supervision: a killed service comes back --------------------------------
host_pid=$(pgrep -P "$ns_init" -f "svc first" | head -n 1)
t0=$(date +%s%N)
kill -KILL "$host_pid"
if line=$(expect "first start *"); then
	t1=$(date +%s%N)
	ok "init: a killed service is restarted"
	diag "restart latency $(( (t1 - t0) / 1000000 )) ms (backoff starts at 100 ms)"
else
	not_ok "init: a killed service is restarted ($line)"
fi

# --- orphans are reaped ---------------------------------------------------
# "second" left a grandchild that reported and exited after its parent; it
# was reparented to init, which must reap it.  Poll /proc (bounded, no sleep).
zombies() { for p in /proc/[0-9]*; do
	set -- $(cat "$p/stat" 2>/dev/null | sed 's/.*) //')
	[ "${2:-}" = "$ns_init" ] && [ "${1:-}" = Z ] && echo "${p#/proc/}"
done; }
for i in $(seq 1 200); do [ -z "$(zombies)" ] && break; done
if [ -z "$(zombies)" ]; then
	ok "init: orphans are reaped (no zombie children of init)"
else
	not_ok "init: orphans are reaped: $(zombies)"
fi

# --- shutdown: reverse order, then poweroff ---------------------------------
kill -USR1 "$ns_init"
if a=$(expect "second stop *") && b=$(expect "first stop *"); then
	ok "init: shutdown stops services in reverse order"
else
	not_ok "init: shutdown stops services in reverse order"; diag "events: $a / ${b:-}"; sed "s/^/# /" "$work/console"
fi
if timeout 20 sh -c "wait $init_job" 2>/dev/null; wait_console "^mcpos: poweroff$"; then
	ok "init: SIGUSR1 ends in poweroff"
else
	not_ok "init: SIGUSR1 ends in poweroff"; tail -n 20 "$work/console" | sed 's/^/# /'
fi
wait "$init_job" 2>/dev/null
exec 3<&-

# --- broken inputs: clear errors, boot still completes ---------------------------
printf 'broken line here\n' > "$work/root/badservices"
start_init "mcpos.services=/badservices mcpos.threads=lots mcpos.nonsense=1 mcpos.after_ready=poweroff"
wait "$init_job"
exec 3<&-
check "init: a broken service table is reported with its line" grep -q "badservices: line 1:" "$work/console"
check "init: a malformed key is reported" grep -q "mcpos.threads=lots: malformed value" "$work/console"
check "init: an unknown key is reported" grep -q "mcpos.nonsense=1: unknown key" "$work/console"
check "init: boot completes despite broken input" grep -q "^mcpos: ready " "$work/console"
check "init: after_ready=poweroff shuts down" grep -q "^mcpos: poweroff$" "$work/console"

# --- a service that never gets ready does not hang the boot ---------------------
cat > "$work/root/slow" <<EOF2
slow inherit 0 notify never $work/svc slow $work/events noready
EOF2
start_init "mcpos.services=/slow mcpos.after_ready=halt"
if timeout 30 sh -c "wait $init_job"; then :; fi
wait "$init_job"
exec 3<&-
check "init: a service that never reports ready is timed out" grep -q "slow: not ready in time" "$work/console"
check "init: ... and the system still reaches ready and halts" sh -c "grep -q '^mcpos: ready ' '$work/console' && grep -q '^mcpos: halt$' '$work/console'"

# --- refusing to run outside a namespace ------------------------------------
out=$(MCPOS_INIT_TEST=1 "$INIT" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "not PID 1"; then ok "init: refuses to run when not PID 1"; else not_ok "init: refuses to run when not PID 1 ($rc: $out)"; fi
tap_done
