/*
 * http.h - strict parsing of HTTP/1.1 request heads, for the Streamable
 * HTTP transport.
 *
 * http_parse_head() looks at the bytes received so far on a connection:
 *
 *     struct http_request r;
 *     int status; const char *why;
 *     switch (http_parse_head(buf, len, &r, &status, &why)) {
 *     case 0:  read more (the head is not complete yet)
 *     case -1: answer `status` (400, 431, 501, 505) saying `why`, close
 *     case 1:  r.head_len bytes are the head; r.content_length body follows
 *     }
 *
 * Accepted: "METHOD SP origin-form SP HTTP/1.1" then "Name: value" lines,
 * each ending in CRLF, then an empty line.  Refused: other versions, bare
 * LF, obsolete line folding, control characters, a head over
 * HTTP_MAX_HEAD bytes or HTTP_MAX_HEADERS lines, Transfer-Encoding (no
 * chunked bodies: MCP messages are sent with a length), and a missing,
 * malformed or conflicting Content-Length on a request with a body.
 * Pointers in the request point into buf.
 */
#ifndef MCPOS_MCPD_HTTP_H
#define MCPOS_MCPD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD 16384
#define HTTP_MAX_HEADERS 64

struct http_header {
	const char *name, *value;
	size_t name_len, value_len;
};

struct http_request {
	const char *method, *target;
	size_t method_len, target_len;
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	size_t content_length;
	bool close;                 /* "Connection: close" */
	size_t head_len;
};

int http_parse_head(const char *buf, size_t len, struct http_request *r,
		    int *status, const char **why);
/* The value of the header (case-insensitive name), or NULL. */
const char *http_header(const struct http_request *r, const char *name, size_t *len);
/* Does the header's value contain token (case-insensitive)? */
bool http_header_contains(const struct http_request *r, const char *name, const char *token);
bool http_method_is(const struct http_request *r, const char *m);

#endif
