// tests/mcpd/sdk_stdio.mjs - the official TypeScript SDK client drives
// build/x86_64/mcpd over stdio: every server feature it can reach.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema,
         ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, run } from '../lib/tap.mjs';

// ARCH=aarch64 runs the aarch64 build under qemu-aarch64-static.
const ARCH = process.env.ARCH || 'x86_64';
const MCPD = process.env.MCPD || new URL(`../../build/${ARCH}/mcpd`, import.meta.url).pathname;
const RUN = ARCH === 'aarch64' ? ['qemu-aarch64-static', MCPD] : [MCPD];
const dir = mkdtempSync(join(tmpdir(), 'mcpd-sdk-'));
const boot = join(dir, 'boot.json');
writeFileSync(boot, JSON.stringify({ clock: 'boottime', boot_ms: 420, mem_available_kib: 400000,
  stages: [{ name: 'kernel', ms: 300 }, { name: 'init', ms: 380 }, { name: 'mcpd <ready>', ms: 420 }] }));

async function connect(extra = []) {
  const client = new Client({ name: 'mcpos-test', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: RUN[0], args: [...RUN.slice(1), '--stdio', '--test', '--boot', boot, '--config', join(dir, 'none.json'),
                          '--page-size', '3', ...extra],
    stderr: 'pipe',
  });
  await client.connect(transport);
  return client;
}

const client = await connect();

test('initialize negotiates the latest revision and names the server', async () => {
  assert.equal(client.getServerVersion().name, 'mcpd');
  const caps = client.getServerCapabilities();
  for (const k of ['tools', 'resources', 'prompts', 'logging', 'completions']) assert.ok(caps[k], k);
  assert.equal(caps.resources.subscribe, true);
});

test('ping', async () => { assert.deepEqual(await client.ping(), {}); });

test('tools/list pages through every tool', async () => {
  const names = [];
  let cursor;
  let pages = 0;
  do {
    const r = await client.listTools(cursor ? { cursor } : {});
    assert.ok(r.tools.length <= 3);
    names.push(...r.tools.map(t => t.name));
    cursor = r.nextCursor;
    pages++;
  } while (cursor);
  assert.ok(pages > 1, 'more than one page');
  for (const n of ['system_info', 'processes_list', 'mounts', 'power', 'echo', 'slow_count'])
    assert.ok(names.includes(n), n);
  assert.equal(new Set(names).size, names.length, 'no duplicates across pages');
});

test('system_info returns structured content matching its outputSchema', async () => {
  await client.listTools();  // the SDK validates against cached output schemas
  const r = await client.callTool({ name: 'system_info', arguments: {} });
  assert.ok(!r.isError);
  assert.equal(r.structuredContent.kernel, 'Linux');
  assert.ok(r.structuredContent.cpus >= 1);
  assert.ok(r.structuredContent.mem_total_kib > 0);
  assert.equal(r.structuredContent.model_budget_bytes, null);
  assert.match(r.structuredContent.config, /absent/);
});

test('processes_list sees this test process', async () => {
  const r = await client.callTool({ name: 'processes_list', arguments: { limit: 10000 } });
  assert.ok(r.structuredContent.processes.some(p => p.pid === process.pid));
});

test('mounts, network_interfaces, thermal_zones answer', async () => {
  const m = await client.callTool({ name: 'mounts', arguments: {} });
  assert.ok(m.structuredContent.mounts.some(x => x.target === '/'));
  const n = await client.callTool({ name: 'network_interfaces', arguments: {} });
  assert.ok(n.structuredContent.interfaces.some(i => i.loopback));
  const t = await client.callTool({ name: 'thermal_zones', arguments: {} });
  assert.ok(Array.isArray(t.structuredContent.zones));
});

test('boot_timeline reads --boot', async () => {
  const r = await client.callTool({ name: 'boot_timeline', arguments: {} });
  assert.equal(r.structuredContent.boot_ms, 420);
  assert.equal(r.structuredContent.stages.length, 3);
});

test('invalid arguments are an isError result naming the problem', async () => {
  const r = await client.callTool({ name: 'processes_list', arguments: { limit: 'many' } });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /arguments\.limit: expected integer, got string/);
  const r2 = await client.callTool({ name: 'echo', arguments: { text: 'x', extra: 1 } });
  assert.match(r2.content[0].text, /arguments\.extra: unknown property/);
});

test('unknown tool is a -32602 protocol error', async () => {
  await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), e => e.code === -32602);
});

test('power refuses without confirmation, and outside the image', async () => {
  const r = await client.callTool({ name: 'power', arguments: { action: 'poweroff', confirm: false } });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /not confirmed/);
  const r2 = await client.callTool({ name: 'power', arguments: { action: 'reboot', confirm: true } });
  assert.equal(r2.isError, true);
  assert.match(r2.content[0].text, /not the system's mcpd/);
});

test('process_signal refuses init', async () => {
  const r = await client.callTool({ name: 'process_signal', arguments: { pid: 1, signal: 'TERM' } });
  assert.equal(r.isError, true);
});

test('progress notifications for a long call', async () => {
  const seen = [];
  const r = await client.callTool({ name: 'slow_count', arguments: { steps: 4, interval_ms: 1 } },
    undefined, { onprogress: p => seen.push(p.progress) });
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(r.content[0].text, 'counted to 4');
});

test('cancellation stops a long call and the server carries on', async () => {
  const ac = new AbortController();
  const call = client.callTool({ name: 'slow_count', arguments: { steps: 100000, interval_ms: 5 } },
    undefined, { signal: ac.signal, onprogress: () => ac.abort('enough') });
  await assert.rejects(call);
  assert.deepEqual(await client.ping(), {});
  const r = await client.callTool({ name: 'echo', arguments: { text: 'after' } });
  assert.equal(r.structuredContent.text, 'after');
});

test('resources: list, templates, read meminfo, boot timeline and its SVG', async () => {
  const l = await client.listResources();
  const uris = l.resources.map(r => r.uri);
  assert.ok(uris.includes('mcpos://proc/meminfo'));
  let all = [...uris];
  let cursor = l.nextCursor;
  while (cursor) { const p = await client.listResources({ cursor }); all.push(...p.resources.map(r => r.uri)); cursor = p.nextCursor; }
  assert.ok(all.includes('mcpos://log'));
  const t = await client.listResourceTemplates();
  assert.equal(t.resourceTemplates[0].uriTemplate, 'mcpos://proc/{pid}/status');
  const mem = await client.readResource({ uri: 'mcpos://proc/meminfo' });
  assert.match(mem.contents[0].text, /^MemTotal:/);
  const b = await client.readResource({ uri: 'mcpos://boot/timeline' });
  assert.equal(JSON.parse(b.contents[0].text).boot_ms, 420);
  const svg = await client.readResource({ uri: 'mcpos://boot/timeline.svg' });
  assert.equal(svg.contents[0].mimeType, 'image/svg+xml');
  assert.match(svg.contents[0].text, /^<svg[^]*mcpd &lt;ready&gt;[^]*<\/svg>\n$/);
  const me = await client.readResource({ uri: `mcpos://proc/${process.pid}/status` });
  assert.match(me.contents[0].text, new RegExp(`Pid:\\s+${process.pid}\\n`));
  await assert.rejects(client.readResource({ uri: 'mcpos://nope' }), e => e.code === -32002);
});

test('subscribe to the log: updated notifications arrive', async () => {
  const updated = new Promise(res => client.setNotificationHandler(ResourceUpdatedNotificationSchema,
    n => res(n.params.uri)));
  await client.subscribeResource({ uri: 'mcpos://log' });
  await client.callTool({ name: 'echo', arguments: { text: 'log me' } });
  assert.equal(await updated, 'mcpos://log');
  await client.unsubscribeResource({ uri: 'mcpos://log' });
  const log = await client.readResource({ uri: 'mcpos://log' });
  assert.match(log.contents[0].text, /tools\/call echo/);
});

test('logging/setLevel and notifications/message', async () => {
  const msg = new Promise(res => client.setNotificationHandler(LoggingMessageNotificationSchema,
    n => res(n.params)));
  await client.setLoggingLevel('debug');
  await client.callTool({ name: 'echo', arguments: { text: 'x' } });
  const m = await msg;
  assert.equal(m.level, 'debug');
  assert.match(m.data, /tools\/call echo/);
  await client.setLoggingLevel('warning');
});

test('prompts: list, get, completion', async () => {
  const p = await client.listPrompts();
  assert.deepEqual(p.prompts.map(x => x.name).sort(), ['diagnose_memory', 'summarise_boot']);
  const g = await client.getPrompt({ name: 'summarise_boot', arguments: { style: 'short' } });
  assert.match(g.messages[0].content.text, /"boot_ms":420/);
  await assert.rejects(client.getPrompt({ name: 'summarise_boot', arguments: {} }), e => e.code === -32602);
  const c = await client.complete({ ref: { type: 'ref/prompt', name: 'summarise_boot' },
    argument: { name: 'style', value: 'de' } });
  assert.deepEqual(c.completion.values, ['detailed']);
  const c2 = await client.complete({ ref: { type: 'ref/resource', uri: 'mcpos://proc/{pid}/status' },
    argument: { name: 'pid', value: String(process.pid) } });
  assert.ok(c2.completion.values.includes(String(process.pid)));
});

test('tools/list_changed when a tool is added', async () => {
  const changed = new Promise(res => client.setNotificationHandler(ToolListChangedNotificationSchema, () => res(true)));
  await client.callTool({ name: 'add_tool', arguments: {} });
  assert.equal(await changed, true);
  const names = [];
  let cursor;
  do { const r = await client.listTools(cursor ? { cursor } : {}); names.push(...r.tools.map(t => t.name)); cursor = r.nextCursor; } while (cursor);
  assert.ok(names.includes('late_tool'));
});

test('an older revision is negotiated when the client asks for it', async () => {
  // The SDK only sends its latest; check negotiation through a raw line.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(RUN[0], [...RUN.slice(1), '--stdio'], { input: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'old', version: '0' } } }) + '\n' });
  assert.equal(JSON.parse(r.stdout.toString()).result.protocolVersion, '2024-11-05');
});

await run();
await client.close();
