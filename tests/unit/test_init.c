/* Unit tests of init's pure parts: command line, meminfo, budgets,
 * service table, timeline JSON. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pid1/budget.h"
#include "pid1/cmdline.h"
#include "pid1/net.h"
#include "pid1/services.h"
#include "pid1/timeline.h"

int main(void)
{
	struct init_options o;
	char errs[512];

	TEST("init", "cmdline: defaults and kernel words ignored") {
		CHECK_EQ(cmdline_parse("console=ttyS0 quiet root=/dev/vda ip=dhcp", &o, errs, sizeof(errs)), 0);
		CHECK_EQ(o.threads, 0);
		CHECK_EQ(o.model_budget, 0);
		CHECK_EQ(o.log, LOG_INFO);
		CHECK_EQ(o.after_ready, AFTER_NOTHING);
		CHECK_STR(errs, "");
	}
	TEST("init", "cmdline: every key") {
		CHECK_EQ(cmdline_parse("mcpos.threads=3 mcpos.model_budget=480M mcpos.log=debug "
				       "mcpos.after_ready=reboot mcpos.boot_json=console "
				       "mcpos.services=/etc/s mcpos.root=/tmp/r mcpos.http_token=abc",
				       &o, errs, sizeof(errs)), 0);
		CHECK_EQ(o.threads, 3);
		CHECK_EQ(o.model_budget, 480ull << 20);
		CHECK_EQ(o.log, LOG_DEBUG);
		CHECK_EQ(o.after_ready, AFTER_REBOOT);
		CHECK_EQ(o.boot_json_console, 1);
		CHECK_STR(o.services, "/etc/s");
		CHECK_STR(o.root, "/tmp/r");
		CHECK_STR(o.http_token, "abc");
	}
	TEST("init", "cmdline: bad values and unknown keys are reported, not applied") {
		int n = cmdline_parse("mcpos.threads=lots mcpos.threads=0 mcpos.model_budget=12X "
				      "mcpos.log=loud mcpos.bogus=1 mcpos.after_ready mcpos.root=rel "
				      "mcpos.threads=2", &o, errs, sizeof(errs));
		CHECK_EQ(n, 7);
		CHECK_EQ(o.threads, 2);
		CHECK_EQ(o.model_budget, 0);
		CHECK_EQ(o.log, LOG_INFO);
		CHECK_STR(o.root, "");
		CHECK(strstr(errs, "mcpos.threads=lots: malformed value") != NULL);
		CHECK(strstr(errs, "mcpos.bogus=1: unknown key") != NULL);
		CHECK(strstr(errs, "mcpos.after_ready: missing '=value'") != NULL);
	}
	TEST("init", "cmdline: over-long values are refused, errors truncate safely") {
		char big[600];
		char tiny[16];
		memset(big, 0, sizeof(big));
		strcpy(big, "mcpos.root=/");
		memset(big + 12, 'a', 400);
		CHECK_EQ(cmdline_parse(big, &o, tiny, sizeof(tiny)), 1);
		CHECK_STR(o.root, "");
		CHECK(strlen(tiny) < sizeof(tiny));
	}
	TEST("init", "net: parse ADDR/PREFIX[,GATEWAY]") {
		struct net_spec n;
		const unsigned char *a = (const unsigned char *)&n.addr;
		const unsigned char *m = (const unsigned char *)&n.netmask;
		const unsigned char *g = (const unsigned char *)&n.gateway;
		CHECK_EQ(net_parse("10.0.2.15/24,10.0.2.2", &n), 0);
		CHECK(a[0] == 10 && a[1] == 0 && a[2] == 2 && a[3] == 15);
		CHECK(m[0] == 255 && m[1] == 255 && m[2] == 255 && m[3] == 0);
		CHECK(g[0] == 10 && g[3] == 2);
		CHECK_EQ(net_parse("192.168.1.7/32", &n), 0);
		CHECK(n.netmask == 0xffffffffu && n.gateway == 0);
		CHECK_EQ(net_parse("10.0.2.15", &n), -1);
		CHECK_EQ(net_parse("10.0.2.15/33", &n), -1);
		CHECK_EQ(net_parse("10.0.2.15/0", &n), -1);
		CHECK_EQ(net_parse("10.0.2/24", &n), -1);
		CHECK_EQ(net_parse("10.0.2.15/24,", &n), -1);
		CHECK_EQ(net_parse("10.0.2.15/24x", &n), -1);
		CHECK_EQ(net_parse("10.0.2.15/24,300.1.1.1", &n), -1);
		CHECK_EQ(cmdline_parse("mcpos.net=10.0.2.15/24,10.0.2.2", &o, errs, sizeof(errs)), 0);
		CHECK_STR(o.net, "10.0.2.15/24,10.0.2.2");
		CHECK_EQ(cmdline_parse("mcpos.net=10.0.2.15", &o, errs, sizeof(errs)), 1);
		CHECK_STR(o.net, "");
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
	TEST("init", "meminfo: finds keys exactly") {
		const char *mi = "MemTotal:         505752 kB\nMemFree:          499340 kB\n"
				 "MemAvailable:     495092 kB\nBuffers: 0 kB\n";
		uint64_t v = 0;
		CHECK(meminfo_get(mi, "MemTotal", &v) == 0 && v == 505752);
		CHECK(meminfo_get(mi, "MemAvailable", &v) == 0 && v == 495092);
		CHECK(meminfo_get(mi, "Mem", &v) == -1);
		CHECK(meminfo_get(mi, "Cached", &v) == -1);
		CHECK(meminfo_get("MemTotal: x kB\n", "MemTotal", &v) == -1);
	}
	TEST("init", "budget: 512 MiB board, 2 CPUs") {
		struct machine_facts f = { .mem_total_kib = 506356, .mem_available_kib = 501000, .cpus = 2 };
		struct derived_settings s;
		cmdline_parse("", &o, errs, sizeof(errs));
		budget_derive(&f, &o, &s);
		CHECK_EQ(s.threads, 2);
		/* reserve = 8 MiB + total/64 */
		CHECK_EQ(s.os_reserve_bytes, (8ull << 20) + 506356ull * 1024 / 64);
		CHECK_EQ(s.model_budget_bytes, 501000ull * 1024 - s.os_reserve_bytes);
		/* The design's promise: at least 480 MB for the model. */
		CHECK(s.model_budget_bytes >= 480000000ull);
		CHECK_EQ(s.tmpfs_models_bytes, s.model_budget_bytes);
		CHECK_EQ(s.min_free_kbytes, 512);
		CHECK(s.tmpfs_tmp_bytes > 0 && s.tmpfs_tmp_bytes < f.mem_total_kib * 1024 / 8);
	}
	TEST("init", "budget: command line wins; tiny machines do not underflow") {
		struct machine_facts f = { .mem_total_kib = 8192, .mem_available_kib = 4096, .cpus = 0 };
		struct derived_settings s;
		char json[1024];
		cmdline_parse("mcpos.threads=7 mcpos.model_budget=1M", &o, errs, sizeof(errs));
		budget_derive(&f, &o, &s);
		CHECK_EQ(s.threads, 7);
		CHECK_EQ(s.model_budget_bytes, 1 << 20);
		cmdline_parse("", &o, errs, sizeof(errs));
		budget_derive(&f, &o, &s);
		CHECK_EQ(s.threads, 1);
		CHECK_EQ(s.model_budget_bytes, 0);
		CHECK(budget_json(&f, &s, &o, json, sizeof(json)) > 0);
		CHECK(strstr(json, "\"model_budget_bytes\":0,") != NULL);
		CHECK_EQ(budget_json(&f, &s, &o, json, 10), -1);
	}
	TEST("init", "services: default table is mcpd on the console") {
		struct service_table t;
		services_default(&t);
		CHECK_EQ(t.count, 1);
		CHECK_STR(t.svc[0].name, "mcpd");
		CHECK_STR(t.svc[0].argv[0], "/sbin/mcpd");
		CHECK_EQ(t.svc[0].oom_score_adj, -900);
		CHECK_EQ(t.svc[0].notify, 1);
		CHECK_EQ(t.svc[0].restart, 1);
		CHECK_EQ(t.svc[0].stdio, STDIO_CONSOLE);
	}
	TEST("init", "services: parse a table") {
		struct service_table t;
		char err[200];
		CHECK_EQ(services_parse("# comment\n\n a inherit 0 exec never /bin/a x y\n"
					"b null 1000 notify always /bin/b\n", &t, err, sizeof(err)), 0);
		CHECK_EQ(t.count, 2);
		CHECK_STR(t.svc[0].argv[2], "y");
		CHECK(t.svc[0].argv[3] == NULL);
		CHECK_EQ(t.svc[1].oom_score_adj, 1000);
	}
	TEST("init", "services: errors name the line") {
		struct service_table t;
		char err[200];
		CHECK_EQ(services_parse("a inherit 0 exec never /bin/a\nb bogus 0 exec never /bin/b\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "line 2: stdio") != NULL);
		CHECK_EQ(services_parse("a inherit 5000 exec never /bin/a\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "oom_score_adj") != NULL);
		CHECK_EQ(services_parse("a inherit 0 exec never bin/a\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "absolute") != NULL);
		CHECK_EQ(services_parse("a inherit 0 exec\n", &t, err, sizeof(err)), -1);
		CHECK_EQ(services_parse("a inherit 0 exec never /a\na null 0 exec never /b\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "duplicate") != NULL);
		CHECK_EQ(services_parse("a/b inherit 0 exec never /a\n", &t, err, sizeof(err)), -1);
		CHECK_EQ(services_parse("a inherit 0 exec never /a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "arguments") != NULL);
	}
	TEST("init", "timeline: JSON with and without ready") {
		struct timeline tl;
		char json[4096];
		timeline_init(&tl);
		timeline_add(&tl, "kernel", 201.5);
		timeline_add(&tl, "mounts", 203.25);
		CHECK(timeline_json(&tl, json, sizeof(json)) > 0);
		CHECK_STR(json, "{\"clock\":\"boottime\",\"stages\":[{\"name\":\"kernel\",\"ms\":201.500},"
				"{\"name\":\"mounts\",\"ms\":203.250}]}\n");
		tl.boot_ms = 210;
		tl.mem_available_kib = 500000;
		CHECK(timeline_json(&tl, json, sizeof(json)) > 0);
		CHECK(strstr(json, "\"boot_ms\":210,\"mem_available_kib\":500000}") != NULL);
		CHECK_EQ(timeline_json(&tl, json, 20), -1);
		for (int i = 0; i < 40; i++)
			timeline_add(&tl, "x", i);
		CHECK_EQ(tl.count, TIMELINE_MAX_STAGES);
		CHECK(timeline_now_ms() > 0);
	}
	return check_done();
}
