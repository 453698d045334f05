"""tests/e2e_stress.py: console end-to-end checks for the stress test.

Three short runs (10 s of emulated time for twophase and refcount; naive
stops at its first caught fault) in one boot of a 4-CPU
machine (the CPUs really in parallel: -accel tcg,thread=multi), typed at
the prompt: twophase and refcount must end `stress: SUCCESS` with memory
back at the baseline, their clients, loaders and unloads spread over the
CPUs; the negative control, naive, must end `stress: FAILURE`
with the use-after-free caught and explained, within seconds. Naive runs
last: the references its faulting callers never dropped stay behind.
Called by tests/run.py's e2e part:

    from e2e_stress import e2e_stress
    e2e_stress(res, iso, boot, power_off)

(res, boot and power_off are run.py's Results, boot() and power_off().)
"""
import re

MEM = re.compile(r"stress: memory: frames (\d+) \(baseline (\d+)\), heap "
                 r"(\d+) bytes in (\d+) allocations \(baseline (\d+) in "
                 r"(\d+)\)")


def at_baseline(out):
    m = MEM.search(out)
    if not m:
        return False
    f, f0, h, a, h0, a0 = (int(x) for x in m.groups())
    return f == f0 and h == h0 and a == a0


SMP4 = ["-smp", "4", "-accel", "tcg,thread=multi"]
# A bound for a hang, not a measure: 10 s of the guest's time took 80 s and
# more of wall time with four emulated CPUs on two busy host cores.
STRESS_WAIT = 400


def e2e_stress(res, iso, boot, power_off):
    q = boot(res, iso, "e2e-stress", extra=SMP4)
    if not q:
        return
    for strategy, seed in (("twophase", 1), ("refcount", 2)):
        name = "e2e: stress --strategy=%s passes" % strategy
        out = q.command("stress --duration=10 --strategy=%s --seed=%d "
                        "--interval=10" % (strategy, seed),
                        timeout=STRESS_WAIT) or ""
        res.check(out.startswith("stress") and "# seed=%d" % seed in out
                  and "stress: SUCCESS" in out, name,
                  repr(out[-600:]))
        res.check(at_baseline(out), name + " with memory at baseline",
                  repr(out[-400:]))
        cpus = q.command("cpus") or ""
        res.check("4 of 4 CPUs online" in cpus, name + " on 4 CPUs",
                  repr(cpus))
        m = re.findall(r"cycles (\d+)/(\d+)", out)
        res.check(bool(m) and int(m[-1][1]) > 0,
                  name + " with unload cycles done", repr(out[-400:]))

    out = q.command("stress --duration=20 --strategy=naive --seed=1",
                    timeout=STRESS_WAIT) or ""
    m = re.search(r"# failed (\d+) ms into the run", out)
    res.check("stress: FAILURE (" in out and "use-after-free" in out,
              "e2e: stress --strategy=naive fails, use-after-free caught",
              repr(out[-600:]))
    res.check("use-after-free: module 'stress_" in out and
              "the module was unloaded here:" in out,
              "e2e: stress naive: the fault report explains it",
              repr(out[-600:]))
    res.check(m is not None and int(m.group(1)) <= 5000,
              "e2e: stress naive: caught within seconds", repr(out[-300:]))
    power_off(res, q, "e2e-stress")
