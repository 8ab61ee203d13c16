/* Unit tests of src/init's modules: the pure parsers and formulas
 * (cmdline, meminfo, budget, services, modules list, timeline, log) and the
 * careful file helpers.  Nothing here forks, mounts or signals: those parts
 * are tested as PID 1 of a namespace by tests/host/init_parts.sh. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "init/budget.h"
#include "init/cmdline.h"
#include "init/fsutil.h"
#include "init/meminfo.h"
#include "init/modules.h"
#include "init/mounts.h"
#include "init/services.h"
#include "init/shutdown.h"
#include "init/supervise.h"
#include "init/timeline.h"
#include "log.h"

static void test_cmdline(void)
{
	struct init_options o;
	char errs[512];

	TEST("init", "cmdline: defaults; the kernel's own words are ignored") {
		CHECK_EQ(cmdline_parse("console=ttyS0 quiet root=/dev/vda mcpos", &o, errs, sizeof(errs)), 0);
		CHECK_EQ(o.threads, 0);
		CHECK_EQ(o.model_budget, 0);
		CHECK_EQ(o.log, LOG_INFO);
		CHECK_EQ(o.after_ready, AFTER_NOTHING);
		CHECK_STR(errs, "");
	}
	TEST("init", "cmdline: every key") {
		CHECK_EQ(cmdline_parse("mcpos.threads=3 mcpos.model_budget=480M mcpos.log=debug\n"
				       "mcpos.after_ready=halt\tmcpos.boot_json=console "
				       "mcpos.services=/etc/s mcpos.root=/tmp/r mcpos.http_token=abc",
				       &o, errs, sizeof(errs)), 0);
		CHECK_EQ(o.threads, 3);
		CHECK_EQ(o.model_budget, 480ull << 20);
		CHECK_EQ(o.log, LOG_DEBUG);
		CHECK_EQ(o.after_ready, AFTER_HALT);
		CHECK_EQ(o.boot_json_console, 1);
		CHECK_STR(o.services, "/etc/s");
		CHECK_STR(o.root, "/tmp/r");
		CHECK_STR(o.http_token, "abc");
		CHECK_EQ(cmdline_parse("mcpos.log=quiet", &o, errs, sizeof(errs)), 0);
		CHECK_EQ(o.log, LOG_ERROR);
	}
	TEST("init", "cmdline: each bad key is named, ignored, and the rest applies") {
		int n = cmdline_parse("mcpos.threads=lots mcpos.threads=0 mcpos.threads=2K "
				      "mcpos.model_budget=12X mcpos.log=loud mcpos.bogus=1 "
				      "mcpos.after_ready mcpos.root=rel mcpos.threads=2",
				      &o, errs, sizeof(errs));
		CHECK_EQ(n, 8);
		CHECK_EQ(o.threads, 2);
		CHECK_EQ(o.model_budget, 0);
		CHECK_EQ(o.log, LOG_INFO);
		CHECK_STR(o.root, "");
		CHECK(strstr(errs, "mcpos.threads=lots: malformed value") != NULL);
		CHECK(strstr(errs, "mcpos.threads=2K: malformed value") != NULL);
		CHECK(strstr(errs, "mcpos.log=loud: malformed value") != NULL);
		CHECK(strstr(errs, "mcpos.bogus=1: unknown key") != NULL);
		CHECK(strstr(errs, "mcpos.after_ready: missing '=value'") != NULL);
	}
	TEST("init", "cmdline: over-long values are refused; errors truncate safely") {
		char big[600], tiny[16];
		memset(big, 0, sizeof(big));
		strcpy(big, "mcpos.root=/");
		memset(big + 12, 'a', 400);
		CHECK_EQ(cmdline_parse(big, &o, tiny, sizeof(tiny)), 1);
		CHECK_STR(o.root, "");
		CHECK(strlen(tiny) < sizeof(tiny));
	}
	TEST("init", "parse_size: suffixes and overflow") {
		uint64_t v;
		CHECK(parse_size("512", 3, &v) == 0 && v == 512);
		CHECK(parse_size("64K", 3, &v) == 0 && v == 65536);
		CHECK(parse_size("3g", 2, &v) == 0 && v == 3ull << 30);
		CHECK(parse_size("", 0, &v) == -1);
		CHECK(parse_size("M", 1, &v) == -1);
		CHECK(parse_size("1MB", 3, &v) == -1);
		CHECK(parse_size("99999999999999999999", 20, &v) == -1);
		CHECK(parse_size("17179869184G", 12, &v) == -1);
	}
}

static void test_meminfo_budget(void)
{
	struct init_options o;
	char errs[64];

	TEST("init", "meminfo: keys match exactly, values are kB numbers") {
		const char *mi = "MemTotal:         505752 kB\nMemFree:          499340 kB\n"
				 "MemAvailable:     495092 kB\nHugePages_Total:       0\n";
		uint64_t v = 0;
		CHECK(meminfo_get(mi, "MemTotal", &v) == 0 && v == 505752);
		CHECK(meminfo_get(mi, "MemAvailable", &v) == 0 && v == 495092);
		CHECK(meminfo_get(mi, "HugePages_Total", &v) == 0 && v == 0);
		CHECK_EQ(meminfo_get(mi, "Mem", &v), -1);
		CHECK_EQ(meminfo_get(mi, "Total", &v), -1);
		CHECK_EQ(meminfo_get(mi, "", &v), -1);
		CHECK_EQ(meminfo_get("MemTotal: x kB\n", "MemTotal", &v), -1);
		CHECK_EQ(meminfo_get("MemTotal: 12 MB\n", "MemTotal", &v), -1);
		CHECK_EQ(meminfo_get("MemTotal: 99999999999999999999 kB\n", "MemTotal", &v), -1);
	}
	TEST("init", "meminfo: MemFree stands in for a missing MemAvailable") {
		struct meminfo m;
		CHECK_EQ(meminfo_parse("MemTotal: 100 kB\nMemFree: 40 kB\n", &m), 0);
		CHECK_EQ(m.total_kib, 100);
		CHECK_EQ(m.available_kib, 40);
		CHECK_EQ(meminfo_parse("MemTotal: 100 kB\nMemFree: 40 kB\nMemAvailable: 70 kB\n", &m), 0);
		CHECK_EQ(m.available_kib, 70);
		CHECK_EQ(meminfo_parse("MemFree: 40 kB\n", &m), -1);
		CHECK_EQ(meminfo_parse("MemTotal: 100 kB\n", &m), -1);
	}
	TEST("init", "budget: 512 MiB board, 2 CPUs") {
		struct machine_facts f = { .mem_total_kib = 506356, .mem_available_kib = 501000, .cpus = 2 };
		struct derived_settings s;
		cmdline_parse("", &o, errs, sizeof(errs));
		budget_derive(&f, &o, &s);
		CHECK_EQ(s.threads, 2);
		CHECK_EQ(s.os_reserve_bytes, (8ull << 20) + 506356ull * 1024 / 64);
		CHECK_EQ(s.model_budget_bytes, 501000ull * 1024 - s.os_reserve_bytes);
		CHECK(s.model_budget_bytes >= 480000000ull);	/* the design's promise */
		CHECK_EQ(s.tmpfs_models_bytes, s.model_budget_bytes);
		CHECK_EQ(s.tmpfs_tmp_bytes, 506356ull * 1024 / 16);
		CHECK_EQ(s.tmpfs_run_bytes, 506356ull * 1024 / 128);
		CHECK_EQ(s.min_free_kbytes, 512);
	}
	TEST("init", "budget: the command line wins; tiny machines do not underflow") {
		struct machine_facts f = { .mem_total_kib = 8192, .mem_available_kib = 4096, .cpus = 0 };
		struct derived_settings s;
		char json[1024];
		cmdline_parse("mcpos.threads=7 mcpos.model_budget=1M mcpos.log=quiet", &o, errs, sizeof(errs));
		budget_derive(&f, &o, &s);
		CHECK_EQ(s.threads, 7);
		CHECK_EQ(s.model_budget_bytes, 1 << 20);
		CHECK(budget_json(&f, &s, &o, json, sizeof(json)) > 0);
		CHECK(strstr(json, "\"log\":\"quiet\"") != NULL);
		cmdline_parse("", &o, errs, sizeof(errs));
		budget_derive(&f, &o, &s);
		CHECK_EQ(s.threads, 1);
		CHECK_EQ(s.model_budget_bytes, 0);
		CHECK(s.tmpfs_models_bytes > 0);	/* size=0 would mean unlimited */
		CHECK_EQ(s.tmpfs_run_bytes, 1 << 20);
		CHECK(budget_json(&f, &s, &o, json, sizeof(json)) > 0);
		CHECK(strstr(json, "\"model_budget_bytes\":0,") != NULL);
		CHECK_EQ(budget_json(&f, &s, &o, json, 10), -1);
	}
	TEST("init", "mounts: tmpfs options") {
		char opt[64];
		CHECK_EQ(mounts_tmpfs_options(opt, sizeof(opt), 33554432, 01777), 0);
		CHECK_STR(opt, "size=33554432,mode=1777");
		CHECK_EQ(mounts_tmpfs_options(opt, 8, 33554432, 0755), -1);
	}
}

static void test_services(void)
{
	struct service_table t;
	char err[200];

	TEST("init", "services: the built-in table is mcpd on the console") {
		services_default(&t);
		CHECK_EQ(t.count, 1);
		CHECK_STR(t.svc[0].name, "mcpd");
		CHECK_STR(t.svc[0].argv[0], "/sbin/mcpd");
		CHECK_STR(t.svc[0].argv[1], "--stdio");
		CHECK_EQ(t.svc[0].oom_score_adj, -900);
		CHECK_EQ(t.svc[0].notify, 1);
		CHECK_EQ(t.svc[0].restart, 1);
		CHECK_EQ(t.svc[0].stdio, STDIO_CONSOLE);
	}
	TEST("init", "services: a table with comments and blank lines") {
		CHECK_EQ(services_parse("# comment\n\n a inherit 0 exec never /bin/a x y\n"
					"b null 1000 notify always /bin/b", &t, err, sizeof(err)), 0);
		CHECK_EQ(t.count, 2);
		CHECK_STR(t.svc[0].argv[2], "y");
		CHECK(t.svc[0].argv[3] == NULL);
		CHECK_EQ(t.svc[0].restart, 0);
		CHECK_EQ(t.svc[1].oom_score_adj, 1000);
		CHECK_EQ(t.svc[1].stdio, STDIO_NULL);
	}
	TEST("init", "services: each error names its line and field") {
		CHECK_EQ(services_parse("a inherit 0 exec never /bin/a\nb bogus 0 exec never /bin/b\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "line 2: stdio") != NULL);
		CHECK_EQ(services_parse("a inherit 5000 exec never /bin/a\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "oom_score_adj") != NULL);
		CHECK_EQ(services_parse("a inherit 0 soon never /bin/a\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "ready must be") != NULL);
		CHECK_EQ(services_parse("a inherit 0 exec sometimes /bin/a\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "restart must be") != NULL);
		CHECK_EQ(services_parse("a inherit 0 exec never bin/a\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "absolute") != NULL);
		CHECK_EQ(services_parse("a inherit 0 exec\n", &t, err, sizeof(err)), -1);
		CHECK_EQ(services_parse("a inherit 0 exec never /a\na null 0 exec never /b\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "duplicate") != NULL);
		CHECK_EQ(services_parse("a/b inherit 0 exec never /a\n", &t, err, sizeof(err)), -1);
		CHECK_EQ(services_parse("a inherit 0 exec never /a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "arguments") != NULL);
	}
}

static void test_modules(void)
{
	TEST("init", "modules: list lines, parameters, comments, bad lines") {
		char text[] = "# modules\n/lib/modules/mcp.ko\n\n  /lib/modules/v.ko  debug=1 q=2 \r\n"
			      "relative.ko\n/last.ko";
		char *cursor = text;
		struct module_entry e;
		int line = 0;
		CHECK_EQ(modules_next(&cursor, &line, &e), 1);
		CHECK_STR(e.path, "/lib/modules/mcp.ko");
		CHECK_STR(e.params, "");
		CHECK_EQ(e.line, 2);
		CHECK_EQ(modules_next(&cursor, &line, &e), 1);
		CHECK_STR(e.path, "/lib/modules/v.ko");
		CHECK_STR(e.params, "debug=1 q=2");
		CHECK_EQ(e.line, 4);
		CHECK_EQ(modules_next(&cursor, &line, &e), -1);
		CHECK_EQ(e.line, 5);
		CHECK(strstr(e.why, "absolute") != NULL);
		CHECK_EQ(modules_next(&cursor, &line, &e), 1);
		CHECK_STR(e.path, "/last.ko");
		CHECK_EQ(modules_next(&cursor, &line, &e), 0);
		CHECK_EQ(modules_next(&cursor, &line, &e), 0);
	}
	TEST("init", "modules: stage names") {
		char name[48];
		modules_stage_name("/lib/modules/mcp.ko", name, sizeof(name));
		CHECK_STR(name, "module:mcp");
		modules_stage_name("/x/virtio.net", name, sizeof(name));
		CHECK_STR(name, "module:virtio.net");
		modules_stage_name("/a.ko/", name, sizeof(name));
		CHECK_STR(name, "module:");
	}
}

static void test_timeline(void)
{
	TEST("init", "timeline: JSON with and without ready, notes") {
		static struct timeline tl;
		char json[4096];
		timeline_init(&tl);
		timeline_add(&tl, "kernel", NULL, 201.5);
		timeline_add(&tl, "mounts", "", 203.25);
		CHECK(timeline_json(&tl, json, sizeof(json)) > 0);
		CHECK_STR(json, "{\"clock\":\"boottime\",\"stages\":[{\"name\":\"kernel\",\"ms\":201.500},"
				"{\"name\":\"mounts\",\"ms\":203.250}]}\n");
		timeline_add(&tl, "service:x", "timeout", 204);
		tl.boot_ms = 210;
		tl.mem_available_kib = 500000;
		tl.mem_total_kib = 506356;
		CHECK(timeline_json(&tl, json, sizeof(json)) > 0);
		CHECK(strstr(json, "{\"name\":\"service:x\",\"ms\":204.000,\"note\":\"timeout\"}") != NULL);
		CHECK(strstr(json, "\"boot_ms\":210,\"mem_available_kib\":500000,\"mem_total_kib\":506356}\n") != NULL);
		CHECK_EQ(timeline_json(&tl, json, 20), -1);
		for (int i = 0; i < 40; i++)
			timeline_add(&tl, "x", NULL, i);
		CHECK_EQ(tl.count, TIMELINE_MAX_STAGES);
		CHECK_STR(tl.stage[0].name, "kernel");
		CHECK(timeline_now_ms() > 0);
	}
	TEST("init", "timeline: names from files cannot break the JSON") {
		static struct timeline tl;
		char json[4096];
		timeline_init(&tl);
		timeline_add(&tl, "module:a\"b\\c\n", "x\"y", 1);
		CHECK_STR(tl.stage[0].name, "module:a_b_c_");
		CHECK_STR(tl.stage[0].note, "x_y");
		timeline_add(&tl, "module:a-very-long-name-that-does-not-fit-in-forty", NULL, 2);
		CHECK_EQ(strlen(tl.stage[1].name), sizeof(tl.stage[1].name) - 1);
		CHECK(timeline_json(&tl, json, sizeof(json)) > 0);
		CHECK(strchr(json, '\\') == NULL);
	}
}

static void test_supervise_logic(void)
{
	TEST("init", "backoff: 100 ms, doubling to 10 s, reset by a stable run") {
		CHECK_EQ(backoff_next(0, 5, 0), 100);
		CHECK_EQ(backoff_next(100, 5, 0), 200);
		CHECK_EQ(backoff_next(3200, 5, 0), 6400);
		CHECK_EQ(backoff_next(6400, 5, 0), 10000);
		CHECK_EQ(backoff_next(10000, 5, 0), 10000);
		CHECK_EQ(backoff_next(10000, 10000, 0), 100);
		/* A long run that never got ready is not stable. */
		CHECK_EQ(backoff_next(400, 60000, 1), 800);
	}
	TEST("init", "supervisor: exits schedule restarts with backoff; holding stops them") {
		static struct supervisor sv;
		struct service_table t;
		struct log quiet = { .fd = -1, .level = LOG_DEBUG, .prefix = NULL };
		static struct timeline tl;
		char err[100];

		timeline_init(&tl);
		CHECK_EQ(services_parse("a inherit 0 exec always /bin/a x\n"
					"b inherit 0 exec never /bin/b\n", &t, err, sizeof(err)), 0);
		supervisor_init(&sv, &t, -1, &tl, &quiet);
		CHECK_STR(sv.table.svc[0].argv[1], "x");
		CHECK(sv.table.svc[0].argv[1] != t.svc[0].argv[1]);	/* own copy */
		/* Pretend both run (no fork in a unit test). */
		sv.run[0].pid = 4242; sv.run[0].state = SVC_UP; sv.run[0].started_ms = timeline_now_ms();
		sv.run[1].pid = 4343; sv.run[1].state = SVC_UP; sv.run[1].settled = 1;
		CHECK_EQ(supervisor_boot_settled(&sv), 0);
		CHECK_EQ(supervisor_child_exited(&sv, 999, 0), -1);	/* an orphan */
		CHECK_EQ(supervisor_child_exited(&sv, 4242, 9), 0);	/* killed by SIGKILL */
		CHECK_EQ(sv.run[0].pid, 0);
		CHECK_EQ(sv.run[0].backoff_ms, 100);
		CHECK(sv.run[0].restart_at_ms > 0);
		CHECK_EQ(supervisor_next_due(&sv), sv.run[0].restart_at_ms);
		CHECK_EQ(supervisor_boot_settled(&sv), 1);	/* settled as failed */
		CHECK_STR(tl.stage[0].name, "service:a");
		CHECK_STR(tl.stage[0].note, "failed");
		sv.run[0].pid = 4244; sv.run[0].state = SVC_UP; sv.run[0].started_ms = timeline_now_ms();
		CHECK_EQ(supervisor_child_exited(&sv, 4244, 1 << 8), 0);
		CHECK_EQ(sv.run[0].backoff_ms, 200);
		CHECK_EQ(sv.run[0].restarts, 2);
		CHECK_EQ(supervisor_child_exited(&sv, 4343, 0), 1);	/* restart=never */
		CHECK(sv.run[1].restart_at_ms == 0);
		supervisor_hold(&sv);
		CHECK(supervisor_next_due(&sv) == 0);
		CHECK_EQ(supervisor_signal(&sv, 0, 0), -1);	/* not running */
	}
	TEST("init", "shutdown: actions and their reboot(2) commands") {
		CHECK_STR(shutdown_action_name(AFTER_REBOOT), "reboot");
		CHECK_STR(shutdown_action_name(AFTER_POWEROFF), "poweroff");
		CHECK_STR(shutdown_action_name(AFTER_HALT), "halt");
		/* The RB_ constants are magic numbers above INT_MAX. */
		CHECK(shutdown_reboot_cmd(AFTER_REBOOT) == (int)RB_AUTOBOOT);
		CHECK(shutdown_reboot_cmd(AFTER_POWEROFF) == (int)RB_POWER_OFF);
		CHECK(shutdown_reboot_cmd(AFTER_HALT) == (int)RB_HALT_SYSTEM);
		CHECK(shutdown_reboot_cmd(AFTER_NOTHING) == (int)RB_POWER_OFF);
	}
}

static void test_files_and_log(void)
{
	char dir[] = "/tmp/mcpos-test-init.XXXXXX";
	char path[INIT_PATH_MAX], buf[64];

	if (!mkdtemp(dir)) {
		printf("# mkdtemp: %s\n", strerror(errno));
		return;
	}
	TEST("init", "fsutil: root_path refuses what does not fit") {
		char small[16];
		CHECK(root_path("/r", "/run/x", small, sizeof(small)) == small);
		CHECK_STR(small, "/r/run/x");
		CHECK(root_path(NULL, "/run", small, sizeof(small)) != NULL);
		CHECK_STR(small, "/run");
		errno = 0;
		CHECK(root_path("/a-long-root", "/and-a-long-path", small, sizeof(small)) == NULL);
		CHECK_EQ(errno, ENAMETOOLONG);
	}
	TEST("init", "fsutil: mkdir -p, atomic write, whole-file read") {
		snprintf(path, sizeof(path), "%s/a/b/c", dir);
		CHECK_EQ(mkdir_p(path, 0700), 0);
		CHECK_EQ(mkdir_p(path, 0700), 0);	/* already there is fine */
		snprintf(path, sizeof(path), "%s/a/b/c/f.json", dir);
		CHECK_EQ(file_write_atomic(path, "{\"v\":1}\n", 8), 0);
		CHECK_EQ(file_write_atomic(path, "{\"v\":22}\n", 9), 0);
		CHECK_EQ(file_read(path, buf, sizeof(buf)), 9);
		CHECK_STR(buf, "{\"v\":22}\n");
		snprintf(path, sizeof(path), "%s/a/b/c/f.json.tmp", dir);
		CHECK(access(path, F_OK) != 0);	/* no temporary left */
		snprintf(path, sizeof(path), "%s/a/b/c/f.json", dir);
		CHECK_EQ(mkdir_p(path, 0700), -1);	/* a file, not a directory */
		CHECK_EQ(errno, ENOTDIR);
	}
	TEST("init", "fsutil: a file larger than the buffer is an error, not cut") {
		snprintf(path, sizeof(path), "%s/a/b/c/f.json", dir);
		CHECK_EQ(file_read(path, buf, 10), 9);	/* exactly fits */
		CHECK_EQ(file_read(path, buf, 9), -1);
		CHECK_EQ(errno, EFBIG);
		snprintf(path, sizeof(path), "%s/missing", dir);
		CHECK_EQ(file_read(path, buf, sizeof(buf)), -1);
		CHECK_EQ(errno, ENOENT);
	}
	TEST("init", "modules: a missing list is fine, bad entries are logged") {
		int fds[2];
		static struct timeline tl;
		char out[2048];
		ssize_t n;
		CHECK_EQ(pipe(fds), 0);
		struct log lg = { .fd = fds[1], .level = LOG_INFO, .prefix = "t: " };
		timeline_init(&tl);
		modules_load_list(dir, "/etc/mcpos/modules", 1, &tl, &lg);
		CHECK_EQ(tl.count, 0);
		snprintf(path, sizeof(path), "%s/etc/mcpos", dir);
		CHECK_EQ(mkdir_p(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/etc/mcpos/modules", dir);
		CHECK_EQ(file_write_atomic(path, "/a/b/c/f.json p=1\n/nope.ko\nrel\n", 31), 0);
		modules_load_list(dir, "/etc/mcpos/modules", 1, &tl, &lg);
		close(fds[1]);
		n = read(fds[0], out, sizeof(out) - 1);
		close(fds[0]);
		out[n > 0 ? n : 0] = '\0';
		CHECK_EQ(tl.count, 2);
		CHECK_STR(tl.stage[0].name, "module:f.json");
		CHECK_STR(tl.stage[0].note, "test");	/* test mode: never loaded */
		CHECK_STR(tl.stage[1].name, "module:nope");
		CHECK_STR(tl.stage[1].note, "failed");
		CHECK(strstr(out, "t: module /nope.ko: No such file or directory\n") != NULL);
		CHECK(strstr(out, "t: /etc/mcpos/modules: line 3: module path must be absolute; skipped\n") != NULL);
		unlink(path);
		snprintf(path, sizeof(path), "%s/etc/mcpos", dir);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/etc", dir);
		rmdir(path);
	}
	TEST("init", "log: levels, prefix, one line per write, long lines cut") {
		int fds[2];
		char out[4096], longer[2000];
		ssize_t n;
		CHECK_EQ(pipe(fds), 0);
		struct log lg = { .fd = fds[1], .level = LOG_INFO, .prefix = "mcpos: " };
		enum log_level level = LOG_INFO;
		log_info(&lg, "a %d", 1);
		log_debug(&lg, "hidden");
		log_error(&lg, "b");
		memset(longer, 'x', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		log_info(&lg, "%s", longer);
		close(fds[1]);
		n = read(fds[0], out, sizeof(out) - 1);
		close(fds[0]);
		out[n > 0 ? n : 0] = '\0';
		CHECK(strncmp(out, "mcpos: a 1\nmcpos: b\nmcpos: xxx", 30) == 0);
		CHECK_EQ(n, 10 + 9 + LOG_LINE_MAX);
		CHECK_EQ(out[n - 1], '\n');
		CHECK_EQ(log_level_parse("debug", 5, &level), 0);
		CHECK_EQ(level, LOG_DEBUG);
		CHECK_EQ(log_level_parse("debugX", 6, &level), -1);
		CHECK_EQ(level, LOG_DEBUG);
		CHECK_STR(log_level_name(LOG_ERROR), "quiet");
	}
	snprintf(path, sizeof(path), "%s/a/b/c/f.json", dir);
	unlink(path);
	static const char *const dirs[] = { "/a/b/c", "/a/b", "/a", "" };
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, dirs[i]);
		rmdir(path);
	}
}

int main(void)
{
	test_cmdline();
	test_meminfo_budget();
	test_services();
	test_modules();
	test_timeline();
	test_supervise_logic();
	test_files_and_log();
	return check_done();
}
