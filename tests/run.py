#!/usr/bin/env python3
"""tests/run.py: run every Quiesce test and print one verdict line.

Six parts, each selectable with --only:
  tree    checks of the source tree (tests/tree_checks.py): layering,
          paths named in the docs, file sizes
  tools   checks that the tools can fail (tests/tool_checks.py): this
          runner, scripts/bench.py, the module suites without a .ko
  mutants two of `make mutants` (scripts/mutants.py --rotate 2): a kernel
          with one safety mechanism off must change the race matrix
  labs    every lab's starter builds, boots and grades below full marks;
          the full tree scores full marks (tests/labs/check.py)
  host    the host unit tests (kernel logic built with ASan/UBSan)
  kernel  boots build/quiesce.iso in QEMU, types `test all` (or T=pattern)
          at the prompt like a user, parses the KTAP it prints
  e2e     console end-to-end checks on the same ISO: the prompt, error
          lines, a deliberate crash and recovery, line noise, -m 16,
          modules, stress, a console flood (tests/e2e_flood.py), every
          allocation failure of the main operations (tests/e2e_failalloc.py),
          and `test all` again with four `spawn busy` tasks running: every
          case passes (how much longer it takes is a speed target:
          `make bench-loaded` checks it under -icount)
          the race diagrams are current (tests/diagram_checks.py)
  diagrams only the race diagram checks (the host part and the boot)

A boot fails on a panic, a triple fault (QEMU exit 0 under -no-reboot), a
hang (per-boot timeout, times TIMEOUT_SCALE) or a missing result. The
console log of every failing boot is kept in build/test-logs/. The last
line is always "N passed, N failed" (", N skipped" when there are skips).
"""
import argparse
import os
import random
import re
import select
import subprocess
import sys
import time

PROMPT = b"quiesce> "
SCALE = float(os.environ.get("TIMEOUT_SCALE", "1"))
LOGDIR = "build/test-logs"
EXIT_SUCCESS, EXIT_FAILURE = 33, 35
# `test all` again with this many CPU-bound tasks running.
LOADED_BUSY = 4


class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def ok(self, name):
        self.passed += 1
        print("ok - %s" % name, flush=True)

    def fail(self, name, why=""):
        self.failed += 1
        self.failures.append(name)
        print("not ok - %s%s" % (name, (": " + why) if why else ""),
              flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print("ok - %s # SKIP %s" % (name, why), flush=True)

    def check(self, cond, name, why=""):
        (self.ok if cond else lambda n: self.fail(n, why))(name)
        return cond


class Qemu:
    """A QEMU with the serial console on pipes, driven like a terminal."""

    def __init__(self, iso, mem=64, extra=()):
        self.cmd = ["qemu-system-i386", "-m", str(mem), "-no-reboot",
                    "-display", "none", "-serial", "stdio",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                    "-cdrom", iso] + list(extra)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = bytearray()
        self.start = time.monotonic()

    def read_some(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return False
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return None         # QEMU exited
        self.out += data
        return True

    def wait_for(self, pattern, timeout, start=0):
        """Wait until pattern (bytes or compiled regex) appears after
        offset start. Return: the end offset of the match, or -1."""
        deadline = time.monotonic() + timeout * SCALE
        while True:
            if isinstance(pattern, bytes):
                i = self.out.find(pattern, start)
                if i >= 0:
                    return i + len(pattern)
            else:
                m = pattern.search(bytes(self.out), start)
                if m:
                    return m.end()
            left = deadline - time.monotonic()
            if left <= 0:
                return -1
            if self.read_some(min(left, 0.2)) is None:
                return -1

    def wait_quiet(self, quiet, timeout):
        """Wait until the console has printed nothing for `quiet` seconds.
        Return: False if it was still talking after timeout."""
        deadline = time.monotonic() + timeout * SCALE
        while time.monotonic() < deadline:
            if self.read_some(quiet) is not True:
                return True
        return False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def command(self, line, timeout=30):
        """Type a line at the prompt; return its output (up to the next
        prompt), or None on timeout."""
        mark = len(self.out)
        self.send(line + "\r")
        end = self.wait_for(PROMPT, timeout, mark + len(line))
        if end < 0:
            return None
        text = bytes(self.out[mark:end - len(PROMPT)])
        return text.decode(errors="replace")

    def finish(self, timeout=10):
        """Wait for QEMU to exit. Return: its exit status, or None."""
        deadline = time.monotonic() + timeout * SCALE
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read_some(0.1)
        while self.read_some(0) is True:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            return None
        return self.proc.returncode

    def text(self):
        return self.out.decode(errors="replace")

    def save_log(self, name):
        os.makedirs(LOGDIR, exist_ok=True)
        path = os.path.join(LOGDIR, re.sub(r"[^\w.-]", "_", name) + ".log")
        with open(path, "w") as f:
            f.write("$ " + " ".join(self.cmd) + "\n")
            f.write(self.text())
        return path


def boot(res, iso, name, mem=64, extra=()):
    q = Qemu(iso, mem, extra)
    if q.wait_for(PROMPT, 20) < 0:
        res.fail(name + ": boot to prompt", "no prompt within %ds (log: %s)"
                 % (20 * SCALE, q.save_log(name)))
        q.finish(1)
        return None
    return q


def power_off(res, q, name, expect=EXIT_SUCCESS):
    q.send("poweroff\r")
    rc = q.finish(10)
    if rc != expect:
        why = {None: "hung at poweroff", 0: "triple fault or reset (exit 0)"}
        res.fail(name + ": poweroff", "%s; expected exit %d (log: %s)" % (
            why.get(rc, "exit status %s" % rc), expect, q.save_log(name)))
        return False
    return True


# ---- host unit tests --------------------------------------------------------

def run_host(res, bins):
    for b in bins:
        name = os.path.basename(b)
        p = subprocess.run([b], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode(errors="replace")
        cases = 0
        for line in out.splitlines():
            m = re.match(r"^(not ok|ok) (\S+)", line)
            if m:
                cases += 1
                if m.group(1) == "ok":
                    res.ok("host/%s/%s" % (name, m.group(2)))
                else:
                    res.fail("host/%s/%s" % (name, m.group(2)))
        if p.returncode != 0 or cases == 0:
            sys.stdout.write(out[-3000:])
            res.fail("host/%s" % name, "exit status %d" % p.returncode)


# ---- in-kernel KTAP suites -----------------------------------------------------

KTAP_CASE = re.compile(r"^    (ok|not ok) (\d+) (\S+)(.*)$")
KTAP_SUITE = re.compile(r"^(ok|not ok) (\d+) (\S+)")


def parse_ktap(res, text, prefix):
    """Count every case of every suite. A suite that reports a failure
    none of whose case lines said so (a line mangled on the console) is a
    failure of its own. Return: (suites seen, plan)."""
    plan, suites, suite, suite_failed = None, 0, None, False
    for line in text.splitlines():
        line = line.rstrip("\r")
        if plan is None:
            m = re.match(r"^1\.\.(\d+)$", line)
            if m:
                plan = int(m.group(1))
            continue
        m = re.match(r"^    # Subtest: (\S+)", line)
        if m:
            suite, suite_failed = m.group(1), False
            continue
        m = KTAP_CASE.match(line)
        if m:
            name = "%s/%s/%s" % (prefix, suite, m.group(3))
            if "# SKIP" in m.group(4):
                res.skip(name, m.group(4).split("# SKIP", 1)[1].strip())
            elif m.group(1) == "ok":
                res.ok(name)
            else:
                res.fail(name)
                suite_failed = True
            continue
        m = KTAP_SUITE.match(line)
        if m:
            suites += 1
            if m.group(1) == "not ok" and not suite_failed:
                res.fail("%s/%s" % (prefix, m.group(3)), "the suite "
                         "reports a failure, but no case line said which "
                         "(mangled console output?)")
    return suites, plan


def run_kernel(res, iso, pattern, mem=64, name="kernel", timeout=480,
               setup=(), cpus=1, parallel=True):
    """Boot with `cpus` CPUs (parallel: see smp_args), type each setup
    command, then `test PATTERN`. Return: the seconds `test` took (None
    if it did not finish)."""
    q = boot(res, iso, name, mem, smp_args(cpus, parallel))
    if not q:
        return None
    for line in setup:
        out = q.command(line)
        if out is None or "error:" in out:
            res.fail("%s: %s" % (name, line), repr(out))
    mark = len(q.out)
    t0 = time.monotonic()
    q.send("test %s\r" % pattern)
    end = q.wait_for(PROMPT, timeout, mark + 5)
    took = time.monotonic() - t0
    text = bytes(q.out[mark:]).decode(errors="replace")
    failed_before = res.failed
    suites, plan = parse_ktap(res, text, name)
    if end < 0:
        panicked = "kernel panic" in text
        res.fail("%s: test %s" % (name, pattern),
                 "%s after %d suites (log: %s)" % (
                     "panic" if panicked else "no prompt (hang?)", suites,
                     q.save_log(name)))
        q.finish(2)
        return None
    # The kernel's own verdict (its exit status) must agree with what we
    # parsed: a failure we missed, or one it did not count, shows here.
    failed = res.failed > failed_before
    if plan is None or suites != plan:
        res.fail("%s: KTAP plan" % name, "plan %s, %d suites reported" % (
            plan, suites))
    power_off(res, q, name, EXIT_FAILURE if failed else EXIT_SUCCESS)
    if failed:
        q.save_log(name)
    return took


def smp_args(cpus, parallel=True):
    """QEMU's arguments for a machine with `cpus` CPUs: run in parallel,
    one host thread each (MTTCG), or, parallel=False, taking turns on one
    host thread (round-robin TCG). Four emulated CPUs in parallel on two
    busy host cores spend much of their time spinning for a lock whose
    holder the host has descheduled: the 4-CPU `test all` took 426 s of
    wall time so, against 40 s round-robin, on the same busy host. So the
    suites run round-robin, and the runs that must show real parallelism
    (stress, `cpus` with busy tasks) in parallel."""
    if cpus == 1:
        return []
    return ["-smp", str(cpus), "-accel",
            "tcg,thread=multi" if parallel else "tcg,thread=single"]


def e2e_loaded(res, iso, idle):
    """`test all` with four CPU-bound tasks running: every case passes
    (counted as kernel-busy4/...). Its time beside the idle run's (idle:
    seconds, or None) is printed, not checked: on a shared host the two
    runs meet different loads. The 1.5x goal is checked where time is
    exact, `make bench-loaded` (-icount)."""
    took = run_kernel(res, iso, "all", name="kernel-busy%d" % LOADED_BUSY,
                      timeout=480, setup=["spawn busy"] * LOADED_BUSY)
    if took is None:
        res.fail("e2e: test all with %d busy tasks" % LOADED_BUSY,
                 "the run did not finish")
    elif idle:
        print("# test all with %d busy tasks: %.1f s of wall time, %.2fx "
              "the idle run's %.1f s (not checked here: make bench-loaded)"
              % (LOADED_BUSY, took, took / idle, idle))


def e2e_cpus(res, iso):
    """`cpus` on a 4-CPU machine: four rows online, the APs idle with
    their own timer ticking; four `spawn busy` then run on four CPUs at
    once (`ps`) and the shell still answers; on 1 CPU, one row."""
    for n in (4, 1):
        name = "e2e-cpus%d" % n
        q = boot(res, iso, name, extra=smp_args(n))
        if not q:
            continue
        out = (q.command("cpus") or "").replace("\r", "")
        rows = re.findall(r"^(\d+)\s+\d+\s+online\s+(\d+)\s+\d+\s+\d+\s+"
                          r"(\S+)$", out, re.M)
        online = "%d of %d CPU%s online" % (n, n, "s" * (n > 1))
        res.check(len(rows) == n and online in out,
                  "e2e: cpus on %d CPU%s lists %d online" % (
                      n, "s" * (n > 1), n), repr(out))
        if n > 1:
            res.check(len(rows) == n and all(
                r[2] == "idle" + r[0] and int(r[1]) > 0 for r in rows[1:]),
                "e2e: cpus on %d CPUs: each AP runs its idle task, its "
                "timer ticking" % n, repr(out))
            busy_on_every_cpu(res, q, n)
        power_off(res, q, name)


def busy_on_every_cpu(res, q, n):
    ids = []
    for _ in range(n):
        m = re.search(r"id (\d+)", q.command("spawn busy") or "")
        ids.append(m.group(1) if m else "?")
    # While ps runs, the shell has one CPU: the busy tasks run on the
    # others at once, and over a few looks on every CPU.
    seen, full, out = set(), False, ""
    for _ in range(20):
        out = (q.command("ps", timeout=20) or "").replace("\r", "")
        cpus = set(re.findall(r"^ *\d+ busy +running +(\d+) ", out, re.M))
        shell = re.findall(r"^ *\d+ shell +running +(\d+) ", out, re.M)
        full |= len(cpus) == n - 1 and bool(shell) and shell[0] not in cpus
        seen |= cpus
        if full and len(seen) == n:
            break
    res.check(full and len(seen) == n, "e2e: %d busy tasks on %d CPUs: "
              "%d run at once beside the shell (ps), each CPU runs one, "
              "the shell answers" % (n, n, n - 1), repr(out))
    for i in ids:
        q.command("kill %s" % i)


# ---- console end-to-end checks --------------------------------------------------

def e2e_prompt_and_errors(res, iso):
    t0 = time.monotonic()
    q = boot(res, iso, "e2e-console")
    if not q:
        return
    res.ok("e2e: prompt 'quiesce> ' after %.2fs" % (time.monotonic() - t0))
    out = q.command("frobnicate") or ""
    res.check(re.search(r"^error: unknown command 'frobnicate'.*\(ENOENT\)",
                        out, re.M) is not None,
              "e2e: unknown command prints one error: line", repr(out))
    out = q.command('echo "unterminated') or ""
    res.check("error: a quote is not closed (EINVAL)" in out,
              "e2e: unclosed quote is an error, not a crash", repr(out))
    out = q.command("help") or ""
    res.check("crash" in out and "mem" in out and "poweroff" in out,
              "e2e: help lists the commands", repr(out[:200]))
    out = q.command("crash null") or ""
    ok = ("page fault: read at 00000000: page is not mapped" in out and
          "crash_null_read+0x" in out and "cmd_crash+0x" in out and
          "the shell recovered" in out)
    res.check(ok, "e2e: crash null reports with a symbolized backtrace and "
              "the prompt returns", repr(out[-600:]))
    out = q.command("crash rotext") or ""
    res.check("protection violation" in out and "write at" in out,
              "e2e: crash rotext faults on read-only kernel text (CR0.WP)",
              repr(out[-400:]))
    out = q.command("crash div0") or ""
    res.check("divide error" in out and "crash_divide+0x" in out,
              "e2e: crash div0 reports a divide error", repr(out[-400:]))
    out = q.command("echo still here") or ""
    res.check("still here" in out, "e2e: the shell works after three faults")
    if not power_off(res, q, "e2e-console"):
        return
    res.ok("e2e: poweroff exits QEMU with status 33")


def e2e_line_noise(res, iso):
    q = boot(res, iso, "e2e-noise")
    if not q:
        return
    rng = random.Random(1234)
    noise = bytes(rng.randrange(256) for _ in range(10240))
    for i in range(0, len(noise), 512):
        q.send(noise[i:i + 512])
        q.read_some(0.01)
    # The input ring drops what it cannot hold, as a UART would: wait for
    # the kernel to work through what it kept, then cancel any half line.
    q.wait_quiet(1.0, 60)
    q.send(b"\x03")
    q.wait_quiet(0.5, 10)
    out = q.command("echo alive after noise", timeout=30) or ""
    alive = "alive after noise" in out
    res.check(alive and "kernel panic" not in q.text(),
              "e2e: 10 kB of random bytes neither panic nor hang the "
              "console", "log: " + q.save_log("e2e-noise"))
    if alive:
        power_off(res, q, "e2e-noise")
    else:
        q.finish(1)


def e2e_small_memory(res, iso):
    q = boot(res, iso, "e2e-m16", mem=16)
    if not q:
        return
    out = q.command("mem") or ""
    res.check("frames:" in out, "e2e: boots to the prompt with -m 16",
              repr(out))
    power_off(res, q, "e2e-m16")


def e2e_soak(res, iso):
    """The soak's short tier (scripts/soak.py; make soak is the long one):
    20 seeds of twophase and of refcount, 200 unload cycles each, and the
    naive control caught in every seed."""
    p = subprocess.run([sys.executable, "scripts/soak.py", "--iso", iso,
                        "--seeds", "20", "--cycles", "4000",
                        "--log", os.path.join(LOGDIR, "soak-short.log")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=900 * SCALE)
    out = p.stdout.decode(errors="replace")
    table = [l for l in out.splitlines() if l.startswith(("|", "#"))]
    print("\n".join(table), flush=True)
    res.check(p.returncode == 0 and "soak: SUCCESS" in out,
              "e2e: soak (short): twophase and refcount pass 20 seeds each, "
              "naive is caught in all 20",
              "; ".join(l for l in out.splitlines()
                        if l.startswith("soak: FAILED"))[:600])


def run_mutants(res, k):
    """k mutants of the day: each must be killed by the race matrix."""
    r = subprocess.run([sys.executable, "scripts/mutants.py", "--rotate",
                        str(k)], capture_output=True, text=True)
    lines = re.findall(r"^mutant (\S+): (\w+) .*$", r.stdout, re.M)
    for name, verdict in lines:
        res.check(verdict == "killed", "mutants: %s changes the race "
                  "matrix" % name, verdict)
    if len(lines) != k:
        res.fail("mutants: %d mutant(s) built and run" % k,
                 (r.stdout + r.stderr)[-800:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--kernel", default="build/kernel.elf")
    ap.add_argument("--modules", default="build/modules")
    ap.add_argument("--host", nargs="*", default=[])
    ap.add_argument("--only",
                    choices=["tree", "tools", "host", "kernel", "e2e",
                             "mutants", "misbehave", "diagrams", "labs"])
    args = ap.parse_args()
    pattern = os.environ.get("T", "all") or "all"
    res = Results()
    t0 = time.monotonic()
    laps = [t0]

    def lap(what):
        """One line per part: where make test's minutes go."""
        now = time.monotonic()
        print("# %.1fs %s" % (now - laps[0], what), flush=True)
        laps[0] = now
    idle = None
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if args.only in (None, "tree"):
        from tree_checks import tree_checks
        tree_checks(res)
    if args.only in (None, "tools"):
        from tool_checks import tool_checks
        tool_checks(res, os.path.abspath(args.kernel),
                    os.path.abspath(args.modules))
    if args.only in (None, "host"):
        run_host(res, args.host)
        lap("host")
    if args.only in (None, "host", "diagrams"):
        from diagram_checks import diagram_unit
        diagram_unit(res)
    if args.only in (None, "kernel"):
        took = run_kernel(res, args.iso, pattern)
        if pattern == "all":
            idle = took
            # Small memory and 4 CPUs in one boot: the suites pass
            # with 1 CPU (above) and with 4, taking turns (smp_args).
            lap("kernel, 1 CPU")
            run_kernel(res, args.iso, "all", mem=16, name="kernel-m16",
                       cpus=4, parallel=False)
            lap("kernel, 4 CPUs")
            # The race matrix, 20 seeds a cell, on 2 CPUs truly in
            # parallel: with the two runs above, the same on 1, 2 and 4.
            run_kernel(res, args.iso, "race", name="kernel-smp2", cpus=2)
            lap("kernel, race on 2 parallel CPUs")
    if args.only in (None, "e2e"):
        e2e_loaded(res, args.iso, idle)
        lap("e2e loaded")
        e2e_cpus(res, args.iso)
        from e2e_lockrules import e2e_lockrules
        e2e_lockrules(res, args.iso, boot, power_off, smp_args)
        lap("e2e cpus, lock rules")
        e2e_prompt_and_errors(res, args.iso)
        e2e_line_noise(res, args.iso)
        e2e_small_memory(res, args.iso)
        lap("e2e prompt, noise, small memory")
        from e2e_modules import e2e_modules
        e2e_modules(res, args.iso, boot, power_off)
        lap("e2e modules")
        from e2e_misbehave import e2e_misbehave
        e2e_misbehave(res, args.iso, boot, power_off)
        lap("e2e misbehave")
        from e2e_machines import e2e_machines
        e2e_machines(res, args.iso, Qemu)
        lap("e2e machines")
        from e2e_stress import e2e_stress
        e2e_stress(res, args.iso, boot, power_off)
        lap("e2e stress")
        from e2e_flood import flood
        flood(res, args.iso, boot, power_off, 65536, 1000)
        lap("e2e flood")
        from e2e_failalloc import e2e_failalloc
        e2e_failalloc(res, args.iso, boot, power_off)
        lap("e2e failalloc")
        e2e_soak(res, args.iso)
        lap("e2e soak")
    if args.only in (None, "e2e", "diagrams"):
        from diagram_checks import diagram_current, diagram_red
        diagram_current(res, args.iso)
        diagram_red(res)
        lap("diagrams")
    if args.only == "misbehave":
        from e2e_misbehave import e2e_misbehave
        e2e_misbehave(res, args.iso, boot, power_off)
        from e2e_machines import e2e_machines
        e2e_machines(res, args.iso, Qemu)
    if args.only in (None, "labs"):
        from labs.check import labs_check
        labs_check(res, args.iso)
        lap("labs")
    if args.only in (None, "mutants"):
        run_mutants(res, 2)
        lap("mutants")
    print("# %.1fs" % (time.monotonic() - t0))
    if res.failures:
        print("# failed: " + ", ".join(res.failures[:20]))
    line = "%d passed, %d failed" % (res.passed, res.failed)
    if res.skipped:
        line += ", %d skipped" % res.skipped
    print(line)
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
