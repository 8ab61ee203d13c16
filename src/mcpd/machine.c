/* machine.c - see machine.h. */
#include "machine.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sysfile.h"

/* ---- system_info ------------------------------------------------------ */

static const struct json *read_json_file(struct arena *a, const char *path)
{
	size_t len;
	char *t = sysfile_read(a, path, 1 << 20, &len);
	return t ? json_parse(a, t, len, NULL) : NULL;
}

static enum tool_status system_info(struct tool_call *c)
{
	struct jw *w = &c->structured;
	struct utsname u;
	uname(&u);
	char *up = sysfile_read(c->arena, "/proc/uptime", 256, NULL);
	char *load = sysfile_read(c->arena, "/proc/loadavg", 256, NULL);
	char *mem = sysfile_read(c->arena, "/proc/meminfo", 16384, NULL);
	const struct json *cfg = read_json_file(c->arena, c->srv->opt.config_path);
	double l1 = 0, l5 = 0, l15 = 0;
	if (load)
		sscanf(load, "%lf %lf %lf", &l1, &l5, &l15);
	jw_obj(w);
	jw_key(w, "kernel"); jw_str(w, u.sysname);
	jw_key(w, "release"); jw_str(w, u.release);
	jw_key(w, "version"); jw_str(w, u.version);
	jw_key(w, "arch"); jw_str(w, u.machine);
	jw_key(w, "hostname"); jw_str(w, u.nodename);
	jw_key(w, "uptime_s"); jw_double(w, up ? strtod(up, NULL) : 0);
	jw_key(w, "load"); jw_arr(w); jw_double(w, l1); jw_double(w, l5); jw_double(w, l15); jw_end_arr(w);
	jw_key(w, "cpus"); jw_int(w, sysconf(_SC_NPROCESSORS_ONLN));
	jw_key(w, "mem_total_kib"); jw_int(w, mem ? sysfile_meminfo(mem, "MemTotal") : -1);
	jw_key(w, "mem_available_kib"); jw_int(w, mem ? sysfile_meminfo(mem, "MemAvailable") : -1);
	jw_key(w, "model_budget_bytes");
	int64_t budget;
	if (json_int(json_get(cfg, "model_budget_bytes"), &budget))
		jw_int(w, budget);
	else
		jw_null(w);
	jw_key(w, "config");
	if (cfg)
		jw_value(w, cfg);
	else
		jw_strf(w, "absent: %s not found (not running in the mcpos image?)",
			c->srv->opt.config_path);
	jw_end_obj(w);
	return TOOL_DONE;
}

/* ---- processes -------------------------------------------------------- */

struct proc_info {
	long pid, ppid, rss_kib;
	char state;
	char name[64];
};

static int read_proc(struct arena *a, long pid, struct proc_info *p)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	char *t = sysfile_read(a, path, 4096, NULL);
	/* The name is in parentheses and may itself hold ") ": the last
	 * ')' ends it. */
	char *open = t ? strchr(t, '(') : NULL, *close = t ? strrchr(t, ')') : NULL;
	if (!open || !close || close < open)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof p->name)
		n = sizeof p->name - 1;
	memcpy(p->name, open + 1, n);
	p->name[n] = '\0';
	p->pid = pid;
	long rss_pages = 0;
	/* Fields after the name: state ppid ... rss is field 24 overall. */
	if (sscanf(close + 2, "%c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
		   "%*d %*d %*d %*d %*d %*d %*u %*u %ld", &p->state, &p->ppid, &rss_pages) != 3)
		return -1;
	p->rss_kib = rss_pages * (sysconf(_SC_PAGESIZE) / 1024);
	return 0;
}

static enum tool_status processes_list(struct tool_call *c)
{
	int64_t limit = 200;
	json_int(json_get(c->args, "limit"), &limit);
	DIR *d = opendir("/proc");
	if (!d)
		return tool_fail(c, "cannot open /proc: %s", strerror(errno));
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "processes");
	jw_arr(w);
	int64_t n = 0, total = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct proc_info p;
		if (*end || pid <= 0 || read_proc(c->arena, pid, &p))
			continue;
		total++;
		if (n >= limit)
			continue;
		n++;
		jw_obj(w);
		jw_key(w, "pid"); jw_int(w, p.pid);
		jw_key(w, "ppid"); jw_int(w, p.ppid);
		jw_key(w, "name"); jw_str(w, p.name);
		jw_key(w, "state"); jw_strn(w, &p.state, 1);
		jw_key(w, "rss_kib"); jw_int(w, p.rss_kib);
		jw_end_obj(w);
	}
	closedir(d);
	jw_end_arr(w);
	jw_key(w, "total"); jw_int(w, total);
	jw_end_obj(w);
	return TOOL_DONE;
}

static const struct { const char *name; int sig; } SIGNALS[] = {
	{ "TERM", SIGTERM }, { "KILL", SIGKILL }, { "INT", SIGINT }, { "HUP", SIGHUP },
	{ "STOP", SIGSTOP }, { "CONT", SIGCONT }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
};

static enum tool_status process_signal(struct tool_call *c)
{
	int64_t pid = 0;
	json_int(json_get(c->args, "pid"), &pid);
	const char *name = json_str(json_get(c->args, "signal"));
	if (pid <= 1)
		return tool_fail(c, "refusing to signal pid %lld: use the power tool for init",
				 (long long)pid);
	if (pid == getpid())
		return tool_fail(c, "refusing to signal mcpd itself");
	int sig = SIGTERM;
	for (size_t i = 0; name && i < sizeof SIGNALS / sizeof *SIGNALS; i++)
		if (!strcmp(name, SIGNALS[i].name))
			sig = SIGNALS[i].sig;
	if (kill((pid_t)pid, sig) != 0)
		return tool_fail(c, "kill(%lld, SIG%s): %s", (long long)pid, name ? name : "TERM",
				 strerror(errno));
	mcp_log(c->srv, MCP_LOG_NOTICE, "sent SIG%s to pid %lld", name ? name : "TERM", (long long)pid);
	tool_text(c, "sent SIG%s to pid %lld", name ? name : "TERM", (long long)pid);
	return TOOL_DONE;
}

/* ---- mounts ----------------------------------------------------------- */

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *o = s;
	for (char *i = s; *i; i++) {
		if (i[0] == '\\' && i[1] >= '0' && i[1] <= '3' && i[2] >= '0' && i[2] <= '7' &&
		    i[3] >= '0' && i[3] <= '7') {
			*o++ = (char)((i[1] - '0') * 64 + (i[2] - '0') * 8 + (i[3] - '0'));
			i += 3;
		} else {
			*o++ = *i;
		}
	}
	*o = '\0';
}

static enum tool_status mounts(struct tool_call *c)
{
	char *t = sysfile_read(c->arena, "/proc/self/mounts", 1 << 20, NULL);
	if (!t)
		return tool_fail(c, "cannot read /proc/self/mounts: %s", strerror(errno));
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "mounts");
	jw_arr(w);
	for (char *save = NULL, *line = strtok_r(t, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *s2 = NULL;
		int n = 0;
		for (char *tok = strtok_r(line, " ", &s2); tok && n < 4; tok = strtok_r(NULL, " ", &s2))
			f[n++] = tok;
		if (n < 4)
			continue;
		for (int i = 0; i < 4; i++)
			unescape_octal(f[i]);
		jw_obj(w);
		jw_key(w, "source"); jw_str(w, f[0]);
		jw_key(w, "target"); jw_str(w, f[1]);
		jw_key(w, "fstype"); jw_str(w, f[2]);
		jw_key(w, "options"); jw_str(w, f[3]);
		struct statvfs sv;
		if (statvfs(f[1], &sv) == 0 && sv.f_blocks) {
			jw_key(w, "size_kib"); jw_int(w, (int64_t)(sv.f_blocks * sv.f_frsize / 1024));
			jw_key(w, "avail_kib"); jw_int(w, (int64_t)(sv.f_bavail * sv.f_frsize / 1024));
		}
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_end_obj(w);
	return TOOL_DONE;
}

/* ---- kernel_log ------------------------------------------------------- */

static enum tool_status kernel_log(struct tool_call *c)
{
	int64_t want = 50;
	json_int(json_get(c->args, "lines"), &want);
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return tool_fail(c, "cannot read the kernel log (/dev/kmsg): %s", strerror(errno));
	/* Keep the last `want` records in a ring of arena strings. */
	char **ring = arena_alloc(c->arena, (size_t)want * sizeof *ring);
	size_t count = 0;
	char rec[8192];
	for (;;) {
		ssize_t n = read(fd, rec, sizeof rec - 1);
		if (n < 0 && errno == EPIPE)
			continue;    /* overwritten while we read: skip ahead */
		if (n <= 0 || !ring)
			break;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;text\n" + continuation lines */
		unsigned long long usec = 0;
		char *semi = strchr(rec, ';');
		if (!semi)
			continue;
		sscanf(rec, "%*u,%*u,%llu", &usec);
		char *text = semi + 1;
		text[strcspn(text, "\n")] = '\0';
		ring[count++ % (size_t)want] = arena_printf(c->arena, "[%5llu.%06llu] %s",
							    usec / 1000000, usec % 1000000, text);
	}
	close(fd);
	size_t first = count > (size_t)want ? count - (size_t)want : 0;
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "lines");
	jw_arr(w);
	for (size_t i = first; i < count; i++)
		jw_str(w, ring[i % (size_t)want]);
	jw_end_arr(w);
	jw_end_obj(w);
	return TOOL_DONE;
}

/* ---- boot_timeline ---------------------------------------------------- */

static enum tool_status boot_timeline(struct tool_call *c)
{
	const struct json *b = read_json_file(c->arena, c->srv->opt.boot_path);
	if (!b || b->type != JSON_OBJECT)
		return tool_fail(c, "no boot timeline: %s is absent or not valid JSON "
				 "(not running in the mcpos image?)", c->srv->opt.boot_path);
	jw_value(&c->structured, b);
	return TOOL_DONE;
}

/* ---- network_interfaces ----------------------------------------------- */

static int64_t sys_net_int(struct arena *a, const char *ifname, const char *attr)
{
	char path[160];
	snprintf(path, sizeof path, "/sys/class/net/%s/%s", ifname, attr);
	char *t = sysfile_line(a, path);
	return t ? strtoll(t, NULL, 10) : -1;
}

static enum tool_status network_interfaces(struct tool_call *c)
{
	struct ifaddrs *ifs = NULL;
	if (getifaddrs(&ifs) != 0)
		return tool_fail(c, "getifaddrs: %s", strerror(errno));
	struct if_nameindex *names = if_nameindex();
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "interfaces");
	jw_arr(w);
	for (struct if_nameindex *n = names; n && n->if_name; n++) {
		unsigned flags = 0;
		jw_obj(w);
		jw_key(w, "name"); jw_str(w, n->if_name);
		jw_key(w, "addresses");
		jw_arr(w);
		for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
			if (strcmp(i->ifa_name, n->if_name))
				continue;
			flags = i->ifa_flags;
			char buf[INET6_ADDRSTRLEN];
			const void *addr = NULL;
			int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;
			if (fam == AF_INET)
				addr = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
			else if (fam == AF_INET6)
				addr = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
			if (addr && inet_ntop(fam, addr, buf, sizeof buf))
				jw_str(w, buf);
		}
		jw_end_arr(w);
		jw_key(w, "up"); jw_bool(w, flags & IFF_UP);
		jw_key(w, "loopback"); jw_bool(w, flags & IFF_LOOPBACK);
		char path[160];
		snprintf(path, sizeof path, "/sys/class/net/%s/address", n->if_name);
		char *mac = sysfile_line(c->arena, path);
		if (mac) {
			jw_key(w, "mac"); jw_str(w, mac);
		}
		jw_key(w, "mtu"); jw_int(w, sys_net_int(c->arena, n->if_name, "mtu"));
		jw_key(w, "rx_bytes"); jw_int(w, sys_net_int(c->arena, n->if_name, "statistics/rx_bytes"));
		jw_key(w, "tx_bytes"); jw_int(w, sys_net_int(c->arena, n->if_name, "statistics/tx_bytes"));
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_end_obj(w);
	if (names)
		if_freenameindex(names);
	freeifaddrs(ifs);
	return TOOL_DONE;
}

/* ---- thermal_zones ---------------------------------------------------- */

static enum tool_status thermal_zones(struct tool_call *c)
{
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "zones");
	jw_arr(w);
	DIR *d = opendir("/sys/class/thermal");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "thermal_zone", 12))
			continue;
		char path[300];
		snprintf(path, sizeof path, "/sys/class/thermal/%s/type", e->d_name);
		char *type = sysfile_line(c->arena, path);
		snprintf(path, sizeof path, "/sys/class/thermal/%s/temp", e->d_name);
		char *temp = sysfile_line(c->arena, path);
		jw_obj(w);
		jw_key(w, "zone"); jw_str(w, e->d_name);
		jw_key(w, "type"); jw_str(w, type ? type : "unknown");
		jw_key(w, "temp_c");
		if (temp && *temp)
			jw_double(w, (double)strtoll(temp, NULL, 10) / 1000.0);
		else
			jw_null(w);
		jw_end_obj(w);
	}
	if (d)
		closedir(d);
	jw_end_arr(w);
	/* The Raspberry Pi firmware reports under-voltage and throttling. */
	char *thr = sysfile_line(c->arena, "/sys/devices/platform/soc/soc:firmware/get_throttled");
	if (thr) {
		jw_key(w, "pi_throttled"); jw_str(w, thr);
	}
	jw_end_obj(w);
	return TOOL_DONE;
}

/* ---- power ------------------------------------------------------------ */

static enum tool_status power(struct tool_call *c)
{
	const char *action = json_str(json_get(c->args, "action"));
	const struct json *confirm = json_get(c->args, "confirm");
	if (!confirm || confirm->type != JSON_TRUE)
		return tool_fail(c, "not confirmed: call again with \"confirm\": true to %s the machine",
				 action);
	if (!c->srv->opt.is_system_service)
		return tool_fail(c, "not the system's mcpd: %s is only done by the mcpd that init "
				 "started in the mcpos image", action);
	/* init's protocol: USR1 powers off, TERM reboots, USR2 halts. */
	int sig = !strcmp(action, "poweroff") ? SIGUSR1 : !strcmp(action, "reboot") ? SIGTERM : SIGUSR2;
	if (kill(1, sig) != 0)
		return tool_fail(c, "signalling init: %s", strerror(errno));
	mcp_log(c->srv, MCP_LOG_NOTICE, "%s requested", action);
	tool_text(c, "%s requested: init is stopping the system", action);
	return TOOL_DONE;
}

/* ---- the table -------------------------------------------------------- */

#define NO_ARGS "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"

static const struct mcp_tool TOOLS[] = {
	{
		.name = "system_info", .title = "System information",
		.description = "Kernel, architecture, uptime, load, CPUs, memory and the model "
			       "memory budget of this machine.",
		.input_schema = NO_ARGS,
		.output_schema = "{\"type\":\"object\",\"properties\":{"
			"\"kernel\":{\"type\":\"string\"},\"release\":{\"type\":\"string\"},"
			"\"arch\":{\"type\":\"string\"},\"uptime_s\":{\"type\":\"number\"},"
			"\"load\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}},"
			"\"cpus\":{\"type\":\"integer\"},\"mem_total_kib\":{\"type\":\"integer\"},"
			"\"mem_available_kib\":{\"type\":\"integer\"},"
			"\"model_budget_bytes\":{\"type\":[\"integer\",\"null\"]}},"
			"\"required\":[\"kernel\",\"arch\",\"uptime_s\",\"cpus\",\"mem_total_kib\"]}",
		.read_only = true, .run = system_info,
	},
	{
		.name = "processes_list", .title = "List processes",
		.description = "Running processes: pid, parent, name, state and resident memory.",
		.input_schema = "{\"type\":\"object\",\"properties\":{\"limit\":{\"type\":\"integer\","
			"\"minimum\":1,\"maximum\":10000,\"description\":\"at most this many\"}},"
			"\"additionalProperties\":false}",
		.output_schema = "{\"type\":\"object\",\"properties\":{\"processes\":{\"type\":\"array\","
			"\"items\":{\"type\":\"object\",\"properties\":{\"pid\":{\"type\":\"integer\"},"
			"\"ppid\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},"
			"\"state\":{\"type\":\"string\"},\"rss_kib\":{\"type\":\"integer\"}},"
			"\"required\":[\"pid\",\"name\"]}},\"total\":{\"type\":\"integer\"}},"
			"\"required\":[\"processes\",\"total\"]}",
		.read_only = true, .run = processes_list,
	},
	{
		.name = "process_signal", .title = "Signal a process",
		.description = "Send a signal to a process (not to init or mcpd: see power).",
		.input_schema = "{\"type\":\"object\",\"properties\":{\"pid\":{\"type\":\"integer\","
			"\"minimum\":1},\"signal\":{\"type\":\"string\",\"enum\":[\"TERM\",\"KILL\","
			"\"INT\",\"HUP\",\"STOP\",\"CONT\",\"USR1\",\"USR2\"]}},"
			"\"required\":[\"pid\",\"signal\"],\"additionalProperties\":false}",
		.destructive = true, .run = process_signal,
	},
	{
		.name = "mounts", .title = "Mounted filesystems",
		.description = "Mounted filesystems with their type, options, size and free space.",
		.input_schema = NO_ARGS,
		.output_schema = "{\"type\":\"object\",\"properties\":{\"mounts\":{\"type\":\"array\","
			"\"items\":{\"type\":\"object\",\"properties\":{\"source\":{\"type\":\"string\"},"
			"\"target\":{\"type\":\"string\"},\"fstype\":{\"type\":\"string\"}},"
			"\"required\":[\"source\",\"target\",\"fstype\"]}}},\"required\":[\"mounts\"]}",
		.read_only = true, .run = mounts,
	},
	{
		.name = "kernel_log", .title = "Kernel log",
		.description = "The last lines of the kernel log (dmesg).",
		.input_schema = "{\"type\":\"object\",\"properties\":{\"lines\":{\"type\":\"integer\","
			"\"minimum\":1,\"maximum\":1000}},\"additionalProperties\":false}",
		.output_schema = "{\"type\":\"object\",\"properties\":{\"lines\":{\"type\":\"array\","
			"\"items\":{\"type\":\"string\"}}},\"required\":[\"lines\"]}",
		.read_only = true, .run = kernel_log,
	},
	{
		.name = "boot_timeline", .title = "Boot timeline",
		.description = "How long each boot stage took, in milliseconds since power-on, "
			       "as measured by init.",
		.input_schema = NO_ARGS,
		.output_schema = "{\"type\":\"object\",\"properties\":{\"stages\":{\"type\":\"array\","
			"\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
			"\"ms\":{\"type\":\"number\"}}}},\"boot_ms\":{\"type\":\"number\"}}}",
		.read_only = true, .run = boot_timeline,
	},
	{
		.name = "network_interfaces", .title = "Network interfaces",
		.description = "Network interfaces with state, addresses, MTU and traffic counters.",
		.input_schema = NO_ARGS,
		.output_schema = "{\"type\":\"object\",\"properties\":{\"interfaces\":{\"type\":\"array\","
			"\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
			"\"up\":{\"type\":\"boolean\"},\"addresses\":{\"type\":\"array\",\"items\":"
			"{\"type\":\"string\"}}},\"required\":[\"name\",\"up\",\"addresses\"]}}},"
			"\"required\":[\"interfaces\"]}",
		.read_only = true, .run = network_interfaces,
	},
	{
		.name = "thermal_zones", .title = "Temperatures",
		.description = "Thermal zone temperatures in degrees Celsius, and on a Raspberry Pi "
			       "the firmware's throttling flags.",
		.input_schema = NO_ARGS,
		.output_schema = "{\"type\":\"object\",\"properties\":{\"zones\":{\"type\":\"array\","
			"\"items\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"},"
			"\"type\":{\"type\":\"string\"},\"temp_c\":{\"type\":[\"number\",\"null\"]}}}}},"
			"\"required\":[\"zones\"]}",
		.read_only = true, .run = thermal_zones,
	},
	{
		.name = "power", .title = "Power off, reboot or halt",
		.description = "Power off, reboot or halt the machine.  Requires \"confirm\": true.",
		.input_schema = "{\"type\":\"object\",\"properties\":{\"action\":{\"type\":\"string\","
			"\"enum\":[\"poweroff\",\"reboot\",\"halt\"]},\"confirm\":{\"type\":\"boolean\","
			"\"description\":\"must be true\"}},\"required\":[\"action\",\"confirm\"],"
			"\"additionalProperties\":false}",
		.destructive = true, .run = power,
	},
};

int machine_register(struct mcp_server *srv, const char **err)
{
	return mcp_add_tools(srv, TOOLS, sizeof TOOLS / sizeof *TOOLS, err);
}
