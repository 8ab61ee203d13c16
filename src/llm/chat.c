/*
 * chat.c - chat template recognition and message formatting.
 */
#include "llm/chat.h"

#include <string.h>

static int contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	return len >= n && memmem(hay, len, needle, n) != NULL;
}

/*
 * The default system message of a ChatML template: the literal text of a
 * '<|im_start|>system\n' string (the \n written as the two characters
 * backslash and n, as in the template source) up to '<|im_end|>'.  Text
 * with quotes, braces or '+' is an expression, not a literal, and is
 * skipped (e.g. '<|im_start|>system\n' + messages[0]['content']).
 */
static void find_default_system(struct chat_template *ct, const char *s, size_t len)
{
	static const char open[] = "<|im_start|>system\\n";
	static const char close[] = "<|im_end|>";
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), open, sizeof open - 1);
		if (!hit)
			return;
		const char *text = hit + sizeof open - 1;
		const char *stop = memmem(text, (size_t)(end - text), close, sizeof close - 1);
		if (!stop)
			return;
		size_t n = (size_t)(stop - text);
		int literal = n > 0 && n < CHAT_SYSTEM_MAX;
		for (size_t i = 0; literal && i < n; i++)
			if (strchr("'\"{}+\\", text[i]) || text[i] == '\0')
				literal = 0;
		if (literal) {
			memcpy(ct->default_system, text, n);
			ct->default_system[n] = '\0';
			ct->default_system_len = n;
			return;
		}
		p = text;
	}
}

void chat_template_detect(struct chat_template *ct, const char *s, size_t len)
{
	memset(ct, 0, sizeof *ct);
	ct->format = CHAT_FORMAT_CHATML;
	if (!s || len == 0)
		return;
	ct->recognised = 1;
	if (contains(s, len, "<|im_start|>")) {
		ct->format = CHAT_FORMAT_CHATML;
		find_default_system(ct, s, len);
	} else if (contains(s, len, "<|start_header_id|>") &&
		   contains(s, len, "<|end_header_id|>")) {
		ct->format = CHAT_FORMAT_LLAMA3;
	} else if (contains(s, len, "<|user|>") && contains(s, len, "<|assistant|>")) {
		ct->format = CHAT_FORMAT_ZEPHYR;
	} else {
		ct->recognised = 0;
	}
}

static const char *const format_names[] = { "chatml", "zephyr", "llama3" };
static const char *const role_names[] = { "system", "user", "assistant" };

int chat_template_named(struct chat_template *ct, const char *name)
{
	memset(ct, 0, sizeof *ct);
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			ct->format = (enum chat_format)i;
			ct->recognised = 1;
			return 0;
		}
	}
	ct->format = CHAT_FORMAT_CHATML;
	return -1;
}

const char *chat_format_name(enum chat_format f)
{
	return (unsigned)f < 3 ? format_names[f] : "?";
}

int chat_role_from_name(const char *name, size_t len, enum chat_role *out)
{
	for (size_t i = 0; i < 3; i++) {
		if (strlen(role_names[i]) == len && memcmp(name, role_names[i], len) == 0) {
			*out = (enum chat_role)i;
			return 0;
		}
	}
	return -1;
}

const char *chat_role_name(enum chat_role r)
{
	return (unsigned)r < 3 ? role_names[r] : "user";
}

/* An output cursor that counts past the end of the buffer. */
struct cursor {
	char *out;
	size_t cap, n;
};

static void put(struct cursor *c, const char *s, size_t len)
{
	if (c->n < c->cap) {
		size_t room = c->cap - c->n;
		memcpy(c->out + c->n, s, len < room ? len : room);
	}
	c->n += len;
}

static void puts_(struct cursor *c, const char *s)
{
	put(c, s, strlen(s));
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static void put_trimmed(struct cursor *c, const char *s, size_t len)
{
	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	put(c, s, len);
}

size_t chat_format_messages(const struct chat_template *ct,
			    const struct chat_message *msgs, size_t n,
			    int add_generation_prompt, const char *eos,
			    char *out, size_t cap)
{
	struct cursor c = { out, cap, 0 };

	if (!eos)
		eos = "</s>";
	if (ct->format == CHAT_FORMAT_CHATML && ct->default_system_len > 0 &&
	    (n == 0 || msgs[0].role != CHAT_ROLE_SYSTEM)) {
		puts_(&c, "<|im_start|>system\n");
		put(&c, ct->default_system, ct->default_system_len);
		puts_(&c, "<|im_end|>\n");
	}
	for (size_t i = 0; i < n; i++) {
		const char *role = chat_role_name(msgs[i].role);
		switch (ct->format) {
		case CHAT_FORMAT_ZEPHYR:
			puts_(&c, "<|");
			puts_(&c, role);
			puts_(&c, "|>\n");
			put(&c, msgs[i].content, msgs[i].len);
			puts_(&c, eos);
			puts_(&c, "\n");
			break;
		case CHAT_FORMAT_LLAMA3:
			puts_(&c, "<|start_header_id|>");
			puts_(&c, role);
			puts_(&c, "<|end_header_id|>\n\n");
			put_trimmed(&c, msgs[i].content, msgs[i].len);
			puts_(&c, "<|eot_id|>");
			break;
		case CHAT_FORMAT_CHATML:
		default:
			puts_(&c, "<|im_start|>");
			puts_(&c, role);
			puts_(&c, "\n");
			put(&c, msgs[i].content, msgs[i].len);
			puts_(&c, "<|im_end|>\n");
			break;
		}
	}
	if (add_generation_prompt) {
		switch (ct->format) {
		case CHAT_FORMAT_ZEPHYR:
			puts_(&c, "<|assistant|>\n");
			break;
		case CHAT_FORMAT_LLAMA3:
			puts_(&c, "<|start_header_id|>assistant<|end_header_id|>\n\n");
			break;
		case CHAT_FORMAT_CHATML:
		default:
			puts_(&c, "<|im_start|>assistant\n");
			break;
		}
	}
	if (cap > 0)
		out[c.n < cap ? c.n : cap - 1] = '\0';
	return c.n;
}

const char *chat_end_of_turn(const struct chat_template *ct, const char *eos)
{
	switch (ct->format) {
	case CHAT_FORMAT_ZEPHYR:
		return eos ? eos : "</s>";
	case CHAT_FORMAT_LLAMA3:
		return "<|eot_id|>";
	case CHAT_FORMAT_CHATML:
	default:
		return "<|im_end|>";
	}
}
