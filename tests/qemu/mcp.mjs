// tests/qemu/mcp.mjs - the official SDK client reaches mcpd in the booted
// image over the serial console and over Streamable HTTP (QEMU user
// networking, host forward on 127.0.0.1), lists tools and calls them, and
// powers the machine off through MCP.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { boot, freePort } from '../lib/qemu.mjs';
import { SerialTransport } from '../lib/serial_transport.mjs';
import { test, run, diag } from '../lib/tap.mjs';

const arch = process.env.ARCH ?? 'x86_64';
const token = randomBytes(16).toString('hex');
const port = await freePort();
let vm;
const text = (r) => r.content.map((c) => c.text ?? '').join('');

test(`${arch}: boots with mcpd on the console and HTTP`, async () => {
  vm = await boot({ arch, httpPort: port, append: `mcpos.http_token=${token}`, timeoutMs: 300000 });
  await vm.waitFor(/^mcpos: ready boot_ms=\d+/, 120000);
});

test(`${arch}: SDK client over the serial console lists and calls tools`, async () => {
  const client = new Client({ name: 'mcpos-test', version: '1' });
  await client.connect(new SerialTransport(vm), { timeout: 30000 });
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const want of ['system_info', 'boot_timeline', 'power']) {
    if (!names.includes(want)) throw new Error(`tool ${want} missing from ${names}`);
  }
  const info = await client.callTool({ name: 'system_info', arguments: {} });
  if (info.isError) throw new Error(text(info));
  const body = JSON.stringify(info.structuredContent ?? text(info));
  const wantArch = arch === 'x86_64' ? 'x86_64' : 'aarch64';
  if (!body.includes(wantArch)) throw new Error(`system_info does not name ${wantArch}: ${body.slice(0, 300)}`);
  const bt = await client.callTool({ name: 'boot_timeline', arguments: {} });
  if (bt.isError || !JSON.stringify(bt).includes('service:mcpd')) throw new Error(`boot_timeline: ${JSON.stringify(bt).slice(0, 300)}`);
  diag(`serial: ${tools.length} tools`);
});

test(`${arch}: SDK client over HTTP (host forward) lists and calls tools`, async () => {
  const client = new Client({ name: 'mcpos-test-http', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport, { timeout: 30000 });
  const { tools } = await client.listTools();
  const r = await client.callTool({ name: 'network_interfaces', arguments: {} });
  if (r.isError) throw new Error(text(r));
  if (!JSON.stringify(r).includes('10.0.2.15')) throw new Error(`eth0 address missing: ${JSON.stringify(r).slice(0, 400)}`);
  await client.close();
  diag(`http: ${tools.length} tools`);
});

test(`${arch}: HTTP without the bearer token is refused`, async () => {
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  if (res.status !== 401) throw new Error(`status ${res.status}`);
});

test(`${arch}: power tool powers the machine off cleanly`, async () => {
  const client = new Client({ name: 'mcpos-test-power', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport, { timeout: 30000 });
  const refused = await client.callTool({ name: 'power', arguments: { action: 'poweroff' } });
  if (!refused.isError) throw new Error('poweroff without confirmation was accepted');
  const from = vm.lines.length;
  await client.callTool({ name: 'power', arguments: { action: 'poweroff', confirm: true } }).catch(() => {});
  await vm.waitFor(/reboot: Power down/, 60000, { from });
  const code = await vm.exited;
  if (code !== 0) throw new Error(`QEMU exit status ${code}`);
});

try {
  await run({ timeoutMs: 240000 });
} finally {
  if (vm) await vm.kill();
}
