# scripts/gdb_modules.py: module symbols in gdb, as Linux's lx-symbols does.
#
# Sourced by scripts/gdbinit (make debug). The loader calls two empty,
# noinline functions (kernel/module/module.c):
#   module_loaded_hook(mod)    the module is placed and relocated, and its
#                              init has not run yet;
#   module_unloaded_hook(mod)  its memory is about to be freed.
# A breakpoint on each runs add-symbol-file with every section's address
# (struct module.sections) for build/modules/NAME.ko, or remove-symbol-file,
# and lets the kernel go on. So `break hello_init` set before `insmod hello`
# (answer "y" to make it pending) stops in the module's init, with source.
#
# Commands: `qmods` lists the modules gdb has symbols for.
import os
import gdb

MODDIR = os.environ.get("QUIESCE_MODDIR",
                        os.path.join(os.getcwd(), "build", "modules"))
loaded = {}     # name -> text address


def sections(mod):
    out = []
    for i in range(int(mod["nsections"])):
        s = mod["sections"][i]
        out.append((s["name"].string(), int(s["addr"])))
    return out


class LoadedHook(gdb.Breakpoint):
    def __init__(self):
        super().__init__("module_loaded_hook", internal=True)
        self.silent = True

    def stop(self):
        mod = gdb.parse_and_eval("mod")
        name = mod["name"].string()
        path = os.path.join(MODDIR, name + ".ko")
        if not os.path.exists(path):
            gdb.write("gdb_modules: %s not found; no symbols for '%s'\n"
                      % (path, name))
            return False
        secs = sections(mod)
        text = [a for n, a in secs if n == ".text"]
        if not text:
            return False
        args = " ".join("-s %s 0x%x" % (n, a) for n, a in secs
                        if n != ".text")
        gdb.execute("add-symbol-file %s 0x%x %s" % (path, text[0], args),
                    to_string=True)
        loaded[name] = text[0]
        gdb.write("gdb_modules: symbols for '%s' at 0x%x\n" % (name, text[0]))
        return False


class UnloadedHook(gdb.Breakpoint):
    def __init__(self):
        super().__init__("module_unloaded_hook", internal=True)
        self.silent = True

    def stop(self):
        name = gdb.parse_and_eval("mod")["name"].string()
        addr = loaded.pop(name, None)
        if addr is not None:
            gdb.execute("remove-symbol-file -a 0x%x" % addr, to_string=True)
            gdb.write("gdb_modules: dropped symbols for '%s'\n" % name)
        return False


class QMods(gdb.Command):
    """List the modules gdb holds symbols for."""

    def __init__(self):
        super().__init__("qmods", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        for name, addr in sorted(loaded.items()):
            gdb.write("%-16s .text at 0x%x\n" % (name, addr))


LoadedHook()
UnloadedHook()
QMods()
