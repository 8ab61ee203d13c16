/* modules.c - see modules.h */
#include "modules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsutil.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int modules_next(char **cursor, int *line, struct module_entry *e)
{
	char *p = *cursor;

	while (*p) {
		char *end = strchr(p, '\n'), *next;
		if (end) {
			*end = '\0';
			next = end + 1;
		} else {
			next = p + strlen(p);
		}
		*cursor = next;
		++*line;
		while (is_space(*p))
			p++;
		if (*p == '\0' || *p == '#') {
			p = next;
			continue;
		}
		memset(e, 0, sizeof(*e));
		e->line = *line;
		e->path = p;
		while (*p && !is_space(*p))
			p++;
		if (*p)
			*p++ = '\0';
		while (is_space(*p))
			p++;
		/* Trailing blanks are not part of the parameters. */
		for (char *t = p + strlen(p); t > p && is_space(t[-1]); t--)
			t[-1] = '\0';
		e->params = p;
		if (e->path[0] != '/') {
			snprintf(e->why, sizeof(e->why), "module path must be absolute");
			return -1;
		}
		if (strlen(e->path) >= INIT_PATH_MAX / 2) {
			snprintf(e->why, sizeof(e->why), "module path too long");
			return -1;
		}
		if (strlen(e->params) >= MODULE_PARAMS_MAX) {
			snprintf(e->why, sizeof(e->why), "parameters longer than %d bytes",
				 MODULE_PARAMS_MAX - 1);
			return -1;
		}
		return 1;
	}
	*cursor = p;
	return 0;
}

void modules_stage_name(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".ko") == 0)
		len -= 3;
	snprintf(buf, size, "module:%.*s", (int)len, base);
}

void modules_load_list(const char *root, const char *list_path, int test_mode,
		       struct timeline *tl, const struct log *lg)
{
	char list[4096], path[INIT_PATH_MAX], stage[48];
	char *cursor = list;
	struct module_entry e;
	int line = 0, r;

	if (!root_path(root, list_path, path, sizeof(path)) ||
	    file_read(path, list, sizeof(list)) < 0) {
		if (errno == ENOENT)
			log_debug(lg, "no %s: no modules to load", list_path);
		else
			log_error(lg, "%s: %s; no modules loaded", list_path, strerror(errno));
		return;
	}
	while ((r = modules_next(&cursor, &line, &e)) != 0) {
		if (r < 0) {
			log_error(lg, "%s: line %d: %s; skipped", list_path, e.line, e.why);
			continue;
		}
		const char *note = NULL;
		int fd = -1;
		modules_stage_name(e.path, stage, sizeof(stage));
		if (!root_path(root, e.path, path, sizeof(path)) ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			log_error(lg, "module %s: %s", e.path, strerror(errno));
			note = "failed";
		} else if (test_mode) {
			log_info(lg, "module %s: test mode, not loaded", e.path);
			note = "test";
		} else if (syscall(SYS_finit_module, fd, e.params, 0) != 0) {
			/* EEXIST: built in or loaded already, which is fine. */
			if (errno != EEXIST) {
				log_error(lg, "module %s: finit_module: %s", e.path, strerror(errno));
				note = "failed";
			}
		} else {
			log_debug(lg, "module %s loaded", e.path);
		}
		if (fd >= 0)
			close(fd);
		timeline_add(tl, stage, note, timeline_now_ms());
	}
}
