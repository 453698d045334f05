"""tests/labs/check.py: make test's part for the labs (docs/labs/README.md).

For every lab: its starter (scripts/lab.py) builds and boots, and its grade
(scripts/grade.py) is below full marks: without the solution, the lab's
own tests fail. Then the full tree scores full marks on every lab, in one
boot (lab 8 on two kernels: its starter is the buggy one).

Cheap by construction: each starter is built from a copy of the full
tree's objects (only the files its lab changes are compiled again), two
at a time; a starter's grade stops at its first lost point (--quick).
"""
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from lab import NAMES  # noqa: E402

ST = os.path.join("build", "labs", "st")


def _starter(lab):
    dest = os.path.join(ROOT, ST, lab)
    shutil.rmtree(dest, ignore_errors=True)
    r = subprocess.run([sys.executable, "scripts/lab.py", "make", lab, dest,
                        "--reuse-build", "build"], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode:
        return False, (r.stdout + r.stderr)[-600:]
    r = subprocess.run(["make", "-s", "iso"], cwd=dest, capture_output=True,
                       text=True)
    return r.returncode == 0, (r.stdout + r.stderr)[-600:]


def _grade(args):
    r = subprocess.run([sys.executable, "scripts/grade.py"] + args,
                       cwd=ROOT, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def labs_check(res, iso):
    if os.path.exists(os.path.join(ROOT, ".lab")):
        res.skip("labs: starters and grades", "this is a starter tree "
                 "(.lab): `make grade` grades its lab")
        return
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "scripts/lab.py", "check"],
                       cwd=ROOT, capture_output=True, text=True)
    res.check(r.returncode == 0, "labs: every LAB marker is well formed "
              "and every lab has a region (scripts/lab.py check)",
              (r.stdout + r.stderr)[-400:])
    with ThreadPoolExecutor(2) as pool:
        built = dict(zip(NAMES, pool.map(_starter, NAMES)))
    for lab in NAMES:
        res.check(built[lab][0], "labs: the starter of lab %s builds "
                  "(make lab LAB=%s)" % (lab, lab), built[lab][1])
    t1 = time.monotonic()
    jobs = []
    for lab in NAMES:
        if built[lab][0] and lab != "racehunt":
            jobs.append((lab, ["--lab", lab, "--quick", "--iso",
                               os.path.join(ST, lab, "build",
                                            "quiesce.iso")]))
    # Lab 8's starter has no answers/seed: it scores 0 without a boot.
    jobs.append(("racehunt", ["--lab", "racehunt", "--answer",
                              os.path.join(ST, "racehunt", "answers",
                                           "seed")]))
    with ThreadPoolExecutor(2) as pool:
        graded = dict(zip([j[0] for j in jobs],
                          pool.map(_grade, [j[1] for j in jobs])))
    for lab, (rc, out) in graded.items():
        m = re.search(r"^Score: (\d+)/(\d+)", out, re.M)
        booted = "the kernel boots to the prompt" not in out
        ok = rc == 1 and m and int(m.group(1)) < int(m.group(2)) and booted
        res.check(bool(ok), "labs: the starter of lab %s boots and grades "
                  "below full marks (%s)" % (
                      lab, m.group(0) if m else "no score"), out[-800:])
    t2 = time.monotonic()
    rc, out = _grade(["--lab", "all", "--iso", iso, "--buggy-iso",
                      os.path.join(ST, "racehunt", "build", "quiesce.iso")])
    for lab in NAMES:
        m = re.search(r"^  lab %s: (\d+)/(\d+)$" % lab, out, re.M)
        full = m and m.group(1) == m.group(2) and int(m.group(2)) > 0
        res.check(bool(full), "labs: the full tree scores full marks on "
                  "lab %s (%s)" % (lab, m.group(0).strip() if m else "?"),
                  "\n".join(l for l in out.splitlines()
                            if l.startswith("  FAIL") or "(" in l)[-800:])
    res.check(rc == 0, "labs: make grade LAB=all exits 0 on the full tree",
              out[-400:])
    print("# labs: starters built in %.0f s, graded in %.0f s, the full "
          "tree graded in %.0f s" % (t1 - t0, t2 - t1,
                                     time.monotonic() - t2), flush=True)
