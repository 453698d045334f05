#!/usr/bin/env python3
"""scripts/stress.py: `make stress`: a long unload torture run on the ISO.

Boots build/quiesce.iso in QEMU (no window, serial console on pipes), types
`stress ARGS` at the prompt as a user would, streams the console here while
it runs, then powers off. Exit status: 0 on `stress: SUCCESS`, 1 on
`stress: FAILURE (...)`, a panic, a hang or QEMU dying, 2 on bad usage.

  scripts/stress.py [--iso build/quiesce.iso] [--timeout S] [ARGS...]

ARGS default to --duration=300 (five minutes); `make stress
STRESS_ARGS="--strategy=refcount --duration=60 --seed=7"` passes others.
The timeout defaults to the duration plus two minutes (plus
TIMEOUT_SCALE); a --cycles run gets an hour.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

PROMPT = b"quiesce> "
VERDICT = re.compile(rb"stress: (SUCCESS|FAILURE \(.*\))\r?\n")
FATAL = re.compile(rb"(PANIC|panic:|Kernel panic)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--timeout", type=float, default=0)
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    args = a.args or ["--duration=300"]
    line = "stress " + " ".join(args)
    if len(line) > 250:
        print("stress.py: the stress line is too long", file=sys.stderr)
        return 2
    m = re.search(r"--duration=(\d+)", line)
    timeout = a.timeout or ((int(m.group(1)) + 120) if m
                            else (3600 if "--cycles" in line else 140))
    timeout *= float(os.environ.get("TIMEOUT_SCALE", "1"))

    cmd = ["qemu-system-i386", "-m", "64", "-no-reboot", "-display", "none",
           "-serial", "stdio", "-device",
           "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", a.iso]
    q = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = bytearray()
    shown = 0
    deadline = time.monotonic() + 30
    sent = False
    verdict = None
    while time.monotonic() < deadline:
        r, _, _ = select.select([q.stdout], [], [], 0.2)
        if r:
            data = os.read(q.stdout.fileno(), 65536)
            if not data:
                break
            out += data
            sys.stdout.write(out[shown:].decode(errors="replace"))
            sys.stdout.flush()
            shown = len(out)
        if not sent and PROMPT in out:
            q.stdin.write((line + "\r").encode())
            q.stdin.flush()
            sent = True
            deadline = time.monotonic() + timeout
        v = VERDICT.search(bytes(out))
        if v:
            verdict = v.group(1).decode(errors="replace")
            break
        if FATAL.search(bytes(out)):
            verdict = "FAILURE (the kernel panicked)"
            break
    if verdict is None:
        verdict = ("FAILURE (no verdict in %d s: a hang?)" % timeout
                   if sent else "FAILURE (no prompt: the boot failed)")
    try:
        q.stdin.write(b"poweroff\r")
        q.stdin.flush()
        q.wait(10)
    except (BrokenPipeError, subprocess.TimeoutExpired):
        q.kill()
        q.wait()
    rest = q.stdout.read() or b""
    sys.stdout.write(rest.decode(errors="replace"))
    print("\nmake stress: %s" % verdict)
    return 0 if verdict == "SUCCESS" else 1


if __name__ == "__main__":
    sys.exit(main())
