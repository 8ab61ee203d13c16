/* cmdline.c - see cmdline.h */
#include "cmdline.h"
#include "net.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void complain(char *errs, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(errs, size);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(errs + used, size - used, fmt, ap);
	va_end(ap);
	used = strnlen(errs, size);
	if (used + 1 < size) {
		errs[used] = '\n';
		errs[used + 1] = '\0';
	}
}

int parse_size(const char *text, size_t len, uint64_t *bytes)
{
	uint64_t v = 0, mult = 1;
	size_t i = 0;

	if (len == 0)
		return -1;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < len) {
		switch (text[i]) {
		case 'k': case 'K': mult = 1ull << 10; break;
		case 'm': case 'M': mult = 1ull << 20; break;
		case 'g': case 'G': mult = 1ull << 30; break;
		default: return -1;
		}
		if (++i != len)
			return -1;
	}
	if (v > UINT64_MAX / mult)
		return -1;
	*bytes = v * mult;
	return 0;
}

/* Copy a value into a fixed field; refuse what does not fit rather than
 * silently cutting a path or a token. */
static int copy_value(char *dst, size_t size, const char *v, size_t len)
{
	if (len == 0 || len >= size)
		return -1;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int is_word(const char *v, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(v, word, len) == 0;
}

static int apply(struct init_options *o, const char *key, size_t klen,
		 const char *v, size_t vlen)
{
#define KEY(name) (klen == sizeof(name) - 1 && memcmp(key, name, klen) == 0)
	if (KEY("threads")) {
		uint64_t n;
		if (parse_size(v, vlen, &n) || n < 1 || n > 256 ||
		    (vlen && (v[vlen - 1] < '0' || v[vlen - 1] > '9')))
			return -1;
		o->threads = (int)n;
	} else if (KEY("model_budget")) {
		if (parse_size(v, vlen, &o->model_budget) || o->model_budget == 0)
			return -1;
	} else if (KEY("log")) {
		if (log_level_parse(v, vlen, &o->log))
			return -1;
	} else if (KEY("after_ready")) {
		if (is_word(v, vlen, "poweroff")) o->after_ready = AFTER_POWEROFF;
		else if (is_word(v, vlen, "reboot")) o->after_ready = AFTER_REBOOT;
		else if (is_word(v, vlen, "halt")) o->after_ready = AFTER_HALT;
		else return -1;
	} else if (KEY("boot_json")) {
		if (!is_word(v, vlen, "console"))
			return -1;
		o->boot_json_console = 1;
	} else if (KEY("services")) {
		if (vlen == 0 || v[0] != '/')
			return -1;
		return copy_value(o->services, sizeof(o->services), v, vlen);
	} else if (KEY("root")) {
		if (vlen == 0 || v[0] != '/')
			return -1;
		return copy_value(o->root, sizeof(o->root), v, vlen);
	} else if (KEY("net")) {
		struct net_spec spec;
		char text[64];
		if (copy_value(text, sizeof(text), v, vlen) || net_parse(text, &spec))
			return -1;
		memcpy(o->net, text, sizeof(text));
	} else if (KEY("http_token")) {
		return copy_value(o->http_token, sizeof(o->http_token), v, vlen);
	} else {
		return -2;
	}
	return 0;
#undef KEY
}

int cmdline_parse(const char *text, struct init_options *o,
		  char *errs, size_t errs_size)
{
	static const char prefix[] = "mcpos.";
	int problems = 0;

	memset(o, 0, sizeof(*o));
	o->log = LOG_INFO;
	if (errs_size)
		errs[0] = '\0';

	for (const char *p = text; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *word = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen <= sizeof(prefix) - 1 || memcmp(word, prefix, sizeof(prefix) - 1))
			continue;
		const char *key = word + sizeof(prefix) - 1;
		const char *eq = memchr(key, '=', (size_t)(p - key));
		int shown = wlen > 80 ? 80 : (int)wlen;
		if (!eq) {
			complain(errs, errs_size, "%.*s: missing '=value', ignored", shown, word);
			problems++;
			continue;
		}
		int r = apply(o, key, (size_t)(eq - key), eq + 1, (size_t)(p - eq - 1));
		if (r == -2) {
			complain(errs, errs_size, "%.*s: unknown key, ignored", shown, word);
			problems++;
		} else if (r) {
			complain(errs, errs_size, "%.*s: malformed value, ignored", shown, word);
			problems++;
		}
	}
	return problems;
}
