#!/usr/bin/env python3
"""scripts/soak.py: `make soak`: the unload stress test across many seeds.

For twophase and refcount: one boot each, then rounds of `stress
--cycles=N --strategy=S --busy=P --seed=K` for K = 1..SEEDS (the busy
policy turning through fail, wait and delayed with the seed),
the strategies taking turns, until each has done --cycles unload cycles
in all (or --hours have passed: then the table says how far it got).
Every run must end `stress: SUCCESS` with memory at its baseline. For the negative control,
naive: one boot per seed (a naive failure leaves references behind), and
every seed must end `stress: FAILURE (use-after-free ...)`, caught.

At the end, one table (markdown) with, per strategy: seeds, runs passed,
unload cycles, refusals, delayed deletes, re-registrations, faults,
leaked frames, longest quiesce; and for naive the seeds caught and how
fast. Exit status 0 when every twophase/refcount run passed and every
naive run was caught.

  scripts/soak.py [--iso build/quiesce.iso] [--seeds 20]
                  [--cycles 1000000] [--per-run 5000] [--hours H]
                  [--strategies twophase,refcount] [--table FILE]
                  [--smp N]

--smp N boots N CPUs running in parallel (-accel tcg,thread=multi; make
soak SOAK_SMP=4).

--cycles is the total per strategy (make soak: 1,000,000; make test's
short tier: 4,000); one run does at most --per-run of them. The table
file is rewritten after every run, so a long soak stopped early still
says how far it got.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

PROMPT = b"quiesce> "
BUSY = ("fail", "wait", "delayed")
STATS = re.compile(r"cycles (\d+)/(\d+)\s+refused (\d+)\s+delayed (\d+)\s+"
                   r"rereg (\d+)\s+faults (\d+)\s+leaked (\d+)\s+maxq (\d+)")
TSC = re.compile(r"# tsc: (\d+) cycles per ms")
SCALE = float(os.environ.get("TIMEOUT_SCALE", "1"))


SMP = []         # --smp N: QEMU's arguments for N CPUs in parallel


class Boot:
    def __init__(self, iso):
        self.p = subprocess.Popen(
            ["qemu-system-i386", "-m", "64", "-no-reboot", "-display",
             "none", "-serial", "stdio", "-device",
             "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", iso] + SMP,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.out = bytearray()
        self.ok = self.wait(PROMPT, 0, 30) >= 0

    def wait(self, pat, start, timeout):
        deadline = time.monotonic() + timeout * SCALE
        while True:
            i = self.out.find(pat, start)
            if i >= 0:
                return i + len(pat)
            left = deadline - time.monotonic()
            if left <= 0:
                return -1
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 1))
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    return -1
                self.out += data

    def command(self, line, timeout):
        mark = len(self.out)
        self.p.stdin.write((line + "\r").encode())
        self.p.stdin.flush()
        end = self.wait(PROMPT, mark + len(line), timeout)
        if end < 0:
            return None
        return bytes(self.out[mark:end]).decode(errors="replace")

    def close(self):
        try:
            self.p.stdin.write(b"poweroff\r")
            self.p.stdin.flush()
            self.p.wait(10)
        except Exception:
            pass
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def new_totals():
    return dict(runs=0, passed=0, cycles=0, refused=0, delayed=0, rereg=0,
                faults=0, leaked=0, maxq=0, maxq_ms=0.0, failures=[],
                seeds=set())


def run_one(b, strategy, seed, per_run, tot, log):
    """One stress run in boot b. Return: False if the boot is lost."""
    busy = BUSY[seed % len(BUSY)]
    line = ("stress --cycles=%d --strategy=%s --busy=%s --seed=%d "
            "--interval=600" % (per_run, strategy, busy, seed))
    t0 = time.monotonic()
    out = b.command(line, 120 + per_run / 50)
    tot["runs"] += 1
    tot["seeds"].add(seed)
    log.write("$ %s\n%s\n" % (line, out or "(no prompt: hang?) the last "
                                "of the console:\n" + bytes(b.out[-3000:])
                                .decode(errors="replace")))
    log.flush()
    if out is None or "kernel panic" in out:
        tot["failures"].append("seed %d: hang or panic" % seed)
        return False
    stats = STATS.findall(out)
    tsc = TSC.search(out)
    ok = "stress: SUCCESS" in out and stats
    if stats:
        loads, unloads, refused, delayed, rereg, faults, leaked, maxq = (
            int(x) for x in stats[-1])
        tot["cycles"] += unloads
        tot["refused"] += refused
        tot["delayed"] += delayed
        tot["rereg"] += rereg
        tot["faults"] += faults
        tot["leaked"] += leaked
        if maxq > tot["maxq"]:
            tot["maxq"] = maxq
            tot["maxq_ms"] = maxq / int(tsc.group(1)) if tsc else 0
    if ok:
        tot["passed"] += 1
    else:
        m = re.search(r"stress: FAILURE \((.*)\)", out)
        tot["failures"].append("seed %d: %s" % (
            seed, m.group(1) if m else "no verdict"))
    print("soak: %s seed %d busy=%s: %s, %s, %.0f s (total %d cycles)" % (
        strategy, seed, busy, "SUCCESS" if ok else "FAILURE",
        " ".join(stats[-1]) if stats else "no stats",
        time.monotonic() - t0, tot["cycles"]), flush=True)
    return True


def run_strategies(iso, strategies, seeds, target, per_run, deadline, log,
                   progress):
    """Round after round over the seeds, one run per strategy and seed,
    each strategy in its own boot, until every strategy has target
    unload cycles or the deadline passes. Return: {strategy: totals}."""
    tots = {s: new_totals() for s in strategies}
    boots = {}
    while any(tots[s]["cycles"] < target for s in strategies):
        for seed in range(1, seeds + 1):
            for s in strategies:
                if tots[s]["cycles"] >= target or time.monotonic() > deadline:
                    continue
                if s not in boots:
                    boots[s] = Boot(iso)
                    if not boots[s].ok:
                        tots[s]["failures"].append("no boot")
                        boots.pop(s).close()
                        continue
                if not run_one(boots[s], s, seed, per_run, tots[s], log):
                    boots.pop(s).close()
                progress(tots)
        if time.monotonic() > deadline:
            break
    for b in boots.values():
        b.close()
    return tots


def run_naive(iso, seeds, log):
    tot = dict(runs=0, caught=0, first_ms=[], failures=[])
    for seed in range(1, seeds + 1):
        b = Boot(iso)
        tot["runs"] += 1
        if not b.ok:
            tot["failures"].append("seed %d: no boot" % seed)
            b.close()
            continue
        line = "stress --duration=20 --strategy=naive --seed=%d" % seed
        out = b.command(line, 90) or ""
        log.write("$ %s\n%s\n" % (line, out))
        b.close()
        caught = ("stress: FAILURE (" in out and "use-after-free" in out)
        m = re.search(r"# failed (\d+) ms into the run", out)
        if caught:
            tot["caught"] += 1
            if m:
                tot["first_ms"].append(int(m.group(1)))
        else:
            tot["failures"].append("seed %d: naive was not caught" % seed)
        print("soak: naive seed %d: %s%s" % (
            seed, "caught" if caught else "NOT CAUGHT",
            " after %s ms" % m.group(1) if m else ""), flush=True)
    return tot


def table(results, naive, seeds, out):
    """results: [(strategy, totals)]."""
    out.write("| strategy | seeds | runs passed | unload cycles | refusals "
              "| delayed | re-registered | faults | leaks | longest quiesce "
              "|\n|---|---|---|---|---|---|---|---|---|---|\n")
    for s, t in results:
        out.write("| %s | %d | %d/%d | %d | %d | %d | %d | %d | %d | %s |\n"
                  % (s, len(t["seeds"]), t["passed"], t["runs"], t["cycles"],
                     t["refused"], t["delayed"], t["rereg"], t["faults"],
                     t["leaked"], "none (no quiesce)" if t["maxq"] == 0
                     else "%d cycles (%.1f ms)" % (t["maxq"], t["maxq_ms"])))
    if naive:
        ms = naive["first_ms"]
        out.write("| naive (control) | %d | caught in %d/%d | | | | | "
                  "use-after-free caught %s | | |\n" % (
                      seeds, naive["caught"], naive["runs"],
                      "after %d to %d ms" % (min(ms), max(ms)) if ms
                      else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--cycles", type=int, default=1000000,
                    help="unload cycles per strategy, over all seeds")
    ap.add_argument("--per-run", type=int, default=5000,
                    help="--cycles of one stress run (at most)")
    ap.add_argument("--hours", type=float, default=0,
                    help="stop the rounds after this long (0: no limit)")
    ap.add_argument("--strategies", default="twophase,refcount")
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--table")
    ap.add_argument("--log", default="build/soak.log")
    ap.add_argument("--smp", type=int, default=1)
    a = ap.parse_args()
    if a.smp > 1:
        SMP[:] = ["-smp", str(a.smp), "-accel", "tcg,thread=multi"]
    strategies = a.strategies.split(",")
    per_run = max(1, min(a.per_run, -(-a.cycles // a.seeds)))
    deadline = time.monotonic() + (a.hours * 3600 if a.hours else 1e9)
    os.makedirs(os.path.dirname(a.log) or ".", exist_ok=True)
    t0 = time.monotonic()

    def write_table(tots, naive=None, note="in progress"):
        if not a.table:
            return
        with open(a.table, "w") as f:
            table([(s, tots[s]) for s in strategies], naive, a.seeds, f)
            f.write("\n%d seeds, `stress --cycles=%d` per run, %.0f s wall "
                    "(%s).\n" % (a.seeds, per_run, time.monotonic() - t0,
                                  note))

    with open(a.log, "w") as log:
        tots = run_strategies(a.iso, strategies, a.seeds, a.cycles, per_run,
                              deadline, log, write_table)
        naive = None if a.no_naive else run_naive(a.iso, a.seeds, log)
    secs = time.monotonic() - t0
    results = [(s, tots[s]) for s in strategies]
    table(results, naive, a.seeds, sys.stdout)
    print("# %d seeds, --cycles=%d per run, %.0f s wall; console log in %s"
          % (a.seeds, per_run, secs, a.log))
    write_table(tots, naive, "done")
    bad = [f for _, t in results for f in t["failures"]]
    bad += naive["failures"] if naive else []
    bad += ["%s: %d cycles, fewer than asked" % (s, t["cycles"])
            for s, t in results if t["cycles"] < a.cycles]
    for f in bad:
        print("soak: FAILED: " + f)
    print("soak: %s" % ("FAILURE" if bad else "SUCCESS"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
