"""tests/e2e_misbehave.py: console checks with hostile modules (issue 16).

Each modules/bad_* sample misbehaves in one way a student's module can:
a thread that ignores kthread_stop, a start that fails with a thread
running, references misused, registrations without an owner, a service
op that faults, a constructor, a CET note. For each: no panic, no hang,
a message naming the module, and memory back where it was. A case that
kills or hangs the kernel is reported and the next case boots afresh, so
one broken case does not hide the others. Called by tests/run.py:

    from e2e_misbehave import e2e_misbehave
    e2e_misbehave(res, iso, boot, power_off)
"""
import re
import time

from e2e_modules import frames_heap

DEAD = ("panic", "locks it again", "use-after-free", "page fault")


class Session:
    """One boot at a time; a case that kills it gets a fresh one."""

    def __init__(self, res, iso, boot):
        self.res, self.iso, self.boot = res, iso, boot
        self.q = None
        self.n = 0

    def get(self):
        if self.q is None:
            self.n += 1
            self.q = self.boot(self.res, self.iso, "e2e-misbehave-%d"
                               % self.n)
        return self.q

    def cmd(self, line, timeout=20):
        """Run line; return its output, or None if the kernel hung or
        died (the boot is then dropped)."""
        q = self.get()
        if q is None:
            return None
        out = q.command(line, timeout)
        if out is None or "panic" in out:
            q.save_log("e2e-misbehave-%d" % self.n)
            q.proc.kill()
            q.finish(1)
            self.q = None
            return out if out is not None else None
        return out


def clean(out):
    return out is not None and not any(d in out for d in DEAD)


def case_refusals(res, s):
    out = s.cmd("insmod bad_ctor")
    res.check(clean(out) and "error: bad_ctor.ko: section '.init_array'"
              in out and "MODULE_INIT" in out and "(ENOEXEC)" in out,
              "misbehave 6: a constructor is refused naming .init_array "
              "and MODULE_INIT", repr(out))
    out = s.cmd("insmod bad_cet")
    res.check(clean(out) and "error: bad_cet.ko: section "
              "'.note.gnu.property'" in out and "-fcf-protection=none"
              in out and "(ENOEXEC)" in out,
              "misbehave 6: a CET note is refused naming the section and "
              "-fcf-protection=none", repr(out))
    s.cmd("insmod hello")
    out = s.cmd("rmmod --strategy=refcount --busy=delayed hello")
    res.check(clean(out) and "error: " in out and "--busy=delayed" in out
              and "(EINVAL)" in out,
              "misbehave 6: refcount with --busy=delayed is refused, "
              "not ignored", repr(out))
    s.cmd("rmmod hello")


def case_svc_fault(res, s):
    s.cmd("insmod bad_svcfault")
    out = s.cmd("svc bad_svcfault 0")
    res.check(out is not None and "panic" not in out and
              "error: service 'bad_svcfault' op 0 faulted in module "
              "'bad_svcfault'" in out,
              "misbehave 5: a faulting service op is reported", repr(
                  (out or "")[-300:]))
    out = s.cmd("rmmod bad_svcfault")
    res.check(clean(out) and "bad_svcfault: unloaded" in out,
              "misbehave 5: the reference is dropped: rmmod works after "
              "the fault", repr(out))


def case_refs(res, s):
    s.cmd("insmod bad_refs")
    out = s.cmd("bad_refs put")
    res.check(clean(out) and "module bad_refs: module_put without a "
              "matching get" in out,
              "misbehave 3: module_put without get: a warning naming the "
              "module, no panic", repr(out))
    out = s.cmd("bad_refs dec")
    res.check(clean(out) and "module bad_refs: MOD_DEC_USE_COUNT without "
              "a matching MOD_INC_USE_COUNT" in out,
              "misbehave 3: MOD_DEC_USE_COUNT without inc: a warning, no "
              "panic", repr(out))
    out = s.cmd("lsmod")
    res.check(clean(out) and re.search(r"^bad_refs +\d+ +live +0 ", out or
                                       "", re.M) is not None,
              "misbehave 3: the count is left consistent (0)", repr(out))
    out = s.cmd("rmmod bad_refs")
    res.check(clean(out) and "bad_refs: unloaded" in out,
              "misbehave 3: the module still unloads", repr(out))
    for strat in ("refcount", "twophase"):
        s.cmd("insmod bad_refs unreg_get=1")
        out = s.cmd("rmmod --strategy=%s bad_refs" % strat)
        res.check(clean(out) and "module bad_refs: module_get while the "
                  "module is going" in out and "bad_refs: unloaded" in out,
                  "misbehave 3: module_get in unregister (%s): a warning, "
                  "no panic" % strat, repr(out))


def case_owner_null(res, s):
    for what in ("timer", "command", "service"):
        out = s.cmd("insmod bad_owner what=%s" % what)
        res.check(clean(out) and "module bad_owner: %s" % what in out and
                  "owner NULL" in out and "error: bad_owner.ko" in out,
                  "misbehave 4: a %s with owner NULL is refused, naming "
                  "the module" % what, repr(out))
        n = s.n
        out = (s.cmd("rmmod bad_owner") or "")
        time.sleep(0.2)         # ticks for a stray timer to fire
        out += (s.cmd("help") or "") + (s.cmd("svc") or "") + \
            (s.cmd("lsmod") or "")
        out = out if s.n == n and s.q else None
        res.check(clean(out) and "orphan" not in (out or ""),
                  "misbehave 4: after a %s with owner NULL, tick, help "
                  "and svc run" % what, repr((out or "")[-300:]))


def case_failed_start(res, s):
    out = s.cmd("insmod bad_thread")
    res.check(clean(out) and "error: bad_thread.ko: register failed" in out,
              "misbehave 2: register fails with a thread running: "
              "refused", repr(out))
    time.sleep(0.5)
    out = (s.cmd("ps") or "") + (s.cmd("lsmod") or "")
    res.check(clean(out) and "bad_thread" not in out,
              "misbehave 2: its thread was stopped and reaped before the "
              "free", repr(out[-400:]))
    out = s.cmd("insmod bad_thread owner=0")
    res.check(clean(out) and "error: bad_thread.ko: register failed" in out
              and "owner NULL" in out,
              "misbehave 2: a thread started with owner NULL is the "
              "module's: warned, stopped, reaped", repr(out))
    time.sleep(0.5)
    out = s.cmd("insmod bad_thread owner=0 fail=0")
    out = (out or "") + (s.cmd("rmmod --strategy=refcount bad_thread")
                         or "")
    time.sleep(0.5)
    out += (s.cmd("ps") or "")
    res.check(clean(out) and "bad_thread: unloaded (refcount)" in out and
              not re.search(r"bad_thread +(runnable|sleeping|running)",
                            out),
              "misbehave 2: refcount unload stops an ownerless thread",
              repr(out[-400:]))


def case_stuck(res, s, before):
    q = s.get()
    out = s.cmd("insmod bad_stuck stubborn_ms=4000")
    t0 = time.monotonic()
    out = s.cmd("rmmod bad_stuck")
    res.check(clean(out) and "thread 'bad_stuck'" in out and "module "
              "'bad_stuck'" in out and "(ETIMEDOUT)" in out and
              "deadlock" not in out,
              "misbehave 1: a thread that ignores kthread_stop fails the "
              "unload with a bounded wait (%.1fs)" % (time.monotonic() - t0),
              repr(out))
    out = s.cmd("insmod hello", timeout=10)
    res.check(clean(out) and "loaded at" in out,
              "misbehave 1: the next insmod does not hang (module_mutex "
              "released)", repr(out))
    s.cmd("rmmod hello")
    # The thread exits 4 s of kernel time after it started (ticks may run
    # slower than the wall clock on a loaded host): poll.
    for _ in range(60):
        out = s.cmd("lsmod")
        if out is None or "bad_stuck" not in out:
            break
        time.sleep(0.5)
    res.check(clean(out) and "bad_stuck" not in out,
              "misbehave 1: once the thread exits, unloadd frees the "
              "module", repr(out))
    after = frames_heap(s.cmd("mem") or "") if s.q is q else None
    res.check(before is not None and before == after,
              "misbehave: frames and heap back where they were after "
              "cases 2-6 and 1", "%s -> %s" % (before, after))
    # A thread that never stops: the module stays, every attempt is
    # bounded, the module lock is released and nothing leaks.
    n = s.n
    s.cmd("insmod bad_stuck")
    out = s.cmd("rmmod bad_stuck")
    res.check(clean(out) and "ignores kthread_stop" in out and
              "(ETIMEDOUT)" in out,
              "misbehave 1: a thread that never stops: rmmod fails, "
              "bounded", repr(out))
    time.sleep(0.3)
    m1 = frames_heap(s.cmd("mem") or "")
    out = s.cmd("insmod hello", timeout=10)
    res.check(clean(out) and "loaded at" in out,
              "misbehave 1: insmod after it does not hang", repr(out))
    s.cmd("rmmod hello")
    out = s.cmd("rmmod bad_stuck")
    res.check(clean(out) and "error: module 'bad_stuck' is going" in out,
              "misbehave 1: a second rmmod says the module waits for its "
              "thread", repr(out))
    time.sleep(0.3)
    m2 = frames_heap(s.cmd("mem") or "")
    res.check(m1 is not None and m1 == m2 and s.n == n,
              "misbehave 1: failed attempts leak nothing", "%s -> %s" %
              (m1, m2))


def e2e_misbehave(res, iso, boot, power_off):
    s = Session(res, iso, boot)
    out = s.cmd("mem")
    before = frames_heap(out or "")
    first = s.q
    for case in (case_refusals, case_svc_fault, case_refs, case_owner_null,
                 case_failed_start):
        case(res, s)
    if s.q is not first:
        before = frames_heap(s.cmd("mem") or "")
    case_stuck(res, s, before)
    if s.q is not None:
        power_off(res, s.q, "e2e-misbehave")
