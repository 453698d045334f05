#!/usr/bin/env python3
"""scripts/grade.py: grade a lab (make grade; docs/labs/README.md).

Boots the ISO once, types each lab's commands at the console like a
student would, and scores what the kernel prints:

  ktap   each case of an in-kernel suite (`test SUITE`)
  race   a cell of the race catalogue (`race run Rn --strategy=S`): the
         outcome and the detector must be the documented ones
  check  a console check: a command and what its output must say

Lab 8 (racehunt) is graded on two kernels: the student's stress options
(answers/seed) must fail on the buggy kernel, twice alike (a replay), and
pass on the fixed one.

Nothing depends on timing: the suites and race scenarios are
deterministic, stress runs in seeded mode, and a command that does not
come back within its bound scores 0 with the reason. Prints one line per
test with its points, then `Score: X/Y`; exits 1 below full marks.

  scripts/grade.py --lab NAME [--iso build/quiesce.iso]
  scripts/grade.py --lab all  (every lab, one boot; make test)
  --buggy-iso ISO   lab 8's buggy kernel, already built
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from run import Qemu, PROMPT  # noqa: E402 (tests/run.py)
from lab import NAMES         # noqa: E402 (scripts/lab.py)

# Timeouts are stretched by TIMEOUT_SCALE inside tests/run.py's Qemu.


def has(*words):
    return lambda out: all(w in out for w in words)


def rx(pattern):
    return lambda out: re.search(pattern, out, re.M) is not None


def check(line, test, setup=()):
    """A console check: run setup, then line; test its output."""
    def fn(cmd):
        for s in setup:
            cmd(s)
        out = cmd(line)
        return out is not None and test(out), out
    return fn


def spawned(out):
    m = re.search(r"spawned task '\w+' \(id (\d+)\)", out or "")
    return m.group(1) if m else "0"


def kill_reaps(cmd):
    tid = spawned(cmd("spawn sleeper"))
    out = cmd("kill %s" % tid)
    if out is None or "error:" in out:
        return False, out
    ps = cmd("ps")
    return ps is not None and not re.search(r"^ *%s " % tid, ps, re.M), ps


def freeze_thaw(cmd):
    tid = spawned(cmd("spawn sleeper"))
    cmd("freeze --mode=preemptive")
    ps = cmd("ps") or ""
    frozen = re.search(r"^ *%s sleeper +frozen" % tid, ps, re.M)
    shell = re.search(r"^ +\d+ shell +running", ps, re.M)
    thaw = cmd("thaw") or ""
    ps2 = cmd("ps") or ""
    back = re.search(r"^ *%s sleeper +(sleeping|runnable)" % tid, ps2,
                     re.M)
    cmd("kill %s" % tid)
    ok = bool(frozen and shell and back and
              re.search(r"thawed [1-9]\d* task", thaw))
    return ok, ps + thaw + ps2


HEXLINE = r"^%s  ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} \|.{16}\|\r?$"

# Each lab: KTAP suites (1 point a case), race cells (2 points each: the
# scenario and the strategy), console checks (what, points, check). All
# run in one boot, in this order.
LABS = {
    "shell": {
        "ktap": ["hexdump"],
        "race": [],
        "checks": [
            ("hexdump prints 16 bytes a line, hex and ASCII", 2,
             check("hexdump 0x100000 20", rx(HEXLINE % "00100000"))),
            ("a short last line pads its hex columns", 2,
             check("hexdump 0x100000 20",
                   rx(r"^00100010  ([0-9a-f]{2} ){4} {38}\|.{4}\|\r?$"))),
            ("an unmapped address is an error: line, not a fault", 2,
             check("hexdump 0x10 16", rx(r"^error: .*not mapped.*"
                                         r"\(EFAULT\)"))),
            ("a bad address is an error: line (EINVAL)", 1,
             check("hexdump 0x10zz", rx(r"^error: .*\(EINVAL\)"))),
            ("a length over 4096 is refused (EINVAL)", 1,
             check("hexdump 0x100000 99999", rx(r"^error: .*\(EINVAL\)"))),
            ("help describes hexdump", 1,
             check("help hexdump", has("hexdump", "ADDR"))),
        ],
    },
    "reaper": {
        "ktap": ["kthread"],
        "race": [("R3", s) for s in ("naive", "eip", "twophase",
                                      "refcount")] +
                [("R15", "twophase"), ("R15", "refcount"),
                 ("R2", "twophase")],
        "checks": [
            ("kill stops a thread; ps no longer lists it (reaped)", 2,
             kill_reaps),
        ],
    },
    "loader": {
        "ktap": ["elf", "module"],
        "race": [],
        "checks": [
            ("insmod hello: its init runs (calls into the kernel "
             "resolved)", 2,
             check("insmod hello", has("hello, world", "hello: loaded"))),
            ("rmmod hello: its cleanup runs", 1,
             check("rmmod hello", has("goodbye, world"))),
            ("insmod mathuser: a symbol of another module resolved", 2,
             check("insmod mathuser", has("mathuser: loaded"),
                   setup=["insmod mathlib"])),
            ("the pair unloads in order", 1,
             check("rmmod mathlib", has("mathlib: unloaded"),
                   setup=["rmmod mathuser"])),
            ("an unknown symbol is refused, named", 2,
             check("insmod bad_unknown",
                   has("error: bad_unknown.ko: unknown symbol "
                       "'no_such_function' (ENOENT)"))),
            ("a relocation type the loader does not apply is refused", 1,
             check("insmod bad_reloc",
                   has("unsupported relocation R_386_GOTPC", "(ENOEXEC)"))),
        ],
    },
    "freezer": {
        "ktap": ["freezer"],
        "race": [("R1", s) for s in ("naive", "eip", "twophase",
                                      "refcount")] +
                [("R2", s) for s in ("eip", "twophase")] +
                [("R7", "eip"), ("R12", "eip")],
        "checks": [
            ("freeze: a sleeper frozen, the shell not; thaw: back", 2,
             freeze_thaw),
        ],
    },
    "scan": {
        "ktap": [],
        "race": [(r, "twophase") for r in ("R4", "R5", "R6", "R7", "R11",
                                            "R12")],
        "checks": [
            ("R6: the scan names the return address inside the module", 2,
             check("race run R6 --strategy=twophase",
                   rx(r"returns to [0-9a-f]{8} \S+ \[race_\w+\]: inside"))),
            ("R11: a notifier asleep in the kernel, found on its stack", 2,
             check("race run R11 --strategy=twophase",
                   rx(r"returns to [0-9a-f]{8} \S+ \[race_\w+\]: "
                      r"inside"))),
        ],
    },
    "recheck": {
        "ktap": ["unload"],
        "race": [(r, "twophase") for r in ("R3", "R8", "R9", "R14",
                                            "R15")],
        "checks": [
            ("R8 --busy=delayed: delayed, freed when the user left", 2,
             check("race run R8 --strategy=twophase --busy=delayed",
                   has("outcome=delayed", "delayed delete done"))),
            ("R8: re-registered when the count rose", 2,
             check("race run R8 --strategy=twophase",
                   has("outcome=reregistered"))),
            ("an idle module still unloads", 1,
             check("rmmod hello", has("hello: unloaded"),
                   setup=["insmod hello"])),
        ],
    },
    "refcount": {
        "ktap": [],
        "race": [(r, "refcount") for r in ("R3", "R4", "R5", "R6", "R8",
                                            "R14", "R15")] +
                [("R3", "twophase")],
        "checks": [
            ("R8: the gate refuses the late caller", 2,
             check("race run R8 --strategy=refcount",
                   has("the gate is closed", "outcome=safe by=gate"))),
            ("a module with a thread unloads under refcount", 2,
             check("rmmod --strategy=refcount ticker",
                   has("ticker: unloaded"), setup=["insmod ticker"])),
        ],
    },
    "racehunt": {"ktap": [], "race": [], "checks": []},
}


# The documented cells the labs grade (docs/race-catalogue.md; the full
# tree's grade in make test proves them current): (outcome, detector).
EXPECTED = {
    ("R1", "naive"): ("safe", "none"),
    ("R1", "eip"): ("deadlock", "deadlock-wait"),
    ("R1", "twophase"): ("safe", "caller-exempt"),
    ("R1", "refcount"): ("safe", "none"),
    ("R2", "eip"): ("deadlock", "deadlock-wait"),
    ("R2", "twophase"): ("safe", "none"),
    ("R3", "naive"): ("uaf", "uaf-detector"),
    ("R3", "eip"): ("uaf", "uaf-detector"),
    ("R3", "twophase"): ("safe", "thread-reap"),
    ("R3", "refcount"): ("safe", "thread-reap"),
    ("R4", "twophase"): ("reregistered", "eip+stack-scan"),
    ("R4", "refcount"): ("refused", "use-count"),
    ("R5", "twophase"): ("reregistered", "eip+stack-scan"),
    ("R5", "refcount"): ("refused", "use-count"),
    ("R6", "twophase"): ("reregistered", "stack-scan"),
    ("R6", "refcount"): ("refused", "use-count"),
    ("R7", "eip"): ("refused", "eip"),
    ("R7", "twophase"): ("reregistered", "eip"),
    ("R8", "twophase"): ("reregistered", "use-count+stack-scan"),
    ("R8", "refcount"): ("safe", "gate"),
    ("R9", "twophase"): ("safe", "callback-drain"),
    ("R11", "twophase"): ("reregistered", "stack-scan"),
    ("R12", "eip"): ("refused", "eip"),
    ("R12", "twophase"): ("reregistered", "eip"),
    ("R13", "twophase"): ("reregistered", "entry-window"),
    ("R14", "twophase"): ("reregistered", "use-count"),
    ("R14", "refcount"): ("safe", "gate"),
    ("R15", "twophase"): ("safe", "thread-stop"),
    ("R15", "refcount"): ("safe", "thread-stop"),
}
MAX_BOOTS = 8


class Grade:
    def __init__(self):
        self.lines = []

    def add(self, lab, name, got, points, why=""):
        self.lines.append((lab, name, got, points, why))


class Console:
    """The kernel's console, booted on demand. A command that panics or
    hangs the kernel scores what it scores; the next command boots the
    kernel again (at most MAX_BOOTS boots), so one crash does not take
    every later test with it."""

    def __init__(self, iso, logname):
        self.iso, self.logname = iso, logname
        self.q, self.boots, self.log, self.why = None, 0, [], ""

    def cmd(self, line, timeout=120):
        if self.q is None:
            if self.boots >= MAX_BOOTS:
                self.why = "not run: the kernel crashed %d times" % \
                    self.boots
                return None
            self.boots += 1
            self.q = Qemu(self.iso)
            if self.q.wait_for(PROMPT, 60) < 0:
                self.why = "the kernel did not boot to the prompt"
                self.close()
                return None
        out = self.q.command(line, timeout)
        if out is None:
            text = self.q.text()
            self.why = "'%s' %s" % (line, "panicked the kernel (see the "
                                    "log)" if "kernel panic" in text else
                                    "did not come back (a hang or a "
                                    "crash)")
            self.close()
        return out

    def close(self):
        if self.q is None:
            return
        self.q.send("poweroff\r")
        self.q.finish(5)
        self.log.append(self.q.text())
        self.q = None

    def save(self):
        self.close()
        d = os.path.join(ROOT, "build", "test-logs")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "grade-%s.log" % self.logname)
        with open(path, "w") as f:
            f.write("\n----- the next boot -----\n".join(self.log))
        return path


def race_cell(out):
    m = re.search(r"^race: R\d+ \S+ strategy=\w+ outcome=(\S+) by=(\S+)",
                  (out or "").replace("\r", ""), re.M)
    return (m.group(1), m.group(2)) if m else None


def run_boot(iso, labs, g, quick=False):
    """Every test of the labs, in order, on one boot (more only after a
    crash). With quick, the first lost point ends it."""
    con = Console(iso, "-".join(labs))

    def stop():
        return quick and any(r[2] < r[3] for r in g.lines)

    ran = {}
    for lab in labs:
        for s in LABS[lab]["ktap"]:
            if stop():
                break
            con.why = ""
            if s not in ran:
                ran[s] = ktap_cases(con.cmd("test %s" % s) or "")
            if not ran[s]:
                g.add(lab, "ktap %s: the suite ran" % s, 0, 1,
                      con.why or "no KTAP cases in the output")
            for name, ok in ran[s]:
                g.add(lab, "ktap %s/%s" % (s, name), int(ok), 1)
        for what, points, fn in LABS[lab]["checks"]:
            if stop():
                break
            con.why = ""
            ok, out = fn(con.cmd)
            g.add(lab, "console: " + what, points if ok else 0, points,
                  "" if ok else con.why or "it printed: %s" % short(out))
        for rid, strategy in LABS[lab]["race"]:
            if stop():
                break
            con.why = ""
            got = race_cell(con.cmd("race run %s --strategy=%s" % (
                rid, strategy)))
            want = EXPECTED[(rid, strategy)]
            g.add(lab, "race %s %s: %s by=%s" % (rid, strategy, *want),
                  2 if got == want else 0, 2,
                  "" if got == want else con.why or "got %s by=%s" % (
                      got or ("nothing", "?")))
    path = con.save()
    if any(r[2] < r[3] for r in g.lines):
        print("grade: the console log is in %s" % os.path.relpath(
            path, ROOT))


def short(out):
    text = " / ".join(l.strip() for l in (out or "").splitlines()[1:]
                      if l.strip())
    return repr(text[:160])


def ktap_cases(out):
    return [(m.group(3), m.group(1) == "ok" and "# SKIP" not in m.group(4))
            for m in re.finditer(r"^    (ok|not ok) (\d+) (\S+)(.*)$",
                                 out.replace("\r", ""), re.M)]


# ---- lab 8: race hunting ----------------------------------------------

ALLOWED = re.compile(r"^--(cycles=\d+|seed=\d+|sched=(seeded|pct)|"
                     r"clients=\d+|strategy=(twophase|refcount)|"
                     r"busy=(fail|wait|delayed)|perturb=\w+|"
                     r"modules=[\w,]+)$")


def read_answer(path):
    """The student's stress options. Return: (options, error)."""
    try:
        text = open(path).read()
    except OSError:
        return None, "%s is missing" % path
    lines = [l.strip() for l in text.splitlines()
             if l.strip() and not l.startswith("#")]
    if not lines:
        return None, "%s is empty: write the options of your failing " \
            "stress run in it" % os.path.relpath(path, ROOT)
    opts = shlex.split(lines[0])
    if opts and opts[0] == "stress":
        opts = opts[1:]
    bad = [o for o in opts if not ALLOWED.match(o)]
    if bad:
        return None, "not allowed in answers/seed: %s (a replayable run: " \
            "--cycles, --seed, --sched=seeded|pct, --clients, " \
            "--strategy=twophase|refcount)" % " ".join(bad)
    if not any(o.startswith("--sched=") for o in opts) or \
            not any(o.startswith("--cycles=") for o in opts):
        return None, "answers/seed needs --sched=seeded (or pct) and " \
            "--cycles=N: a run a seed replays"
    mods = [o for o in opts if o.startswith("--modules=")]
    if not mods or "stress_thread" in mods[0]:
        return None, "answers/seed needs --modules= without stress_thread: " \
            "its thread sleeps on the clock, so a run with it does not " \
            "replay exactly (docs/stress.md)"
    n = int([o for o in opts if o.startswith("--cycles=")][0][9:])
    if not 1 <= n <= 3000:
        return None, "--cycles must be 1 to 3000"
    return " ".join(opts), None


def stress_verdict(out):
    """The verdict line and the decision count and trace hash: two runs
    that print the same made the same decisions."""
    text = (out or "").replace("\r", "")
    m = re.search(r"^stress: (SUCCESS|FAILURE.*)$", text, re.M)
    t = re.search(r"^# decisions=\d+ trace=\w+", text, re.M)
    return (m.group(1) if m else None), (t.group(0) if t else "")


def grade_racehunt(g, fixed_iso, buggy_iso, answer):
    lab = "racehunt"
    opts, err = read_answer(answer)
    g.add(lab, "answers/seed: a replayable stress run", 0 if err else 1, 1,
          err or "")
    expl = os.path.join(os.path.dirname(answer), "explanation.md")
    words = len(open(expl).read().split()) if os.path.exists(expl) else 0
    g.add(lab, "answers/explanation.md: the interleaving, written (50+ "
          "words; the instructor reads it)", int(words >= 50), 1,
          "" if words >= 50 else "%d words" % words)
    if err:
        for name, p in (("fails on the buggy kernel", 4),
                        ("replays: the same failure twice", 2),
                        ("passes on the fixed kernel", 2)):
            g.add(lab, "stress %s" % name, 0, p, "no run to try")
        return
    line = "stress " + opts
    q = Qemu(buggy_iso)
    v1 = v2 = None
    if q.wait_for(PROMPT, 60) >= 0:
        v1 = stress_verdict(q.command(line, 600))
        v2 = stress_verdict(q.command(line, 600))
    q.send("poweroff\r")
    q.finish(10)
    failed = bool(v1 and v1[0] and v1[0].startswith("FAILURE"))
    g.add(lab, "'%s' fails on the buggy kernel" % line, 4 if failed else 0,
          4, "" if failed else "it printed: %s" % (v1 and v1[0]))
    same = failed and v1 == v2
    g.add(lab, "it replays: the same failure twice", 2 if same else 0, 2,
          "" if same else "first run: %s %s; second run: %s %s" % (
              v1 + v2 if v1 and v2 else (v1, v2, "", "")))
    q = Qemu(fixed_iso)
    v = None
    if q.wait_for(PROMPT, 60) >= 0:
        v = stress_verdict(q.command(line, 600))
    q.send("poweroff\r")
    q.finish(10)
    ok = bool(v and v[0] == "SUCCESS")
    g.add(lab, "it passes on the fixed kernel", 2 if ok else 0, 2,
          "" if ok else "it printed: %s" % (v and v[0]))


def build_buggy():
    """Lab 8's buggy kernel. In the full tree: the racehunt starter, built
    from this tree's objects. In a starter: its first commit, as handed
    out, built from scratch. Return: the ISO."""
    if os.path.exists(os.path.join(ROOT, ".lab")):
        src = os.path.join(ROOT, "build", "lab-buggy")
        root = subprocess.run(["git", "rev-list", "--max-parents=0",
                               "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.split()[0]
        subprocess.run("rm -rf %s && mkdir -p %s && git archive %s | "
                       "tar -m -C %s -xf -" % (src, src, root, src),
                       shell=True, cwd=ROOT, check=True)
    else:
        src = os.path.join(ROOT, "build", "labs", "racehunt-buggy")
        subprocess.run(["rm", "-rf", src], check=True)
        subprocess.run([sys.executable, "scripts/lab.py", "make", "racehunt",
                        src, "--reuse-build", "build"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    print("grade: building the buggy kernel in %s" % os.path.relpath(
        src, ROOT), flush=True)
    subprocess.run(["make", "-s", "-j2", "iso"], cwd=src, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(src, "build", "quiesce.iso")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True)
    ap.add_argument("--iso", default=os.path.join(ROOT, "build",
                                                  "quiesce.iso"))
    ap.add_argument("--buggy-iso")
    ap.add_argument("--answer")
    ap.add_argument("--quick", action="store_true",
                    help="stop at the first lost point (make test: is a "
                    "starter below full marks?)")
    a = ap.parse_args()
    labs = NAMES if a.lab == "all" else a.lab.split(",")
    for lab in labs:
        if lab not in LABS:
            sys.exit("grade: no lab '%s'; the labs: %s" % (
                lab, " ".join(NAMES)))
    t0 = time.monotonic()
    g = Grade()
    booted = [x for x in labs if x != "racehunt"]
    if booted:
        run_boot(a.iso, booted, g, a.quick)
    if "racehunt" in labs:
        answer = a.answer or os.path.join(ROOT, "answers", "seed")
        if not a.answer and not os.path.exists(os.path.join(ROOT, ".lab")):
            answer = os.path.join(ROOT, "tests", "labs", "solutions",
                                  "answers", "seed")
        buggy = a.buggy_iso
        if not buggy and read_answer(answer)[1] is None:
            buggy = build_buggy()
        grade_racehunt(g, a.iso, buggy, answer)
    total = got = 0
    for lab in labs:
        rows = [r for r in g.lines if r[0] == lab]
        lg, lt = sum(r[2] for r in rows), sum(r[3] for r in rows)
        print("lab %d (%s):" % (NAMES.index(lab) + 1, lab))
        for _, name, p, pts, why in rows:
            print("  %-4s %2d/%-2d  %s%s" % ("ok" if p == pts else "FAIL",
                                            p, pts, name,
                                            ("\n" + " " * 15 + "(" + why +
                                             ")") if why else ""))
        print("  lab %s: %d/%d" % (lab, lg, lt))
        total += lt
        got += lg
    print("# %.0f s" % (time.monotonic() - t0))
    print("Score: %d/%d%s" % (got, total, " (--quick: stopped at the first "
                                       "lost point)" if a.quick and
                                       got < total else ""))
    return 0 if got == total else 1


if __name__ == "__main__":
    sys.exit(main())
