// tests/lib/serial_transport.mjs - an MCP SDK Transport over a booted VM's
// serial console (tests/lib/qemu.mjs).  mcpd speaks newline-delimited
// JSON-RPC there; the console also carries init's and the kernel's own
// lines, so lines that are not JSON objects are skipped (and kept in
// `.noise` for diagnostics).
export class SerialTransport {
  constructor(vm) { this.vm = vm; this.buf = ''; this.noise = []; this.started = false; }
  async start() {
    if (this.started) throw new Error('already started');
    this.started = true;
    this.vm.onData((chunk) => {
      this.buf += chunk.toString('utf8');
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, '');
        this.buf = this.buf.slice(nl + 1);
        if (!line.startsWith('{')) { this.noise.push(line); continue; }
        let msg;
        try { msg = JSON.parse(line); } catch (e) { this.noise.push(line); continue; }
        this.onmessage?.(msg);
      }
    });
    this.vm.exited.then(() => this.onclose?.(), () => this.onclose?.());
  }
  async send(message) { this.vm.write(JSON.stringify(message) + '\n'); }
  async close() { this.onclose?.(); }
}
