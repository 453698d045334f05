"""tests/e2e_lockrules.py: the lock rules are checked (docs/smp.md).

Two rules, each broken on purpose at the prompt (`crash lockorder`,
`crash sleeplock`, sched/lockrules.c), each must stop the kernel with a
panic that names the rule and the lock, QEMU exiting with status 35:

- the one lock order on several CPUs: a spinlock is taken only inside an
  irq_save section (the interrupt lock first). With the check deleted
  from spin_lock, `crash lockorder` returns to the prompt and this fails.
- no sleep with a spinlock held (sched_might_sleep).

And the lockup bound: `crash lockup` keeps the interrupt lock forever (the
bound lowered to about 500 ms first); another CPU must panic, naming the
holder CPU and where it took the lock.

On one CPU `crash lockorder` has no order to break: it says so and the
shell goes on. Called by tests/run.py:

    from e2e_lockrules import e2e_lockrules
    e2e_lockrules(res, iso, boot, power_off, smp_args)
"""
EXIT_PANIC = 35


def panics(res, iso, boot, cmd, cpus_args, name, want):
    q = boot(res, iso, name, extra=cpus_args)
    if not q:
        return
    mark = len(q.out)
    q.send(cmd + "\r")
    end = q.wait_for(b"*** end of panic", 30, mark)
    rc = q.finish(10)
    text = bytes(q.out[mark:]).decode(errors="replace").replace("\r", "")
    res.check(end >= 0 and all(w in text for w in want) and
              rc == EXIT_PANIC,
              "e2e: %s panics naming the rule (exit %d)" % (cmd, EXIT_PANIC),
              "exit %s; log: %s; %r" % (rc, q.save_log(name), text[-500:]))


def e2e_lockrules(res, iso, boot, power_off, smp_args):
    panics(res, iso, boot, "crash lockorder", smp_args(2, False),
           "e2e-lockorder",
           ["kernel panic: spinlock 'crash' taken outside an irq_save "
            "section with 2 CPUs", "crash_lock_order"])
    panics(res, iso, boot, "crash sleeplock", [], "e2e-sleeplock",
           ["kernel panic: scheduling rule broken: preemption enabled to "
            "sleep", "crash_sleep_locked"])
    panics(res, iso, boot, "crash lockup", smp_args(2, False), "e2e-lockup",
           ["for the interrupt lock, held by CPU", "since crash_lockup+"])
    q = boot(res, iso, "e2e-lockorder-1cpu")
    if not q:
        return
    out = q.command("crash lockorder") or ""
    res.check("no interrupt lock to take first" in out and
              "panic" not in out,
              "e2e: crash lockorder on one CPU explains there is no order "
              "to break, and the shell goes on", repr(out[-300:]))
    power_off(res, q, "e2e-lockorder-1cpu")
