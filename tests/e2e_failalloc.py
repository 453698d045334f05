#!/usr/bin/env python3
"""tests/e2e_failalloc.py: every allocation failure survived (issue 13).

Boots the ISO and types one `failalloc sweep` per operation at the prompt
(kernel/race/failalloc_cmds.c): the kernel fails the 1st, 2nd, ... allocation
of the operation (heap, frames, vmap), one per attempt, until the
operation runs to its end without reaching the failing allocation. This
script then reads every attempt from the console and checks:

  - each attempt ends in ENOMEM with exactly one `error: ... (ENOMEM)`
    line (a sentence, not an empty message), or as the unfailed run ends
    (success with no error line, or a bad module's own error);
  - no panic, no fault report, no use-after-free report, no watchdog
    report, no hang (a timeout per sweep);
  - frames, heap, module pages, vmap pages, tasks and the module list are
    back at the baseline after each attempt (the kernel checks, and says
    LEAK otherwise);
  - the count of injection points per operation, printed as a table.

The operations: insmod of every module file on the ISO, rmmod with each
strategy and busy policy, kthread create (spawn) and stop+reap (kill),
freeze and thaw, race run of every scenario, a short seeded stress run.
Then random sweeps (`--random=0.1`, 20 seeds): several failures in one
operation, so error paths of error paths run too.

    python3 tests/e2e_failalloc.py [--iso build/quiesce.iso] [--quick]
    make failalloc                  (the same, every operation)

make test runs the --quick subset from run.py (see operations()).
Exit status 0 when every sweep is clean.
"""
import os
import re
import sys
import time

STRATEGIES = ("naive", "eip", "twophase", "refcount")
BUSY = ("fail", "wait", "delayed")
NEEDS = {"mathuser": "mathlib", "stress_user": "stress_self"}
# bad_stuck's thread ignores kthread_stop for stubborn_ms (0: forever):
# with 0 no undo could unload it, so the sweep gives it a bound.
PARAMS = {"bad_stuck": " stubborn_ms=50"}
# make test sweeps these scenarios only: the others hold a task at a race
# point and wait out ARRIVE_MS on each attempt whose client could not
# start (8 to 40 s a sweep); make failalloc sweeps them all.
QUICK_SCENARIOS = ("R1", "R2", "R3", "R6", "R10", "R11")
STRESS = "stress --cycles=5 --sched=seeded --seed=1 --interval=60"

ATTEMPT = re.compile(r"^failalloc: \[(\d+)\] (?:nth|seed)=\d+\r?$", re.M)
RESULT = re.compile(r"^failalloc: \[(\d+)\] ret=(\S+) injected=(yes|no) "
                    r"seen=(\d+)", re.M)
SUMMARY = re.compile(r"^failalloc: sweep '(.*)': (\d+) injection points "
                     r"tried: (\d+) ENOMEM, (\d+) ended as unfailed "
                     r"\((\S+)\); (\d+) bad results, (\d+) leaks, (\d+) "
                     r"faults", re.M)
RANDOM_SUMMARY = re.compile(r"^failalloc: random sweep '(.*)' p=\S+: (\d+) "
                            r"runs, (\d+) allocations failed in all; runs: (\d+) "
                            r"ENOMEM, (\d+) ended as unfailed \((\S+)\); "
                            r"(\d+) bad results, (\d+) leaks, (\d+) faults",
                            re.M)
# Random sweeps (several failures per operation): p, runs, operations.
RANDOM = (0.1, 20, ["insmod worker", "rmmod worker", "race run R6",
                    "spawn sleeper", STRESS])
ERROR_LINE = re.compile(r"^error: (.*) \((E[A-Z0-9]+)\)\r?$", re.M)
ALARMS = ("kernel panic", "page fault:", "use-after-free:", "killed task",
          "watchdog:", "general protection", "BAD RESULT", "LEAK",
          "FAULT:", "assertion")


def operations(files, scenarios, quick=False):
    """(label, setup, undo, op[, sweep options]) for every operation of
    the issue, then a few random sweeps (p=0.1, 20 seeds each). quick
    (make test) leaves out the slowest repeats: eip with busy policies
    other than fail (each eip attempt waits out a deadlock), the race
    scenarios under refcount (twophase plays the same harness) and all
    but QUICK_SCENARIOS, and the random stress sweep."""
    ops = []
    for name in files:
        dep = NEEDS.get(name)
        setup = "insmod " + dep if dep else ""
        undo = "rmmod " + name + ("; rmmod " + dep if dep else "")
        op = "insmod " + name + PARAMS.get(name, "")
        ops.append((op, setup, undo, op))
    for s in STRATEGIES:
        for b in BUSY:
            if quick and s == "eip" and b != "fail":
                continue
            op = "rmmod --strategy=%s --busy=%s worker" % (s, b)
            ops.append((op, "insmod worker", "rmmod worker", op))
    ops.append(("rmmod mathuser (a user of mathlib)",
                "insmod mathlib; insmod mathuser",
                "rmmod mathuser; rmmod mathlib", "rmmod mathuser"))
    ops.append(("kthread create (spawn sleeper)", "", "kill %t",
                "spawn sleeper"))
    ops.append(("kthread stop+reap (kill)", "spawn sleeper", "", "kill %t"))
    ops.append(("freeze (2 threads)", "spawn sleeper; spawn yielder",
                "thaw; kill %t; kill %t", "freeze"))
    ops.append(("thaw", "spawn sleeper; freeze", "kill %t", "thaw"))
    for r in scenarios:
        if quick and r not in QUICK_SCENARIOS:
            continue
        for s in ("twophase",) if quick else ("twophase", "refcount"):
            op = "race run %s --strategy=%s" % (r, s)
            ops.append((op, "", "", op))
    ops.append((STRESS, "", "", STRESS))
    p, runs, random_ops = RANDOM
    for op in random_ops:
        setup = "insmod worker" if op == "rmmod worker" else ""
        undo = {"insmod worker": "rmmod worker", "rmmod worker":
                "rmmod worker", "spawn sleeper": "kill %t"}.get(op, "")
        if quick and op == STRESS:
            continue
        ops.append(("%s, p=%g, %d seeds" % (op, p, runs), setup, undo,
                    op, "--random=%g --max=%d" % (p, runs)))
    return ops


def sweep_command(setup, undo, op, extra=""):
    line = "failalloc sweep" + (" " + extra if extra else "")
    if setup:
        line += ' --setup="%s"' % setup
    if undo:
        line += ' --undo="%s"' % undo
    return line + ' "%s"' % op


def check_sweep(text):
    """Return (points, problems, how the attempts ended) for one sweep's
    console output."""
    problems = []
    for alarm in ALARMS:
        if alarm in text:
            problems.append("'%s' on the console" % alarm)
    starts = [(int(m.group(1)), m.end()) for m in ATTEMPT.finditer(text)]
    results = {int(m.group(1)): (m.start(), m.group(2), m.group(3))
               for m in RESULT.finditer(text)}
    for n, begin in starts:
        if n not in results:
            problems.append("attempt %d has no result" % n)
            continue
        end, ret, injected = results[n]
        errors = ERROR_LINE.findall(text[begin:end])
        if ret == "ENOMEM" and injected == "yes":
            ok = (len(errors) == 1 and errors[0][1] == "ENOMEM" and
                  re.search(r"[a-z]{3,}", re.sub(r"^\S+\.ko:", "",
                                                  errors[0][0])))
            if not ok:
                problems.append("attempt %d: ENOMEM without one clear "
                                "error line: %r" % (n, errors))
        elif ret == "0" and errors:
            problems.append("attempt %d: success, yet %r" % (n, errors))
        elif ret not in ("0", "ENOMEM") and \
                not any(e[1] == ret for e in errors):
            problems.append("attempt %d: %s without its error line" %
                            (n, ret))
    r = RANDOM_SUMMARY.search(text)
    if r:
        if int(r.group(7)) or int(r.group(8)) or int(r.group(9)):
            problems.append(r.group(0))
        if len(starts) != int(r.group(2)):
            problems.append("%d runs for %s" % (len(starts), r.group(2)))
        return int(r.group(3)), problems, "runs: %s ENOMEM, %s as unfailed " \
            "(%s), in %s runs" % (r.group(4), r.group(5), r.group(6),
                                  r.group(2))
    m = SUMMARY.search(text)
    if not m:
        problems.append("no summary line")
        return 0, problems, ""
    points = int(m.group(2))
    ended = "%s ENOMEM, %s as unfailed (%s)" % m.group(3, 4, 5)
    if int(m.group(6)) or int(m.group(7)) or int(m.group(8)):
        problems.append(m.group(0))
    if len(starts) != points + 1:
        problems.append("%d attempts for %d points" % (len(starts), points))
    return points, problems, ended


def run_all(res, iso, boot, power_off, timeout=600, quick=False):
    table = []
    q = boot(res, iso, "e2e-failalloc")
    if not q:
        return table
    out = q.command("ls") or ""
    files = sorted(re.findall(r"^  (\S+)\s+\d+ bytes", out, re.M))
    if not res.check(len(files) > 5, "e2e: failalloc: ls lists the modules",
                     repr(out[:300])):
        q.finish(1)
        return table
    out = q.command("race list") or ""
    scenarios = re.findall(r"^  (R\d+) ", out, re.M)
    res.check(len(scenarios) >= 10, "e2e: failalloc: race list lists the "
              "scenarios", repr(out[:300]))
    for label, setup, undo, op, *extra in operations(files, scenarios,
                                                     quick):
        if q is None:
            q = boot(res, iso, "e2e-failalloc")
            if not q:
                return table
        t0 = time.monotonic()
        out = q.command(sweep_command(setup, undo, op, *extra),
                        timeout=timeout)
        secs = time.monotonic() - t0
        if out is None:
            path = q.save_log("e2e-failalloc")
            table.append((label, None, ["hang or panic (log: %s)" % path],
                          secs, ""))
            res.fail("e2e: failalloc: %s" % label, "no prompt within %d s"
                     " (log: %s)" % (timeout, path))
            q.finish(1)
            q = None
            continue
        points, problems, ended = check_sweep(out)
        table.append((label, points, problems, secs, ended))
        if problems:
            path = q.save_log("e2e-failalloc")
            res.fail("e2e: failalloc: %s: %d points" % (label, points),
                     "; ".join(problems[:5]) + " (log: %s)" % path)
        else:
            res.ok("e2e: failalloc: %s: %d injection points, each ENOMEM "
                   "or clean, 0 leaks" % (label, points))
    if q:
        power_off(res, q, "e2e-failalloc")
    return table


def e2e_failalloc(res, iso, boot, power_off):
    """make test's part: the quick subset, and the total printed."""
    table = run_all(res, iso, boot, power_off, quick=True)
    print("# failalloc: %d injection points over %d operations" % (
        sum(row[1] or 0 for row in table), len(table)), flush=True)


def print_table(table, out=sys.stdout):
    total = sum(row[1] or 0 for row in table)
    out.write("| operation | injection points | ended | result | seconds |\n")
    out.write("|---|---|---|---|---|\n")
    for label, points, problems, secs, split in table:
        out.write("| `%s` | %s | %s | %s | %.1f |\n" % (
            label, "?" if points is None else points, split,
            "ok" if not problems else "; ".join(problems[:2]), secs))
    out.write("| total (%d operations) | %d | | | |\n" % (len(table), total))


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--table", help="write the markdown table here")
    ap.add_argument("--quick", action="store_true",
                    help="the subset make test runs")
    args = ap.parse_args()
    sys.argv = [sys.argv[0]]
    here = os.path.dirname(os.path.abspath(__file__))
    src = open(os.path.join(here, "run.py")).read().replace("\nmain()\n",
                                                            "\n")
    g = {"__name__": "run"}
    exec(compile(src, "run.py", "exec"), g)
    res = g["Results"]()
    table = run_all(res, args.iso, g["boot"], g["power_off"],
                    quick=args.quick)
    print_table(table)
    if args.table:
        with open(args.table, "w") as f:
            print_table(table, f)
    print("%d passed, %d failed" % (res.passed, res.failed))
    sys.exit(1 if res.failed else 0)
