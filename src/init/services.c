/* services.c - see services.h */
#include "services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char default_table[] =
	"mcpd console -900 notify always /sbin/mcpd --stdio --serial"
	" --http 0.0.0.0:80 --unix /run/mcpos/mcp.sock\n";

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* Split one line into words inside spec->line.  Returns the word count,
 * or -1 if there are more than max. */
static int split(char *line, char **words, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int parse_line(struct service_spec *s, const char *src, size_t len,
		      char *why, size_t why_size)
{
	char *w[5 + SERVICE_ARGV_MAX];
	char *end;
	long oom;
	int n;

	memset(s, 0, sizeof(*s));
	if (len >= sizeof(s->line)) {
		snprintf(why, why_size, "line longer than %d bytes", SERVICE_LINE_MAX - 1);
		return -1;
	}
	memcpy(s->line, src, len);
	s->line[len] = '\0';
	for (char *p = s->line; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			snprintf(why, why_size, "control character in line");
			return -1;
		}
	n = split(s->line, w, 5 + SERVICE_ARGV_MAX - 1);
	if (n < 0) {
		snprintf(why, why_size, "more than %d arguments", SERVICE_ARGV_MAX - 1);
		return -1;
	}
	if (n < 6) {
		snprintf(why, why_size, "expected: name stdio oom_score_adj ready restart argv...");
		return -1;
	}
	if (!valid_name(w[0])) {
		snprintf(why, why_size, "bad service name '%.40s'", w[0]);
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", w[0]);
	if (!strcmp(w[1], "console")) s->stdio = STDIO_CONSOLE;
	else if (!strcmp(w[1], "null")) s->stdio = STDIO_NULL;
	else if (!strcmp(w[1], "inherit")) s->stdio = STDIO_INHERIT;
	else {
		snprintf(why, why_size, "stdio must be console, null or inherit, not '%.40s'", w[1]);
		return -1;
	}
	oom = strtol(w[2], &end, 10);
	if (*end || end == w[2] || oom < -1000 || oom > 1000) {
		snprintf(why, why_size, "oom_score_adj must be -1000..1000, not '%.40s'", w[2]);
		return -1;
	}
	s->oom_score_adj = (int)oom;
	if (!strcmp(w[3], "notify")) s->notify = 1;
	else if (strcmp(w[3], "exec")) {
		snprintf(why, why_size, "ready must be exec or notify, not '%.40s'", w[3]);
		return -1;
	}
	if (!strcmp(w[4], "always")) s->restart = 1;
	else if (strcmp(w[4], "never")) {
		snprintf(why, why_size, "restart must be always or never, not '%.40s'", w[4]);
		return -1;
	}
	if (w[5][0] != '/') {
		snprintf(why, why_size, "program must be an absolute path, not '%.40s'", w[5]);
		return -1;
	}
	for (int i = 5; i < n; i++)
		s->argv[i - 5] = w[i];
	s->argv[n - 5] = NULL;
	return 0;
}

int services_parse(const char *text, struct service_table *t, char *err, size_t err_size)
{
	int lineno = 0;

	t->count = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;
		char why[160];

		lineno++;
		while (q < p + len && (*q == ' ' || *q == '\t'))
			q++;
		if (q < p + len && *q != '#') {
			if (t->count == SERVICES_MAX) {
				snprintf(err, err_size, "line %d: more than %d services", lineno, SERVICES_MAX);
				return -1;
			}
			if (parse_line(&t->svc[t->count], p, len, why, sizeof(why))) {
				snprintf(err, err_size, "line %d: %s", lineno, why);
				return -1;
			}
			for (int i = 0; i < t->count; i++)
				if (!strcmp(t->svc[i].name, t->svc[t->count].name)) {
					snprintf(err, err_size, "line %d: duplicate service '%s'",
						 lineno, t->svc[i].name);
					return -1;
				}
			t->count++;
		}
		p = nl ? nl + 1 : p + len;
	}
	return 0;
}

void services_default(struct service_table *t)
{
	char err[8];

	services_parse(default_table, t, err, sizeof(err));
}
