"""tests/e2e_machines.py: machines that are not QEMU's default (issue 16).

A boot that tells the truth on any x86: on a CPU without what the i686
build needs (-cpu 486, -cpu pentium) one line says so and QEMU exits 35;
with no keyboard controller the kernel says so and reaches the prompt;
with no PIT it stops with one line naming the timer. Never a hang, never
garbage. Called by tests/run.py's e2e part:

    from e2e_machines import e2e_machines
    e2e_machines(res, iso, Qemu)
"""
import re

PROMPT = b"quiesce> "


def boot_until(Qemu, iso, extra, pattern, timeout=30):
    q = Qemu(iso, 64, extra)
    end = q.wait_for(pattern, timeout)
    return q, end


def e2e_machines(res, iso, Qemu):
    for cpu in ("486", "pentium"):
        q, end = boot_until(Qemu, iso, ["-cpu", cpu],
                            re.compile(rb"Halted\.\r?\n"))
        rc = q.finish(10)
        text = q.text()
        lines = [l for l in text.splitlines() if l.strip()]
        res.check(end >= 0 and rc == 35 and len(lines) == 1 and
                  "quiesce: this CPU lacks CMOV or TSC" in lines[0],
                  "machines: -cpu %s stops with a one-line reason (exit 35)"
                  % cpu, "rc=%s log: %s" % (rc, q.save_log("cpu-" + cpu)))
    q, end = boot_until(Qemu, iso, ["-machine", "pc,i8042=off"], PROMPT)
    ok = end >= 0 and "kbd: no PS/2 keyboard controller" in q.text()
    out = q.command("help") if ok else None
    q.send("poweroff\r")
    rc = q.finish(10)
    res.check(ok and out is not None and rc == 33,
              "machines: no keyboard controller: said, and the console works",
              "rc=%s log: %s" % (rc, q.save_log("no-i8042")))
    q, end = boot_until(Qemu, iso, ["-machine", "pc,pit=off"],
                        re.compile(rb"no timer: the PIT \(IRQ 0\) did not "
                                   rb"tick"))
    rc = q.finish(30)
    res.check(end >= 0 and rc == 35,
              "machines: no PIT: stops naming the timer (exit 35)",
              "rc=%s log: %s" % (rc, q.save_log("no-pit")))
