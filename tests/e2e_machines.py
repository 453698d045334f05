"""tests/e2e_machines.py: machines that are not QEMU's default (issue 16).

A boot that tells the truth on any x86: on a CPU without what the i686
build needs (-cpu 486, -cpu pentium) one line says so and QEMU exits 35;
with no keyboard controller the kernel says so and reaches the prompt;
with no PIT it stops with one line naming the timer. Never a hang, never
garbage. Then power off and reset without QEMU's debug-exit device (ACPI),
and the hybrid ISO under UEFI (tests/e2e_uefi.py). Called by tests/run.py's
e2e part:

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
    e2e_power(res, iso, Qemu)
    from e2e_uefi import e2e_uefi
    e2e_uefi(res, iso, Qemu)


# ---- power off and reset without QEMU's debug-exit device ------------------
# Issue 16 item 4: the kernel reads the ACPI tables. Without isa-debug-exit,
# `poweroff` must make QEMU exit by itself (ACPI S5), and with no
# -no-reboot a reset would reboot instead of exiting, so an exit can only
# be the power-off. `reboot METHOD` tries one reset alone; under -no-reboot
# a reset makes QEMU exit, and a method that fails says so at the prompt.

def bare_qemu(Qemu, iso, machine, no_reboot):
    """A Qemu without the isa-debug-exit device."""
    import subprocess
    import time

    class Bare(Qemu):
        def __init__(self):
            self.cmd = ["qemu-system-i386", "-m", "64", "-display", "none",
                        "-serial", "stdio", "-machine", machine,
                        "-cdrom", iso] + (["-no-reboot"] if no_reboot
                                          else [])
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
            self.out = bytearray()
            self.start = time.monotonic()
    return Bare()


def e2e_power(res, iso, Qemu):
    for machine in ("pc", "q35"):
        name = "power: %s without debug-exit: poweroff by ACPI S5" % machine
        q = bare_qemu(Qemu, iso, machine, False)
        ok = q.wait_for(PROMPT, 30) >= 0
        if ok:
            q.send("poweroff\r")
        rc = q.finish(15)
        res.check(ok and rc == 0 and "ACPI S5" in q.text() and
                  q.text().count("quiesce: booting") == 1, name,
                  "rc=%s log: %s" % (rc, q.save_log(name)))
    # name, machine, method, reset expected (else an error line)
    cases = [("q35", "acpi", True), ("pc", "acpi", False),
             ("pc", "pci", True), ("pc", "kbd", True), ("pc", "triple", True)]
    for machine, method, resets in cases:
        name = "power: %s: reboot %s %s" % (
            machine, method, "resets" if resets else "refuses (no register)")
        q = bare_qemu(Qemu, iso, machine, True)
        ok = q.wait_for(PROMPT, 30) >= 0
        out = q.command("reboot " + method, 15) if ok else None
        if resets:
            rc = q.finish(15)
            ok = ok and out is None and rc == 0
        else:
            ok = ok and out is not None and "error: reboot: this machine " \
                "has no acpi reset (ENODEV)" in out
            q.finish(1)
        res.check(ok, name, "log: %s" % q.save_log(name))
    name = "power: pc: reboot boots again, then poweroff by ACPI"
    q = bare_qemu(Qemu, iso, "pc", False)
    ok = q.wait_for(PROMPT, 30) >= 0
    q.send("reboot\r")
    again = q.wait_for(PROMPT, 30, len(q.out)) >= 0
    q.send("poweroff\r")
    rc = q.finish(15)
    res.check(ok and again and rc == 0 and
              q.text().count("quiesce: booting") == 2, name,
              "rc=%s log: %s" % (rc, q.save_log(name)))
    name = "power: no ACPI tables: said at boot, poweroff halts saying so"
    q = bare_qemu(Qemu, iso, "pc,acpi=off", False)
    ok = q.wait_for(PROMPT, 30) >= 0
    q.send("poweroff\r")
    halted = q.wait_for(b"halted (it is safe to switch it off", 15) >= 0
    q.finish(0)
    res.check(ok and halted and "acpi: no RSDP" in q.text(), name,
              "log: %s" % q.save_log(name))
