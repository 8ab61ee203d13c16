/*
 * chat.h - turning a conversation into the prompt text a model was
 * trained on.
 *
 * A GGUF file carries its chat format as a Jinja template
 * (tokenizer.chat_template).  We do not run Jinja: we recognise the
 * common templates by distinctive substrings, as llama.cpp's built-in
 * formatter does, and write the format by hand:
 *
 *   CHATML  (Qwen2.5, SmolLM2, Qwen3, anything with "<|im_start|>")
 *       <|im_start|>{role}\n{content}<|im_end|>\n ...
 *       generation prompt: <|im_start|>assistant\n
 *   ZEPHYR  (TinyLlama-Chat, Zephyr: "<|user|>" and "<|assistant|>")
 *       <|{role}|>\n{content}{eos}\n ...        eos is the EOS token
 *       generation prompt: <|assistant|>\n       text, "</s>" by default
 *   LLAMA3  ("<|start_header_id|>" and "<|end_header_id|>")
 *       <|start_header_id|>{role}<|end_header_id|>\n\n{trimmed content}<|eot_id|>
 *       generation prompt: <|start_header_id|>assistant<|end_header_id|>\n\n
 *       (no <|begin_of_text|>: the tokenizer adds it as BOS)
 *
 * Fallback: a template we do not recognise, or none at all, is formatted
 * as ChatML: it is the most common format among small models and its
 * markers are plain text to a model that does not know them.
 *
 * Templates that put in a system message of their own when the
 * conversation has none (Qwen2.5: "You are Qwen, created by Alibaba
 * Cloud...", SmolLM2: "You are a helpful AI assistant named SmolLM...")
 * have it found as the literal text of a '<|im_start|>system\n...<|im_end|>'
 * string in the template, and chat_format_messages() adds it the same way.
 *
 * The result is text with the format's special-token markers: tokenize
 * it with parse_special (and add_special, for BOS).
 */
#ifndef MCPOS_LLM_CHAT_H
#define MCPOS_LLM_CHAT_H

#include <stddef.h>

enum chat_format {
	CHAT_FORMAT_CHATML = 0,
	CHAT_FORMAT_ZEPHYR,
	CHAT_FORMAT_LLAMA3,
};

enum chat_role {
	CHAT_ROLE_SYSTEM = 0,
	CHAT_ROLE_USER,
	CHAT_ROLE_ASSISTANT,
};

struct chat_message {
	enum chat_role role;
	const char *content; /* UTF-8, not necessarily NUL-terminated */
	size_t len;
};

#define CHAT_SYSTEM_MAX 512

struct chat_template {
	enum chat_format format;
	int recognised;                        /* 0: the ChatML fallback */
	char default_system[CHAT_SYSTEM_MAX];  /* "" if none */
	size_t default_system_len;
};

/* Recognise a Jinja template (NULL or empty: none).  Never fails. */
void chat_template_detect(struct chat_template *ct, const char *jinja, size_t len);

/* A template by format name: "chatml", "zephyr", "llama3".  0 or -1. */
int chat_template_named(struct chat_template *ct, const char *name);

const char *chat_format_name(enum chat_format f);

/* "system", "user", "assistant" -> role.  0 or -1. */
int chat_role_from_name(const char *name, size_t len, enum chat_role *out);
const char *chat_role_name(enum chat_role r);

/*
 * Format n messages (and the assistant's opening when
 * add_generation_prompt) into out.  eos is the EOS token's text for
 * Zephyr (NULL: "</s>").  Writes at most cap bytes, NUL-terminated when
 * cap > 0, and returns the full length, so a return >= cap means "call
 * again with more room".
 */
size_t chat_format_messages(const struct chat_template *ct,
			    const struct chat_message *msgs, size_t n,
			    int add_generation_prompt, const char *eos,
			    char *out, size_t cap);

/* The text that ends an assistant turn in this format ("<|im_end|>",
 * the EOS text for Zephyr, "<|eot_id|>"): a stop string for models
 * that write it as text. */
const char *chat_end_of_turn(const struct chat_template *ct, const char *eos);

#endif
