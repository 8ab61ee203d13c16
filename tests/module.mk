# tests/module.mk - test programs of the LLM text side (tokenizer, chat
# templates, sampling): unit tests, fuzz targets, and the driver the node
# comparison tests (tests/tok/*.mjs) run.

TOK_SRC := src/llm/tokenizer.c src/llm/utf8.c

$(eval $(call unit_test,test_tokenizer,tests/unit/test_tokenizer.c $(TOK_SRC)))
$(eval $(call fuzz_target,tokenizer,fuzz/tokenizer.c $(TOK_SRC)))
$(eval $(call unit_test,test_vocab_gguf,tests/unit/test_vocab_gguf.c src/llm/vocab_gguf.c src/llm/gguf.c src/llm/quant.c $(TOK_SRC)))
$(eval $(call unit_test,test_chat,tests/unit/test_chat.c src/llm/chat.c))
$(eval $(call unit_test,test_sample,tests/unit/test_sample.c src/llm/sample.c))
$(eval $(call fuzz_target,chat_template,fuzz/chat_template.c src/llm/chat.c))
$(eval $(call fuzz_target,vocab_gguf,fuzz/vocab_gguf.c src/llm/vocab_gguf.c src/llm/gguf.c src/llm/quant.c $(TOK_SRC)))
$(eval $(call host_prog,tokdump,tests/tok/tokdump.c src/llm/vocab_gguf.c src/llm/gguf.c src/llm/quant.c $(TOK_SRC)))
$(eval $(call host_prog,chatfmt,tests/tok/chatfmt.c src/llm/chat.c))

# The templates know only the sources; rebuild when a header changes too.
TOK_HEADERS := $(wildcard src/llm/*.h)
TOK_UNITS := test_tokenizer test_vocab_gguf test_chat test_sample
$(foreach t,$(TOK_UNITS),$(BUILD)/test/san/$(t) $(BUILD)/test/x86_64/$(t) $(BUILD)/test/aarch64/$(t)) \
$(foreach f,tokenizer chat_template vocab_gguf,$(BUILD)/fuzz/$(f)) \
$(BUILD)/host/tokdump $(BUILD)/host/chatfmt: $(TOK_HEADERS)
