/* testing.c - see testing.h. */
#include "testing.h"

#include <string.h>

/* Counts to `steps`, one step per `interval_ms`, reporting progress. */
static enum tool_status slow_count(struct tool_call *c)
{
	int64_t steps = 3, interval = 10;
	json_int(json_get(c->args, "steps"), &steps);
	json_int(json_get(c->args, "interval_ms"), &interval);
	if (c->cancelled)
		return TOOL_DONE;
	/* No progress note for the last step: the result says it, and a
	 * note racing the result is one the client may drop. */
	if (c->steps > 0 && (int64_t)c->steps < steps)
		tool_progress(c, (double)c->steps, (double)steps, "counting");
	if ((int64_t)c->steps < steps) {
		c->again_ms = (unsigned)interval;
		return TOOL_AGAIN;
	}
	tool_text(c, "counted to %lld", (long long)steps);
	return TOOL_DONE;
}

static enum tool_status echo(struct tool_call *c)
{
	jw_value(&c->structured, c->args);
	return TOOL_DONE;
}

static enum tool_status add_tool(struct tool_call *c);

static const struct mcp_tool LATE[] = {
	{
		.name = "late_tool", .description = "Added at run time by add_tool.",
		.input_schema = "{\"type\":\"object\"}", .read_only = true, .run = echo,
	},
};

static enum tool_status add_tool(struct tool_call *c)
{
	for (size_t i = 0; i < c->srv->ntools; i++)
		if (!strcmp(c->srv->tools[i]->name, "late_tool"))
			return tool_fail(c, "late_tool is already there");
	const char *err;
	if (mcp_add_tools(c->srv, LATE, 1, &err))
		return tool_fail(c, "%s", err);
	tool_text(c, "added late_tool");
	return TOOL_DONE;
}

static const struct mcp_tool TOOLS[] = {
	{
		.name = "slow_count", .description = "Counts slowly, reporting progress (test tool).",
		.input_schema = "{\"type\":\"object\",\"properties\":{"
			"\"steps\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100000},"
			"\"interval_ms\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000}},"
			"\"additionalProperties\":false}",
		.read_only = true, .run = slow_count,
	},
	{
		.name = "echo", .description = "Returns its arguments as structured content (test tool).",
		.input_schema = "{\"type\":\"object\",\"properties\":{"
			"\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100},"
			"\"n\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
			"\"maxItems\":3}},\"required\":[\"text\"],\"additionalProperties\":false}",
		.output_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},"
			"\"required\":[\"text\"]}",
		.read_only = true, .run = echo,
	},
	{
		.name = "add_tool", .description = "Registers late_tool, so tools/list changes (test tool).",
		.input_schema = "{\"type\":\"object\"}", .run = add_tool,
	},
};

int testing_register(struct mcp_server *srv, const char **err)
{
	return mcp_add_tools(srv, TOOLS, sizeof TOOLS / sizeof *TOOLS, err);
}
