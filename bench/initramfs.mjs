// bench/initramfs.mjs - which initramfs compression: image bytes against
// the time the kernel takes to reach init (it decompresses the archive
// before running /init).  Boots each variant RUNS times per architecture;
// prints a table and writes build/bench/initramfs.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { median } from './stats.mjs';
import { boot } from '../tests/lib/qemu.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const tools = {
  none: null,
  gzip: ['gzip', ['-9', '-n', '-c']],
  lz4: ['lz4', ['-l', '-9', '-c']],
  zstd: ['zstd', ['-19', '-q', '-c']],
  xz: ['xz', ['--check=crc32', '-9', '-c']],
};
mkdirSync('build/bench', { recursive: true });
const result = {};
for (const arch of (process.env.ARCHES ?? 'x86_64 aarch64').split(' ')) {
  const cpio = readFileSync(`build/image/${arch}/initramfs.cpio`);
  result[arch] = {};
  for (const [name, tool] of Object.entries(tools)) {
    const bytes = tool ? execFileSync(tool[0], tool[1], { input: cpio, maxBuffer: 1 << 28 }) : cpio;
    const file = `build/bench/initramfs-${arch}.${name}`;
    writeFileSync(file, bytes);
    const init = [];
    for (let i = 0; i < RUNS; i++) {
      const vm = await boot({ arch, initramfs: file, append: 'mcpos.after_ready=poweroff mcpos.boot_json=console' });
      const j = JSON.parse((await vm.waitFor(/mcpos: boot\.json (\{.*\})/))[1]);
      await vm.exited;
      init.push(j.stages[0].ms);
    }
    result[arch][name] = { bytes: bytes.length, kernel_to_init_ms: Math.round(median(init)) };
  }
}
writeFileSync('build/bench/initramfs.json', JSON.stringify(result, null, 2) + '\n');
console.log(`\ninitramfs compression: bytes and kernel time to /init (median of ${RUNS})`);
for (const [arch, r] of Object.entries(result)) {
  console.log(`${arch.padEnd(8)}` + Object.entries(r).map(([n, v]) => `${n} ${v.bytes} B ${v.kernel_to_init_ms} ms`).join(' | '));
}
