/*
 * utf8.h - the UTF-8 facts the tokenizers and the text stream need.
 *
 * Three jobs, all over raw bytes that may not be valid UTF-8:
 *
 *  - decoding one code point the way llama.cpp does, so our pre-tokenizers
 *    see the same code points as the reference: a lead byte announces 1-4
 *    bytes, continuation bytes must be 10xxxxxx, nothing else is checked
 *    (no overlong or surrogate test); a bad sequence decodes as U+FFFD and
 *    consumes one byte;
 *  - classifying a code point for the pre-tokenizer regexes (\p{L}, \p{N},
 *    \s = White_Space, \p{P}), from tables generated out of the Unicode database
 *    (utf8_tables.h);
 *  - a streaming decoder for detokenized text: tokens split characters
 *    (a byte-fallback token carries one byte of a 4-byte emoji), so the
 *    stream holds an incomplete sequence until it is complete, and emits
 *    only whole, valid UTF-8.  Bytes that can never be part of a valid
 *    sequence are emitted as U+FFFD, so the output is always valid UTF-8
 *    and every input byte is accounted for.
 */
#ifndef MCPOS_LLM_UTF8_H
#define MCPOS_LLM_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/* Length a lead byte announces, as SentencePiece splits text: 1 for ASCII
 * and stray continuation bytes, 2/3/4 for 110x/1110/11110 leads, 1 else. */
size_t utf8_lead_len(uint8_t lead);

/* Decode one code point at s[0..n), n > 0, as llama.cpp does (see above).
 * Returns the bytes consumed (1..4) and stores the code point. */
size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* Encode cp (< 0x200000) into out; returns 1..4 bytes. */
size_t utf8_encode(uint32_t cp, uint8_t out[4]);

enum utf8_class {
	UTF8_OTHER = 0, /* punctuation, symbols, marks, controls, unassigned */
	UTF8_LETTER,    /* \p{L} */
	UTF8_NUMBER,    /* \p{N} */
	UTF8_SPACE,     /* \s: the White_Space property */
	UTF8_PUNCT,     /* \p{P} */
};

enum utf8_class utf8_class(uint32_t cp);

/* Length of the longest prefix of s[0..n) that is strictly valid UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF). */
size_t utf8_valid_prefix(const uint8_t *s, size_t n);

/*
 * The streaming decoder.  Feed pieces as they come; each call writes the
 * text that is now complete to out and returns its length.  out must hold
 * UTF8_STREAM_OUT_MAX(n) bytes (every byte can become a 3-byte U+FFFD,
 * plus the held bytes).  A sequence cut short by a byte that cannot
 * continue it becomes one U+FFFD (WHATWG's "maximal subpart" rule) and
 * that byte is then read afresh.  utf8_stream_flush() ends the stream: a
 * sequence still incomplete becomes U+FFFD; out needs 3 bytes.
 */
#define UTF8_STREAM_OUT_MAX(n) (3 * (size_t)(n) + 12)
struct utf8_stream {
	uint8_t held[4];
	size_t n_held;
};

void utf8_stream_init(struct utf8_stream *st);
size_t utf8_stream_feed(struct utf8_stream *st, const void *piece, size_t n,
			char *out);
size_t utf8_stream_flush(struct utf8_stream *st, char *out);

#endif
