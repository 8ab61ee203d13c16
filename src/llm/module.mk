# The LLM engine: GGUF reader, tensor formats, model, CLI; their tests and fuzzers.
LLM_GGUF := src/llm/gguf.c src/llm/quant.c
LLM_MODEL := $(LLM_GGUF) src/llm/ops.c src/llm/model.c src/llm/memplan.c
GGUF_WRITE := tools/ggufgen/gguf_write.c
CFLAGS_test_gguf := -Itools/ggufgen
CFLAGS_test_quant :=
CFLAGS_test_model := -Itools/ggufgen

$(eval $(call target_prog,mcpos-llm,src/llm/main.c $(LLM_MODEL)))
$(eval $(call host_prog,mcpos-llm,src/llm/main.c $(LLM_MODEL)))
$(eval $(call unit_test,test_gguf,tests/unit/test_gguf.c $(LLM_GGUF) $(GGUF_WRITE)))
$(eval $(call unit_test,test_quant,tests/unit/test_quant.c src/llm/quant.c))
$(eval $(call unit_test,test_model,tests/unit/test_model.c $(LLM_MODEL) $(GGUF_WRITE)))
$(eval $(call fuzz_target,gguf,fuzz/gguf.c $(LLM_GGUF) src/llm/ops.c src/llm/model.c))

# The templates know only the sources; rebuild when a header changes too.
LLM_HEADERS := $(wildcard src/llm/*.h) $(wildcard tools/ggufgen/*.h)
$(BUILD)/fuzz/gguf $(BUILD)/host/mcpos-llm $(foreach a,$(ARCHES),$(BUILD)/$(a)/mcpos-llm) \
$(foreach t,test_gguf test_quant test_model,$(BUILD)/test/san/$(t) $(BUILD)/test/x86_64/$(t) $(BUILD)/test/aarch64/$(t)): $(LLM_HEADERS)
