/*
 * <sched/spinlock.h>: spinlocks.
 *
 * A spinlock guards data touched from IRQ handlers or from code that must
 * not sleep. Taking one disables preemption (so the holder is never
 * switched out) and, with the _irqsave form, interrupts (so an IRQ handler
 * on this CPU cannot spin on a lock its own CPU holds). On one CPU the
 * "spin" can never succeed: a held lock found held again is a self
 * deadlock, and we panic naming the lock and its holder instead of hanging.
 * With more CPUs every spinlock is taken inside the global interrupt lock
 * (irq_save), so no other CPU can hold it either: the same reasoning and
 * the same panic hold, and spin_lock checks the nesting (sched/spinlock.c,
 * docs/smp.md).
 *
 * Rules (asserted): never sleep while holding one; unlock what you locked;
 * a lock used from IRQs is taken with spin_lock_irqsave in task context.
 */
#ifndef SCHED_SPINLOCK_H
#define SCHED_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/panic.h>
#include <sched/current.h>

struct task;

struct spinlock {
	volatile uint32_t locked;
	const char *name;
	struct task *owner;     /* for asserts and reports */
};

#define SPINLOCK_INIT(n) { 0, (n), 0 }

/* Context: any (not while in use). Return: none. */
void spin_lock_init(struct spinlock *l, const char *name);
/* Context: any. Disables preemption. */
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* Context: any. Return: the interrupt flag to hand to the unlock. */
uint32_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, uint32_t flags);
/* Return: true if the lock is held by the current task. Inline: the
 * scheduler's hot paths assert it. */
static inline bool spin_held(const struct spinlock *l)
{
	return l->locked && l->owner == current;
}

#define assert_held(l) assert(spin_held(l))

#endif
