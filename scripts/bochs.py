#!/usr/bin/env python3
"""scripts/bochs.py: Quiesce in Bochs (issue 16 item 6; `make bochs`).

Boots build/quiesce.iso in Bochs (BIOS-bochs-latest, the LGPL VGA BIOS,
the CD-ROM on ata0) with COM1 on a local TCP socket, and drives the
console through it exactly as tests/run.py drives QEMU's:

  scripts/bochs.py [--iso I]            run the KTAP suites (`test all`),
                                        print every case and one final line
                                        "bochs: N passed, N failed"; exit
                                        status 0 only if all passed
  scripts/bochs.py --console [--iso I]  the serial console on this terminal
                                        (Ctrl-] quits)

Time in Bochs: `clock: sync=none` makes the guest's clock follow the
instructions executed (IPS of them per emulated second), not the host's
wall clock, so every time limit inside the kernel (watchdog, waits in
ticks) is a count of work, the same on a busy or an idle host. IPS is
set to what QEMU runs the kernel at on this class of machine, so the
kernel's limits mean what they mean under QEMU. The host-side timeouts
(how long this script waits for a prompt) are scaled by BOCHS_SCALE,
measured: Bochs reaches the prompt in about 11 s where QEMU takes 1.

Bochs has no isa-debug-exit device: `poweroff` powers it off through
ACPI (Bochs exits with status 1 whatever the verdict), so the verdict is
the kernel's own line "poweroff: N test cases run, M failed", read here.
"""
import argparse
import os
import re
import select
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOCHS_SCALE = float(os.environ.get("BOCHS_SCALE", "15"))
os.environ["TIMEOUT_SCALE"] = str(BOCHS_SCALE *
                                  float(os.environ.get("TIMEOUT_SCALE", "1")))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import run  # noqa: E402  (reads TIMEOUT_SCALE at import)

IPS = int(os.environ.get("BOCHS_IPS", "200000000"))
ECHO = False            # the console's bytes, live, on this terminal
RC = """megs: {mem}
cpu: ips={ips}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode=socket-server, dev=localhost:{port}
display_library: rfb, options="timeout=0"
clock: sync=none, time0=local
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: {log}
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
"""


def free_port():
    s = socket.socket()
    s.bind(("localhost", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Bochs(run.Qemu):
    """A Bochs with COM1 on a socket, with tests/run.py's Qemu interface."""

    def __init__(self, iso, mem=64, extra=()):
        d = os.path.join(ROOT, "build", "bochs")
        os.makedirs(d, exist_ok=True)
        port = free_port()
        rc = os.path.join(d, "bochsrc")
        with open(rc, "w") as f:
            f.write(RC.format(mem=mem, ips=IPS, iso=os.path.abspath(iso),
                              port=port, log=os.path.join(d, "bochs.log")))
        self.cmd = ["bochs", "-q", "-f", rc]
        self.stdout = open(os.path.join(d, "stdout.log"), "wb")
        # Debian's Bochs has the debugger built in: "c" starts the CPU.
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE,
                                     stdout=self.stdout,
                                     stderr=subprocess.STDOUT, cwd=d)
        self.proc.stdin.write(b"c\n")
        self.proc.stdin.flush()
        self.out = bytearray()
        self.start = time.monotonic()
        self.sock = None
        for _ in range(100):
            try:
                self.sock = socket.create_connection(("localhost", port), 1)
                break
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)

    def read_some(self, timeout):
        if not self.sock:
            return None
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            return None
        self.out += data
        if ECHO:
            os.write(sys.stdout.fileno(), data)
        return True

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        try:
            self.sock.sendall(data)
        except (OSError, AttributeError):
            pass

    def finish(self, timeout=10):
        """Wait for Bochs to power off. Return: 33 or 35 from the kernel's
        poweroff line (as QEMU's debug-exit device would), 0 if it stopped
        without one, None if it did not stop."""
        if super().finish(timeout) is None:
            return None
        m = re.findall(r"poweroff: \d+ test cases run, (\d+) failed",
                       self.text())
        if not m:
            return 0
        return run.EXIT_SUCCESS if m[-1] == "0" else run.EXIT_FAILURE


def console(iso):
    import termios
    import tty
    b = Bochs(iso)
    if not b.sock:
        print("bochs: no serial connection (see build/bochs/)")
        return 1
    print("(Bochs: the serial console; Ctrl-] quits)")
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    tty.setraw(fd)
    try:
        while True:
            r, _, _ = select.select([b.sock, fd], [], [])
            if b.sock in r:
                data = b.sock.recv(65536)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if fd in r:
                data = os.read(fd, 1024)
                if b"\x1d" in data:
                    break
                b.sock.sendall(data)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
        b.proc.kill()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--console", action="store_true")
    ap.add_argument("--pattern", default="all")
    ap.add_argument("--quiet", action="store_true",
                    help="do not echo the console, only the verdicts")
    a = ap.parse_args()
    if a.console:
        return console(a.iso)
    global ECHO
    ECHO = not a.quiet
    run.Qemu = Bochs            # run_kernel() boots through boot(): Bochs
    res = run.Results()
    t0 = time.monotonic()
    # run_kernel scales its timeout by TIMEOUT_SCALE (BOCHS_SCALE here);
    # BOCHS_TIMEOUT is the wall-clock bound for the whole `test all`.
    run.run_kernel(res, a.iso, a.pattern, name="bochs",
                   timeout=float(os.environ.get("BOCHS_TIMEOUT", "2400")) /
                   run.SCALE)
    print("# %.0f s in Bochs (IPS %d)" % (time.monotonic() - t0, IPS))
    if res.failures:
        print("# failed: " + ", ".join(res.failures[:20]))
    print("bochs: %d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed or not res.passed else 0


if __name__ == "__main__":
    sys.exit(main())
