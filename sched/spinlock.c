/*
 * sched/spinlock.c: spinlocks, as <sched/spinlock.h> describes them.
 *
 * One CPU: the test-and-set never has to spin for another CPU, so finding
 * the lock held means this CPU already holds it (recursion, or an IRQ
 * handler taking a lock its task holds without irqsave). We panic with the
 * lock's name and holder: a clear report beats a silent hang.
 *
 * More CPUs: every spinlock nests inside the global interrupt lock
 * (kernel/irqlock.c, docs/smp.md): it is taken in an irq_save section
 * (spin_lock_irqsave is one). That is the one lock order, and it is
 * checked: a spinlock taken outside could deadlock against a CPU holding
 * the interrupt lock and wanting this spinlock. Inside it, no other CPU
 * can hold a spinlock either, so "found held" is still this CPU's doing.
 */
#include <sched/spinlock.h>
#include <sched/sched.h>
#include <kernel/arch.h>
#include <kernel/panic.h>
#include <sched/task.h>

void spin_lock_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
	l->owner = NULL;
}

/* The two reports, out of line: the fast paths below stay as short as
 * they were before there was more than one CPU (no register to save for
 * a panic's arguments). */
static void __attribute__((noinline, noreturn))
taken_outside(const struct spinlock *l)
{
	panic("spinlock '%s' taken outside an irq_save section with %u "
	      "CPUs: the interrupt lock must be taken first",
	      l->name ? l->name : "?", cpus_online);
}

static void __attribute__((noinline, noreturn))
taken_twice(const struct spinlock *l)
{
	panic("spinlock '%s' taken twice on one CPU (holder: '%s')",
	      l->name ? l->name : "?", l->owner ? l->owner->name : "?");
}

/* Take l, the nesting rule already checked. Inline in both takers: every
 * switch goes through spin_lock_irqsave. */
static inline __attribute__((always_inline)) void acquire(struct spinlock *l)
{
	preempt_disable();
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		taken_twice(l);
	l->owner = current;
}

void spin_lock(struct spinlock *l)
{
	if (irqlock_on && !this_cpu_read(irqlock_depth))
		taken_outside(l);
	acquire(l);
}

void spin_unlock(struct spinlock *l)
{
	assert(l->locked);
	l->owner = NULL;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

/* More than one CPU: irq_save takes the interrupt lock, then l. Out of
 * line, so that one CPU's path below keeps no register aside for a call
 * it never makes. */
static uint32_t __attribute__((noinline)) lock_irqsave_smp(struct spinlock *l)
{
	uint32_t f = irq_save();

	assert(this_cpu_read(irqlock_depth));   /* the nesting rule */
	acquire(l);
	return f;
}

uint32_t spin_lock_irqsave(struct spinlock *l)
{
	uint32_t f;

	if (irqlock_on)                 /* [boot]: set before tasks run */
		return lock_irqsave_smp(l);
	f = irq_save_local();           /* irq_save, on one CPU */
	acquire(l);
	return f;
}

void spin_unlock_irqrestore(struct spinlock *l, uint32_t flags)
{
	assert(l->locked);
	l->owner = NULL;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	/* Restore interrupts before preempt_enable, so a pending reschedule
	 * is taken here rather than at the next interrupt. */
	irq_restore(flags);
	preempt_enable();
}

