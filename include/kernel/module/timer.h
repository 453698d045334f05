/*
 * <kernel/module/timer.h>: one-shot timers, an entry path into modules.
 *
 * A timer calls fn(t) from the timer interrupt once its delay has passed.
 * Each timer records its owner module; the timer core calls fn through
 * the module boundary (a reference around the call; a going module's
 * timers are skipped). A periodic timer re-arms itself from fn.
 *
 *	static struct timer tick = TIMER_INIT(tick_fn);
 *	timer_add(&tick, 100);            (call tick_fn in 100 ms)
 *	timer_del(&tick);                 (cancel; in unregister)
 *
 * Context of fn: IRQ, interrupts off: it must not sleep. A fault in fn
 * panics (there is no task to blame).
 * Lock: the pending list is guarded by disabling interrupts.
 * Weak: with one CPU and callbacks in IRQ context, a timer cannot be
 * "in flight" while a task runs timer_del(), so timer_del() is also the
 * synchronous cancel; deferred work in a kthread will need a real
 * timer_del_sync() that waits.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct module;

struct timer {
	void (*fn)(struct timer *t);    /* [const] */
	struct module *owner;           /* [const] NULL: the kernel */
	uint64_t expires;               /* [irq] tick */
	bool pending;                   /* [irq] */
	struct timer *next;             /* [irq] pending list */
};

#define TIMER_INIT(tfn) { .fn = (tfn), .owner = THIS_MODULE }

/* Arm t to fire in ms milliseconds (at least one tick). Re-arming a
 * pending timer moves it. Return: 0. Context: any. */
int timer_add(struct timer *t, uint32_t ms);
/* Cancel t. Return: true if it was pending. Context: any. */
bool timer_del(struct timer *t);
/* Timers of owner still pending; cancels them. Return: how many. */
unsigned timer_withdraw_owner(struct module *owner);

#endif
