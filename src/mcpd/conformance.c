/* conformance.c - see conformance.h.  Texts are the ones the suite's
 * scenario descriptions ask for. */
#include "conformance.h"

#include <stdio.h>
#include <string.h>

/* A 1x1 red PNG and a 8-sample silent WAV, generated for these fixtures. */
static const unsigned char PNG[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
	0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
	0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
	0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92,
	0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
#define PNG_B64 "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
#define WAV_B64 "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA=="

#define NO_ARGS "{\"type\":\"object\",\"properties\":{}}"

static enum tool_status simple_text(struct tool_call *c)
{
	tool_text(c, "This is a simple text response for testing.");
	return TOOL_DONE;
}

static enum tool_status image(struct tool_call *c)
{
	tool_content_json(c, "{\"type\":\"image\",\"data\":\"" PNG_B64 "\",\"mimeType\":\"image/png\"}");
	return TOOL_DONE;
}

static enum tool_status audio(struct tool_call *c)
{
	tool_content_json(c, "{\"type\":\"audio\",\"data\":\"" WAV_B64 "\",\"mimeType\":\"audio/wav\"}");
	return TOOL_DONE;
}

static enum tool_status embedded(struct tool_call *c)
{
	tool_content_json(c, "{\"type\":\"resource\",\"resource\":{\"uri\":\"test://embedded-resource\","
			     "\"mimeType\":\"text/plain\",\"text\":\"This is an embedded resource content.\"}}");
	return TOOL_DONE;
}

static enum tool_status mixed(struct tool_call *c)
{
	tool_text(c, "Multiple content types test:");
	tool_content_json(c, "{\"type\":\"image\",\"data\":\"" PNG_B64 "\",\"mimeType\":\"image/png\"}");
	tool_content_json(c, "{\"type\":\"resource\",\"resource\":{\"uri\":\"test://mixed-content-resource\","
			     "\"mimeType\":\"application/json\",\"text\":\"{\\\"test\\\":\\\"data\\\",\\\"value\\\":123}\"}}");
	return TOOL_DONE;
}

/* Three log lines 50 ms apart: the event loop keeps serving between. */
static enum tool_status with_logging(struct tool_call *c)
{
	static const char *const lines[] = {
		"Tool execution started", "Tool processing data", "Tool execution completed",
	};
	tool_log(c, MCP_LOG_INFO, "%s", lines[c->steps]);
	if (c->steps < 2) {
		c->again_ms = 50;
		return TOOL_AGAIN;
	}
	tool_text(c, "Tool with logging executed successfully");
	return TOOL_DONE;
}

static enum tool_status error_handling(struct tool_call *c)
{
	return tool_fail(c, "This tool intentionally returns an error for testing");
}

static enum tool_status with_progress(struct tool_call *c)
{
	if (c->cancelled)
		return TOOL_DONE;
	tool_progress(c, 50.0 * c->steps, 100, NULL);
	if (c->steps < 2) {
		c->again_ms = 50;
		return TOOL_AGAIN;
	}
	tool_text(c, "Tool with progress executed successfully");
	return TOOL_DONE;
}

/* Asks the client (sampling or elicitation), then reports its answer:
 * step 0 sends the request, later steps wait for c->reply. */
static enum tool_status ask_client(struct tool_call *c, const char *capability,
				   const char *method, const char *params, const char *prefix)
{
	if (c->cancelled)
		return TOOL_DONE;
	if (c->steps == 0) {
		if (!tool_client_can(c, capability))
			return tool_fail(c, "the client does not support %s", capability);
		tool_request(c, method, params);
	}
	if (!c->reply) {
		if (c->steps > 0)
			return tool_fail(c, "no answer from the client in 60 s");
		c->again_ms = 60000;
		return TOOL_AGAIN;
	}
	const struct json *r = json_get(c->reply, "result");
	if (!r)
		return tool_fail(c, "the client refused: %s",
				 json_str(json_get(json_get(c->reply, "error"), "message")));
	struct jw w;
	jw_init(&w, 1 << 20);
	jw_value(&w, json_get(r, "content"));
	if (!strcmp(capability, "sampling"))
		tool_text(c, "%s%s", prefix, json_str(json_get(json_get(r, "content"), "text")));
	else
		tool_text(c, "%saction=%s, content=%s", prefix, json_str(json_get(r, "action")),
			  w.failed ? "?" : w.buf);
	jw_free(&w);
	return TOOL_DONE;
}

static enum tool_status sampling(struct tool_call *c)
{
	if (c->steps > 0)
		return ask_client(c, "sampling", NULL, NULL, "LLM response: ");
	struct jw w;
	jw_init(&w, 1 << 20);
	jw_obj(&w);
	jw_key(&w, "messages"); jw_arr(&w); jw_obj(&w);
	jw_key(&w, "role"); jw_str(&w, "user");
	jw_key(&w, "content"); jw_obj(&w);
	jw_key(&w, "type"); jw_str(&w, "text");
	jw_key(&w, "text"); jw_str(&w, json_str(json_get(c->args, "prompt")));
	jw_end_obj(&w); jw_end_obj(&w); jw_end_arr(&w);
	jw_key(&w, "maxTokens"); jw_int(&w, 100);
	jw_end_obj(&w);
	enum tool_status st = ask_client(c, "sampling", "sampling/createMessage", w.buf, "LLM response: ");
	jw_free(&w);
	return st;
}

static enum tool_status elicitation(struct tool_call *c)
{
	if (c->steps > 0)
		return ask_client(c, "elicitation", NULL, NULL, "User response: ");
	struct jw w;
	jw_init(&w, 1 << 20);
	jw_obj(&w);
	jw_key(&w, "message"); jw_str(&w, json_str(json_get(c->args, "message")));
	jw_key(&w, "requestedSchema");
	jw_raw(&w, "{\"type\":\"object\",\"properties\":{\"username\":{\"type\":\"string\","
		   "\"description\":\"User's response\"},\"email\":{\"type\":\"string\","
		   "\"description\":\"User's email address\"}},\"required\":[\"username\",\"email\"]}",
		   strlen("{\"type\":\"object\",\"properties\":{\"username\":{\"type\":\"string\","
			  "\"description\":\"User's response\"},\"email\":{\"type\":\"string\","
			  "\"description\":\"User's email address\"}},\"required\":[\"username\",\"email\"]}"));
	jw_end_obj(&w);
	enum tool_status st = ask_client(c, "elicitation", "elicitation/create", w.buf, "User response: ");
	jw_free(&w);
	return st;
}

static enum tool_status elicit_defaults(struct tool_call *c)
{
	return ask_client(c, "elicitation", "elicitation/create",
		"{\"message\":\"Please review the defaults\",\"requestedSchema\":{\"type\":\"object\","
		"\"properties\":{\"name\":{\"type\":\"string\",\"default\":\"John Doe\"},"
		"\"age\":{\"type\":\"integer\",\"default\":30},"
		"\"score\":{\"type\":\"number\",\"default\":95.5},"
		"\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"inactive\",\"pending\"],"
		"\"default\":\"active\"},\"verified\":{\"type\":\"boolean\",\"default\":true}}}}",
		"Elicitation completed: ");
}

static enum tool_status elicit_enums(struct tool_call *c)
{
	return ask_client(c, "elicitation", "elicitation/create",
		"{\"message\":\"Please choose\",\"requestedSchema\":{\"type\":\"object\",\"properties\":{"
		"\"untitledSingle\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]},"
		"\"titledSingle\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
		"{\"const\":\"value2\",\"title\":\"Second Option\"},{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
		"\"legacyEnum\":{\"type\":\"string\",\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
		"\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
		"\"untitledMulti\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
		"\"titledMulti\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},"
		"{\"const\":\"value2\",\"title\":\"Second Choice\"},{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}}}}",
		"Elicitation completed: ");
}

static enum tool_status schema_2020_12(struct tool_call *c)
{
	tool_text(c, "ok");
	return TOOL_DONE;
}

static const struct mcp_tool TOOLS[] = {
	{ .name = "json_schema_2020_12_tool", .description = "Tool with JSON Schema 2020-12 features",
	  .input_schema = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
		"\"type\":\"object\",\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":{"
		"\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
		"\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"}},"
		"\"additionalProperties\":false}", .read_only = true, .run = schema_2020_12 },
	{ .name = "test_sampling", .description = "Asks the client's LLM.",
	  .input_schema = "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},"
			  "\"required\":[\"prompt\"]}", .read_only = true, .run = sampling },
	{ .name = "test_elicitation", .description = "Asks the user.",
	  .input_schema = "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
			  "\"required\":[\"message\"]}", .read_only = true, .run = elicitation },
	{ .name = "test_elicitation_sep1034_defaults", .description = "Elicitation with defaults.",
	  .input_schema = NO_ARGS, .read_only = true, .run = elicit_defaults },
	{ .name = "test_elicitation_sep1330_enums", .description = "Elicitation with enums.",
	  .input_schema = NO_ARGS, .read_only = true, .run = elicit_enums },
	{ .name = "test_simple_text", .description = "Returns simple text.",
	  .input_schema = NO_ARGS, .read_only = true, .run = simple_text },
	{ .name = "test_image_content", .description = "Returns an image.",
	  .input_schema = NO_ARGS, .read_only = true, .run = image },
	{ .name = "test_audio_content", .description = "Returns audio.",
	  .input_schema = NO_ARGS, .read_only = true, .run = audio },
	{ .name = "test_embedded_resource", .description = "Returns an embedded resource.",
	  .input_schema = NO_ARGS, .read_only = true, .run = embedded },
	{ .name = "test_multiple_content_types", .description = "Returns text, image and resource.",
	  .input_schema = NO_ARGS, .read_only = true, .run = mixed },
	{ .name = "test_tool_with_logging", .description = "Logs three lines while it runs.",
	  .input_schema = NO_ARGS, .read_only = true, .run = with_logging },
	{ .name = "test_error_handling", .description = "Always fails.",
	  .input_schema = NO_ARGS, .read_only = true, .run = error_handling },
	{ .name = "test_tool_with_progress", .description = "Reports progress 0, 50, 100.",
	  .input_schema = NO_ARGS, .read_only = true, .run = with_progress },
};

static char *static_text(struct mcp_server *srv, const char *uri, struct arena *a,
			 size_t *len, const char **err)
{
	char *t = arena_strndup(a, "This is the content of the static text resource.", 49);
	*len = t ? strlen(t) : 0;
	return t;
}

static char *static_binary(struct mcp_server *srv, const char *uri, struct arena *a,
			   size_t *len, const char **err)
{
	char *b = arena_alloc(a, sizeof PNG);
	if (b)
		memcpy(b, PNG, sizeof PNG);
	*len = sizeof PNG;
	return b;
}

static char *template_data(struct mcp_server *srv, const char *uri, struct arena *a,
			   size_t *len, const char **err)
{
	const char *id = uri + strlen("test://template/");
	int n = (int)strcspn(id, "/");
	char *t = arena_printf(a, "{\"id\":\"%.*s\",\"templateTest\":true,\"data\":\"Data for ID: %.*s\"}",
			       n, id, n, id);
	*len = t ? strlen(t) : 0;
	return t;
}

static char *watched(struct mcp_server *srv, const char *uri, struct arena *a,
		     size_t *len, const char **err)
{
	char *t = arena_strndup(a, "watched", 7);
	*len = 7;
	return t;
}

static const struct mcp_resource RESOURCES[] = {
	{ .uri = "test://static-text", .name = "static-text", .mime_type = "text/plain",
	  .read = static_text },
	{ .uri = "test://static-binary", .name = "static-binary", .mime_type = "image/png",
	  .binary = true, .read = static_binary },
	{ .uri = "test://watched-resource", .name = "watched-resource", .mime_type = "text/plain",
	  .subscribable = true, .read = watched },
	{ .uri = "test://template/{id}/data", .name = "template", .mime_type = "application/json",
	  .is_template = true, .read = template_data },
};

static char *simple_prompt(struct mcp_server *srv, const struct json *args, struct arena *a,
			   const char **err)
{
	return arena_strndup(a, "This is a simple prompt for testing.", 36);
}

static char *prompt_with_args(struct mcp_server *srv, const struct json *args, struct arena *a,
			      const char **err)
{
	return arena_printf(a, "Prompt with arguments: arg1='%s', arg2='%s'",
			    json_str(json_get(args, "arg1")), json_str(json_get(args, "arg2")));
}

static char *prompt_embedded(struct mcp_server *srv, const struct json *args, struct arena *a,
			     const char **err)
{
	struct jw w;
	jw_init(&w, 0);
	jw_arr(&w);
	jw_obj(&w);
	jw_key(&w, "role"); jw_str(&w, "user");
	jw_key(&w, "content"); jw_obj(&w);
	jw_key(&w, "type"); jw_str(&w, "resource");
	jw_key(&w, "resource"); jw_obj(&w);
	jw_key(&w, "uri"); jw_str(&w, json_str(json_get(args, "resourceUri")));
	jw_key(&w, "mimeType"); jw_str(&w, "text/plain");
	jw_key(&w, "text"); jw_str(&w, "Embedded resource content for testing.");
	jw_end_obj(&w);
	jw_end_obj(&w);
	jw_end_obj(&w);
	static const char second[] = "{\"role\":\"user\",\"content\":{\"type\":\"text\","
		"\"text\":\"Please process the embedded resource above.\"}}";
	jw_raw(&w, second, sizeof second - 1);
	jw_end_arr(&w);
	char *t = w.failed ? NULL : arena_strndup(a, w.buf, w.len);
	jw_free(&w);
	return t;
}

static char *prompt_image(struct mcp_server *srv, const struct json *args, struct arena *a,
			  const char **err)
{
	static const char messages[] =
		"[{\"role\":\"user\",\"content\":{\"type\":\"image\",\"data\":\"" PNG_B64
		"\",\"mimeType\":\"image/png\"}},{\"role\":\"user\",\"content\":{\"type\":"
		"\"text\",\"text\":\"Please analyze the image above.\"}}]";
	return arena_strndup(a, messages, sizeof messages - 1);
}

static const char *const ARG1_CHOICES[] = { "paris", "park", "party", NULL };
static const struct mcp_prompt_arg TWO_ARGS[] = {
	{ .name = "arg1", .description = "First test argument", .required = true,
	  .choices = ARG1_CHOICES },
	{ .name = "arg2", .description = "Second test argument", .required = true },
	{ 0 },
};
static const struct mcp_prompt_arg URI_ARG[] = {
	{ .name = "resourceUri", .description = "URI of the resource to embed", .required = true },
	{ 0 },
};

static const struct mcp_prompt PROMPTS[] = {
	{ .name = "test_simple_prompt", .description = "A simple prompt.", .render = simple_prompt },
	{ .name = "test_prompt_with_arguments", .description = "A prompt with arguments.",
	  .args = TWO_ARGS, .render = prompt_with_args },
	{ .name = "test_prompt_with_embedded_resource", .description = "A prompt embedding a resource.",
	  .args = URI_ARG, .render_messages = prompt_embedded },
	{ .name = "test_prompt_with_image", .description = "A prompt with an image.",
	  .render_messages = prompt_image },
};

int conformance_register(struct mcp_server *srv, const char **err)
{
	if (mcp_add_tools(srv, TOOLS, sizeof TOOLS / sizeof *TOOLS, err))
		return -1;
	if (mcp_add_resources(srv, RESOURCES, sizeof RESOURCES / sizeof *RESOURCES) ||
	    mcp_add_prompts(srv, PROMPTS, sizeof PROMPTS / sizeof *PROMPTS)) {
		*err = "registry full";
		return -1;
	}
	return 0;
}
