/* json.c - see json.h. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0.  The
 * second-byte ranges are what exclude overlong forms (C0, C1, E0 80-9F,
 * F0 80-8F), surrogates (ED A0-BF) and code points past U+10FFFF (F4 90+). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0) lo = 0xA0;
		if (c == 0xED) hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0) lo = 0x90;
		if (c == 0xF4) hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

bool json_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

static size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- parser ----------------------------------------------------------- */

struct parser {
	const char *s;
	size_t len, pos;
	struct arena *a;
	struct json_error *err;
};

static void *fail(struct parser *p, size_t at, const char *msg)
{
	if (!p->err->msg) {
		p->err->offset = at;
		p->err->msg = msg;
	}
	return NULL;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static struct json *new_node(struct parser *p, enum json_type t)
{
	struct json *j = arena_alloc(p->a, sizeof *j);
	if (!j)
		return fail(p, p->pos, "document too large");
	memset(j, 0, sizeof *j);
	j->type = t;
	return j;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* Parses the string starting at the opening quote; the decoded text (never
 * longer than the source) goes to the arena. */
static int parse_string(struct parser *p, const char **out, size_t *out_len)
{
	size_t start = ++p->pos, end = start;
	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->len)
		return fail(p, start - 1, "unterminated string"), -1;
	char *buf = arena_alloc(p->a, end - start + 1);
	if (!buf)
		return fail(p, start, "document too large"), -1;
	size_t o = 0, i = start;
	const unsigned char *u = (const unsigned char *)p->s;
	while (i < end) {
		unsigned char c = u[i];
		if (c < 0x20)
			return fail(p, i, "control character in string"), -1;
		if (c >= 0x80) {
			size_t n = utf8_seq(u + i, end - i);
			if (!n)
				return fail(p, i, "invalid UTF-8 in string"), -1;
			memcpy(buf + o, p->s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (c != '\\') {
			buf[o++] = (char)c;
			i++;
			continue;
		}
		char e = p->s[i + 1];
		i += 2;
		switch (e) {
		case '"': buf[o++] = '"'; break;
		case '\\': buf[o++] = '\\'; break;
		case '/': buf[o++] = '/'; break;
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (end - i < 4 || hex4(p->s + i, &cp))
				return fail(p, i - 2, "bad \\u escape"), -1;
			i += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(p, i - 6, "lone low surrogate"), -1;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - i < 6 || p->s[i] != '\\' || p->s[i + 1] != 'u' ||
				    hex4(p->s + i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return fail(p, i - 6, "unpaired high surrogate"), -1;
				i += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			o += utf8_put(buf + o, cp);
			break;
		}
		default:
			return fail(p, i - 2, "bad escape in string"), -1;
		}
	}
	buf[o] = '\0';
	p->pos = end + 1;
	*out = buf;
	*out_len = o;
	return 0;
}

static struct json *parse_number(struct parser *p)
{
	size_t start = p->pos, i = start;
	const char *s = p->s;
	bool integral = true;
	if (i < p->len && s[i] == '-')
		i++;
	if (i >= p->len || s[i] < '0' || s[i] > '9')
		return fail(p, start, "invalid number");
	if (s[i] == '0') {
		i++;
		if (i < p->len && s[i] >= '0' && s[i] <= '9')
			return fail(p, start, "leading zero in number");
	} else {
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < p->len && s[i] == '.') {
		integral = false;
		i++;
		if (i >= p->len || s[i] < '0' || s[i] > '9')
			return fail(p, i, "digit expected after decimal point");
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		integral = false;
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= p->len || s[i] < '0' || s[i] > '9')
			return fail(p, i, "digit expected in exponent");
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	p->pos = i;
	if (integral) {
		bool neg = s[start] == '-';
		uint64_t v = 0, max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		bool fits = true;
		for (size_t k = start + neg; k < i; k++) {
			unsigned d = (unsigned)(s[k] - '0');
			if (v > (max - d) / 10) {
				fits = false;
				break;
			}
			v = v * 10 + d;
		}
		if (fits) {
			struct json *j = new_node(p, JSON_INT);
			if (j)
				j->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
			return j;
		}
	}
	/* strtod needs a terminated copy; the text is not ours to terminate. */
	char small[64], *tmp = small;
	if (i - start >= sizeof small && !(tmp = arena_alloc(p->a, i - start + 1)))
		return fail(p, start, "document too large");
	memcpy(tmp, s + start, i - start);
	tmp[i - start] = '\0';
	double d = strtod(tmp, NULL);
	if (isinf(d))
		return fail(p, start, "number out of range");
	struct json *j = new_node(p, JSON_DOUBLE);
	if (j)
		j->u.d = d;
	return j;
}

static bool key_eq(const struct json *a, const struct json *b)
{
	return a->key_len == b->key_len && !memcmp(a->key, b->key, a->key_len);
}

static int cmp_keys(const void *x, const void *y)
{
	const struct json *a = *(const struct json *const *)x;
	const struct json *b = *(const struct json *const *)y;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Duplicate keys make a message mean different things to different
 * readers, so they are refused.  Small objects: pairwise; large: sorted. */
static bool has_duplicate_keys(struct parser *p, struct json *obj, bool *oom)
{
	size_t n = obj->u.kids.count;
	*oom = false;
	if (n <= 16) {
		for (struct json *a = obj->u.kids.head; a; a = a->next)
			for (struct json *b = a->next; b; b = b->next)
				if (key_eq(a, b))
					return true;
		return false;
	}
	struct json **v = arena_alloc(p->a, n * sizeof *v);
	if (!v) {
		*oom = true;
		return false;
	}
	size_t k = 0;
	for (struct json *a = obj->u.kids.head; a; a = a->next)
		v[k++] = a;
	qsort(v, n, sizeof *v, cmp_keys);
	for (k = 1; k < n; k++)
		if (key_eq(v[k - 1], v[k]))
			return true;
	return false;
}

static struct json *parse_value(struct parser *p, unsigned depth);

static struct json *parse_container(struct parser *p, unsigned depth, bool is_obj)
{
	size_t open = p->pos;
	if (depth >= JSON_MAX_DEPTH)
		return fail(p, open, "nesting too deep");
	struct json *c = new_node(p, is_obj ? JSON_OBJECT : JSON_ARRAY);
	if (!c)
		return NULL;
	char close = is_obj ? '}' : ']';
	struct json **tail = &c->u.kids.head;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return c;
	}
	for (;;) {
		const char *key = NULL;
		size_t key_len = 0;
		if (is_obj) {
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, p->pos, "object key expected");
			if (parse_string(p, &key, &key_len))
				return NULL;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return fail(p, p->pos, "':' expected");
			p->pos++;
		}
		struct json *v = parse_value(p, depth + 1);
		if (!v)
			return NULL;
		v->key = key;
		v->key_len = key_len;
		*tail = v;
		tail = &v->next;
		c->u.kids.count++;
		skip_ws(p);
		if (p->pos >= p->len)
			return fail(p, p->pos, is_obj ? "unterminated object" : "unterminated array");
		char ch = p->s[p->pos++];
		if (ch == close)
			break;
		if (ch != ',')
			return fail(p, p->pos - 1, is_obj ? "',' or '}' expected" : "',' or ']' expected");
	}
	if (is_obj) {
		bool oom;
		if (has_duplicate_keys(p, c, &oom))
			return fail(p, open, "duplicate object key");
		if (oom)
			return fail(p, open, "document too large");
	}
	return c;
}

static struct json *parse_literal(struct parser *p, const char *word, enum json_type t)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, p->pos, "invalid literal");
	p->pos += n;
	return new_node(p, t);
}

static struct json *parse_value(struct parser *p, unsigned depth)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, p->pos, "value expected");
	switch (p->s[p->pos]) {
	case '{': return parse_container(p, depth, true);
	case '[': return parse_container(p, depth, false);
	case '"': {
		struct json *j = new_node(p, JSON_STRING);
		if (!j || parse_string(p, &j->u.str.s, &j->u.str.len))
			return NULL;
		return j;
	}
	case 't': return parse_literal(p, "true", JSON_TRUE);
	case 'f': return parse_literal(p, "false", JSON_FALSE);
	case 'n': return parse_literal(p, "null", JSON_NULL);
	default:
		if (p->s[p->pos] == '-' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9'))
			return parse_number(p);
		return fail(p, p->pos, "value expected");
	}
}

const struct json *json_parse(struct arena *a, const char *text, size_t len,
			      struct json_error *err)
{
	struct json_error dummy;
	struct parser p = { text, len, 0, a, err ? err : &dummy };
	p.err->msg = NULL;
	p.err->offset = 0;
	struct json *j = parse_value(&p, 0);
	if (!j)
		return NULL;
	skip_ws(&p);
	if (p.pos != len)
		return fail(&p, p.pos, "trailing characters after value");
	return j;
}

/* ---- lookups ---------------------------------------------------------- */

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (const struct json *m = obj->u.kids.head; m; m = m->next)
		if (m->key_len == n && !memcmp(m->key, key, n))
			return m;
	return NULL;
}

const char *json_str(const struct json *j)
{
	return j && j->type == JSON_STRING ? j->u.str.s : NULL;
}

bool json_is_number(const struct json *j)
{
	return j && (j->type == JSON_INT || j->type == JSON_DOUBLE);
}

bool json_is_bool(const struct json *j)
{
	return j && (j->type == JSON_TRUE || j->type == JSON_FALSE);
}

bool json_int(const struct json *j, int64_t *out)
{
	if (!j)
		return false;
	if (j->type == JSON_INT) {
		*out = j->u.i;
		return true;
	}
	/* 9.2e18 is the largest double below 2^63 we accept. */
	if (j->type == JSON_DOUBLE && j->u.d == floor(j->u.d) &&
	    j->u.d >= -9.2e18 && j->u.d <= 9.2e18) {
		*out = (int64_t)j->u.d;
		return true;
	}
	return false;
}

double json_number(const struct json *j)
{
	if (!j)
		return 0;
	if (j->type == JSON_INT)
		return (double)j->u.i;
	return j->type == JSON_DOUBLE ? j->u.d : 0;
}

bool json_equal(const struct json *a, const struct json *b)
{
	if (!a || !b)
		return a == b;
	if (json_is_number(a) && json_is_number(b)) {
		if (a->type == JSON_INT && b->type == JSON_INT)
			return a->u.i == b->u.i;
		return json_number(a) == json_number(b);
	}
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_STRING:
		return a->u.str.len == b->u.str.len &&
		       !memcmp(a->u.str.s, b->u.str.s, a->u.str.len);
	case JSON_ARRAY:
		if (a->u.kids.count != b->u.kids.count)
			return false;
		for (const struct json *x = a->u.kids.head, *y = b->u.kids.head; x;
		     x = x->next, y = y->next)
			if (!json_equal(x, y))
				return false;
		return true;
	case JSON_OBJECT:
		if (a->u.kids.count != b->u.kids.count)
			return false;
		for (const struct json *x = a->u.kids.head; x; x = x->next) {
			const struct json *y = b->u.kids.head;
			while (y && !key_eq(x, y))
				y = y->next;
			if (!y || !json_equal(x, y))
				return false;
		}
		return true;
	default:
		return true;
	}
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL: return "null";
	case JSON_FALSE: case JSON_TRUE: return "boolean";
	case JSON_INT: return "integer";
	case JSON_DOUBLE: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "array";
	case JSON_OBJECT: return "object";
	}
	return "?";
}

/* ---- writer ----------------------------------------------------------- */

void jw_init(struct jw *w, size_t limit)
{
	memset(w, 0, sizeof *w);
	w->limit = limit;
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->failed = false;
	w->depth = 0;
	w->after_key = false;
	w->has_item[0] = 0;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static bool reserve(struct jw *w, size_t n)
{
	if (w->failed)
		return false;
	if (n > SIZE_MAX - w->len - 1 || (w->limit && w->len + n > w->limit)) {
		w->failed = true;
		return false;
	}
	if (w->len + n + 1 <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < w->len + n + 1)
		cap *= 2;
	char *b = realloc(w->buf, cap);
	if (!b) {
		w->failed = true;
		return false;
	}
	w->buf = b;
	w->cap = cap;
	return true;
}

void jw_bytes(struct jw *w, const char *s, size_t len)
{
	if (!reserve(w, len))
		return;
	memcpy(w->buf + w->len, s, len);
	w->len += len;
	w->buf[w->len] = '\0';
}

static void put_c(struct jw *w, char c)
{
	jw_bytes(w, &c, 1);
}

/* Called before every value: the comma between siblings. */
static void before_value(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_item[w->depth])
		put_c(w, ',');
	w->has_item[w->depth] = 1;
}

static void put_escaped(struct jw *w, const char *s, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	put_c(w, '"');
	size_t run = 0;    /* bytes that need no escaping, copied in one go */
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		size_t n = 1;
		const char *esc = NULL;
		char ubuf[6];
		if (c >= 0x80) {
			n = utf8_seq(u + i, len - i);
			if (!n) {
				esc = "\xEF\xBF\xBD";  /* U+FFFD for an invalid byte */
				n = 1;
			}
		} else if (c == '"') esc = "\\\"";
		else if (c == '\\') esc = "\\\\";
		else if (c == '\n') esc = "\\n";
		else if (c == '\r') esc = "\\r";
		else if (c == '\t') esc = "\\t";
		else if (c == '\b') esc = "\\b";
		else if (c == '\f') esc = "\\f";
		else if (c < 0x20) {
			memcpy(ubuf, "\\u00", 4);
			ubuf[4] = hexd[c >> 4];
			ubuf[5] = hexd[c & 15];
		}
		if (!esc && c >= 0x20) {
			run += n;
			i += n;
			continue;
		}
		jw_bytes(w, s + i - run, run);
		run = 0;
		if (esc)
			jw_bytes(w, esc, strlen(esc));
		else
			jw_bytes(w, ubuf, 6);
		i += n;
	}
	jw_bytes(w, s + len - run, run);
	put_c(w, '"');
}

static void open_container(struct jw *w, char c)
{
	before_value(w);
	if (w->depth >= JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	put_c(w, c);
	w->has_item[++w->depth] = 0;
}

static void close_container(struct jw *w, char c)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	w->depth--;
	put_c(w, c);
}

void jw_obj(struct jw *w) { open_container(w, '{'); }
void jw_end_obj(struct jw *w) { close_container(w, '}'); }
void jw_arr(struct jw *w) { open_container(w, '['); }
void jw_end_arr(struct jw *w) { close_container(w, ']'); }

void jw_keyn(struct jw *w, const char *key, size_t len)
{
	before_value(w);
	put_escaped(w, key, len);
	put_c(w, ':');
	w->after_key = true;
}

void jw_key(struct jw *w, const char *key) { jw_keyn(w, key, strlen(key)); }

void jw_strn(struct jw *w, const char *s, size_t len)
{
	before_value(w);
	put_escaped(w, s, len);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void jw_strf(struct jw *w, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->failed = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		jw_strn(w, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		w->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	jw_strn(w, big, (size_t)n);
	free(big);
}

void jw_int(struct jw *w, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", (long long)v);
	before_value(w);
	jw_bytes(w, b, (size_t)n);
}

void jw_double(struct jw *w, double v)
{
	if (isnan(v) || isinf(v)) {
		jw_null(w);
		return;
	}
	/* The shortest %g that reads back as the same double, marked as a
	 * fraction so it also reads back as a double, not an integer. */
	char b[40];
	int n = 0;
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(b, sizeof b - 2, "%.*g", prec, v);
		if (strtod(b, NULL) == v)
			break;
	}
	if (!strpbrk(b, ".eE")) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	before_value(w);
	jw_bytes(w, b, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	before_value(w);
	jw_bytes(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	before_value(w);
	jw_bytes(w, "null", 4);
}

void jw_raw(struct jw *w, const char *json, size_t len)
{
	before_value(w);
	jw_bytes(w, json, len);
}

void jw_value(struct jw *w, const struct json *j)
{
	if (!j) {
		jw_null(w);
		return;
	}
	switch (j->type) {
	case JSON_NULL: jw_null(w); break;
	case JSON_FALSE: jw_bool(w, false); break;
	case JSON_TRUE: jw_bool(w, true); break;
	case JSON_INT: jw_int(w, j->u.i); break;
	case JSON_DOUBLE: jw_double(w, j->u.d); break;
	case JSON_STRING: jw_strn(w, j->u.str.s, j->u.str.len); break;
	case JSON_ARRAY:
		jw_arr(w);
		for (const struct json *k = j->u.kids.head; k; k = k->next)
			jw_value(w, k);
		jw_end_arr(w);
		break;
	case JSON_OBJECT:
		jw_obj(w);
		for (const struct json *k = j->u.kids.head; k; k = k->next) {
			jw_keyn(w, k->key, k->key_len);
			jw_value(w, k);
		}
		jw_end_obj(w);
		break;
	}
}
