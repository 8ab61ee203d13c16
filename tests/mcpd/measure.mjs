// tests/mcpd/measure.mjs - mcpd's figures for `make bench` (not a test):
// binary sizes, RSS idle and with 64 HTTP sessions, start to first
// initialize answered, tools/list round trips per second over the Unix
// socket with mcpd pinned to one core, p50/p99 latency.  Prints JSON.
//   node tests/mcpd/measure.mjs [path/to/mcpd]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, mkdtempSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const MCPD = process.argv[2] || join(root, 'build/x86_64/mcpd');
const INIT = { jsonrpc: '2.0', id: 0, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };
const rssKiB = pid => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
const out = {};

for (const a of ['x86_64', 'aarch64']) {
  const f = join(root, 'build', a, 'mcpd');
  if (existsSync(f)) out[`size_bytes_${a}`] = statSync(f).size;
}

// Start to first initialize answered (median of 20).
{
  const times = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    const p = spawn(MCPD, ['--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    p.stdin.write(JSON.stringify(INIT) + '\n');
    await once(p.stdout, 'data');
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    p.stdin.end();
    await once(p, 'exit');
  }
  times.sort((x, y) => x - y);
  out.start_to_initialize_ms_median = +times[10].toFixed(2);
  out.start_to_initialize_note = 'includes node spawn and pipe overhead';
}

// RSS idle and with 64 HTTP sessions, each with an open GET stream.
{
  const p = spawn(MCPD, ['--stdio', '--http', '127.0.0.1:0', '--no-auth'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  const addr = await new Promise(r => p.stderr.on('data', d => { err += d; const m = err.match(/http on (\S+)\n/); if (m) r(m[1]); }));
  p.stdin.write(JSON.stringify(INIT) + '\n');
  await once(p.stdout, 'data');
  out.rss_idle_kib = rssKiB(p.pid);
  const url = `http://${addr}/mcp`;
  const hdr = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  const streams = [];
  await Promise.all(Array.from({ length: 64 }, async () => {
    const r = await fetch(url, { method: 'POST', headers: hdr, body: JSON.stringify(INIT) });
    await r.text();
    const sid = r.headers.get('mcp-session-id');
    const ac = new AbortController();
    const g = await fetch(url, { headers: { ...hdr, 'Mcp-Session-Id': sid }, signal: ac.signal });
    streams.push(ac);
    const l = await fetch(url, { method: 'POST', headers: { ...hdr, 'Mcp-Session-Id': sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    await l.text();
    return g;
  }));
  out.rss_64_http_sessions_kib = rssKiB(p.pid);
  streams.forEach(ac => ac.abort());
  p.kill('SIGTERM');
  await once(p, 'exit');
}

// tools/list over the Unix socket, mcpd pinned to CPU 0.
{
  const sock = join(mkdtempSync(join(tmpdir(), 'mcpd-bench-')), 's');
  const p = spawn('taskset', ['-c', '0', MCPD, '--unix', sock], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    env: { ...process.env, MCPOS_READY_FD: '3' } });
  p.stdio[3].resume();
  await once(p.stdio[3], 'end');
  const s = connect(sock);
  s.setNoDelay?.(true);
  let buf = '';
  const waiters = [];
  s.on('data', d => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { buf = buf.slice(i + 1); waiters.shift()(); }
  });
  const call = m => new Promise(r => { waiters.push(r); s.write(m); });
  await call(JSON.stringify(INIT) + '\n');
  const req = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) + '\n';
  // sequential round trips: latency
  const lat = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 5000; i++) {
    const a = process.hrtime.bigint();
    await call(req);
    lat.push(Number(process.hrtime.bigint() - a) / 1e3);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((x, y) => x - y);
  out.tools_list_sequential_rps = Math.round(5000 / seconds);
  out.tools_list_p50_us = Math.round(lat[2500]);
  out.tools_list_p99_us = Math.round(lat[4950]);
  // pipelined, 32 in flight: the server's throughput rather than node's
  const N = 50000;
  const t1 = process.hrtime.bigint();
  let sent = 0;
  await new Promise(done => {
    let answered = 0;
    const more = () => { while (sent < N && sent - answered < 32) { sent++; waiters.push(() => { answered++; answered === N ? done() : more(); }); s.write(req); } };
    more();
  });
  out.tools_list_pipelined_rps = Math.round(N / (Number(process.hrtime.bigint() - t1) / 1e9));
  s.end();
  p.kill('SIGTERM');
  await once(p, 'exit');
}
console.log(JSON.stringify(out, null, 2));
