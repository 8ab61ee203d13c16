# ggufgen: the GGUF writer tool (random-weight models for tests and benches).
$(eval $(call host_prog,ggufgen,tools/ggufgen/ggufgen.c tools/ggufgen/gguf_write.c src/llm/quant.c))
$(BUILD)/host/ggufgen: $(wildcard tools/ggufgen/*.h) src/llm/quant.h
