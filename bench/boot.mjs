// bench/boot.mjs - boot time and memory of mcpos against Debian's stock
// kernels booting the same initramfs, both measured in this run.
// Prints a table; writes build/bench/boot.json.
//
// Each configuration boots RUNS times (default 5) with
// mcpos.after_ready=poweroff; boot_ms and mem_available_kib come from the
// ready line init prints (CLOCK_BOOTTIME at ready, MemAvailable then), and
// mem_total_kib from the boot.json init prints with mcpos.boot_json=console.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { median } from './stats.mjs';
import { boot, imagePaths } from '../tests/lib/qemu.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const cache = process.env.MCPOS_CACHE ?? path.join(homedir(), '.cache/mcpos');

async function measure(arch, kernel, stock) {
  const { initramfs } = imagePaths(arch);
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const vm = await boot({ arch, kernel, stock, append: 'mcpos.after_ready=poweroff mcpos.boot_json=console', timeoutMs: 180000 });
    const m = await vm.waitFor(/mcpos: ready boot_ms=(\d+) mem_available_kib=(\d+)/);
    const j = await vm.waitFor(/mcpos: boot\.json (\{.*\})/, 30000).then((x) => JSON.parse(x[1])).catch(() => ({}));
    await vm.exited;
    runs.push({ boot_ms: Number(m[1]), mem_available_kib: Number(m[2]), mem_total_kib: j.mem_total_kib ?? null });
  }
  return {
    boot_ms: median(runs.map((r) => r.boot_ms)),
    mem_available_kib: median(runs.map((r) => r.mem_available_kib)),
    mem_total_kib: median(runs.map((r) => r.mem_total_kib ?? 0)) || null,
    initramfs_bytes: statSync(initramfs).size,
    kernel_bytes: statSync(kernel).size,
    runs,
  };
}

const result = { runs_per_config: RUNS, arches: {} };
for (const arch of (process.env.ARCHES ?? 'x86_64 aarch64').split(' ')) {
  const ours = await measure(arch, imagePaths(arch).kernel, false);
  const stock = await measure(arch, path.join(cache, 'stock', arch, 'kernel'), true);
  result.arches[arch] = { ...ours, stock };
}
mkdirSync('build/bench', { recursive: true });
writeFileSync('build/bench/boot.json', JSON.stringify(result, null, 2) + '\n');

const pad = (s, n) => String(s).padStart(n);
console.log(`\nboot to ready, median of ${RUNS} (TCG, 512 MiB, 2 vCPUs)`);
console.log(`${'arch'.padEnd(8)}${pad('mcpos ms', 10)}${pad('stock ms', 10)}${pad('ratio', 8)}${pad('goal', 7)}` +
  `${pad('MemAvail KiB', 14)}${pad('stock', 9)}${pad('goal', 9)}${pad('initramfs', 11)}${pad('kernel', 10)}${pad('stock k', 10)}`);
for (const [arch, r] of Object.entries(result.arches)) {
  console.log(`${arch.padEnd(8)}${pad(r.boot_ms, 10)}${pad(r.stock.boot_ms, 10)}${pad((r.boot_ms / r.stock.boot_ms).toFixed(2), 8)}${pad('0.30', 7)}` +
    `${pad(r.mem_available_kib, 14)}${pad(r.stock.mem_available_kib, 9)}${pad(488 * 1024, 9)}${pad(r.initramfs_bytes, 11)}${pad(r.kernel_bytes, 10)}${pad(r.stock.kernel_bytes, 10)}`);
}
console.log('wrote build/bench/boot.json');
