/* http.c - see http.h. */
#include "http.h"

#include <string.h>
#include <strings.h>

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int bad(int *status, const char **why, int code, const char *msg)
{
	*status = code;
	*why = msg;
	return -1;
}

int http_parse_head(const char *buf, size_t len, struct http_request *r,
		    int *status, const char **why)
{
	r->method = r->target = NULL;
	r->nheaders = 0;
	r->content_length = 0;
	r->close = false;
	/* Find the end of the head first: nothing is judged half-seen,
	 * except that a head may not grow past the limit. */
	const char *end = NULL;
	for (size_t i = 0; i + 3 < len && i + 4 <= HTTP_MAX_HEAD; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			end = buf + i + 2;   /* just past the last header line's CRLF */
			break;
		}
	if (!end)
		return len >= HTTP_MAX_HEAD ? bad(status, why, 431, "request head too large") : 0;
	r->head_len = (size_t)(end - buf) + 2;

	const char *p = buf;
	/* request line */
	const char *sp = p;
	while (sp < end && is_tchar((unsigned char)*sp))
		sp++;
	if (sp == p || sp >= end || *sp != ' ')
		return bad(status, why, 400, "malformed request line");
	r->method = p;
	r->method_len = (size_t)(sp - p);
	p = sp + 1;
	sp = p;
	while (sp < end && (unsigned char)*sp > ' ' && *sp != 0x7f)
		sp++;
	if (sp == p || sp >= end || *sp != ' ' || *p != '/')
		return bad(status, why, 400, "malformed request target");
	r->target = p;
	r->target_len = (size_t)(sp - p);
	p = sp + 1;
	if ((size_t)(end - p) < 10 || memcmp(p, "HTTP/1.", 7))
		return bad(status, why, 400, "malformed request line");
	if (p[7] != '1' || p[8] != '\r' || p[9] != '\n')
		return bad(status, why, 505, "only HTTP/1.1 is served");
	p += 10;

	bool have_length = false;
	while (p < end) {
		const char *eol = p;
		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		if (eol + 1 >= end + 1 || eol[0] != '\r' || eol[1] != '\n')
			return bad(status, why, 400, "header line not ended by CRLF");
		if (*p == ' ' || *p == '\t')
			return bad(status, why, 400, "obsolete header line folding");
		const char *colon = p;
		while (colon < eol && is_tchar((unsigned char)*colon))
			colon++;
		if (colon == p || colon >= eol || *colon != ':')
			return bad(status, why, 400, "malformed header name");
		const char *v = colon + 1, *ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (const char *c = v; c < ve; c++)
			if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
				return bad(status, why, 400, "control character in header value");
		if (r->nheaders == HTTP_MAX_HEADERS)
			return bad(status, why, 431, "too many headers");
		struct http_header *h = &r->headers[r->nheaders++];
		h->name = p;
		h->name_len = (size_t)(colon - p);
		h->value = v;
		h->value_len = (size_t)(ve - v);
		if (h->name_len == 17 && !strncasecmp(p, "transfer-encoding", 17))
			return bad(status, why, 501, "Transfer-Encoding is not supported: send Content-Length");
		if (h->name_len == 14 && !strncasecmp(p, "content-length", 14)) {
			size_t n = 0;
			if (v == ve || ve - v > 12)
				return bad(status, why, 400, "bad Content-Length");
			for (const char *c = v; c < ve; c++) {
				if (*c < '0' || *c > '9')
					return bad(status, why, 400, "bad Content-Length");
				n = n * 10 + (size_t)(*c - '0');
			}
			if (have_length && n != r->content_length)
				return bad(status, why, 400, "conflicting Content-Length");
			have_length = true;
			r->content_length = n;
		}
		if (h->name_len == 10 && !strncasecmp(p, "connection", 10) &&
		    h->value_len == 5 && !strncasecmp(v, "close", 5))
			r->close = true;
		p = eol + 2;
	}
	if (!have_length && (http_method_is(r, "POST") || http_method_is(r, "PUT")))
		return bad(status, why, 411, "Content-Length required");
	return 1;
}

const char *http_header(const struct http_request *r, const char *name, size_t *len)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < r->nheaders; i++)
		if (r->headers[i].name_len == n && !strncasecmp(r->headers[i].name, name, n)) {
			if (len)
				*len = r->headers[i].value_len;
			return r->headers[i].value;
		}
	return NULL;
}

bool http_header_contains(const struct http_request *r, const char *name, const char *token)
{
	size_t n = strlen(token);
	for (size_t i = 0; i < r->nheaders; i++) {
		const struct http_header *h = &r->headers[i];
		if (h->name_len != strlen(name) || strncasecmp(h->name, name, h->name_len))
			continue;
		for (size_t k = 0; k + n <= h->value_len; k++)
			if (!strncasecmp(h->value + k, token, n))
				return true;
	}
	return false;
}

bool http_method_is(const struct http_request *r, const char *m)
{
	return r->method_len == strlen(m) && !memcmp(r->method, m, r->method_len);
}
