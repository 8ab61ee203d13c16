// tests/mcpd/sdk_files.mjs - the file tools stay inside their roots: no
// escape through "..", absolute symlinks, relative symlinks or other roots.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run } from '../lib/tap.mjs';

const MCPD = process.env.MCPD || new URL('../../build/x86_64/mcpd', import.meta.url).pathname;
const base = mkdtempSync(join(tmpdir(), 'mcpd-files-'));
const root = join(base, 'root');
const outside = join(base, 'outside');
mkdirSync(join(root, 'sub'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(root, 'hello.txt'), 'hello, world\n');
writeFileSync(join(root, 'bin'), Buffer.from([0xff, 0xfe, 0x00]));
writeFileSync(join(outside, 'secret'), 'secret\n');
symlinkSync(join(outside, 'secret'), join(root, 'abs-link'));
symlinkSync('../outside/secret', join(root, 'rel-link'));
symlinkSync('hello.txt', join(root, 'sub', 'x'));   // dangling inside: fine to refuse or miss
symlinkSync('../hello.txt', join(root, 'sub', 'inside-link'));

const client = new Client({ name: 'files-test', version: '1' });
await client.connect(new StdioClientTransport({ command: MCPD, args: ['--stdio', '--root', root] }));
await client.listTools();
const call = (name, args) => client.callTool({ name, arguments: args });

test('read inside the root', async () => {
  const r = await call('file_read', { path: join(root, 'hello.txt') });
  assert.ok(!r.isError, r.content?.[0]?.text);
  assert.equal(r.structuredContent.text, 'hello, world\n');
  assert.equal(r.structuredContent.eof, true);
  const part = await call('file_read', { path: join(root, 'hello.txt'), offset: 7, length: 5 });
  assert.equal(part.structuredContent.text, 'world');
  assert.equal(part.structuredContent.eof, false);
});

test('a symlink that stays inside is followed', async () => {
  const r = await call('file_read', { path: join(root, 'sub', 'inside-link') });
  assert.equal(r.structuredContent?.text, 'hello, world\n');
});

test('escapes are refused', async () => {
  for (const p of [join(root, '..', 'outside', 'secret'), join(root, 'sub', '..', '..', 'outside', 'secret'),
                   join(root, 'abs-link'), join(root, 'rel-link'), join(outside, 'secret'), '/etc/passwd',
                   root + 'x/secret', 'relative/path']) {
    const r = await call('file_read', { path: p });
    assert.equal(r.isError, true, p);
    assert.doesNotMatch(r.content[0].text, /secret\n/, p);
  }
  const w = await call('file_write', { path: join(root, 'rel-link'), content: 'pwned' });
  assert.equal(w.isError, true);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'secret\n');
  const l = await call('file_list', { path: join(root, '..') });
  assert.equal(l.isError, true);
});

test('list a directory', async () => {
  const r = await call('file_list', { path: root });
  const names = Object.fromEntries(r.structuredContent.entries.map(e => [e.name, e.type]));
  assert.equal(names['hello.txt'], 'file');
  assert.equal(names.sub, 'directory');
  assert.equal(names['abs-link'], 'symlink');
});

test('write, append, and refuse binary reads', async () => {
  const p = join(root, 'sub', 'new.txt');
  assert.ok(!(await call('file_write', { path: p, content: 'one\n' })).isError);
  assert.ok(!(await call('file_write', { path: p, content: 'two\n', append: true })).isError);
  assert.equal(readFileSync(p, 'utf8'), 'one\ntwo\n');
  const b = await call('file_read', { path: join(root, 'bin') });
  assert.equal(b.isError, true);
  assert.match(b.content[0].text, /not UTF-8/);
  assert.ok(!existsSync(join(outside, 'new.txt')));
});

test('length limit is enforced by the schema', async () => {
  const r = await call('file_read', { path: join(root, 'hello.txt'), length: 2 << 20 });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /must be <= 1048576/);
});

await run();
await client.close();
