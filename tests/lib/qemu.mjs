// tests/lib/qemu.mjs - the QEMU harness: boot an mcpos image, read its
// serial console line by line, talk to it, wait for it to power off.
//
//   const vm = await boot({ arch: 'x86_64', append: 'mcpos.after_ready=poweroff' });
//   const ready = await vm.waitFor(/mcpos: ready boot_ms=(\d+) mem_available_kib=(\d+)/);
//   const code = await vm.exited;          // resolves with QEMU's exit status
//
// Used by the tests in tests/qemu/, by `make run` (scripts/qemu-run calls
// qemuArgs through `node tests/lib/qemu.mjs --print-args`) and by bench/.
// Everything is event-driven: lines arrive through the console stream and
// waitFor resolves on the first match; every wait has a timeout.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CONSOLE = { x86_64: 'ttyS0', aarch64: 'ttyAMA0' };

// init configures eth0 (src/init/net.h; the kernel's ip= costs ~100 ms of
// emulated boot): QEMU user networking gives the guest 10.0.2.15 with the
// gateway at 10.0.2.2.
export const GUEST_IP = 'mcpos.net=10.0.2.15/24,10.0.2.2';

// Kernel hash tables sized for a system with a few hundred files and a
// handful of connections instead of the defaults scaled from RAM size
// (about 850 KiB saved on a 512 MiB board).
export const SMALL_HASHES = 'dhash_entries=1024 ihash_entries=1024 thash_entries=512 uhash_entries=256';

// x86_64 under QEMU: the boot spends most of its emulated time calibrating
// timers against each other (measured with initcall_debug: ~140 ms for the
// local APIC timer against the PM timer, ~100 ms for the delay loop).  The
// TSC is the clocksource and the delay source on any x86_64 QEMU guest, so
// we say so instead of measuring it: tsc=reliable skips the TSC watchdog,
// lpj presets loops_per_jiffy (only used by delays when there is no TSC),
// noapictimer leaves timer interrupts to the HPET/PIT broadcast device.
// Guest boot to ready went from ~850 ms to ~500 ms.
export const X86_QEMU_TIMING = 'tsc=reliable no_timer_check noapictimer lpj=4000000 random.trust_cpu=on';

export function imagePaths(arch, dir = path.join(root, 'build/image', arch)) {
  return { kernel: path.join(dir, 'kernel'), initramfs: path.join(dir, 'initramfs') };
}

/** A free TCP port on 127.0.0.1 for the host side of a forward. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/**
 * The QEMU command line for an image: [program, args].
 * Entropy: mcpd draws its session ids and token from getrandom(), which
 * blocks until the kernel's CRNG is seeded; with no source that took ~2.6 s
 * of emulated boot.  aarch64 gets a virtio RNG (a Pi 4 has its RNG200,
 * which the kernel carries); x86_64 trusts the CPU's RDRAND
 * (random.trust_cpu=on), which costs no boot time where a virtio-rng-pci
 * device cost ~100 ms of PCI probing.
 */
export function qemuArgs({ arch = 'x86_64', kernel, initramfs, append = '', memory = '512M', smp = 2,
  httpPort = 0, stock = false, extra = [] } = {}) {
  const paths = imagePaths(arch);
  kernel ??= paths.kernel;
  initramfs ??= paths.initramfs;
  const cmdline = [`console=${CONSOLE[arch]}`, 'quiet', 'panic=-1', GUEST_IP,
    ...(stock ? [] : [SMALL_HASHES]), ...(stock || arch !== 'x86_64' ? [] : [X86_QEMU_TIMING]), append].filter(Boolean).join(' ');
  const net = httpPort ? [`-netdev`, `user,id=n0,hostfwd=tcp:127.0.0.1:${httpPort}-:80`]
    : [`-netdev`, `user,id=n0`];
  const common = ['-accel', 'tcg', '-m', memory, '-smp', String(smp), '-nodefaults', '-no-user-config',
    '-display', 'none', '-serial', 'stdio', '-no-reboot',
    '-kernel', kernel, '-initrd', initramfs, '-append', cmdline, ...net, ...extra];
  if (arch === 'x86_64') {
    return ['qemu-system-x86_64', ['-M', 'pc', '-cpu', 'max', ...common,
      '-device', 'virtio-net-pci,netdev=n0,romfile=']];
  }
  if (arch === 'aarch64') {
    return ['qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', ...common,
      '-device', 'virtio-net-device,netdev=n0', '-device', 'virtio-rng-device']];
  }
  throw new Error(`unknown arch ${arch}`);
}

/**
 * Boot an image.  Returns { lines, waitFor, write, kill, exited, output }.
 * `exited` resolves with QEMU's exit code (0 after a guest power-off with
 * -no-reboot) and rejects if the overall timeout fires (QEMU is killed).
 */
export async function boot(opts = {}) {
  const { timeoutMs = 120000, log = process.env.MCPOS_QEMU_LOG === '1' } = opts;
  const [prog, args] = qemuArgs(opts);
  for (const f of [args[args.indexOf('-kernel') + 1], args[args.indexOf('-initrd') + 1]]) {
    if (!existsSync(f)) throw new Error(`${f} missing: run make image ARCH=${opts.arch ?? 'x86_64'}`);
  }
  const t0 = process.hrtime.bigint();
  const child = spawn(prog, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];            // every console line so far
  const waiters = [];          // { re, resolve, reject, timer, from }
  let partial = '';
  let stderr = '';
  const consume = (line) => {
    line = line.replace(/\r$/, '');
    lines.push(line);
    if (log) process.stderr.write(`[${opts.arch ?? 'x86_64'}] ${line}\n`);
    for (const w of [...waiters]) {
      const m = w.re.exec(line);
      if (m) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(m); }
    }
  };
  const rawListeners = [];
  child.stdout.on('data', (buf) => {
    for (const l of rawListeners) l(buf);
    const text = partial + buf.toString('latin1');
    const parts = text.split('\n');
    partial = parts.pop();
    for (const p of parts) consume(p);
  });
  child.stderr.on('data', (b) => { stderr += b; });
  let killTimer;
  const exited = new Promise((resolve, reject) => {
    killTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`QEMU timed out after ${timeoutMs} ms; last console lines:\n${lines.slice(-20).join('\n')}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      if (partial) consume(partial);
      for (const w of waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(`QEMU exited (${code ?? signal}) before ${w.re}; stderr: ${stderr.trim()}\nlast lines:\n${lines.slice(-20).join('\n')}`));
      }
      resolve(code ?? 128);
    });
  });
  exited.catch(() => {});
  const vm = {
    args: [prog, ...args],
    lines,
    startedAt: t0,
    get stderr() { return stderr; },
    exited,
    /** Resolve with the match of the first console line (from now, or from line `from`) matching re. */
    waitFor(re, ms = timeoutMs, { from = lines.length } = {}) {
      for (let i = from; i < lines.length; i++) {
        const m = re.exec(lines[i]);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const w = { re, resolve, reject };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no console line matching ${re} within ${ms} ms; last lines:\n${lines.slice(-20).join('\n')}`));
        }, ms);
        waiters.push(w);
      });
    },
    /** Raw console bytes (for protocol clients on the serial console). */
    onData(fn) { rawListeners.push(fn); },
    write(data) { child.stdin.write(data); },
    kill() { child.kill('SIGKILL'); return exited.catch(() => 128); },
  };
  return vm;
}

// `node tests/lib/qemu.mjs --print-args ARCH [PORT] [APPEND...]` prints the
// command line, one argument per line (scripts/qemu-run execs it).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]) &&
    process.argv[2] === '--print-args') {
  const [arch = 'x86_64', port = '0', ...append] = process.argv.slice(3);
  const [prog, args] = qemuArgs({ arch, httpPort: Number(port), append: append.join(' ') });
  process.stdout.write([prog, ...args].join('\n') + '\n');
}
