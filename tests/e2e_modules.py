"""tests/e2e_modules.py: console end-to-end checks for modules.

Drives the ISO as a student would: ls, insmod with parameters, lsmod,
modinfo, a module command, a service, the dependent pair in both orders,
each bad module's error line, a use-after-free caught and explained, and
memory back where it was. Called by tests/run.py's e2e part:

    from e2e_modules import e2e_modules
    e2e_modules(res, iso, boot, power_off)

(res, boot and power_off are run.py's Results, boot() and power_off().)
"""
import re


def frames_heap(out):
    """(frames used outside the heap arena, heap bytes, allocations): the
    arena grows and never shrinks, which is not a leak."""
    m = re.search(r"frames: (\d+) used.*\nheap: +(\d+) bytes in (\d+) "
                  r"allocations, \d+ bytes free, (\d+) bytes mapped", out)
    if not m:
        return None
    frames, heap, allocs, arena = (int(x) for x in m.groups())
    return (frames - arena // 4096, heap, allocs)


def e2e_modules(res, iso, boot, power_off):
    q = boot(res, iso, "e2e-modules")
    if not q:
        return
    before = frames_heap(q.command("mem") or "")

    out = q.command("ls") or ""
    res.check(re.search(r"hello +\d+ bytes", out) is not None,
              "e2e: ls lists module files with sizes", repr(out[:300]))
    out = q.command("insmod hello who=students times=2") or ""
    res.check(out.count("hello, students") == 2 and "loaded at 0xd" in out,
              "e2e: insmod hello who=students times=2 greets twice",
              repr(out))
    out = q.command("lsmod") or ""
    res.check(re.search(r"^hello +\d+ +live +0 +d[0-9a-f]{7}", out, re.M)
              is not None, "e2e: lsmod shows hello live, refcount 0",
              repr(out))
    out = q.command("modinfo hello") or ""
    res.check("description: says hello" in out and
              "parameter:   who (string)" in out,
              "e2e: modinfo shows metadata and parameters", repr(out))
    out = q.command("rmmod hello") or ""
    res.check("goodbye, students" in out and "hello: unloaded" in out,
              "e2e: rmmod hello runs cleanup and unloads", repr(out))

    q.command("insmod shout")
    out = q.command("shout hello there") or ""
    res.check("HELLO THERE!" in out, "e2e: a module's command runs",
              repr(out))
    q.command("rmmod shout")
    out = q.command("shout again") or ""
    res.check("error: unknown command 'shout'" in out,
              "e2e: the command is gone after rmmod", repr(out))

    q.command("insmod counter start=5")
    out = q.command("svc counter 1 3") or ""
    res.check("-> 8" in out, "e2e: a module's service is called", repr(out))
    q.command("rmmod counter")

    out = q.command("insmod mathuser") or ""
    res.check("error: mathuser.ko: unknown symbol 'mathlib_gcd' (ENOENT)"
              in out, "e2e: mathuser without mathlib: unknown symbol",
              repr(out))
    q.command("insmod mathlib")
    q.command("insmod mathuser")
    out = q.command("rmmod mathlib") or ""
    res.check("error: module 'mathlib' is used by module 'mathuser'; "
              "unload that first (EBUSY)" in out,
              "e2e: rmmod in the wrong order is refused, naming the user",
              repr(out))
    out = q.command("gcd 84 36") or ""
    res.check("gcd(84, 36) = 12" in out, "e2e: mathuser calls mathlib",
              repr(out))
    out = (q.command("rmmod mathuser") or "") + \
        (q.command("rmmod mathlib") or "")
    res.check("mathuser: unloaded" in out and "mathlib: unloaded" in out,
              "e2e: rmmod in the right order works", repr(out))

    bad = {
        "bad_init": "error: bad_init.ko: init failed; the module was "
                    "unloaded (EIO)",
        "bad_unknown": "error: bad_unknown.ko: unknown symbol "
                       "'no_such_function' (ENOENT)",
        "bad_reloc": "compile with -fno-pic (ENOEXEC)",
        "bad_common": "compile with -fno-common (ENOEXEC)",
        "bad_truncated": "lies outside the 700-byte file (ENOEXEC)",
        "bad_bitflip": "error: bad_bitflip.ko: the section header table",
    }
    for name, want in bad.items():
        out = q.command("insmod " + name) or ""
        res.check(want in out and "panic" not in out,
                  "e2e: insmod %s is refused clearly" % name, repr(out))

    q.command("insmod hello")
    lsmod = q.command("lsmod") or ""
    q.command("rmmod hello")
    m = re.search(r"^hello .* (d[0-9a-f]{7})", lsmod, re.M)
    out = q.command("peek 0x%s" % m.group(1)) if m else ""
    res.check(out is not None and "use-after-free: module 'hello' "
              "(unloaded at tick" in out and "[hello, unloaded]" in out and
              "the module was unloaded here:" in out and
              "the shell recovered" in out,
              "e2e: a read of a freed module faults and is explained",
              repr((out or "")[-600:]))

    after = frames_heap(q.command("mem") or "")
    res.check(before is not None and before == after,
              "e2e: frames and heap back where they were",
              "%s -> %s" % (before, after))
    power_off(res, q, "e2e-modules")
