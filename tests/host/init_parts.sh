#!/bin/sh
# Host tests of src/init (the modular PID 1) as PID 1 as PID 1 of a new PID + mount namespace (unshare), with
# MCPOS_INIT_TEST=1 so it never touches the host: everything it mounts and
# writes lives under mcpos.root=$dir, and shutdown ends in exit, not reboot.
#
# Synchronisation is through fifos that the test services write to: every
# wait is a blocking read bounded by `timeout`, never a sleep.  Every init
# run is itself bounded: `timeout` kills unshare, and --kill-child takes the
# namespace's init (and so the whole namespace) with it.
#
# INIT=path overrides the binary under test (default build/x86_64/init).
. tests/lib/tap.sh
INIT=${INIT:-build/x86_64/init}
[ -x "$INIT" ] || { skip "init_parts: host tests" "$INIT not built (see the top of $0)"; tap_done; }
if ! unshare -fpm --mount-proc true 2>/dev/null; then
	skip "init_parts: host tests" "unshare -fpm needs root and namespaces"; tap_done
fi

work=$(mktemp -d /tmp/mcpos-init.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A service program: a tiny static C program so the test does not depend on
# a shell inside the namespace behaving a certain way.
cat > "$work/svc.c" <<'C'
/* svc NAME FIFO [MODE]: reports "NAME start PID" and, on SIGTERM,
 * "NAME stop PID" to FIFO.  MODE: notify (write the readiness line),
 * orphan (leave a grandchild for init to reap), noready (keep fd 3 open,
 * never write), eof (close fd 3 without a line), stubborn (ignore SIGTERM). */
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
	if (argc > 3 && !strcmp(argv[3], "stubborn"))
		signal(SIGTERM, SIG_IGN);	/* before it reports ready */
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
	if (argc > 3 && (!strcmp(argv[3], "notify") || !strcmp(argv[3], "stubborn")) &&
	    getenv("MCPOS_READY_FD")) {
		int fd = atoi(getenv("MCPOS_READY_FD"));
		if (write(fd, "ready\n", 6) < 0) {}
		close(fd);
	}
	/* noready: hold the readiness fd open and never write (init times out) */
	if (argc > 3 && !strcmp(argv[3], "eof"))
		close(3);
	for (;;) pause();
}
C
cc -O1 -o "$work/svc" "$work/svc.c" || { not_ok "init_parts: build test service"; tap_done; }
mkfifo "$work/events"

# start_init CMDLINE...: run init in the background; its console goes to $work/console.
start_init() {
	MCPOS_INIT_TEST=1 MCPOS_CMDLINE="mcpos.root=$work/root $*" \
		timeout -s KILL 60 unshare --kill-child -pm --mount-proc "$INIT" > "$work/console" 2>&1 &
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
check "init_parts: both services started (and the orphan ran)" test "$events" != bad
check "init_parts: services start in table order" sh -c "grep -n 'started, pid' '$work/console' | head -n 2 | tr '\n' ' ' | grep -q 'first.*second'"
# init_job is `timeout`; its child is unshare, whose child is init (PID 1 inside).
ns_init=$(pgrep -P "$(pgrep -P "$init_job" | head -n 1)" | head -n 1)
nsroot=/proc/$ns_init/root
if wait_console "^mcpos: ready boot_ms=[0-9]+ mem_available_kib=[0-9]+$"; then ok "init_parts: ready line printed"; else not_ok "init_parts: ready line printed"; fi
for f in config.json boot.json; do
	if node -e "JSON.parse(require('fs').readFileSync('$nsroot$work/root/run/mcpos/$f','utf8'))" 2>/dev/null; then
		ok "init_parts: /run/mcpos/$f is valid JSON"
	else not_ok "init_parts: /run/mcpos/$f is valid JSON"; fi
done
check "init_parts: config.json has the command line's threads" grep -q '"threads":3' "$nsroot$work/root/run/mcpos/config.json"
check "init_parts: boot.json has both services and ready" sh -c "f='$nsroot$work/root/run/mcpos/boot.json'; grep -q service:first \$f && grep -q service:second \$f && grep -q boot_ms \$f"
check "init_parts: tmpfs mounted on /run with a size limit" grep -q " $work/root/run tmpfs .*size=" /proc/$ns_init/mounts
for m in proc sys dev tmp var mnt/models; do
	check "init_parts: $m mounted under the test root" grep -q " $work/root/$m " /proc/$ns_init/mounts
done
# The documented keys and a timeline whose stages are in order.
check "init_parts: config.json has the derived settings" node -e "
const c = JSON.parse(require('fs').readFileSync('$nsroot$work/root/run/mcpos/config.json', 'utf8'));
for (const k of ['mem_total_kib','mem_available_kib','cpus','threads','model_budget_bytes','tmpfs','log'])
  if (!(k in c)) throw new Error('no ' + k);
if (c.model_budget_bytes <= 0 || c.model_budget_bytes > c.mem_available_kib * 1024) throw new Error('budget');
if (c.tmpfs['/mnt/models'] !== c.model_budget_bytes || c.log !== 'debug') throw new Error('tmpfs/log');"
check "init_parts: boot.json stages are ordered, boot_ms matches ready" node -e "
const b = JSON.parse(require('fs').readFileSync('$nsroot$work/root/run/mcpos/boot.json', 'utf8'));
const names = b.stages.map(s => s.name);
const want = ['kernel', 'mounts', 'config'];
if (names.slice(0, 3).join() !== want.join() || names[names.length - 1] !== 'ready') throw new Error(names.join());
for (let i = 1; i < b.stages.length; i++) if (b.stages[i].ms < b.stages[i - 1].ms) throw new Error('order');
if (Math.abs(b.boot_ms - b.stages[b.stages.length - 1].ms) > 1 || b.clock !== 'boottime') throw new Error('boot_ms');"
# Lowering oom_score_adj needs CAP_SYS_RESOURCE, which some containers drop.
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if [ $(( (0x$capeff >> 24) & 1 )) = 1 ]; then
	check "init_parts: its own oom_score_adj is -1000" test "$(cat /proc/$ns_init/oom_score_adj)" = -1000
else
	check "init_parts: without CAP_SYS_RESOURCE, oom_score_adj failure is logged" grep -q "oom_score_adj -1000: Permission denied" "$work/console"
fi
second_pid=$(pgrep -P "$ns_init" -f "svc second" | head -n 1)
check "init_parts: a service gets its oom_score_adj (500)" test "$(cat /proc/$second_pid/oom_score_adj 2>/dev/null)" = 500

# --- supervision: a killed service comes back --------------------------------
host_pid=$(pgrep -P "$ns_init" -f "svc first" | head -n 1)
t0=$(date +%s%N)
kill -KILL "$host_pid"
if line=$(expect "first start *"); then
	t1=$(date +%s%N)
	ok "init_parts: a killed service is restarted"
	diag "restart latency $(( (t1 - t0) / 1000000 )) ms (backoff starts at 100 ms)"
else
	not_ok "init_parts: a killed service is restarted ($line)"
fi
# Killed again at once: it stayed up < 10 s, so the backoff doubles.
host_pid=$(pgrep -P "$ns_init" -f "svc first" | head -n 1)
t0=$(date +%s%N)
kill -KILL "$host_pid"
if line=$(expect "first start *"); then
	t1=$(date +%s%N)
	diag "second restart latency $(( (t1 - t0) / 1000000 )) ms (backoff 200 ms)"
	check "init_parts: a service that keeps dying backs off (100 ms, then 200 ms)" sh -c "
		grep -q 'service first: restart 1 in 100 ms' '$work/console' &&
		grep -q 'service first: restart 2 in 200 ms' '$work/console'"
	check "init_parts: the exit is logged with its signal" grep -q "service first: killed by signal 9" "$work/console"
else
	not_ok "init_parts: a service that keeps dying is restarted again ($line)"
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
	ok "init_parts: orphans are reaped (no zombie children of init)"
else
	not_ok "init_parts: orphans are reaped: $(zombies)"
fi

# --- shutdown: reverse order, then poweroff ---------------------------------
kill -USR1 "$ns_init"
if a=$(expect "second stop *") && b=$(expect "first stop *"); then
	ok "init_parts: shutdown stops services in reverse order"
else
	not_ok "init_parts: shutdown stops services in reverse order"; diag "events: $a / ${b:-}"; sed "s/^/# /" "$work/console"
fi
if timeout 20 sh -c "wait $init_job" 2>/dev/null; wait_console "^mcpos: poweroff$"; then
	ok "init_parts: SIGUSR1 ends in poweroff"
else
	not_ok "init_parts: SIGUSR1 ends in poweroff"; tail -n 20 "$work/console" | sed 's/^/# /'
fi
wait "$init_job" 2>/dev/null
exec 3<&-

# --- broken inputs: clear errors, boot still completes ---------------------------
printf 'broken line here\n' > "$work/root/badservices"
start_init "mcpos.services=/badservices mcpos.threads=lots mcpos.nonsense=1 mcpos.after_ready=poweroff"
wait "$init_job"
exec 3<&-
check "init_parts: a broken service table is reported with its line" grep -q "badservices: line 1:" "$work/console"
check "init_parts: a malformed key is reported" grep -q "mcpos.threads=lots: malformed value" "$work/console"
check "init_parts: an unknown key is reported" grep -q "mcpos.nonsense=1: unknown key" "$work/console"
check "init_parts: boot completes despite broken input" grep -q "^mcpos: ready " "$work/console"
check "init_parts: after_ready=poweroff shuts down" grep -q "^mcpos: poweroff$" "$work/console"

# --- a service that never gets ready does not hang the boot ---------------------
cat > "$work/root/slow" <<EOF2
slow inherit 0 notify never $work/svc slow $work/events noready
EOF2
start_init "mcpos.services=/slow mcpos.after_ready=halt"
if timeout 30 sh -c "wait $init_job"; then :; fi
wait "$init_job"
exec 3<&-
check "init_parts: a service that never reports ready is timed out" grep -q "slow: not ready in time" "$work/console"
check "init_parts: ... and the system still reaches ready and halts" sh -c "grep -q '^mcpos: ready ' '$work/console' && grep -q '^mcpos: halt$' '$work/console'"

# --- modules list, and a service that closes fd 3 without a line -------------
mkdir -p "$work/root/etc/mcpos" "$work/root/mods"
: > "$work/root/mods/fake.ko"
cat > "$work/root/etc/mcpos/modules" <<EOF2
# test mode opens each module but never calls finit_module
/mods/fake.ko  debug=1
/mods/missing.ko
relative.ko
EOF2
cat > "$work/root/eof" <<EOF2
eof inherit 0 notify never $work/svc eof $work/events eof
EOF2
start_init "mcpos.services=/eof mcpos.after_ready=poweroff mcpos.boot_json=console"
wait "$init_job"; rc=$?
exec 3<&-
check "init_parts: exit status 0 after the test-mode poweroff" test "$rc" = 0
check "init_parts: a missing module is logged with errno" grep -q "module /mods/missing.ko: No such file" "$work/console"
check "init_parts: a bad module line is logged with its number" grep -q "modules: line 4: module path must be absolute" "$work/console"
check "init_parts: EOF on the readiness fd is a failed start" grep -q "service eof: closed its readiness fd without a line" "$work/console"
check "init_parts: boot.json on the console has module and service stages with notes" node -e "
const line = require('fs').readFileSync('$work/console', 'utf8').split('\\n').find(l => l.startsWith('mcpos: boot.json '));
const b = JSON.parse(line.slice('mcpos: boot.json '.length));
const note = n => (b.stages.find(s => s.name === n) || {}).note;
if (note('module:fake') !== 'test' || note('module:missing') !== 'failed' || note('service:eof') !== 'failed')
  throw new Error(JSON.stringify(b.stages));"
check "init_parts: the ready line comes right before boot.json" sh -c "grep -A1 '^mcpos: ready ' '$work/console' | tail -n 1 | grep -q '^mcpos: boot.json {'"

# --- a service that ignores SIGTERM is killed after its stop timeout ---------
cat > "$work/root/stubborn" <<EOF2
stubborn inherit 0 notify always $work/svc stubborn $work/events stubborn
EOF2
start_init "mcpos.services=/stubborn mcpos.after_ready=reboot"
t0=$(date +%s%N)
wait "$init_job"; rc=$?
t1=$(date +%s%N)
exec 3<&-
check "init_parts: a service ignoring SIGTERM is killed" grep -q "service stubborn: did not stop in time; killing it" "$work/console"
check "init_parts: ... and the reboot still happens" sh -c "test $rc = 0 && grep -q '^mcpos: reboot$' '$work/console'"
diag "shutdown with a stubborn service took $(( (t1 - t0) / 1000000 )) ms (stop timeout 5 s)"

# --- no /proc/cmdline problem is fatal: an empty command line boots -----------
start_init "mcpos.log=quiet mcpos.services=/eof mcpos.after_ready=halt"
wait "$init_job"; rc=$?
exec 3<&-
check "init_parts: log=quiet still prints the ready and halt lines" sh -c "test $rc = 0 && grep -q '^mcpos: ready ' '$work/console' && grep -q '^mcpos: halt$' '$work/console' && ! grep -q 'started, pid' '$work/console'"

# --- rescue state: no event loop, still reaps and obeys shutdown signals ------
# With 4 file descriptors init can read its files one at a time but cannot
# make the signalfd, timerfd and epoll set together.
MCPOS_INIT_TEST=1 MCPOS_CMDLINE="mcpos.root=$work/root mcpos.services=/eof" \
	timeout -s KILL 60 unshare --kill-child -pm --mount-proc prlimit --nofile=4 -- "$INIT" > "$work/console" 2>&1 &
init_job=$!
if wait_console "^mcpos: rescue: cannot build the event loop"; then
	ok "init_parts: no event loop means the rescue state, logged"
	ns_init=$(pgrep -P "$(pgrep -P "$init_job" | head -n 1)" | head -n 1)
	kill -USR1 "$ns_init"
	wait "$init_job"; rc=$?
	check "init_parts: SIGUSR1 in the rescue state still powers off" sh -c "test $rc = 0 && grep -q '^mcpos: poweroff$' '$work/console'"
else
	not_ok "init_parts: no event loop means the rescue state, logged"; sed 's/^/# /' "$work/console"
	kill -KILL "$init_job" 2>/dev/null; wait "$init_job"
fi

# --- refusing to run outside a namespace ------------------------------------
out=$(MCPOS_INIT_TEST=1 "$INIT" 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "not PID 1"; then ok "init_parts: refuses to run when not PID 1"; else not_ok "init_parts: refuses to run when not PID 1 ($rc: $out)"; fi
tap_done
