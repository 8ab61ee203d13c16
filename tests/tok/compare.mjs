// tests/tok/compare.mjs - our tokenizers against llama.cpp's (through
// node-llama-cpp) on real vocabularies: Llama-2 SentencePiece, Qwen3
// byte-level BPE (pre-tokenizer "qwen2") and Llama-3 byte-level BPE
// ("llama-bpe").  Each vocabulary is written into a GGUF file (vocab only)
// that both sides load; the C side is build/host/tokdump.  For every
// string of corpus.mjs, with and without special-token parsing, the ids
// must be identical, and detokenizing our ids (whole, and piece by piece
// through the UTF-8 stream) must give the text back.
//
//   make build/host/tokdump && node tests/tok/compare.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama } from 'node-llama-cpp';
import { test, diag, run } from '../lib/tap.mjs';
import { corpus } from './lib/corpus.mjs';
import { writeGguf } from './lib/gguf_write.mjs';
import { llama2Kvs, llama3Kvs, qwen3Kvs } from './lib/vocabs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tokdump = path.join(root, 'build', 'host', 'tokdump');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpos-tok-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

// The pre-tokenizers no npm vocabulary comes with (SmolLM2's "smollm",
// "gpt-2", "default") are checked on the Qwen3 vocabulary: llama.cpp
// applies whatever split the file names, and so do we.
function withPre(kvs, pre) {
  return kvs.map(([k, t, v]) => (k === 'tokenizer.ggml.pre' ? [k, t, pre] : [k, t, v]));
}
const vocabs = [
  { name: 'llama2-spm', kvs: llama2Kvs, spm: true },
  { name: 'qwen3-bpe', kvs: qwen3Kvs },
  { name: 'llama3-bpe', kvs: llama3Kvs },
  { name: 'qwen3-vocab-smollm-pre', kvs: () => withPre(qwen3Kvs(), 'smollm') },
  { name: 'qwen3-vocab-gpt2-pre', kvs: () => withPre(qwen3Kvs(), 'gpt-2') },
  { name: 'qwen3-vocab-default-pre', kvs: () => withPre(qwen3Kvs(), 'default') },
];

// SentencePiece cannot give back a "▁" typed in the text (it is its
// space), and it puts a space before the text after each special token.
function roundTrips(v, text, special) {
  if (!v.spm) return { check: true, want: text };
  if (special && /<s>|<\/s>|<unk>/.test(text)) return { check: false };
  return { check: true, want: text.replaceAll('\u2581', ' ') };
}

function ours(file, texts, special) {
  const input = texts.map((t) => Buffer.from(t, 'utf8').toString('hex')).join('\n') + '\n';
  const args = [file];
  if (special) args.push('--special');
  const r = spawnSync(tokdump, args, { input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tokdump exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout.toString().split('\n').slice(0, texts.length);
  return lines.map((l) => {
    const [ids, hex, streamed] = l.split('\t');
    return {
      ids: ids ? ids.split(' ').map(Number) : [],
      text: Buffer.from(hex ?? '', 'hex').toString('utf8'),
      streamed: Buffer.from(streamed ?? '', 'hex').toString('utf8'),
    };
  });
}

let llama;
for (const v of vocabs) {
  const file = path.join(dir, `${v.name}.gguf`);
  let model;
  test(`tok ${v.name}: fixture loads in both`, async () => {
    if (!fs.existsSync(tokdump)) throw new Error(`${tokdump} missing: make build/host/tokdump`);
    writeGguf(file, await v.kvs());
    llama ??= await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
    model = await llama.loadModel({ modelPath: file, vocabOnly: true });
    ours(file, ['x'], false);
  });
  for (const special of [false, true]) {
    test(`tok ${v.name}: ids identical to llama.cpp on ${corpus.length} strings${special ? ' (special tokens parsed)' : ''}`, () => {
      if (!model) throw new Error('fixture did not load');
      const got = ours(file, corpus, special);
      const bad = [];
      corpus.forEach((text, i) => {
        const want = Array.from(model.tokenize(text, special));
        if (JSON.stringify(want) !== JSON.stringify(got[i].ids)) bad.push({ text, want, got: got[i].ids });
      });
      for (const b of bad.slice(0, 8)) diag(`${JSON.stringify(b.text)}\n  llama.cpp ${JSON.stringify(b.want)}\n  ours      ${JSON.stringify(b.got)}`);
      if (bad.length) throw new Error(`${bad.length} of ${corpus.length} strings differ`);
    });
    test(`tok ${v.name}: detokenize, whole or streamed, gives the text back${special ? ' (special tokens parsed)' : ''}`, () => {
      const got = ours(file, corpus, special);
      const bad = corpus.filter((text, i) => {
        const r = roundTrips(v, text, special);
        return (r.check && got[i].text !== r.want) || got[i].streamed !== got[i].text;
      });
      for (const b of bad.slice(0, 8)) diag(JSON.stringify(b));
      if (bad.length) throw new Error(`${bad.length} strings do not round-trip`);
    });
  }
  test(`tok ${v.name}: release the model`, async () => { if (model) await model.dispose(); });
}

await run({ timeoutMs: 300000 });
