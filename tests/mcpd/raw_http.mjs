// tests/mcpd/raw_http.mjs - every refusal of the Streamable HTTP transport,
// DNS-rebinding protection, the GET stream, token generation and a stalled
// client that must not block others.
import assert from 'node:assert/strict';
import { connect as tcp } from 'node:net';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run } from '../lib/tap.mjs';
import { MCPD, startHttp } from './http_lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mcpd-rawhttp-'));
const tokenFile = join(dir, 'token');
const srv = await startHttp(['--test', '--token-file', tokenFile]);
const token = readFileSync(tokenFile, 'utf8').trim();
const [host, port] = [srv.addr.split(':')[0], Number(srv.addr.split(':')[1])];

const ACCEPT = 'application/json, text/event-stream';
const base = () => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: ACCEPT });
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const post = (body, headers = {}) => fetch(srv.url, { method: 'POST', headers: { ...base(), ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body) });

async function session() {
  const r = await post(INIT);
  assert.equal(r.status, 200);
  await r.json();
  return r.headers.get('mcp-session-id');
}

// Raw bytes on a socket; resolves with everything the server sent before closing.
function rawExchange(bytes) {
  return new Promise((resolve, reject) => {
    const s = tcp(port, host, () => s.end(bytes));
    let got = '';
    s.on('data', d => { got += d; });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

test('generated token file is 0600 and 48 hex characters', async () => {
  assert.match(token, /^[0-9a-f]{48}$/);
  assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
  const r = spawnSync(MCPD, ['--print-token-path', '--token-file', tokenFile]);
  assert.equal(r.stdout.toString(), tokenFile + '\n');
});

test('no token or a wrong one: 401', async () => {
  assert.equal((await fetch(srv.url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: ACCEPT },
    body: JSON.stringify(INIT) })).status, 401);
  assert.equal((await post(INIT, { Authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await post(INIT, { Authorization: `Bearer ${token}x` })).status, 401);
});

test('MCPOS_HTTP_TOKEN overrides the file', async () => {
  const s2 = await startHttp(['--token-file', join(dir, 'unused')], { MCPOS_HTTP_TOKEN: 'from-the-kernel-cmdline' });
  const r = await fetch(s2.url, { method: 'POST', headers: { ...base(), Authorization: 'Bearer from-the-kernel-cmdline' },
    body: JSON.stringify(INIT) });
  assert.equal(r.status, 200);
  await s2.stop();
});

test('foreign Origin or Host: 403 (DNS rebinding)', async () => {
  assert.equal((await post(INIT, { Origin: 'http://evil.example' })).status, 403);
  assert.equal((await post(INIT, { Origin: 'http://localhost.evil.example' })).status, 403);
  assert.equal((await post(INIT, { Origin: 'null' })).status, 403);
  const ok = await post(INIT, { Origin: 'http://localhost:3000' });
  assert.equal(ok.status, 200);
  await ok.text();
  const got = await rawExchange(`POST /mcp HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 2\r\n\r\n{}`);
  assert.match(got, /^HTTP\/1.1 403 /);
});

test('wrong path 404, wrong method 405, bad Accept 406, bad type 415', async () => {
  assert.equal((await fetch(`http://${srv.addr}/other`, { method: 'POST', headers: base(), body: '{}' })).status, 404);
  const put = await fetch(srv.url, { method: 'PUT', headers: base(), body: '{}' });
  assert.equal(put.status, 405);
  assert.match(put.headers.get('allow'), /POST/);
  assert.equal((await post(INIT, { Accept: 'application/json' })).status, 406);
  assert.equal((await post(INIT, { 'Content-Type': 'text/plain' })).status, 415);
});

test('session rules: 400 without, 404 unknown, 202 for a notification', async () => {
  const r = await post({ jsonrpc: '2.0', id: 2, method: 'ping' });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.code, -32600);
  assert.equal((await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { 'Mcp-Session-Id': 'f'.repeat(32) })).status, 404);
  const sid = await session();
  const n = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'Mcp-Session-Id': sid });
  assert.equal(n.status, 202);
  const p = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' });
  assert.deepEqual((await p.json()).result, {});
  assert.equal((await post({ jsonrpc: '2.0', id: 4, method: 'ping' },
    { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '1999-01-01' })).status, 400);
});

test('garbage body: 400 with -32700; in a session, -32700 too', async () => {
  const r = await post('not json');
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.code, -32700);
  const sid = await session();
  const r2 = await post('{"jsonrpc":', { 'Mcp-Session-Id': sid });
  assert.equal((await r2.json()).error.code, -32700);
});

test('oversized body: 413; malformed head: 400; chunked: 501', async () => {
  const big = await rawExchange(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${5 << 20}\r\n\r\n`);
  assert.match(big, /^HTTP\/1.1 413 /);
  assert.match(await rawExchange('GARBAGE\r\n\r\n'), /^HTTP\/1.1 400 /);
  assert.match(await rawExchange('POST /mcp HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'), /^HTTP\/1.1 501 /);
});

test('GET stream carries unsolicited messages; a second one is refused', async () => {
  const sid = await session();
  const ac = new AbortController();
  const g = await fetch(srv.url, { headers: { ...base(), Accept: 'text/event-stream', 'Mcp-Session-Id': sid }, signal: ac.signal });
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'text/event-stream');
  const g2 = await fetch(srv.url, { headers: { ...base(), Accept: 'text/event-stream', 'Mcp-Session-Id': sid } });
  assert.equal(g2.status, 409);
  // Another session adds a tool: list_changed goes to every session, ours
  // through its GET stream.
  const other = await session();
  const add = await post({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'add_tool', arguments: {} } },
    { 'Mcp-Session-Id': other });
  await add.text();
  const reader = g.body.getReader();
  let text = '';
  while (!text.includes('list_changed')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  assert.match(text, /event: message\ndata: \{"jsonrpc":"2.0","method":"notifications\/tools\/list_changed"/);
  ac.abort();
});

test('a stalled client does not block others, and is timed out', async () => {
  const stalled = tcp(port, host);
  await new Promise(r => stalled.on('connect', r));
  stalled.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len');   // and nothing more
  const closed = new Promise(r => stalled.on('close', () => r(Date.now())));
  const t0 = Date.now();
  const sid = await session();
  const p = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, { 'Mcp-Session-Id': sid });
  assert.equal(p.status, 200);
  assert.ok(Date.now() - t0 < 2000, 'served while another client stalls');
  const at = await closed;   // the server hangs up on it (10 s budget)
  assert.ok(at - t0 < 15000);
});

test('2026-07-28 over HTTP: no session, header must match _meta', async () => {
  const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const d = await post({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: META } },
    { 'MCP-Protocol-Version': '2026-07-28' });
  assert.equal(d.status, 200);
  assert.equal(d.headers.get('mcp-session-id'), null);
  assert.equal((await d.json()).result.resultType, 'complete');
  const c = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call',
    params: { _meta: META, name: 'slow_count', arguments: { steps: 2, interval_ms: 1 } } }, { 'MCP-Protocol-Version': '2026-07-28' });
  assert.equal(c.status, 200);
  assert.match(await c.text(), /"resultType":"complete","content":\[\{"type":"text","text":"counted to 2"/);
  const bad = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: META } },
    { 'MCP-Protocol-Version': '2025-11-25' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, -32020);
});

test('a stdio client that stops reading does not stall HTTP clients', async () => {
  const s2 = await startHttp(['--stdio', '--no-auth', '--test'], {}, ['pipe', 'pipe', 'pipe']);
  s2.p.stdout.pause();   // never read: the pipe fills up
  s2.p.stdin.write(JSON.stringify(INIT) + '\n');
  for (let i = 0; i < 300; i++)
    s2.p.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: i + 10, method: 'tools/list' }) + '\n');
  const t0 = Date.now();
  const r = await fetch(s2.url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: ACCEPT },
    body: JSON.stringify(INIT) });
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 < 3000);
  // and the stdio answers were queued, not lost: read them all now
  let text = '';
  s2.p.stdout.setEncoding('utf8');
  await new Promise(res => {
    s2.p.stdout.on('data', d => { text += d; if ((text.match(/\n/g) || []).length >= 301) res(); });
    s2.p.stdout.resume();
  });
  assert.equal(JSON.parse(text.trim().split('\n').pop()).id, 309);
  await s2.stop();
});

test('DELETE ends a session; then 404', async () => {
  const sid = await session();
  const d = await fetch(srv.url, { method: 'DELETE', headers: { ...base(), 'Mcp-Session-Id': sid } });
  assert.equal(d.status, 200);
  assert.equal((await fetch(srv.url, { method: 'DELETE', headers: { ...base(), 'Mcp-Session-Id': sid } })).status, 404);
});

await run();
assert.equal(await srv.stop(), 0);
