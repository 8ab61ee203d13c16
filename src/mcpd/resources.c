/* resources.c - see resources.h. */
#include "resources.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfile.h"

static char *read_meminfo(struct mcp_server *srv, const char *uri, struct arena *a,
			  size_t *len, const char **err)
{
	char *t = sysfile_read(a, "/proc/meminfo", 16384, len);
	if (!t)
		*err = "cannot read /proc/meminfo";
	return t;
}

static char *read_boot(struct mcp_server *srv, const char *uri, struct arena *a,
		       size_t *len, const char **err)
{
	char *t = sysfile_read(a, srv->opt.boot_path, 1 << 20, len);
	if (!t || !json_parse(a, t, *len, NULL)) {
		*err = "no boot timeline (not running in the mcpos image?)";
		return NULL;
	}
	return t;
}

/* A growing string in the arena, for building SVG text. */
struct sbuf {
	struct arena *a;
	char *s;
	size_t len, cap;
	bool failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || b->failed) {
		b->failed = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *s = arena_alloc(b->a, cap);
		if (!s) {
			b->failed = true;
			return;
		}
		if (b->len)
			memcpy(s, b->s, b->len);
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* XML-escapes s (names come from a file: they could hold '<'). */
static void sb_xml(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': sb_printf(b, "&lt;"); break;
		case '>': sb_printf(b, "&gt;"); break;
		case '&': sb_printf(b, "&amp;"); break;
		case '"': sb_printf(b, "&quot;"); break;
		default: sb_printf(b, "%c", *s);
		}
	}
}

char *boot_svg(struct arena *a, const struct json *boot, size_t *len)
{
	const struct json *stages = json_get(boot, "stages");
	if (!stages || stages->type != JSON_ARRAY)
		return NULL;
	double total = json_number(json_get(boot, "boot_ms"));
	for (const struct json *s = stages->u.kids.head; s; s = s->next)
		if (json_number(json_get(s, "ms")) > total)
			total = json_number(json_get(s, "ms"));
	if (total <= 0)
		total = 1;
	const int row = 22, label = 160, width = 640;
	int h = (int)stages->u.kids.count * row + 40;
	struct sbuf b = { .a = a };
	sb_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		  "font-family=\"sans-serif\" font-size=\"12\">\n", width + label + 80, h);
	sb_printf(&b, "<text x=\"4\" y=\"16\">boot: %.0f ms</text>\n", total);
	/* Each stage's "ms" is when it ended; its bar starts where the
	 * previous one ended. */
	double prev = 0;
	int y = 28;
	for (const struct json *s = stages->u.kids.head; s; s = s->next, y += row) {
		const char *name = json_str(json_get(s, "name"));
		double end = json_number(json_get(s, "ms"));
		double start = prev < end ? prev : end;
		double x0 = label + start / total * width, w = (end - start) / total * width;
		sb_printf(&b, "<text x=\"4\" y=\"%d\">", y + 14);
		sb_xml(&b, name ? name : "?");
		sb_printf(&b, "</text><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" "
			  "fill=\"#4a7\"/><text x=\"%.1f\" y=\"%d\">%.0f ms</text>\n",
			  x0, y, w < 1 ? 1 : w, x0 + (w < 1 ? 1 : w) + 4, y + 14, end - start);
		prev = end;
	}
	sb_printf(&b, "</svg>\n");
	if (b.failed)
		return NULL;
	*len = b.len;
	return b.s;
}

static char *read_boot_svg(struct mcp_server *srv, const char *uri, struct arena *a,
			   size_t *len, const char **err)
{
	char *t = read_boot(srv, uri, a, len, err);
	const struct json *j = t ? json_parse(a, t, *len, NULL) : NULL;
	char *svg = j ? boot_svg(a, j, len) : NULL;
	if (t && !svg)
		*err = "boot timeline has no stages";
	return svg;
}

static const char *const LEVELS[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
};

static char *read_log(struct mcp_server *srv, const char *uri, struct arena *a,
		      size_t *len, const char **err)
{
	struct sbuf b = { .a = a };
	unsigned first = srv->log_next > MCP_LOG_RING ? srv->log_next - MCP_LOG_RING : 0;
	for (unsigned i = first; i < srv->log_next; i++) {
		const struct mcp_log_entry *e = &srv->log[i % MCP_LOG_RING];
		sb_printf(&b, "%s %s\n", LEVELS[e->level], e->text);
	}
	if (!b.len)
		sb_printf(&b, "%s", "");
	if (b.failed) {
		*err = "out of memory";
		return NULL;
	}
	*len = b.len;
	return b.s;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0 && n < 12;
}

static char *read_proc_status(struct mcp_server *srv, const char *uri, struct arena *a,
			      size_t *len, const char **err)
{
	const char *pid = uri + strlen("mcpos://proc/");
	size_t n = strcspn(pid, "/");
	char path[64];
	if (!all_digits(pid, n)) {
		*err = "pid must be a number";
		return NULL;
	}
	snprintf(path, sizeof path, "/proc/%.*s/status", (int)n, pid);
	char *t = sysfile_read(a, path, 16384, len);
	if (!t)
		*err = "no such process";
	return t;
}

static size_t complete_pid(struct mcp_server *srv, const char *var, const char *prefix,
			   const char **out, size_t max, struct arena *a)
{
	size_t n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && n < max && (e = readdir(d)))
		if (all_digits(e->d_name, strlen(e->d_name)) &&
		    !strncmp(e->d_name, prefix, strlen(prefix)))
			if ((out[n] = arena_strndup(a, e->d_name, strlen(e->d_name))))
				n++;
	if (d)
		closedir(d);
	return n;
}

static const struct mcp_resource RESOURCES[] = {
	{ .uri = "mcpos://proc/meminfo", .name = "meminfo", .title = "Memory (/proc/meminfo)",
	  .description = "The kernel's memory counters.", .mime_type = "text/plain",
	  .read = read_meminfo },
	{ .uri = "mcpos://boot/timeline", .name = "boot-timeline", .title = "Boot timeline",
	  .description = "Boot stages and when each ended (ms since power-on), from init.",
	  .mime_type = "application/json", .read = read_boot },
	{ .uri = "mcpos://boot/timeline.svg", .name = "boot-timeline-svg",
	  .title = "Boot timeline chart", .description = "The boot timeline as a bar chart.",
	  .mime_type = "image/svg+xml", .read = read_boot_svg },
	{ .uri = "mcpos://log", .name = "log", .title = "mcpd log",
	  .description = "mcpd's recent log lines; subscribe to hear of new ones.",
	  .mime_type = "text/plain", .subscribable = true, .read = read_log },
	{ .uri = "mcpos://proc/{pid}/status", .name = "process-status",
	  .title = "Process status", .description = "/proc/<pid>/status of one process.",
	  .mime_type = "text/plain", .is_template = true, .read = read_proc_status,
	  .complete = complete_pid },
};

/* ---- prompts ---------------------------------------------------------- */

static char *diagnose_memory(struct mcp_server *srv, const struct json *args,
			     struct arena *a, const char **err)
{
	const char *focus = json_str(json_get(args, "focus"));
	size_t len;
	char *mem = sysfile_read(a, "/proc/meminfo", 16384, &len);
	if (!mem) {
		*err = "cannot read /proc/meminfo";
		return NULL;
	}
	return arena_printf(a,
		"This machine runs a local LLM in a tight memory budget. Diagnose its "
		"memory%s%s: is there room for the model, what is using memory, and what "
		"would you change? Use the processes_list and system_info tools if you "
		"need more.\n\n/proc/meminfo:\n%s",
		focus ? ", focusing on " : "", focus ? focus : "", mem);
}

static char *summarise_boot(struct mcp_server *srv, const struct json *args,
			    struct arena *a, const char **err)
{
	const char *style = json_str(json_get(args, "style"));
	size_t len;
	char *boot = sysfile_read(a, srv->opt.boot_path, 1 << 20, &len);
	return arena_printf(a,
		"Summarise how this machine booted%s%s: which stages took longest and what "
		"could be faster.\n\nBoot timeline (JSON, ms since power-on):\n%s",
		style ? ", in a " : "", style ? style : "",
		boot ? boot : "(not available: not running in the mcpos image)");
}

static const char *const FOCUS[] = { "model", "processes", "page cache", "tmpfs", NULL };
static const char *const STYLE[] = { "short", "detailed", NULL };

static const struct mcp_prompt_arg MEMORY_ARGS[] = {
	{ .name = "focus", .description = "what to look at first", .choices = FOCUS },
	{ 0 },
};
static const struct mcp_prompt_arg BOOT_ARGS[] = {
	{ .name = "style", .description = "short or detailed", .required = true, .choices = STYLE },
	{ 0 },
};

static const struct mcp_prompt PROMPTS[] = {
	{ .name = "diagnose_memory", .title = "Diagnose memory",
	  .description = "Ask for a diagnosis of the machine's memory use.",
	  .args = MEMORY_ARGS, .render = diagnose_memory },
	{ .name = "summarise_boot", .title = "Summarise boot",
	  .description = "Ask for a summary of the boot timeline.",
	  .args = BOOT_ARGS, .render = summarise_boot },
};

int resources_register(struct mcp_server *srv, const char **err)
{
	if (mcp_add_resources(srv, RESOURCES, sizeof RESOURCES / sizeof *RESOURCES) ||
	    mcp_add_prompts(srv, PROMPTS, sizeof PROMPTS / sizeof *PROMPTS)) {
		*err = "registry full";
		return -1;
	}
	return 0;
}
