#!/usr/bin/env python3
"""scripts/bench.py: exact, repeatable figures for Quiesce.

Boots build/kernel.elf directly with QEMU's Multiboot loader (-kernel, the
modules through -initrd, the commands through -append run=...) under
-icount shift=0,sleep=off, where the TSC counts executed instructions: a
GRUB boot reads the disk asynchronously and is not repeatable, a direct
boot is. Runs `bench` twice in two fresh boots and checks that every cycle
figure is identical, writes build/bench.json (one JSON object a line),
prints a table, and measures the host wall time from QEMU start to the
prompt through the real GRUB ISO (median of 5).

  scripts/bench.py [--kernel K] [--iso I] [--modules DIR] [--out F]
                   [--pattern GLOB]
"""
import argparse
import glob
import json
import os
import select
import statistics
import subprocess
import sys
import time

PROMPT = b"quiesce> "


def qemu_direct(kernel, modules, commands):
    cmd = ["qemu-system-i386", "-icount", "shift=0,sleep=off", "-m", "64",
           "-no-reboot", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", kernel, "-append", 'run="%s"' % commands]
    if modules:
        cmd += ["-initrd", ",".join(modules)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    return p.returncode, p.stdout.decode(errors="replace")


def figures(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{") and '"cycles"' in line:
            out.append(json.loads(line))
    return out


def wall_to_prompt(iso, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.Popen(
            ["qemu-system-i386", "-m", "64", "-no-reboot", "-display", "none",
             "-serial", "stdio", "-device",
             "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", iso],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        buf = b""
        while PROMPT not in buf and time.monotonic() - t0 < 30:
            r, _, _ = select.select([p.stdout], [], [], 0.5)
            if r:
                data = os.read(p.stdout.fileno(), 4096)
                if not data:
                    break
                buf += data
        times.append(time.monotonic() - t0)
        p.kill()
        p.wait()
    return statistics.median(times), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default="build/kernel.elf")
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--modules", default="build/modules")
    ap.add_argument("--out", default="build/bench.json")
    ap.add_argument("--pattern", default="*")
    args = ap.parse_args()

    mods = sorted(m for m in glob.glob(os.path.join(args.modules, "*.ko"))
                  if not os.path.basename(m).startswith("bad_"))
    runs = []
    for i in range(2):
        rc, text = qemu_direct(args.kernel, mods,
                               "bench %s; poweroff" % args.pattern)
        figs = figures(text)
        if rc != 33 or not figs:
            sys.stdout.write(text[-3000:])
            print("bench: run %d failed (QEMU exit %d, %d figures)"
                  % (i + 1, rc, len(figs)))
            return 1
        runs.append(figs)
    a = {f["name"]: f["cycles"] for f in runs[0]}
    b = {f["name"]: f["cycles"] for f in runs[1]}
    differ = [n for n in a if a[n] != b.get(n)]

    median, times = wall_to_prompt(args.iso)
    rows = runs[0] + [{"name": "wall_qemu_start_to_prompt_ms",
                       "ms": round(median * 1000, 1),
                       "runs_ms": [round(t * 1000, 1) for t in times]}]
    with open(args.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")

    print("%-44s %14s %8s" % ("figure (QEMU -icount shift=0)", "cycles/op", "n"))
    for fig in runs[0]:
        print("%-44s %14d %8d" % (fig["name"], fig["cycles"], fig["n"]))
    print("%-44s %11.1f ms  (median of %d GRUB ISO boots)"
          % ("wall: QEMU start to prompt", median * 1000, len(times)))
    print("bench: wrote %s" % args.out)
    if differ:
        print("bench: FAILED: figures differ between two runs: %s"
              % ", ".join("%s (%d vs %d)" % (n, a[n], b.get(n, -1))
                          for n in differ))
        return 1
    print("bench: two runs gave identical cycle figures")
    return 0


sys.exit(main())
