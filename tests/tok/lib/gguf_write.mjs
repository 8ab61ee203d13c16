// tests/tok/gguf_write.mjs - a minimal GGUF v3 writer for test fixtures:
// metadata only (no tensors), enough for a vocab-only load of a "llama"
// model by llama.cpp (node-llama-cpp) and for our own reader.
//
//   writeGguf(path, [['general.architecture', 'str', 'llama'],
//                    ['tokenizer.ggml.tokens', 'arr_str', [...]], ...])
//
// Value kinds: u32, i32, f32, bool, str, arr_str, arr_f32, arr_i32.
import fs from 'node:fs';

const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };

class Out {
  constructor() { this.chunks = []; this.size = 0; }
  push(buf) { this.chunks.push(buf); this.size += buf.length; }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); this.push(b); }
  i32(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
  f32(v) { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
  str(s) { const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'); this.u64(b.length); this.push(b); }
}

export function ggufBytes(kvs) {
  const o = new Out();
  o.push(Buffer.from('GGUF'));
  o.u32(3);
  o.u64(0); // tensors
  o.u64(kvs.length);
  for (const [key, kind, value] of kvs) {
    o.str(key);
    switch (kind) {
      case 'u32': o.u32(T.UINT32); o.u32(value); break;
      case 'i32': o.u32(T.INT32); o.i32(value); break;
      case 'f32': o.u32(T.FLOAT32); o.f32(value); break;
      case 'bool': o.u32(T.BOOL); o.push(Buffer.from([value ? 1 : 0])); break;
      case 'str': o.u32(T.STRING); o.str(value); break;
      case 'arr_str': o.u32(T.ARRAY); o.u32(T.STRING); o.u64(value.length); for (const s of value) o.str(s); break;
      case 'arr_f32': o.u32(T.ARRAY); o.u32(T.FLOAT32); o.u64(value.length); for (const v of value) o.f32(v); break;
      case 'arr_i32': o.u32(T.ARRAY); o.u32(T.INT32); o.u64(value.length); for (const v of value) o.i32(v); break;
      default: throw new Error(`unknown GGUF value kind ${kind}`);
    }
  }
  // Pad to the default alignment: the (empty) data section starts there.
  const pad = (32 - (o.size % 32)) % 32;
  if (pad) o.push(Buffer.alloc(pad));
  return Buffer.concat(o.chunks);
}

export function writeGguf(path, kvs) {
  fs.writeFileSync(path, ggufBytes(kvs));
}

// The hyper-parameters llama.cpp reads for a "llama" model even when it
// loads the vocabulary only.
export function llamaHparams() {
  return [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', 'mcpos tokenizer fixture'],
    ['llama.context_length', 'u32', 256],
    ['llama.embedding_length', 'u32', 64],
    ['llama.block_count', 'u32', 1],
    ['llama.feed_forward_length', 'u32', 128],
    ['llama.attention.head_count', 'u32', 4],
    ['llama.attention.head_count_kv', 'u32', 4],
    ['llama.rope.dimension_count', 'u32', 16],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
  ];
}
