// tests/mcpd/raw_stdio.mjs - raw JSON-RPC lines to build/x86_64/mcpd over
// stdio: every error path answers, and nothing after it is lost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test, run } from '../lib/tap.mjs';

const MCPD = process.env.MCPD || new URL('../../build/x86_64/mcpd', import.meta.url).pathname;

// A running mcpd: send() writes raw bytes, next() resolves to the next line parsed.
class Raw {
  constructor(args = ['--stdio', '--test']) {
    this.p = spawn(MCPD, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    this.waiters = [];
    let buf = '';
    this.p.stdout.setEncoding('utf8');
    this.p.stdout.on('data', d => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w(line); else this.lines.push(line);
      }
    });
  }
  send(x) { this.p.stdin.write(typeof x === 'string' ? x : JSON.stringify(x) + '\n'); }
  async next() {
    const line = this.lines.length ? this.lines.shift() : await new Promise(r => this.waiters.push(r));
    return JSON.parse(line);   // every line must be valid JSON
  }
  async call(x) { this.send(x); return this.next(); }
  async init(version = '2025-11-25') {
    const r = await this.call({ jsonrpc: '2.0', id: 0, method: 'initialize',
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return r;
  }
  async close() { this.p.stdin.end(); const [code] = await once(this.p, 'exit'); return code; }
}

const req = (id, method, params) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });

test('garbage line: -32700 with id null, then business as usual', async () => {
  const s = new Raw();
  const e = await s.call('this is not json\n');
  assert.equal(e.error.code, -32700);
  assert.equal(e.id, null);
  assert.equal((await s.init()).result.protocolVersion, '2025-11-25');
  assert.equal(await s.close(), 0);
});

test('invalid UTF-8 and bad escapes are parse errors', async () => {
  const s = new Raw();
  s.p.stdin.write(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"p\xc0\xafng"}\n', 'latin1'));
  assert.equal((await s.next()).error.code, -32700);
  assert.equal((await s.call('{"jsonrpc":"2.0","id":1,"method":"\\ud800"}\n')).error.code, -32700);
  assert.equal((await s.call('{"a":1,"a":2}\n')).error.code, -32700);
  assert.equal((await s.call('{"jsonrpc":"2.0","id":1,"method":"ping"} x\n')).error.code, -32700);
  await s.close();
});

test('wrong types in the envelope: -32600', async () => {
  const s = new Raw();
  for (const bad of [[1, 2], 'str', { jsonrpc: '2.0', id: {}, method: 'ping' },
                     { jsonrpc: 2, id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 1, method: ['ping'] },
                     { jsonrpc: '2.0', id: 1, method: 'ping', params: 'x' }, { jsonrpc: '2.0', id: 1 }]) {
    const e = await s.call(JSON.stringify(bad) + "\n");
    assert.equal(e.error.code, -32600, JSON.stringify(bad));
  }
  await s.close();
});

test('requests before initialize: -32600; ping allowed', async () => {
  const s = new Raw();
  assert.equal((await s.call(req(1, 'tools/list'))).error.code, -32600);
  assert.deepEqual((await s.call(req(2, 'ping'))).result, {});
  await s.init();
  assert.ok((await s.call(req(3, 'tools/list'))).result.tools.length > 0);
  await s.close();
});

test('unknown method: -32601 echoing the id; unknown notification: silence', async () => {
  const s = new Raw();
  await s.init();
  s.send({ jsonrpc: '2.0', method: 'notifications/whatever' });
  const e = await s.call(req('abc', 'frobnicate'));
  assert.equal(e.error.code, -32601);
  assert.equal(e.id, 'abc');
  await s.close();
});

test('invalid params: -32602', async () => {
  const s = new Raw();
  await s.init();
  assert.equal((await s.call(req(1, 'tools/call', { arguments: {} }))).error.code, -32602);
  assert.equal((await s.call(req(2, 'tools/call', { name: 'echo', arguments: 5 }))).error.code, -32602);
  assert.equal((await s.call(req(3, 'resources/read', { uri: 7 }))).error.code, -32602);
  assert.equal((await s.call(req(4, 'logging/setLevel', { level: 'verbose' }))).error.code, -32602);
  assert.equal((await s.call(req(5, 'prompts/get', { name: 'nope' }))).error.code, -32602);
  assert.equal((await s.call(req(6, 'completion/complete', { ref: { type: 'ref/x' }, argument: { name: 'a', value: '' } }))).error.code, -32602);
  await s.close();
});

test('second initialize is refused', async () => {
  const s = new Raw();
  await s.init();
  assert.equal((await s.init()).error.code, -32600);
  await s.close();
});

test('oversized message: -32600, and the next message is served', async () => {
  const s = new Raw();
  await s.init();
  const big = JSON.stringify(req(1, 'tools/call', { name: 'echo', arguments: { text: 'x'.repeat(5 << 20) } }));
  s.send(big + '\n');
  const e = await s.next();
  assert.equal(e.error.code, -32600);
  assert.match(e.error.message, /too large/);
  assert.deepEqual((await s.call(req(2, 'ping'))).result, {});
  await s.close();
});

test('a large message under the limit is served', async () => {
  const s = new Raw();
  await s.init();
  const r = await s.call(req(1, 'tools/call', { name: 'echo', arguments: { text: 'y', pad: 'z'.repeat(3 << 20) } }));
  assert.equal(r.result.isError, true);   // pad is not in the schema
  assert.match(r.result.content[0].text, /arguments\.pad: unknown property/);
  await s.close();
});

test('CRLF line endings, blank lines, and a last line without newline', async () => {
  const s = new Raw();
  s.send('\r\n\n' + JSON.stringify(req(1, 'ping')) + '\r\n');
  assert.deepEqual((await s.next()).result, {});
  s.send(JSON.stringify(req(2, 'ping')));
  s.p.stdin.end();
  assert.equal((await s.next()).id, 2);
});

test('batches: refused in 2025-11-25, served in 2025-03-26', async () => {
  const s = new Raw();
  await s.init();
  assert.equal((await s.call([req(1, 'ping')])).error.code, -32600);
  await s.close();
  const t = new Raw();
  assert.equal((await t.init('2025-03-26')).result.protocolVersion, '2025-03-26');
  const r = await t.call([req(1, 'ping'), { jsonrpc: '2.0', method: 'x' }, req(2, 'nope')]);
  assert.equal(r.length, 2);
  assert.deepEqual(r[0], { jsonrpc: '2.0', id: 1, result: {} });
  assert.equal(r[1].error.code, -32601);
  await t.close();
});

test('a cancelled call gets no answer; others still do', async () => {
  const s = new Raw();
  await s.init();
  s.send(req(7, 'tools/call', { name: 'slow_count', arguments: { steps: 100000, interval_ms: 10 },
                                 _meta: { progressToken: 'tok' } }));
  const first = await s.next();
  assert.equal(first.method, 'notifications/progress');
  assert.equal(first.params.progressToken, 'tok');
  s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'test' } });
  // Progress notes sent before the cancel arrived may still come; the
  // ping's answer must come and no answer for id 7 may come before it.
  s.send(req(8, 'ping'));
  for (;;) {
    const m = await s.next();
    assert.notEqual(m.id, 7);
    if (m.id === 8) break;
  }
  await s.close();
});

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {} };

test('2026-07-28: server/discover and per-request _meta, no initialize', async () => {
  const s = new Raw();
  const d = await s.call(req(1, 'server/discover', { _meta: META }));
  assert.equal(d.result.resultType, 'complete');
  assert.deepEqual(d.result.supportedVersions, ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);
  assert.equal(d.result.capabilities.resources.subscribe, false);
  assert.equal(d.result._meta['io.modelcontextprotocol/serverInfo'].name, 'mcpd');
  const l = await s.call(req(2, 'tools/list', { _meta: META }));
  assert.equal(l.result.resultType, 'complete');
  assert.ok(l.result.tools.length > 5);
  const c = await s.call(req(3, 'tools/call', { _meta: META, name: 'echo', arguments: { text: 'st' } }));
  assert.equal(c.result.resultType, 'complete');
  assert.equal(c.result.structuredContent.text, 'st');
  const r = await s.call(req(4, 'resources/read', { _meta: META, uri: 'mcpos://nope' }));
  assert.equal(r.error.code, -32602);   // -32002 is retired in this revision
  // still not initialized for the stateful era
  assert.equal((await s.call(req(5, 'tools/list'))).error.code, -32600);
  await s.close();
});

test('2026-07-28: session-only methods and unknown versions are refused', async () => {
  const s = new Raw();
  for (const m of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe'])
    assert.equal((await s.call(req(1, m, { _meta: META, level: 'info', uri: 'mcpos://log' }))).error.code, -32601, m);
  const e = await s.call(req(2, 'tools/list', { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2030-01-01' } }));
  assert.equal(e.error.code, -32022);
  assert.deepEqual(e.error.data, { supported: ['2026-07-28'], requested: '2030-01-01' });
  await s.close();
});

test('both eras on one connection', async () => {
  const s = new Raw();
  await s.init();
  assert.ok((await s.call(req(1, 'tools/list'))).result.tools);
  const l = await s.call(req(2, 'tools/list', { _meta: META }));
  assert.equal(l.result.resultType, 'complete');
  const old = await s.call(req(3, 'tools/list'));
  assert.equal(old.result.resultType, undefined);
  await s.close();
});

test('unknown flag: exit 2 with a message', async () => {
  const p = spawn(MCPD, ['--stdio', '--bogus'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', d => { err += d; });
  const [code] = await once(p, 'exit');
  assert.equal(code, 2);
  assert.match(err, /unknown option --bogus/);
});

test('MCPOS_READY_FD gets "ready"', async () => {
  const p = spawn(MCPD, ['--stdio'], { stdio: ['pipe', 'pipe', 'inherit', 'pipe'],
                                       env: { ...process.env, MCPOS_READY_FD: '3' } });
  let got = '';
  p.stdio[3].on('data', d => { got += d; });
  await once(p.stdio[3], 'end');
  assert.equal(got, 'ready\n');
  p.stdin.end();
  await once(p, 'exit');
});

await run();
