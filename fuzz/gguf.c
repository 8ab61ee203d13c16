/*
 * fuzz/gguf.c - libFuzzer target for the GGUF reader.
 *
 * Whatever the bytes, gguf_open() must stay inside the buffer (ASan checks
 * that), and on success everything it hands out must lie inside it too:
 * keys, strings, array elements, tensor data.  The getters and array
 * readers are run over every entry, as the model loader would; then the
 * model is opened and, if the file is a runnable model, one token is run
 * (shapes and types are checked by model_open, so that must be safe too).
 */
#include "llm/gguf.h"
#include "llm/model.h"
#include "llm/quant.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *data, size_t size, const void *p, uint64_t n)
{
	const uint8_t *b = p;
	if (b < data || b > data + size || n > (uint64_t)(data + size - b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gguf_file g;
	struct gguf_error err;
	if (gguf_open(&g, data, size, &err) != 0) {
		if (err.msg[0] == 0 || memchr(err.msg, 0, sizeof err.msg) == NULL)
			abort();
		return 0;
	}
	for (uint64_t i = 0; i < g.n_kv; i++) {
		const struct gguf_kv *kv = &g.kv[i];
		inside(data, size, kv->key.ptr, kv->key.len);
		if (kv->type == GGUF_TYPE_STRING)
			inside(data, size, kv->v.s.ptr, kv->v.s.len);
		if (kv->type != GGUF_TYPE_ARRAY)
			continue;
		if (kv->v.arr.type == GGUF_TYPE_STRING) {
			struct gguf_str s[16];
			size_t n = gguf_array_str(kv, s, 16);
			for (size_t j = 0; j < n; j++)
				inside(data, size, s[j].ptr, s[j].len);
		} else if (kv->v.arr.count > 0) {
			(void)gguf_array_num(kv, kv->v.arr.count - 1);
		}
		char key[80];
		size_t kl = kv->key.len < sizeof key - 1 ? kv->key.len : sizeof key - 1;
		memcpy(key, kv->key.ptr, kl);
		key[kl] = 0;
		uint32_t u;
		float f;
		(void)gguf_get_u32(&g, key, &u);
		(void)gguf_get_f32(&g, key, &f);
	}
	float row[QUANT_MAX_BLOCK];
	for (uint64_t i = 0; i < g.n_tensors; i++) {
		const struct gguf_tensor *t = &g.tensors[i];
		inside(data, size, t->data, t->size);
		/* decode the first block: the dequantizer must accept any bits */
		uint32_t be = quant_block_elems(t->type);
		if (t->size >= quant_block_bytes(t->type))
			quant_dequantize(t->type, t->data, row, be);
	}
	struct model m;
	struct model_error merr;
	if (model_open(&m, &g, 4, &merr) == 0) {
		const float *logits = model_forward(&m, 0, 0);
		if (!logits)
			abort();
		model_close(&m);
	}
	gguf_close(&g);
	return 0;
}
