// tests/mcpd/sdk_http.mjs - the official SDK client over Streamable HTTP,
// with a bearer token from --token-file.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run } from '../lib/tap.mjs';
import { startHttp } from './http_lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mcpd-http-'));
const token = 'test-token-0123456789abcdef';
writeFileSync(join(dir, 'token'), token + '\n', { mode: 0o600 });
const srv = await startHttp(['--test', '--token-file', join(dir, 'token')]);

async function connect() {
  const client = new Client({ name: 'http-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(srv.url),
    { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return { client, transport };
}

const { client, transport } = await connect();

test('initialize over HTTP gives a session', async () => {
  assert.equal(client.getServerVersion().name, 'mcpd');
  assert.match(transport.sessionId, /^[0-9a-f]{32}$/);
});

test('tools/list and a structured call', async () => {
  const r = await client.listTools();
  assert.ok(r.tools.some(t => t.name === 'system_info'));
  const s = await client.callTool({ name: 'system_info', arguments: {} });
  assert.equal(s.structuredContent.kernel, 'Linux');
});

test('progress arrives on the POST stream', async () => {
  const seen = [];
  const r = await client.callTool({ name: 'slow_count', arguments: { steps: 3, interval_ms: 1 } },
    undefined, { onprogress: p => seen.push(p.progress) });
  assert.deepEqual(seen, [1, 2]);
  assert.equal(r.content[0].text, 'counted to 3');
});

test('cancellation over HTTP, and the session lives on', async () => {
  const ac = new AbortController();
  await assert.rejects(client.callTool({ name: 'slow_count', arguments: { steps: 100000, interval_ms: 5 } },
    undefined, { signal: ac.signal, onprogress: () => ac.abort('enough') }));
  assert.deepEqual(await client.ping(), {});
});

test('resources and prompts over HTTP', async () => {
  const m = await client.readResource({ uri: 'mcpos://proc/meminfo' });
  assert.match(m.contents[0].text, /MemTotal/);
  const p = await client.listPrompts();
  assert.equal(p.prompts.length, 2);
});

test('list_changed reaches the client', async () => {
  const changed = new Promise(res => client.setNotificationHandler(ToolListChangedNotificationSchema, () => res(true)));
  await client.callTool({ name: 'add_tool', arguments: {} });
  assert.equal(await changed, true);
});

test('two clients at once have separate sessions', async () => {
  const other = await connect();
  assert.notEqual(other.transport.sessionId, transport.sessionId);
  const [a, b] = await Promise.all([client.ping(), other.client.ping()]);
  assert.deepEqual([a, b], [{}, {}]);
  await other.transport.terminateSession();
  await other.client.close();
});

test('terminated session: 404', async () => {
  const other = await connect();
  const sid = other.transport.sessionId;
  await other.transport.terminateSession();
  const r = await fetch(srv.url, { method: 'POST', headers: { Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Mcp-Session-Id': sid },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });
  assert.equal(r.status, 404);
  await other.client.close();
});

await run();
await client.close();
assert.equal(await srv.stop(), 0);
