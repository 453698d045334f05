/*
 * sched/lockrules.c: the two lock rules, broken on purpose at the prompt.
 *
 *   crash lockorder  a spinlock taken without the interrupt lock first:
 *                    with two CPUs or more, spin_lock panics naming the
 *                    lock (sched/spinlock.c: the one lock order);
 *   crash sleeplock  a sleep with a spinlock held: sched_might_sleep
 *                    panics (sched/sched.c);
 *   crash lockup     this CPU keeps the interrupt lock forever: another
 *                    CPU waiting for it panics after the lockup bound
 *                    (kernel/irqlock.c), lowered to half a second of TSC
 *                    first, naming the holder and where it took the lock.
 *
 * Each shows a student the check, and lets tests/e2e_lockrules.py prove it
 * is there: delete a check, and the command returns to the prompt.
 */
#include <kernel/arch.h>
#include <kernel/crash.h>
#include <kernel/cpu.h>
#include <kernel/init.h>
#include <kernel/printk.h>
#include <sched/sched.h>
#include <sched/spinlock.h>

static struct spinlock crash_lock = SPINLOCK_INIT("crash");

/* noinline: the panic's backtrace names them. */
__attribute__((noinline)) void crash_lock_order(void)
{
	if (cpus_online < 2) {
		kprintf("crash: one CPU: there is no interrupt lock to take "
			"first, so no order to break (boot with SMP=2)\n");
		return;
	}
	kprintf("crash: taking spinlock 'crash' without irq_save ...\n");
	spin_lock(&crash_lock);
	spin_unlock(&crash_lock);
}

__attribute__((noinline)) void crash_sleep_locked(void)
{
	uint32_t f = spin_lock_irqsave(&crash_lock);

	kprintf("crash: sleeping 1 ms holding spinlock 'crash' ...\n");
	sleep_ms(1);
	spin_unlock_irqrestore(&crash_lock, f);
}

__attribute__((noinline)) void crash_lockup(void)
{
	uint64_t t0;

	if (cpus_online < 2) {
		kprintf("crash: one CPU: nobody else can wait for the "
			"interrupt lock (boot with SMP=2)\n");
		return;
	}
	t0 = rdtsc();
	sleep_ms(10);
	irqlock_lockup_cycles = (rdtsc() - t0) * 50;    /* ~500 ms */
	kprintf("crash: keeping the interrupt lock forever; another CPU "
		"gives up after about 500 ms ...\n");
	(void)irq_save();
	for (;;)
		cpu_relax();
}

static int lockrules_init(void)
{
	crash_add_kind("lockorder", crash_lock_order, "a spinlock without "
		       "the interrupt lock first (2+ CPUs; panics)");
	crash_add_kind("sleeplock", crash_sleep_locked, "sleep holding a "
		       "spinlock (panics)");
	crash_add_kind("lockup", crash_lockup, "keep the interrupt lock "
		       "forever (2+ CPUs; another CPU panics)");
	return 0;
}
INITCALL(lockrules_init, INIT_SUBSYS);
