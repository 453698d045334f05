"""tests/tool_checks.py: checks that the test and bench tools can fail.

A checker that cannot fail proves nothing. Each check here builds the
situation its tool exists to catch and demands that the tool catch it:

  bench     scripts/bench.py, given the modules without empty.ko, must
            fail and name the benchmarks that gave no figure (a failing
            benchmark prints no figure; the rest still did);
  verdict   tests/run.py, driven by a fake QEMU (tests/fake_qemu.py) that
            prints scripted KTAP, must not pass a boot whose kernel says
            a case failed (exit 35) when the case's line came out mangled
            on the console, and must not fail a boot that passed because
            a diagnostic quotes the words "not ok";
  missing   the in-kernel module suites, booted without hello.ko, must
            report the cases that need it as failed, not skipped.

Called by tests/run.py (part "tools"): tool_checks(res, kernel, moddir).
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT_SUCCESS, EXIT_FAILURE = 33, 35


def modules_without(moddir, name, dest):
    """Copy moddir's .ko files but name.ko into dest. Return: dest."""
    for ko in glob.glob(os.path.join(moddir, "*.ko")):
        if os.path.basename(ko) != name + ".ko":
            shutil.copy(ko, dest)
    return dest


def check_bench(res, kernel, moddir, tmp):
    mods = modules_without(moddir, "empty", os.path.join(tmp, "mods"))
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/bench.py"),
                        "--kernel", kernel, "--modules", mods,
                        "--pattern", "module_*",
                        "--out", os.path.join(tmp, "bench.json")],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = p.stdout + p.stderr
    res.check(p.returncode != 0 and "module_rmmod" in out and
              "module_cycle" in out,
              "tools: bench.py fails, naming them, when benchmarks give "
              "no figure (no empty.ko)", "exit %d: %s" % (p.returncode,
                                                         out[-800:]))


FAKE_QEMU = os.path.join(ROOT, "tests", "fake_qemu.py")


def run_fake(tmp, script):
    """tests/run.py --only kernel against a fake QEMU that plays script.
    Return: (exit status, output)."""
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir, exist_ok=True)
    with open(os.path.join(tmp, "script"), "w") as f:
        f.write(script)
    fake = os.path.join(bindir, "qemu-system-i386")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\nexec %s %s %s\n" % (
            sys.executable, FAKE_QEMU, os.path.join(tmp, "script")))
    os.chmod(fake, 0o755)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
               T="all")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tests/run.py"),
                        "--only", "kernel", "--iso", "fake.iso"],
                       cwd=tmp, env=env, capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


# A suite of two cases; the second failed. A task's printk landed in the
# middle of its result line, so the line no longer reads as a case.
MANGLED = """\
KTAP version 1
1..1
    KTAP version 1
    # Subtest: sched
    1..2
    ok 1 sched_first
    # sched_second: sched/sched_test.c:10: expected 1 == 2
[    1.234] worker: tick    not ok 2 sched_second
not ok 1 sched
@exit %d
""" % EXIT_FAILURE

# Every case passed; one diagnostic quotes the words.
QUOTED = """\
KTAP version 1
1..1
    KTAP version 1
    # Subtest: ktap
    1..1
    # the parser must read "not ok" as a failure
    ok 1 ktap_parses_results
ok 1 ktap
@exit %d
""" % EXIT_SUCCESS


def check_verdict(res, tmp):
    rc, out = run_fake(os.path.join(tmp, "mangled"), MANGLED)
    res.check(rc != 0 and ", 0 failed" not in out,
              "tools: run.py fails a boot whose kernel reports a failure "
              "(exit 35) even when the case's line is mangled",
              "exit %d: %s" % (rc, out[-800:]))
    rc, out = run_fake(os.path.join(tmp, "quoted"), QUOTED)
    res.check(rc == 0 and ", 0 failed" in out,
              "tools: run.py passes a boot where every case passed and a "
              "diagnostic quotes 'not ok'", "exit %d: %s" % (rc, out[-800:]))


def check_missing_module(res, kernel, moddir, tmp):
    mods = modules_without(moddir, "hello", os.path.join(tmp, "nohello"))
    kos = sorted(glob.glob(os.path.join(mods, "*.ko")))
    cmd = ["qemu-system-i386", "-m", "64", "-no-reboot", "-display", "none",
           "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", kernel, "-append", 'run="test module; poweroff"',
           "-initrd", ",".join(kos)]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=240)
        rc, out = p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out = None, (e.stdout or b"").decode(errors="replace")
    skips = [l for l in out.splitlines() if "# SKIP" in l]
    res.check(rc == EXIT_FAILURE and "not ok" in out and not skips,
              "tools: the module suite fails (not skips) the cases whose "
              ".ko is missing (booted without hello.ko)",
              "exit %s; %d skipped: %s" % (rc, len(skips),
                                           "; ".join(skips[:3])))


def tool_checks(res, kernel, moddir):
    tmp = tempfile.mkdtemp(prefix="quiesce-tools-")
    try:
        for d in ("mods", "nohello"):
            os.makedirs(os.path.join(tmp, d))
        check_verdict(res, tmp)
        check_bench(res, kernel, moddir, tmp)
        check_missing_module(res, kernel, moddir, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
