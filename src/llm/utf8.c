/*
 * utf8.c - UTF-8 decoding, classification and the streaming decoder.
 */
#include "llm/utf8.h"

#include "llm/utf8_tables.h"

#include <string.h>

size_t utf8_lead_len(uint8_t lead)
{
	/* Indexed by the high nibble; 10xx (a stray continuation) counts as
	 * one byte so the caller always advances. */
	static const uint8_t len_by_nibble[16] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4,
	};
	return len_by_nibble[lead >> 4];
}

size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t b = s[0];
	size_t len;
	uint32_t v;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if ((b & 0xE0) == 0xC0) {
		len = 2;
		v = b & 0x1F;
	} else if ((b & 0xF0) == 0xE0) {
		len = 3;
		v = b & 0x0F;
	} else if ((b & 0xF8) == 0xF0) {
		len = 4;
		v = b & 0x07;
	} else {
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	if (len > n) {
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = UTF8_REPLACEMENT;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

size_t utf8_encode(uint32_t cp, uint8_t out[4])
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xC0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xE0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (uint8_t)(0xF0 | ((cp >> 18) & 0x07));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

static int in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < r[mid][0])
			hi = mid;
		else if (cp > r[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

#define N_RANGES(t) (sizeof(t) / sizeof((t)[0]))

enum utf8_class utf8_class(uint32_t cp)
{
	if (in_ranges(utf8_letter_ranges, N_RANGES(utf8_letter_ranges), cp))
		return UTF8_LETTER;
	if (in_ranges(utf8_number_ranges, N_RANGES(utf8_number_ranges), cp))
		return UTF8_NUMBER;
	if (in_ranges(utf8_space_ranges, N_RANGES(utf8_space_ranges), cp))
		return UTF8_SPACE;
	if (in_ranges(utf8_punct_ranges, N_RANGES(utf8_punct_ranges), cp))
		return UTF8_PUNCT;
	return UTF8_OTHER;
}

/* Length a strictly valid sequence starting with `lead` has, 0 if no
 * valid sequence starts with it. */
static size_t strict_len(uint8_t lead)
{
	if (lead < 0x80)
		return 1;
	if (lead >= 0xC2 && lead <= 0xDF)
		return 2;
	if (lead >= 0xE0 && lead <= 0xEF)
		return 3;
	if (lead >= 0xF0 && lead <= 0xF4)
		return 4;
	return 0;
}

/* Whether byte b may stand at position i (>= 1) of a sequence led by
 * `lead`: the second byte is narrowed to exclude overlongs, surrogates
 * and code points above U+10FFFF (RFC 3629's table). */
static int continues(uint8_t lead, size_t i, uint8_t b)
{
	uint8_t lo = 0x80, hi = 0xBF;

	if (i == 1) {
		if (lead == 0xE0)
			lo = 0xA0;
		else if (lead == 0xED)
			hi = 0x9F;
		else if (lead == 0xF0)
			lo = 0x90;
		else if (lead == 0xF4)
			hi = 0x8F;
	}
	return b >= lo && b <= hi;
}

size_t utf8_valid_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t len = strict_len(s[i]);
		if (len == 0 || len > n - i)
			return i;
		for (size_t k = 1; k < len; k++)
			if (!continues(s[i], k, s[i + k]))
				return i;
		i += len;
	}
	return i;
}

void utf8_stream_init(struct utf8_stream *st)
{
	st->n_held = 0;
}

static size_t put_replacement(char *out)
{
	memcpy(out, "\xEF\xBF\xBD", 3);
	return 3;
}

size_t utf8_stream_feed(struct utf8_stream *st, const void *piece, size_t n,
			char *out)
{
	const uint8_t *p = piece;
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];

		if (st->n_held > 0) {
			if (continues(st->held[0], st->n_held, b)) {
				st->held[st->n_held++] = b;
				if (st->n_held == strict_len(st->held[0])) {
					memcpy(out + w, st->held, st->n_held);
					w += st->n_held;
					st->n_held = 0;
				}
				continue;
			}
			/* The held sequence can never complete: one U+FFFD
			 * for it, then b starts over. */
			w += put_replacement(out + w);
			st->n_held = 0;
		}
		size_t len = strict_len(b);
		if (len == 1)
			out[w++] = (char)b;
		else if (len == 0)
			w += put_replacement(out + w);
		else
			st->held[st->n_held++] = b;
	}
	return w;
}

size_t utf8_stream_flush(struct utf8_stream *st, char *out)
{
	if (st->n_held == 0)
		return 0;
	st->n_held = 0;
	return put_replacement(out);
}
