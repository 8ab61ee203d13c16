#!/bin/sh
# tests/host/mcpd_serial.sh - mcpd --serial on a pseudo-terminal, as on the
# image's console: raw mode (a line far past the tty's 4095-byte canonical
# limit arrives whole, nothing is echoed back), NUL and CR bytes ignored.
# Needs python3 for the pty.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

MCPD=$PWD/build/x86_64/mcpd
if [ ! -x "$MCPD" ] && ! make -s build/x86_64/mcpd >/dev/null; then
	not_ok "mcpd_serial: build/x86_64/mcpd builds"
	tap_done
fi
if ! command -v python3 >/dev/null; then
	skip "mcpd_serial: pty" "python3 is not installed"
	tap_done
fi

python3 - "$MCPD" <<'PY'
import json, os, pty, select, subprocess, sys, termios

mcpd = sys.argv[1]
master, slave = pty.openpty()
# Start in the tty's default (cooked, echoing) mode: mcpd must fix it.
# Wait for "ready" (sent once raw mode is set) before writing, as init
# does: input typed into a cooked tty would be echoed.
rfd, wfd = os.pipe()
p = subprocess.Popen([mcpd, "--stdio", "--serial", "--test"], stdin=slave, stdout=slave,
                     stderr=subprocess.DEVNULL, pass_fds=(wfd,),
                     env=dict(os.environ, MCPOS_READY_FD=str(wfd)))
os.close(slave)
os.close(wfd)
ready = os.read(rfd, 16)
os.close(rfd)
buf = b""

def line(timeout=10):
    global buf
    while b"\n" not in buf:
        r, _, _ = select.select([master], [], [], timeout)
        if not r:
            raise TimeoutError("no answer")
        buf += os.read(master, 65536)
    l, buf = buf.split(b"\n", 1)
    return json.loads(l)

def send(b):
    # The pty's input queue is small: write in pieces, reading as we go.
    global buf
    view = memoryview(b)
    while view:
        _, w, _ = select.select([master], [master], [], 10)
        if w:
            n = os.write(master, view[:1024])
            view = view[n:]
        r, _, _ = select.select([master], [], [], 0)
        if r:
            buf += os.read(master, 65536)

failed = False
print(("ok " if ready == b"ready\n" else "not ok ") + "mcpd_serial: ready on MCPOS_READY_FD")
failed = ready != b"ready\n"
def check(name, cond):
    global failed
    print(("ok " if cond else "not ok ") + "mcpd_serial: " + name)
    failed |= not cond

init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "s", "version": "1"}}}
send(b"\0\0" + json.dumps(init).encode() + b"\r\n")
r = line()
check("initialize through NUL and CRLF noise", r.get("id") == 1 and r["result"]["protocolVersion"] == "2025-11-25")
check("no echo of the input", not buf)

text = "x" * 20000
send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                 "params": {"name": "echo", "arguments": {"text": "t", "tags": [text]}}}).encode() + b"\r")
send(b"\n")
r = line()
check("a 20 KB line arrives whole (raw mode, no 4095-byte cut)",
      r.get("id") == 2 and r["result"]["structuredContent"]["tags"] == [text])

send(b'{"jsonrpc":"2.0",\r"id":3,\0"method":"ping"}\n')
r = line()
check("CR and NUL inside a line are dropped", r.get("id") == 3 and r.get("result") == {})

attrs = termios.tcgetattr(master)
check("terminal left without ICANON and ECHO", not (attrs[3] & (termios.ICANON | termios.ECHO)))

p.terminate()
p.wait(timeout=10)
attrs = termios.tcgetattr(master)
check("terminal settings restored at exit", bool(attrs[3] & termios.ICANON))
sys.exit(1 if failed else 0)
PY
