#!/usr/bin/env python3
"""scripts/mutants.py: mutation testing of the unload protocol (make mutants).

Each mutant (<kernel/mutant.h>) is the kernel with one safety mechanism
switched off. For each: build it in build/mutants/NAME, boot its ISO on
two CPUs (so the multiprocessor races R16 and R17 run too), run
`race matrix --seeds=N` at the console, and read the matrix. The
mutant is killed when a cell differs from the documented one (the
kernel marks it "!"), or the kernel panics or hangs; it survives when
the matrix is as documented, which means no test proves the mechanism.

Prints one line per mutant, then a table, and exits 1 if any survived.
  --mutants "a b"   which (default: all in the Makefile's MUTANTS)
  --rotate K        K of them, chosen by the day of the year (make test)
  --seeds N         seeds per cell (default 2)
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from run import Qemu, PROMPT, smp_args  # noqa: E402 (tests/run.py)

STRATEGIES = ["naive", "eip", "twophase", "refcount"]


def build(name):
    b = os.path.join("build", "mutants", name)
    r = subprocess.run(["make", "-s", "B=" + b, "MUTANT=" + name, "iso"],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode:
        return None, r.stdout[-1500:] + r.stderr[-1500:]
    return os.path.join(ROOT, b, "quiesce.iso"), ""


def parse_tables(text):
    """The cells marked '!' in the matrix: [(row, strategy, outcome, by)].
    A row is "Rn name" and four cells; a cell that differs from the
    documented one is followed by "!" (cell values have no spaces)."""
    rows = {}
    table = None
    for line in text.replace("\r", "").splitlines():
        if line.startswith("outcome "):
            table = "outcome"
            continue
        if line.startswith("decided by "):
            table = "by"
            continue
        words = line.split()
        if not table or len(words) < 6 or not re.match(r"^R\d+$", words[0]):
            continue
        cells = []
        for w in words[2:]:
            if w == "!":
                cells[-1][1] = True
            elif w.endswith("!"):
                cells.append([w[:-1], True])
            else:
                cells.append([w, False])
        for k, (value, bad) in enumerate(cells[:4]):
            e = rows.setdefault((int(words[0][1:]), words[0] + " " +
                                 words[1], STRATEGIES[k]), {"bad": False})
            e[table] = value
            e["bad"] |= bad
    return [(r, s, e.get("outcome", "?"), e.get("by", "?"))
            for (_, r, s), e in sorted(rows.items()) if e["bad"]]


def run_one(name, seeds):
    t0 = time.monotonic()
    iso, err = build(name)
    if not iso:
        return "error", "does not build: " + err.strip()[-300:], 0
    q = Qemu(iso, extra=smp_args(2))
    if q.wait_for(PROMPT, 60) < 0:
        q.finish(1)
        return "killed", "no prompt (the boot broke)", time.monotonic() - t0
    out = q.command("race matrix --seeds=%d" % seeds, timeout=600)
    text = q.text()
    q.finish(2)
    os.makedirs(os.path.join(ROOT, "build", "mutants"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "mutants", name + ".log"), "w") as f:
        f.write(text)
    took = time.monotonic() - t0
    if out is None:
        why = "kernel panic" if "kernel panic" in text else "hang"
        return "killed", "the race matrix did not finish (%s)" % why, took
    bad = parse_tables(out)
    m = re.search(r"race matrix: (\d+) cell\(s\) differ.*?, (\d+) changed",
                  out)
    if not bad and m and m.group(1) == "0" and m.group(2) == "0":
        return "survived", "the matrix is as documented", took
    # The cells where the mechanism's absence hurts come first.
    bad.sort(key=lambda c: c[2] not in ("uaf", "deadlock", "leak",
                                        "failed", "error"))
    cells = "; ".join("%s %s: %s by=%s" % c for c in bad[:4])
    if len(bad) > 4:
        cells += "; +%d more" % (len(bad) - 4)
    return "killed", "race matrix: " + (cells or "unstable across seeds"), \
        took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutants", default="")
    ap.add_argument("--rotate", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=2)
    a = ap.parse_args()
    names = a.mutants.replace(",", " ").split()
    if not names:
        r = subprocess.run(["make", "-s", "-f", "Makefile", "--eval",
                            "print-mutants: ; @echo $(MUTANTS)",
                            "print-mutants"], cwd=ROOT,
                           capture_output=True, text=True)
        names = r.stdout.split()
    if a.rotate:
        day = datetime.date.today().timetuple().tm_yday
        start = (day * a.rotate) % len(names)
        names = [names[(start + k) % len(names)] for k in range(a.rotate)]
    results = []
    for name in names:
        verdict, why, took = run_one(name, a.seeds)
        results.append((name, verdict, why, took))
        print("mutant %s: %s (%.0f s): %s" % (name, verdict, took, why),
              flush=True)
    print("\n%-22s %-9s %s" % ("mutant", "verdict", "by which test"))
    for name, verdict, why, took in results:
        print("%-22s %-9s %s" % (name, verdict, why))
    bad = [r for r in results if r[1] != "killed"]
    print("mutants: %d killed, %d survived or broken, of %d" %
          (len(results) - len(bad), len(bad), len(results)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
