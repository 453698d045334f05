#!/usr/bin/env python3
"""scripts/lab.py: write a lab's starter tree (make lab LAB=name DEST=dir).

The solution of each lab is marked in the real sources, in C comments:

    /* LAB(scan) BEGIN: what the region does */
    ... the solution, compiled in the full tree ...
    /* LAB(scan) STUB
    ... the stub: C that compiles in its place ...
       LAB(scan) END */

In the full tree the stub is a comment. A starter for lab N is the whole
project with lab N's regions replaced by
    /* LAB(scan) TODO: what the region does
     * (docs/labs/05-stack-scan.md) */
    ... the stub ...
and every other region left as it is: labs are done in order, so the
earlier labs' solutions stay (and the later ones' too, so the kernel
around the lab is the finished one). The starter is its own git
repository with one commit; `.lab` names its lab, so `make grade` there
grades it; `answers/` holds the files the student writes.

  scripts/lab.py list                   the labs, in order
  scripts/lab.py make NAME DEST [--reuse-build DIR]
        DIR: a build/ to copy into DEST/build first (mtimes kept), so
        that only the files the lab changes are compiled again (make test)
  scripts/lab.py check                  every marker well formed
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# In order: (name, handout). The order is the order of the course.
LABS = [
    ("shell", "docs/labs/01-shell-command.md"),
    ("reaper", "docs/labs/02-reaper.md"),
    ("loader", "docs/labs/03-loader.md"),
    ("freezer", "docs/labs/04-freezer.md"),
    ("scan", "docs/labs/05-stack-scan.md"),
    ("recheck", "docs/labs/06-two-phase-recheck.md"),
    ("refcount", "docs/labs/07-refcount.md"),
    ("racehunt", "docs/labs/08-race-hunting.md"),
]
NAMES = [n for n, _ in LABS]
# Labs whose starter must not say where the region was: lab 8's bug is
# for the student to find. Its starter also loses the section of
# docs/stress.md that tells the story of that bug.
HIDDEN = {"racehunt": ("docs/stress.md",
                       "## A race the stress test found (fixed)")}

BEGIN = re.compile(r"^\s*/\* LAB\((\w+)\) BEGIN(?::\s*(.*?))?\s*\*/\s*$")
STUB = re.compile(r"^\s*/\* LAB\((\w+)\) STUB\s*$")
END = re.compile(r"^\s*LAB\((\w+)\) END \*/\s*$")
ANY = re.compile(r"LAB\((\w+)\) (BEGIN|STUB|END|TODO)")
# What is never copied into a starter: the reference answers.
EXCLUDE = ("tests/labs/solutions/",)


class MarkerError(Exception):
    pass


def regions(path, lines):
    """Yield (lab, desc, begin, stub, end) line indexes of each region."""
    i = 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if not m:
            if ANY.search(lines[i]) and "TODO" not in lines[i]:
                raise MarkerError("%s:%d: a LAB marker out of place: %s" %
                                  (path, i + 1, lines[i].strip()))
            i += 1
            continue
        lab, desc, b = m.group(1), m.group(2) or "", i
        if lab not in NAMES:
            raise MarkerError("%s:%d: no lab '%s' (scripts/lab.py list)" %
                              (path, i + 1, lab))
        s = e = None
        for j in range(i + 1, len(lines)):
            if BEGIN.match(lines[j]):
                raise MarkerError("%s:%d: LAB(%s) BEGIN inside a region" %
                                  (path, j + 1, lab))
            ms, me = STUB.match(lines[j]), END.match(lines[j])
            if ms and s is None:
                s = j
            elif me:
                e = j
                break
        if s is None or e is None or STUB.match(lines[s]).group(1) != lab \
                or END.match(lines[e]).group(1) != lab:
            raise MarkerError("%s:%d: LAB(%s) BEGIN without its STUB and "
                              "END" % (path, b + 1, lab))
        yield lab, desc, b, s, e
        i = e + 1


def transform(path, text, lab, handout):
    """Return text with lab's regions replaced by their stubs, and the
    number of regions replaced."""
    lines = text.split("\n")
    out, last, n = [], 0, 0
    for name, desc, b, s, e in list(regions(path, lines)):
        if name != lab:
            continue
        indent = re.match(r"^\s*", lines[b]).group(0)
        out += lines[last:b]
        if lab not in HIDDEN:
            out.append("%s/* LAB(%s) TODO: %s" % (indent, lab, desc))
            out.append("%s * (%s) */" % (indent, handout))
        out += lines[s + 1:e]
        last = e + 1
        n += 1
    out += lines[last:]
    return "\n".join(out), n


def project_files():
    r = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], cwd=ROOT, check=True,
                       capture_output=True)
    files = [f for f in r.stdout.decode().split("\0") if f]
    return sorted(f for f in files if os.path.isfile(os.path.join(ROOT, f))
                  and not f.startswith(EXCLUDE))


def marked_files(files):
    for f in files:
        if f.endswith((".c", ".h")):
            with open(os.path.join(ROOT, f), errors="replace") as fh:
                if "LAB(" in fh.read():
                    yield f


def questions(handout):
    """The handout's 'Questions' section, for answers/."""
    try:
        text = open(os.path.join(ROOT, handout)).read()
    except OSError:
        return ""
    m = re.search(r"^## Questions.*?(?=^## |\Z)", text, re.M | re.S)
    return m.group(0) if m else ""


def make(lab, dest, reuse_build=None):
    if lab not in NAMES:
        sys.exit("lab: no lab '%s'; the labs: %s" % (lab, " ".join(NAMES)))
    handout = dict(LABS)[lab]
    if os.path.exists(dest) and os.listdir(dest):
        sys.exit("lab: %s exists and is not empty" % dest)
    os.makedirs(dest, exist_ok=True)
    files = project_files()
    marked = set(marked_files(files))
    # Unchanged files keep their mtime (see --reuse-build): tar copies
    # them in one pass; the files of the lab are written after it.
    changed = {}
    for f in marked:
        new, n = transform(f, open(os.path.join(ROOT, f)).read(), lab,
                           handout)
        if n:
            changed[f] = (new, n)
    if not changed:
        sys.exit("lab: no LAB(%s) region in the sources" % lab)
    if lab in HIDDEN:
        path, title = HIDDEN[lab]
        text = open(os.path.join(ROOT, path)).read()
        new = re.sub(r"^%s\n.*?(?=^## )" % re.escape(title), "", text,
                     flags=re.M | re.S)
        if new != text:
            changed[path] = (new, 0)
    keep = "\0".join(f for f in files if f not in changed) + "\0"
    subprocess.run("tar -C %s --null -T - -cf - | tar -C %s -xf -" % (
        shlex.quote(ROOT), shlex.quote(dest)), shell=True, check=True,
        input=keep.encode())
    for f, (new, n) in changed.items():
        with open(os.path.join(dest, f), "w") as fh:
            fh.write(new)
        shutil.copymode(os.path.join(ROOT, f), os.path.join(dest, f))
    replaced = sum(n for _, n in changed.values())
    with open(os.path.join(dest, ".lab"), "w") as fh:
        fh.write(lab + "\n")
    write_answers(dest, lab, handout)
    commit(dest, "Lab %d starter: %s (%s)" % (NAMES.index(lab) + 1, lab,
                                              handout))
    if reuse_build:
        # Objects newer than every unchanged source: make compiles only
        # what the lab changed (make test builds eight starters this way).
        b = os.path.join(dest, "build")
        os.makedirs(b, exist_ok=True)
        subprocess.run("tar -C %s -cf - --exclude=./labs --exclude=./mutants "
                       "--exclude=./test-logs --exclude=./fuzz "
                       "--exclude=./host . | tar -C %s -xf -" %
                       (shlex.quote(reuse_build), shlex.quote(b)),
                       shell=True, check=True)
    print("lab: wrote %s: lab %d (%s), %d region(s) replaced by stubs; "
          "read %s" % (dest, NAMES.index(lab) + 1, lab, replaced, handout))


def commit(dest, message):
    """One commit of every file in dest, through git fast-import: one
    pack instead of a loose object per file (a starter has ~1,700)."""
    git = ["git", "-c", "user.name=Quiesce labs", "-c",
           "user.email=labs@quiesce.invalid", "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q"], cwd=dest, check=True)
    stream = bytearray(b"commit refs/heads/main\n"
                       b"committer Quiesce labs <labs@quiesce.invalid> "
                       b"0 +0000\n")
    msg = message.encode()
    stream += b"data %d\n%s\n" % (len(msg), msg)
    for top, dirs, names in os.walk(dest):
        dirs[:] = sorted(d for d in dirs if top != dest or d not in
                         (".git", "build"))
        for name in sorted(names):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, dest)
            data = open(path, "rb").read()
            mode = b"100755" if os.access(path, os.X_OK) else b"100644"
            stream += b"M %s inline %s\ndata %d\n" % (mode, rel.encode(),
                                                      len(data))
            stream += data + b"\n"
    subprocess.run(git + ["fast-import", "--quiet"], cwd=dest, check=True,
                   input=bytes(stream))
    subprocess.run(git + ["reset", "-q"], cwd=dest, check=True)


def write_answers(dest, lab, handout):
    d = os.path.join(dest, "answers")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "README"), "w") as fh:
        fh.write("Your written answers go here: questions.md (the handout's "
                 "questions,\n%s).%s\n" % (handout, " For lab 8, also the "
                 "stress options of your failing\nrun in 'seed' (one line, "
                 "e.g. --cycles=300 --sched=seeded --seed=12)\nand the "
                 "interleaving in explanation.md." if lab == "racehunt"
                 else ""))
    with open(os.path.join(d, "questions.md"), "w") as fh:
        fh.write(questions(handout) or "# Questions\n\nSee %s.\n" % handout)
    if lab == "racehunt":
        with open(os.path.join(d, "seed"), "w") as fh:
            fh.write("")
        with open(os.path.join(d, "explanation.md"), "w") as fh:
            fh.write("# The interleaving\n\n(Who held what, step by step, "
                     "from the decision trace.)\n")


def check():
    n = 0
    files = project_files()
    seen = set()
    for f in marked_files(files):
        lines = open(os.path.join(ROOT, f)).read().split("\n")
        for lab, _, b, s, e in regions(f, lines):
            seen.add(lab)
            n += 1
            for k in (b, s, e):
                if len(lines[k].expandtabs()) > 80:
                    raise MarkerError("%s:%d: marker over 80 columns" %
                                      (f, k + 1))
    missing = [x for x in NAMES if x not in seen]
    if missing:
        raise MarkerError("no region for lab(s): " + " ".join(missing))
    print("lab: %d regions, every lab has at least one" % n)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    sub.add_parser("check")
    mk = sub.add_parser("make")
    mk.add_argument("lab")
    mk.add_argument("dest")
    mk.add_argument("--reuse-build")
    a = ap.parse_args()
    try:
        if a.cmd == "list":
            for i, (n, h) in enumerate(LABS):
                print("%d  %-9s %s" % (i + 1, n, h))
        elif a.cmd == "check":
            check()
        else:
            make(a.lab, a.dest, a.reuse_build)
    except MarkerError as e:
        sys.exit("lab: error: %s" % e)


if __name__ == "__main__":
    main()
