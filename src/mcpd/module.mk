# mcpd: the MCP server, and the JSON library it stands on.
JSON_SRC := src/lib/json.c src/lib/arena.c
MCP_CORE_SRC := $(JSON_SRC) src/lib/jsonrpc.c src/mcpd/mcp.c src/mcpd/schema.c
MCPD_SRC := $(MCP_CORE_SRC) src/mcpd/main.c src/mcpd/stdio_conn.c src/mcpd/machine.c \
            src/mcpd/resources.c src/mcpd/sysfile.c src/mcpd/testing.c src/mcpd/files.c \
            src/mcpd/http.c src/mcpd/httpd.c src/mcpd/unixd.c src/mcpd/conformance.c

$(eval $(call target_prog,mcpd,$(MCPD_SRC)))
$(eval $(call unit_test,test_json,tests/unit/test_json.c $(JSON_SRC)))
$(eval $(call fuzz_target,json,fuzz/json.c $(JSON_SRC)))
$(eval $(call unit_test,test_mcpd,tests/unit/test_mcpd.c $(MCP_CORE_SRC) src/mcpd/testing.c src/mcpd/conformance.c))
$(eval $(call fuzz_target,jsonrpc,fuzz/jsonrpc.c $(MCP_CORE_SRC) src/mcpd/testing.c src/mcpd/conformance.c))
$(eval $(call unit_test,test_mcpd_http,tests/unit/test_mcpd_http.c src/mcpd/http.c))
$(eval $(call fuzz_target,http,fuzz/http.c src/mcpd/http.c))
