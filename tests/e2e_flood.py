#!/usr/bin/env python3
"""tests/e2e_flood.py: the console survives a flood (issue 13, part 4).

Boots the ISO, reads `mem`, then sends, as fast as QEMU takes them:

  1. N bytes of uniformly random bytes (any value: NUL, CR, LF, ESC,
     Ctrl-C, Ctrl-U, DEL, 8-bit);
  2. M random lines, each one of: an overlong line (300 to 2000 bytes,
     past the editor's 255), a line of random printable words with
     control characters and escape sequences (ESC [ A, ESC [ 2 ~, ESC O P,
     a bare ESC, CSI with long parameters) mixed in, a command from a
     read-only vocabulary with random arguments (help, echo, ls, lsmod,
     modinfo, mem, ps, dmesg, race list, failalloc, unknown words, bad
     quotes), ended by CR, LF or CR LF.

Console output is read all the while (QEMU would stall on a full pipe).
Then the checks: no `kernel panic`, no triple fault (QEMU still runs),
the prompt answers `echo alive after the flood` within 60 s, the editor
still cuts an overlong line at 255 characters and recalls it with Up, and `mem`
shows heap bytes, heap allocations, vmap pages and frames (less the heap
arena, which grows and never shrinks) back at the first reading. The
kernel's input ring drops what it cannot hold, as a UART would; the
figures printed say how much went in.

    python3 tests/e2e_flood.py [--bytes 1048576] [--lines 100000] [--seed 1]

make test runs a short flood through run.py (64 KiB, 3,000 lines).
"""
import os
import random
import re
import select
import sys
import time

VOCAB = ["help", "echo", "ls", "lsmod", "modinfo", "mem", "ps", "dmesg",
         "race list", "failalloc", "insmod", "rmmod", "svc", "frobnicate",
         "help rmmod", "modinfo nosuch", "rmmod nosuch", "insmod nosuch",
         "echo \"unterminated", "echo 'a\\", "kill", "peek", "test list",
         "bench nosuchpattern", "race run", "freeze --mode=bogus"]
ESCAPES = [b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[2~", b"\x1bOP", b"\x1b",
           b"\x1b[" + b"9" * 40 + b"m", b"\x1b[?25l", b"\x1b]0;title\x07",
           b"\x7f", b"\x08", b"\x15", b"\x03", b"\x00", b"\t"]
ENDS = [b"\r", b"\n", b"\r\n"]
MEM_RE = re.compile(r"frames: (\d+) used.*?\nheap:\s+(\d+) bytes in (\d+) "
                    r"allocations, \d+ bytes free, (\d+) bytes mapped\s*\n"
                    r"vmap:\s+(\d+) pages", re.S)


def random_line(rng):
    kind = rng.randrange(3)
    if kind == 0:
        n = rng.randrange(300, 2000)
        body = bytes(rng.randrange(32, 127) for _ in range(n))
    elif kind == 1:
        parts = []
        for _ in range(rng.randrange(1, 12)):
            if rng.random() < 0.4:
                parts.append(rng.choice(ESCAPES))
            else:
                parts.append(bytes(rng.randrange(33, 127) for _ in
                                   range(rng.randrange(1, 10))))
        body = b" ".join(parts)
    else:
        words = [rng.choice(VOCAB)]
        for _ in range(rng.randrange(0, 5)):
            words.append("".join(rng.choice("abcxyz019-=_.\"'")
                                 for _ in range(rng.randrange(1, 8))))
        body = " ".join(words).encode()
    return body + rng.choice(ENDS)


def mem_reading(text):
    m = None
    for m in MEM_RE.finditer(text):
        pass
    if not m:
        return None
    frames, heap, allocs, mapped, vmap = (int(x) for x in m.groups())
    return {"frames": frames - mapped // 4096, "heap bytes": heap,
            "heap allocations": allocs, "vmap pages": vmap}


def pump(q, data, deadline):
    """Write data to QEMU's stdin while reading its stdout.
    Return: bytes written."""
    fd = q.proc.stdin.fileno()
    os.set_blocking(fd, False)
    sent = 0
    try:
        while sent < len(data) and time.monotonic() < deadline:
            r, w, _ = select.select([q.proc.stdout], [fd], [], 1.0)
            if r and q.read_some(0) is None:
                break
            if w:
                try:
                    sent += os.write(fd, data[sent:sent + 16384])
                except BlockingIOError:
                    pass
            if q.proc.poll() is not None:
                break
    finally:
        os.set_blocking(fd, True)
    return sent


def flood(res, iso, boot, power_off, nbytes, nlines, seed=1, budget=900):
    name = "e2e-flood"
    q = boot(res, iso, name)
    if not q:
        return
    before = mem_reading(q.command("mem") or "")
    rng = random.Random(seed)
    t0 = time.monotonic()
    noise = bytes(rng.randrange(256) for _ in range(nbytes))
    lines = b"".join(random_line(rng) for _ in range(nlines))
    deadline = t0 + budget
    sent = pump(q, noise, deadline)
    # Cancel whatever half line the noise left, then the lines.
    sent += pump(q, b"\x03" + lines, deadline)
    q.wait_quiet(2.0, 120)
    q.send(b"\x03")
    q.wait_quiet(0.5, 30)
    secs = time.monotonic() - t0
    out = q.command("echo alive after the flood", timeout=60) or ""
    alive = "alive after the flood" in out
    # The editor still edits: an overlong line is cut at 255 characters
    # (echo prints the 250 that follow "echo "), and Up recalls it.
    out = q.command("echo " + "x" * 400, timeout=30) or ""
    cut = re.search(r"^(x+)\r?$", out, re.M)
    mark = len(q.out)
    q.send(b"\x1b[A\r")
    q.wait_for(b"quiesce> ", 30, mark + 1)
    again = bytes(q.out[mark:]).decode(errors="replace")
    editor_ok = (cut is not None and len(cut.group(1)) == 250 and
                 again.count("x" * 250) >= 2)
    text = q.text()
    after = mem_reading(q.command("mem") or "") if alive else None
    dropped = None
    label = "%d bytes and %d lines" % (nbytes, nlines)
    print("# flood: sent %d of %d bytes (%d random, %d in lines) in %.1f s; "
          "console printed %d bytes" % (sent, len(noise) + 1 + len(lines),
                                        len(noise), len(lines), secs,
                                        len(q.out)), flush=True)
    res.check(editor_ok, "e2e: after the flood, an overlong line is cut "
              "at 255 characters and Up recalls it", repr(out[-300:]))
    ok = res.check(alive and "kernel panic" not in text and
                   sent == len(noise) + 1 + len(lines),
                   "e2e: flood of %s: no panic, no hang, the prompt "
                   "answers" % label, "alive=%s sent=%d (log: %s)" % (
                       alive, sent, q.save_log(name)))
    if before and after:
        print("# flood: memory before %s, after %s" % (before, after))
    res.check(before is not None and before == after,
              "e2e: flood of %s: memory back at the baseline" % label,
              "before %s, after %s" % (before, after))
    if ok:
        power_off(res, q, name)
    else:
        q.finish(1)
    return dropped


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="build/quiesce.iso")
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sys.argv = [sys.argv[0]]
    here = os.path.dirname(os.path.abspath(__file__))
    src = open(os.path.join(here, "run.py")).read().replace("\nmain()\n",
                                                            "\n")
    g = {"__name__": "run"}
    exec(compile(src, "run.py", "exec"), g)
    res = g["Results"]()
    flood(res, args.iso, g["boot"], g["power_off"], args.bytes, args.lines,
          args.seed, budget=3600)
    print("%d passed, %d failed" % (res.passed, res.failed))
    sys.exit(1 if res.failed else 0)
