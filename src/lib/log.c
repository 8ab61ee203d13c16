/* log.c - see log.h */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void log_vmsg(const struct log *lg, enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	const size_t room = sizeof(line) - 1;	/* the last byte is for '\n' */
	size_t used = 0;
	ssize_t written;
	int n;

	if (!lg || lg->fd < 0 || level > lg->level)
		return;
	if (lg->prefix) {
		n = snprintf(line, room, "%s", lg->prefix);
		if (n > 0)
			used = (size_t)n < room ? (size_t)n : room - 1;
	}
	n = vsnprintf(line + used, room - used, fmt, ap);
	if (n > 0)
		used += (size_t)n < room - used ? (size_t)n : room - used - 1;
	line[used++] = '\n';
	/* One write per line, so lines never interleave; a failure has
	 * nowhere to be reported. */
	written = write(lg->fd, line, used);
	(void)written;
}

void log_msg(const struct log *lg, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lg, level, fmt, ap);
	va_end(ap);
}

int log_level_parse(const char *text, unsigned long len, enum log_level *level)
{
	static const char *const names[] = { "quiet", "info", "debug" };

	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == len && memcmp(text, names[i], len) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return level == LOG_ERROR ? "quiet" : level == LOG_DEBUG ? "debug" : "info";
}
