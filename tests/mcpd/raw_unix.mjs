// tests/mcpd/raw_unix.mjs - the Unix socket transport: sessions per
// connection, many at once, and the SO_PEERCRED policy.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, statSync, writeFileSync, chmodSync as chmod } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, skip, run } from '../lib/tap.mjs';

const MCPD = process.env.MCPD || new URL('../../build/x86_64/mcpd', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mcpd-unix-'));
const sock = join(dir, 'mcpd.sock');

const p = spawn(MCPD, ['--unix', sock, '--test'], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
                                                     env: { ...process.env, MCPOS_READY_FD: '3' } });
p.stdio[3].resume();
await once(p.stdio[3], 'end');   // "ready": the socket is bound

// A line client on the socket.
function client() {
  const s = connect(sock);
  const lines = [], waiters = [];
  let buf = '';
  s.setEncoding('utf8');
  s.on('data', d => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(l); else lines.push(l);
    }
  });
  const next = () => lines.length ? Promise.resolve(lines.shift()) : new Promise(r => waiters.push(r));
  return { s, next, call: m => { s.write(JSON.stringify(m) + '\n'); return next(); } };
}
const INIT = { jsonrpc: '2.0', id: 0, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'u', version: '1' } } };

test('socket file is 0660', async () => {
  assert.equal(statSync(sock).mode & 0o777, 0o660);
});

test('initialize and call over the socket', async () => {
  const c = client();
  assert.equal((await c.call(INIT)).result.protocolVersion, '2025-06-18');
  const r = await c.call({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'u' } } });
  assert.equal(r.result.structuredContent.text, 'u');
  assert.equal((await c.call('garbage')).error.code, -32600);   // a JSON string, not a request
  c.s.write('garbage\n');
  assert.equal((await c.next()).error.code, -32700);
  c.s.end();
});

test('50 connections, each its own session, served together', async () => {
  const cs = Array.from({ length: 50 }, () => client());
  const inits = await Promise.all(cs.map(c => c.call(INIT)));
  assert.ok(inits.every(r => r.result));
  const pings = await Promise.all(cs.map((c, i) => c.call({ jsonrpc: '2.0', id: i, method: 'ping' })));
  assert.ok(pings.every((r, i) => r.id === i));
  // a second initialize on one connection is refused: sessions are per connection
  assert.equal((await cs[0].call(INIT)).error.code, -32600);
  cs.forEach(c => c.s.end());
});

const setpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;
if (process.getuid() === 0 && setpriv) {
  test('another user is refused (SO_PEERCRED)', async () => {
    chmod(dir, 0o755);
    chmodSync(sock, 0o666);   // let the file mode allow it: the policy must still refuse
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
      `const s=require('net').connect(${JSON.stringify(sock)});let d='';s.on('data',x=>d+=x);` +
      `s.on('close',()=>{process.stdout.write(d)});`],
      { timeout: 20000 });
    const line = JSON.parse(r.stdout.toString().trim());
    assert.equal(line.error.code, -32600);
    assert.match(line.error.message, /permission denied/);
  });
} else {
  skip('another user is refused (SO_PEERCRED)', 'needs root and setpriv');
}

test('a stale socket file is replaced, another file is not', async () => {
  const other = join(dir, 'plain');
  writeFileSync(other, 'x');
  const r = spawnSync(MCPD, ['--unix', other], { timeout: 10000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /not a socket/);
});

await run();
p.kill('SIGTERM');
const [code] = await once(p, 'exit');
assert.equal(code, 0);
