#!/usr/bin/env python3
"""tests/fake_qemu.py: a stand-in for qemu-system-i386 that plays a script.

tests/tool_checks.py puts it on PATH as qemu-system-i386 to drive
tests/run.py through situations a real kernel rarely produces (a mangled
result line, a diagnostic that quotes "not ok"). It ignores QEMU's
arguments but the last, the script: console text, and one line
`@exit N`. It prints a banner and the prompt; to any line typed that
starts with "test" it answers with the script's text and the prompt;
to "poweroff" it exits with status N, as the kernel's isa-debug-exit
would.

  fake_qemu.py [QEMU ARGS...] SCRIPT
"""
import sys


def main():
    text, code = [], 0
    with open(sys.argv[-1]) as f:
        for line in f:
            if line.startswith("@exit "):
                code = int(line.split()[1])
            else:
                text.append(line)
    out = sys.stdout
    out.write("Quiesce (fake)\r\nquiesce> ")
    out.flush()
    buf = b""
    while True:
        data = sys.stdin.buffer.read1(4096)
        if not data:
            return 0
        buf += data
        while b"\r" in buf:
            line, buf = buf.split(b"\r", 1)
            line = line.decode(errors="replace").strip()
            out.write(line + "\r\n")
            if line == "poweroff":
                out.flush()
                return code
            if line.startswith("test"):
                out.write("".join(text).replace("\n", "\r\n"))
            out.write("quiesce> ")
            out.flush()


sys.exit(main())
