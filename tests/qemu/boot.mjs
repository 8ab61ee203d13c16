// tests/qemu/boot.mjs - issue 2 acceptance in QEMU, for ARCH (env).
// Boots the image at 512 MiB to the ready line, checks the timeline and the
// memory left, and powers off (and reboots) cleanly.
import { boot } from '../lib/qemu.mjs';
import { test, run, diag } from '../lib/tap.mjs';

const arch = process.env.ARCH ?? 'x86_64';
const MIB = 1024;

let bootJson;
test(`${arch}: boots to ready at 512 MiB and powers off cleanly`, async () => {
  const vm = await boot({ arch, append: 'mcpos.after_ready=poweroff mcpos.boot_json=console', timeoutMs: 120000 });
  const ready = await vm.waitFor(/^mcpos: ready boot_ms=(\d+) mem_available_kib=(\d+)$/);
  const j = await vm.waitFor(/^mcpos: boot\.json (\{.*\})$/, 20000);
  bootJson = JSON.parse(j[1]);
  bootJson.ready = { boot_ms: Number(ready[1]), mem_available_kib: Number(ready[2]) };
  await vm.waitFor(/reboot: Power down/, 60000);
  const code = await vm.exited;
  diag(`boot_ms=${ready[1]} mem_available_kib=${ready[2]}`);
  if (code !== 0) throw new Error(`QEMU exit status ${code}`);
});

test(`${arch}: boot timeline has every stage in order`, async () => {
  if (!bootJson) throw new Error('no boot.json (boot failed)');
  if (bootJson.clock !== 'boottime') throw new Error(`clock ${bootJson.clock}`);
  const names = bootJson.stages.map((s) => s.name);
  for (const want of ['kernel', 'mounts', 'config', 'ready']) {
    if (!names.includes(want)) throw new Error(`stage ${want} missing from ${names}`);
  }
  if (!names.some((n) => n.startsWith('service:mcpd'))) throw new Error(`no service:mcpd stage in ${names}`);
  const ms = bootJson.stages.map((s) => s.ms);
  for (let i = 1; i < ms.length; i++) if (ms[i] < ms[i - 1]) throw new Error(`stage ${names[i]} before ${names[i - 1]}`);
  if (Math.abs(bootJson.boot_ms - bootJson.ready.boot_ms) > 1) throw new Error('boot.json and ready line disagree');
});

test(`${arch}: MemAvailable at ready >= 488 MiB`, async () => {
  if (!bootJson) throw new Error('no boot.json (boot failed)');
  const kib = bootJson.ready.mem_available_kib;
  diag(`MemAvailable ${kib} KiB = ${(kib / MIB).toFixed(1)} MiB`);
  if (kib < 488 * MIB) throw new Error(`${kib} KiB < ${488 * MIB} KiB`);
});

test(`${arch}: reboot request restarts the machine`, async () => {
  const vm = await boot({ arch, append: 'mcpos.after_ready=reboot', timeoutMs: 120000 });
  await vm.waitFor(/^mcpos: ready /);
  await vm.waitFor(/reboot: Restarting system/, 60000);
  const code = await vm.exited;   // -no-reboot turns the guest's reboot into an exit
  if (code !== 0) throw new Error(`QEMU exit status ${code}`);
});

test(`${arch}: a malformed mcpos.* key is reported and boot still completes`, async () => {
  const vm = await boot({ arch, append: 'mcpos.threads=lots mcpos.after_ready=poweroff', timeoutMs: 120000 });
  const from = 0;
  await vm.waitFor(/^mcpos: ready /);
  await vm.waitFor(/mcpos\.threads/, 5000, { from });
  await vm.exited;
});

await run({ timeoutMs: 180000 });
