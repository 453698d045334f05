/*
 * sched/internal.h: what the scheduler's own files share, and nobody else.
 *
 * Lock: sched_lock guards the run queue, the task table, the timer list and
 * every [S] field of struct task. It is taken with interrupts off (the
 * timer IRQ takes it too). Lock order: a wait queue's lock, then
 * sched_lock; never the other way round.
 */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include <sched/list.h>
#include <sched/runqueue.h>
#include <sched/spinlock.h>
#include <sched/task.h>

extern struct spinlock sched_lock;
extern struct list_node task_list;      /* [S] every task but DEAD ones */
extern struct task idle_task;
extern bool sched_running;              /* sched_start has run */

/* The scheduler proper. Caller holds sched_lock, IRQs off, count 1. */
void sched_schedule_locked(void);
/* Wake t if sleeping (or note the wakeup if frozen). Caller holds it. */
bool sched_wake_locked(struct task *t);
/* Take t off the run queue / timer list. Caller holds sched_lock. */
bool sched_dequeue_locked(struct task *t);
void sched_enqueue_locked(struct task *t);
void sched_timer_cancel_locked(struct task *t);

/* The first code a new task runs (sched/sched.c). */
void sched_task_entry(void) __attribute__((noreturn));

/* Freezer: a task created during a freeze (sched/freezer.c). */
void freezer_new_task_locked(struct task *t);

/* True for the scheduler's own functions (task_where skips them). */
bool sched_is_core_fn(uintptr_t addr);

/* Timer list node lives beside the task; see sched/sched.c. */

#endif
