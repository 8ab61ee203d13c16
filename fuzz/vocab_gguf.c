/*
 * fuzz/vocab_gguf.c - a hostile GGUF file's tokenizer keys: whatever
 * gguf_open() accepts, reading the vocabulary and building a tokenizer
 * from it either fails with a message or gives a tokenizer that encodes
 * and decodes without crashing.
 */
#include "llm/gguf.h"
#include "llm/tokenizer.h"
#include "llm/vocab_gguf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gguf_file g;
	struct gguf_error gerr;
	struct vocab_gguf vg;
	struct tokenizer *tok;
	char err[TOK_ERR_MAX] = "";

	if (gguf_open(&g, data, size, &gerr) != 0)
		return 0;
	if (vocab_gguf_load(&vg, &g, err) != 0) {
		if (err[0] == '\0')
			abort(); /* an error must say what is wrong */
		gguf_close(&g);
		return 0;
	}
	if (tok_open(&tok, &vg.vocab, err) == 0) {
		static const char text[] = "Hello world <s> 123 caf\xC3\xA9 \xF0\x9F\x98\x80\n";
		int32_t ids[256];
		char out[2048];
		long n = tok_encode(tok, text, sizeof text - 1, 1, 1, ids, 256);
		if (n > 0)
			tok_detokenize(tok, ids, (size_t)(n < 256 ? n : 256), 1, 1, out, sizeof out);
		tok_close(tok);
	} else if (err[0] == '\0') {
		abort();
	}
	vocab_gguf_free(&vg);
	gguf_close(&g);
	return 0;
}
