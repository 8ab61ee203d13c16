/*
 * log.h - one-line log messages to a file descriptor.
 *
 * A logger is a plain value the caller owns and passes around: where the
 * lines go (an fd), the most verbose level that is written, and a prefix.
 * There is no global logger, so two parts of a program (or a program and
 * its unit tests) can log to different places without stepping on each
 * other.
 *
 *     struct log lg = { .fd = 1, .level = LOG_INFO, .prefix = "mcpos: " };
 *     log_info(&lg, "mounted %s", path);    ->  "mcpos: mounted /proc\n"
 *     log_debug(&lg, "...");                ->  nothing at LOG_INFO
 *
 * Each message is written with a single write(2), so lines from several
 * processes sharing the fd (a console) do not interleave mid-line.  Lines
 * longer than LOG_LINE_MAX are cut, never split.  A failed write is
 * dropped: the log has no better place to report its own failure.
 */
#ifndef MCPOS_LOG_H
#define MCPOS_LOG_H

#include <stdarg.h>

#define LOG_LINE_MAX 1024

/* Ordered: a logger writes every message at or below its level. */
enum log_level {
	LOG_ERROR,	/* always written: something failed */
	LOG_INFO,	/* what the program is doing, one line per step */
	LOG_DEBUG,	/* details useful when something goes wrong */
};

struct log {
	int fd;			/* where lines go; < 0 drops everything */
	enum log_level level;	/* most verbose level written */
	const char *prefix;	/* put before every line; NULL for none */
};

/* Write one line (a newline is added) if level <= lg->level. */
void log_msg(const struct log *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(const struct log *lg, enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_error(lg, ...) log_msg((lg), LOG_ERROR, __VA_ARGS__)
#define log_info(lg, ...)  log_msg((lg), LOG_INFO, __VA_ARGS__)
#define log_debug(lg, ...) log_msg((lg), LOG_DEBUG, __VA_ARGS__)

/* Parse "quiet" (LOG_ERROR), "info" or "debug" of length len.  0 on
 * success, -1 for anything else. */
int log_level_parse(const char *text, unsigned long len, enum log_level *level);

/* "quiet", "info" or "debug". */
const char *log_level_name(enum log_level level);

#endif
