"""tests/tree_checks.py: checks of the source tree itself, no QEMU needed.

  layers   scripts/layers passes on the tree, and fails, naming the file
           and line, when a scratch file adds an upward include (so the
           check can fail);
  paths    every repository path that docs/ and README.md mention exists
           (a moved file leaves no dangling reference for a student);
  strays   no .orig/.rej files are tracked, and no source file is over
           600 lines (one mechanism per file).
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_LINES = 600
TOP = ("boot", "kernel", "mm", "sched", "modules", "drivers", "include",
       "iso", "tests", "scripts", "docs", ".ci")
# A path in prose: a known top folder, then path characters; it must end
# in a file name with an extension or a slash (a folder).
# Paths that are meant not to exist in the tree: the file the module
# tutorial has the student create, and a path inside the ISO.
NOT_IN_TREE = {"modules/greet.c", "boot/grub/grub.cfg"}
PATH_RE = re.compile(r"(?<![\w./<-])((?:%s)/[\w./-]*[\w/])" %
                     "|".join(re.escape(t) for t in TOP))


def layers(*extra):
    return subprocess.run([sys.executable, "scripts/layers"] + list(extra),
                          cwd=ROOT, capture_output=True, text=True)


def check_layers(res):
    r = layers()
    res.check(r.returncode == 0, "tree: no include runs from a lower layer "
              "up to a higher one (scripts/layers)", r.stdout[-2000:])
    r = layers("--pretend", "mm/scratch_upward.c",
               "#include <mm/pmm.h>\n#include <kernel/module/unload.h>\n")
    res.check(r.returncode == 1 and
              "mm/scratch_upward.c:2: includes kernel/module/unload.h"
              in r.stdout,
              "tree: the layering check fails on an upward include in a "
              "scratch file, naming its file and line", r.stdout[-2000:])
    r = layers("--pretend", "modules/scratch_mod.c",
               "#include <kernel/module.h>\n#include <sched/task.h>\n")
    res.check(r.returncode == 1 and "modules/scratch_mod.c:2:" in r.stdout,
              "tree: the layering check fails when a module includes more "
              "than <kernel/module.h>", r.stdout[-2000:])


def tracked():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True,
                         text=True)
    return out.stdout.split() if out.returncode == 0 else []


def check_paths(res):
    docs = [os.path.join("docs", f) for f in
            sorted(os.listdir(os.path.join(ROOT, "docs")))
            if f.endswith(".md")] + ["README.md"]
    labs = os.path.join(ROOT, "docs", "labs")
    if os.path.isdir(labs):
        docs += [os.path.join("docs", "labs", f)
                 for f in sorted(os.listdir(labs)) if f.endswith(".md")]
    missing = []
    for doc in docs:
        with open(os.path.join(ROOT, doc)) as f:
            for n, line in enumerate(f, 1):
                for p in PATH_RE.findall(line):
                    p = p.rstrip(".")
                    if ("*" in p or "NAME" in p or p in NOT_IN_TREE or
                            p.startswith("build/")):
                        continue
                    if not os.path.exists(os.path.join(ROOT, p)):
                        missing.append("%s:%d: %s" % (doc, n, p))
    res.check(not missing, "tree: every path named in docs/ and README.md "
              "exists", "; ".join(missing[:20]))


def check_strays(res):
    files = tracked()
    strays = [f for f in files if f.endswith((".orig", ".rej"))]
    res.check(not strays, "tree: no .orig or .rej file is tracked",
              " ".join(strays))
    big = []
    for f in files:
        if f.endswith((".c", ".h", ".asm")):
            with open(os.path.join(ROOT, f), errors="replace") as fh:
                n = sum(1 for _ in fh)
            if n > MAX_LINES:
                big.append("%s (%d lines)" % (f, n))
    res.check(not big, "tree: no source file is over %d lines" % MAX_LINES,
              ", ".join(big))


def tree_checks(res):
    check_layers(res)
    check_paths(res)
    check_strays(res)
