"""tests/e2e_uefi.py: the hybrid ISO under UEFI firmware (issue 16 item 3).

Boots build/quiesce.iso under OVMF (x64: GRUB x86_64-efi loads the 32-bit
Multiboot kernel), checks that GRUB said nothing (no "error:", no
"WARNING"), that the kernel drew its console on the framebuffer GRUB set
up, found the ACPI tables in the memory map, and answers on the serial
line; then reads the screen back through QEMU's monitor (screendump) and
decodes it with the kernel's own font (drivers/font.c): the prompt and
the command's output must be on the screen too. Called from
tests/e2e_machines.py:

    from e2e_uefi import e2e_uefi
    e2e_uefi(res, iso, Qemu)

By hand, the ia32 firmware (GRUB i386-efi):
    python3 tests/e2e_uefi.py --ia32 build/quiesce.iso
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

PROMPT = b"quiesce> "
OVMF_X64 = "/usr/share/ovmf/OVMF.fd"
# Debian ships the ia32 firmware only as the Secure Boot capable build; it
# needs q35 with SMM; its variable store starts empty, so Secure Boot is
# off.
OVMF_IA32 = "/usr/share/OVMF/OVMF32_CODE_4M.secboot.fd"
OVMF_IA32_VARS = "/usr/share/OVMF/OVMF32_VARS_4M.fd"
FONT_C = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "drivers", "font.c")
CELL_W, CELL_H = 6, 9


def load_font():
    """The glyphs of drivers/font.c: {char: 5 column bytes}."""
    rows = re.findall(r"\{ (0x[0-9a-f]{2}(?:, 0x[0-9a-f]{2}){4}) \}",
                      open(FONT_C).read())
    return {chr(32 + i): [int(b, 16) for b in r.split(", ")]
            for i, r in enumerate(rows)}


def read_ppm(path):
    data = open(path, "rb").read()
    head = data.split(b"\n", 3)
    w, h = map(int, head[1].split())
    return w, h, head[3]


def screen_text(path, font, scale):
    """Decode the screendump into lines of text, cell by cell: a cell
    whose lit pixels match a glyph exactly is that character."""
    w, h, px = read_ppm(path)
    cw, ch = CELL_W * scale, CELL_H * scale

    def lit(x, y):
        i = (y * w + x) * 3
        return px[i] + px[i + 1] + px[i + 2] > 150

    patterns = {}
    for c, cols in font.items():
        key = tuple(tuple(bool(cols[x] >> y & 1) if x < 5 else False
                          for x in range(CELL_W)) for y in range(8))
        patterns.setdefault(key, c)
    lines = []
    for r in range(h // ch):
        line = ""
        for c in range(w // cw):
            x0, y0 = c * cw + scale // 2, r * ch + scale // 2
            key = tuple(tuple(lit(x0 + x * scale, y0 + y * scale)
                              for x in range(CELL_W)) for y in range(8))
            line += patterns.get(key, "?")
        lines.append(line.rstrip())
    return lines


def ovmf_cmd(iso, ia32, monitor):
    if ia32:
        vars_copy = tempfile.mktemp(suffix=".fd")
        with open(OVMF_IA32_VARS, "rb") as f, open(vars_copy, "wb") as g:
            g.write(f.read())
        fw = ["qemu-system-i386", "-machine", "q35,smm=on",
              "-global", "driver=cfi.pflash01,property=secure,value=on",
              "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" +
              OVMF_IA32, "-drive", "if=pflash,format=raw,unit=1,file=" +
              vars_copy]
    else:
        fw = ["qemu-system-x86_64", "-bios", OVMF_X64]
    return fw + ["-m", "128", "-no-reboot", "-display", "none",
                 "-serial", "stdio", "-cdrom", iso,
                 "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                 "-monitor", "unix:%s,server,nowait" % monitor]


def e2e_uefi(res, iso, Qemu, ia32=False, timeout=600):
    name = "uefi: OVMF %s" % ("ia32" if ia32 else "x64")
    fw = OVMF_IA32 if ia32 else OVMF_X64
    if not os.path.exists(fw):
        res.fail(name, "no %s: scripts/deps installs ovmf and ovmf-ia32"
                 % fw)
        return
    monitor = tempfile.mktemp(suffix=".sock")

    class Ovmf(Qemu):
        def __init__(self):
            self.cmd = ovmf_cmd(iso, ia32, monitor)
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
            self.out = bytearray()
            self.start = time.monotonic()
    q = Ovmf()
    end = q.wait_for(PROMPT, timeout)
    boot_s = time.monotonic() - q.start
    text = q.text()
    grub = text.split("quiesce: booting", 1)[0]
    ok = end >= 0
    res.check(ok and not re.search(r"error:|WARNING", grub),
              name + ": boots to the prompt, GRUB silent",
              "log: %s" % q.save_log(name))
    m = re.search(r"fbcon: \d+x\d+x\d+ framebuffer at \w+: (\d+)x(\d+) "
                  r"characters", text)
    res.check(ok and m is not None and "acpi: RSDP" in text,
              name + ": framebuffer console and ACPI tables found",
              "log: %s" % q.save_log(name))
    out = q.command("acpi", 30) if ok else None
    shot = tempfile.mktemp(suffix=".ppm")
    lines = []
    if out is not None and m:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(monitor)
            s.sendall(("screendump %s\n" % shot).encode())
            for _ in range(100):
                if os.path.exists(shot) and os.path.getsize(shot) > 0:
                    time.sleep(0.5)
                    break
                time.sleep(0.1)
            w, _, _ = read_ppm(shot)
            scale = w // (CELL_W * int(m.group(1)))
            lines = screen_text(shot, load_font(), scale)
        except OSError as e:
            lines = ["(screendump failed: %s)" % e]
        finally:
            s.close()
    on_screen = "\n".join(lines)
    res.check(out is not None and "FACP" in out and
              "quiesce> acpi" in on_screen and "FACP at" in on_screen,
              name + ": the console session is on the serial line and "
              "on the screen", "screen:\n%s\nlog: %s" % (
                  on_screen[-600:], q.save_log(name)))
    q.send("poweroff\r")
    rc = q.finish(30)
    res.check(rc == 33, name + ": poweroff exits 33",
              "rc=%s log: %s" % (rc, q.save_log(name)))
    print("# %s: prompt after %.1f s" % (name, boot_s))
    for p in (shot, monitor):
        if os.path.exists(p):
            os.unlink(p)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run
    r = run.Results()
    e2e_uefi(r, sys.argv[-1], run.Qemu, ia32="--ia32" in sys.argv)
    print("%d passed, %d failed" % (r.passed, r.failed))
    sys.exit(1 if r.failed else 0)
