// tests/lib/tap.mjs - the "ok"/"not ok" line protocol of tests/run.sh for
// node test scripts.  test(name, fn) runs fn (async allowed) in order;
// done() prints nothing more and sets the exit code.
const queue = [];
let failed = 0;

export function test(name, fn) { queue.push({ name, fn }); }

export function skip(name, why) { queue.push({ name, skip: why }); }

export function diag(msg) { for (const l of String(msg).split('\n')) console.log(`# ${l}`); }

export async function run({ timeoutMs = 120000 } = {}) {
  for (const t of queue) {
    if (t.skip) { console.log(`ok ${t.name} # SKIP ${t.skip}`); continue; }
    let timer;
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); }),
      ]);
      console.log(`ok ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${t.name}`);
      diag(e && e.stack ? e.stack : e);
    } finally {
      clearTimeout(timer);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
