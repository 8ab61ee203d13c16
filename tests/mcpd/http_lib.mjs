// tests/mcpd/http_lib.mjs - start build/x86_64/mcpd with --http on a free
// loopback port and learn its address from "mcpd: http on ADDR".
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export const MCPD = process.env.MCPD || new URL('../../build/x86_64/mcpd', import.meta.url).pathname;

export async function startHttp(args = [], env = {}, stdio = ['ignore', 'ignore', 'pipe']) {
  const p = spawn(MCPD, ['--http', '127.0.0.1:0', ...args],
                  { stdio, env: { ...process.env, ...env } });
  let err = '';
  const addr = await new Promise((resolve, reject) => {
    p.stderr.on('data', d => {
      err += d;
      const m = err.match(/mcpd: http on (\S+)\n/);
      if (m) resolve(m[1]);
    });
    p.on('exit', code => reject(new Error(`mcpd exited ${code}: ${err}`)));
  });
  return {
    p, addr, url: `http://${addr}/mcp`,
    async stop() { p.kill('SIGTERM'); const [code] = await once(p, 'exit'); return code; },
  };
}
