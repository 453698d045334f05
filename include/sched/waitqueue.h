/*
 * <sched/waitqueue.h>: wait queues: sleep until a condition holds.
 *
 *	wait_event(wq, cond);                   blocked: the watchdog watches
 *	err = wait_event_timeout(wq, cond, ms); 0 or -ETIMEDOUT
 *	wait_event_idle(wq, cond);              waiting for work: not "hung"
 *	err = wait_event_freezable_timeout(wq, cond, ms);  may freeze inside
 *	...
 *	cond = true; wake_up(&wq);              from a task or an IRQ
 *
 * How a wakeup is never lost: the waiter queues itself first, then checks
 * cond and goes to sleep with interrupts off; a waker makes cond true
 * first, then wakes. On one CPU nothing runs between the waiter's check and
 * its sleep. cond is evaluated with interrupts off: it must be a cheap test
 * that never sleeps (it may consume, e.g. take a completion's count).
 *
 * Lock: wq->lock (IRQ-safe) guards the waiter list. A waiter's entry lives
 * on its own stack for the duration of the wait.
 */
#ifndef SCHED_WAITQUEUE_H
#define SCHED_WAITQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/arch.h>
#include <sched/list.h>
#include <sched/sched.h>
#include <sched/spinlock.h>

struct task;

struct wait_queue {
	struct spinlock lock;
	struct list_node waiters;       /* [wq->lock] struct wait_entry, FIFO */
	const char *name; /* [const] shown by ps and the watchdog */
};

struct wait_entry {
	struct list_node node;          /* [wq->lock] */
	struct task *task;              /* [const] */
};

#define WAIT_QUEUE_INIT(wq, n) \
	{ SPINLOCK_INIT(n), LIST_HEAD_INIT((wq).waiters), (n) }
#define WAIT_FOREVER 0xffffffffu

/* Context: any (not while in use). Return: none. */
void wait_queue_init(struct wait_queue *wq, const char *name);
/* Wake every waiter / the oldest one. Return: how many woke. Context: any. */
unsigned wake_up(struct wait_queue *wq);
unsigned wake_up_one(struct wait_queue *wq);
/* Return: true if somebody waits. Context: any. */
bool wait_queue_active(struct wait_queue *wq);

/* Helpers for the macros below. Context: task; IRQs off inside. */
void wq_add(struct wait_queue *wq, struct wait_entry *we);
void wq_remove(struct wait_queue *wq, struct wait_entry *we);
/* Return: the tick deadline for a wait of ms (WAIT_FOREVER: 0, none).
 * Context: any. */
uint64_t sched_deadline(unsigned ms);
/* Freezer hook for freezable waits: see <sched/freezer.h>. */
bool try_to_freeze(void);

/*
 * The one implementation: queue, then loop { check with IRQs off; sleep }.
 * Evaluates to 0 when cond became true, -ETIMEDOUT when ms ran out first.
 * Context: task, may sleep (asserted).
 */
#define __wait_event(wq, cond, kind, ms)                                   \
	({                                                                 \
		struct wait_entry __we;                                    \
		uint64_t __dl;                                             \
		int __ret = 0;                                             \
		uint32_t __f0;                                             \
		bool __done;                                               \
		sched_might_sleep();                                       \
		/* Fast path: already true, no queueing (as Linux). */    \
		__f0 = irq_save();                                         \
		__done = (cond);                                           \
		irq_restore(__f0);                                         \
		if (!__done) {                                             \
			__dl = sched_deadline(ms);                         \
			wq_add(&(wq), &__we);                              \
			for (;;) {                                         \
				uint32_t __f = irq_save();                 \
				if (cond) {                                \
					irq_restore(__f);                  \
					break;                             \
				}                                          \
				__ret = sched_sleep_irqoff((kind), __dl,   \
							   (wq).name);     \
				irq_restore(__f);                          \
				if ((kind) == SLEEP_FREEZABLE)             \
					try_to_freeze();                   \
				if (__ret) {                               \
					__f = irq_save();                  \
					__ret = (cond) ? 0 : __ret;        \
					irq_restore(__f);                  \
					break;                             \
				}                                          \
			}                                                  \
			wq_remove(&(wq), &__we);                           \
		}                                                          \
		__ret;                                                     \
	})

#define wait_event(wq, cond) \
	((void)__wait_event(wq, cond, SLEEP_BLOCKED, WAIT_FOREVER))
#define wait_event_timeout(wq, cond, ms) \
	__wait_event(wq, cond, SLEEP_BLOCKED, ms)
#define wait_event_idle(wq, cond) \
	((void)__wait_event(wq, cond, SLEEP_IDLE, WAIT_FOREVER))
#define wait_event_idle_timeout(wq, cond, ms) \
	__wait_event(wq, cond, SLEEP_IDLE, ms)
#define wait_event_freezable(wq, cond) \
	((void)__wait_event(wq, cond, SLEEP_FREEZABLE, WAIT_FOREVER))
#define wait_event_freezable_timeout(wq, cond, ms) \
	__wait_event(wq, cond, SLEEP_FREEZABLE, ms)

#endif
