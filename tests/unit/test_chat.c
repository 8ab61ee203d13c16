/*
 * test_chat.c - chat template recognition and formatting.  The template
 * snippets below are the distinctive parts of each family's Jinja.
 */
#include "../unit/check.h"

#include "llm/chat.h"

#include <string.h>

#define SMOL_TMPL \
	"{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}" \
	"{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}" \
	"{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" \
	"{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

/* The expression comes first: it must be skipped, not taken as text. */
#define QWEN_TMPL \
	"{%- if messages[0]['role'] == 'system' %}" \
	"{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" \
	"{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}" \
	"{%- endif %}"

#define ZEPHYR_TMPL \
	"{% for message in messages %}\n{% if message['role'] == 'user' %}\n" \
	"{{ '<|user|>\\n' + message['content'] + eos_token }}\n{% endif %}\n" \
	"{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"

#define LLAMA3_TMPL \
	"{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " \
	"'<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{{ content }}{% endfor %}"

static struct chat_message msg(enum chat_role r, const char *s)
{
	return (struct chat_message){ r, s, strlen(s) };
}

int main(void)
{
	struct chat_template ct;
	char out[1024];

	TEST("chat", "no template or an unknown one falls back to ChatML") {
		chat_template_detect(&ct, NULL, 0);
		CHECK_EQ(ct.format, CHAT_FORMAT_CHATML);
		CHECK_EQ(ct.recognised, 0);
		const char *odd = "{{ messages | join }}";
		chat_template_detect(&ct, odd, strlen(odd));
		CHECK_EQ(ct.format, CHAT_FORMAT_CHATML);
		CHECK_EQ(ct.recognised, 0);
		struct chat_message m[] = { msg(CHAT_ROLE_USER, "Hi") };
		chat_format_messages(&ct, m, 1, 1, NULL, out, sizeof out);
		CHECK_STR(out, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
	}
	TEST("chat", "SmolLM2: ChatML with its default system message") {
		chat_template_detect(&ct, SMOL_TMPL, strlen(SMOL_TMPL));
		CHECK_EQ(ct.format, CHAT_FORMAT_CHATML);
		CHECK_EQ(ct.recognised, 1);
		CHECK_STR(ct.default_system, "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
		struct chat_message m[] = { msg(CHAT_ROLE_USER, "Hi") };
		size_t n = chat_format_messages(&ct, m, 1, 1, NULL, out, sizeof out);
		CHECK_STR(out, "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, "
			       "trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
			       "<|im_start|>assistant\n");
		CHECK_EQ(n, strlen(out));
	}
	TEST("chat", "a system message of the caller's replaces the default") {
		chat_template_detect(&ct, SMOL_TMPL, strlen(SMOL_TMPL));
		struct chat_message m[] = { msg(CHAT_ROLE_SYSTEM, "Be brief."),
					    msg(CHAT_ROLE_USER, "Hi"),
					    msg(CHAT_ROLE_ASSISTANT, "Hello!") };
		chat_format_messages(&ct, m, 3, 0, NULL, out, sizeof out);
		CHECK_STR(out, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
			       "<|im_start|>assistant\nHello!<|im_end|>\n");
	}
	TEST("chat", "Qwen2.5: the literal default is found, the expression skipped") {
		chat_template_detect(&ct, QWEN_TMPL, strlen(QWEN_TMPL));
		CHECK_EQ(ct.format, CHAT_FORMAT_CHATML);
		CHECK_STR(ct.default_system, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
	}
	TEST("chat", "Zephyr/TinyLlama: role tags and the EOS text") {
		chat_template_detect(&ct, ZEPHYR_TMPL, strlen(ZEPHYR_TMPL));
		CHECK_EQ(ct.format, CHAT_FORMAT_ZEPHYR);
		struct chat_message m[] = { msg(CHAT_ROLE_SYSTEM, "S"), msg(CHAT_ROLE_USER, "U") };
		chat_format_messages(&ct, m, 2, 1, "</s>", out, sizeof out);
		CHECK_STR(out, "<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\n");
		CHECK_STR(chat_end_of_turn(&ct, "</s>"), "</s>");
	}
	TEST("chat", "Llama-3: headers, trimmed content, no BOS text") {
		chat_template_detect(&ct, LLAMA3_TMPL, strlen(LLAMA3_TMPL));
		CHECK_EQ(ct.format, CHAT_FORMAT_LLAMA3);
		struct chat_message m[] = { msg(CHAT_ROLE_USER, "  Hi \n") };
		chat_format_messages(&ct, m, 1, 1, NULL, out, sizeof out);
		CHECK_STR(out, "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
			       "<|start_header_id|>assistant<|end_header_id|>\n\n");
		CHECK_STR(chat_end_of_turn(&ct, NULL), "<|eot_id|>");
	}
	TEST("chat", "a short buffer gets a terminated prefix and the full length") {
		char small[8];
		chat_template_named(&ct, "chatml");
		struct chat_message m[] = { msg(CHAT_ROLE_USER, "Hi") };
		size_t n = chat_format_messages(&ct, m, 1, 0, NULL, small, sizeof small);
		CHECK_EQ(n, strlen("<|im_start|>user\nHi<|im_end|>\n"));
		CHECK_STR(small, "<|im_st");
		CHECK_EQ(chat_format_messages(&ct, m, 1, 0, NULL, NULL, 0), n);
	}
	TEST("chat", "names of formats and roles") {
		enum chat_role r;
		CHECK_EQ(chat_template_named(&ct, "llama3"), 0);
		CHECK_EQ(ct.format, CHAT_FORMAT_LLAMA3);
		CHECK_EQ(chat_template_named(&ct, "jinja"), -1);
		CHECK_STR(chat_format_name(CHAT_FORMAT_ZEPHYR), "zephyr");
		CHECK(chat_role_from_name("assistant", 9, &r) == 0 && r == CHAT_ROLE_ASSISTANT);
		CHECK_EQ(chat_role_from_name("tool", 4, &r), -1);
		CHECK_STR(chat_role_name(CHAT_ROLE_SYSTEM), "system");
	}
	return check_done();
}
