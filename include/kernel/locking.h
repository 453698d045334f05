/*
 * <kernel/locking.h>: the one lock vocabulary of Quiesce, and its checks.
 *
 * Every member of a shared struct, and every shared variable, carries a
 * tag saying what protects it. The tags:
 *
 *   [const]        set before the object is visible to anyone else, then
 *                  only read (no lock needed to read it).
 *   [irq]          changed only with interrupts off (irq_save). On one CPU
 *                  that keeps out interrupt handlers and every other task;
 *                  with more, irq_save also takes the global interrupt
 *                  lock (kernel/irqlock.c), which keeps out every other
 *                  CPU's irq_save sections. A reader of more than one word
 *                  uses irq_save too.
 *   [a]            one aligned word, written whole; read without a lock
 *                  (a reader may see the value just before a change).
 *   [own]          touched only by the task that owns the object.
 *   [NAME]         the lock called NAME is held: [sched_lock],
 *                  [module_mutex], [race_lock], [stress_mutex],
 *                  [wq->lock] (a member's lock is named through it).
 *   [NAME, irq]    written holding NAME with interrupts off; read holding
 *                  either (a list the fault handler walks, for example).
 *   [r]            the reaper, once the task is a zombie (<sched/task.h>).
 *
 * Function names say what the caller must hold, and the function checks
 * it on entry:
 *
 *   foo_locked()   the caller holds the lock foo's comment names:
 *                  assert_held(&lock) for a spinlock (<sched/spinlock.h>),
 *                  assert(mutex_is_mine(&m)) for a mutex;
 *   foo_irqoff()   the caller has interrupts off: assert_irqs_off().
 *
 * Lock order: module_mutex is taken first (it is held across a whole load
 * or unload, which takes every other lock on the way); a spinlock or an
 * interrupts-off section is always innermost and never sleeps
 * (sched_might_sleep() panics if it does).
 */
#ifndef KERNEL_LOCKING_H
#define KERNEL_LOCKING_H

#include <kernel/arch.h>
#include <kernel/panic.h>

/* The caller must have interrupts off. */
#define assert_irqs_off() assert(!irqs_enabled())

#endif
