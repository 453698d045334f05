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

#include <drivers/pit.h>
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

/* A CPU's idle loop: halt until there is work, then schedule. Context:
 * the CPU's idle task; never returns. */
void sched_idle_loop(void) __attribute__((noreturn));
/* An application processor's timer tick (sched/smp.c). Context: IRQ. */
void sched_local_tick(void);

/* The first code a new task runs (sched/sched.c). */
void sched_task_entry(void) __attribute__((noreturn));

/* Freezer: a task created during a freeze (sched/freezer.c). */
void freezer_new_task_locked(struct task *t);
/* The scheduler is switching t out, still runnable (preempted or
 * yielding): freeze it here if a preemptive freeze wants it. Return:
 * true if it froze (it stays off the run queue). Caller holds sched_lock. */
bool freezer_preempted_locked(struct task *t);
/* Ask CPU cpu to reschedule (need_resched, and an IPI if it is not this
 * one). Caller holds sched_lock. */
void sched_kick_cpu_locked(unsigned cpu);
/* While set, only this task runs; every other CPU runs its idle task
 * (sched/stop_cpus.c). [S] */
extern struct task *sched_stopper;

/* ---- the fair-share policy's state (sched/sched.c, sched/fair.c) ---- */

extern struct runqueue sched_runqueue;  /* [S] the run queue */
extern unsigned sched_slice_ticks;      /* a slice in ticks (from hz) */

/* The clock the policy charges in: TSC cycles per tick, measured by the
 * tick itself, and the policy's lengths in cycles (sched/fair.c). */
struct sched_clock {
	uint64_t per_tick;              /* [S] 0 until two ticks ran */
	uint64_t credit;                /* [S] SCHED_WAKEUP_CREDIT_MS */
	uint64_t gran;                  /* [S] SCHED_WAKEUP_GRAN_US */
	uint64_t slice;                 /* [S] SCHED_SLICE_MS */
	uint64_t last_tick;             /* [S] TSC at the last tick */
	uint64_t max_charge;            /* [S] 2 ticks: longer is a stall */
	unsigned odd;                   /* [S] ticks in a row not measured */
};
extern struct sched_clock sched_clock;

/*
 * Charge t, which is on this CPU, for the cycles since the CPU was last
 * charged to anyone (each CPU has its clock: run_start in its struct
 * cpu): its CPU time and its vruntime. Every switch and every tick does
 * it. Caller holds sched_lock.
 */
static inline void sched_charge(struct task *t, uint64_t now)
{
	struct cpu *c = this_cpu();
	uint64_t used = now - c->run_start;

	c->run_start = now;
	t->sum_exec += used;
	t->rq.vruntime += used;
}

/* The tick's measure of the TSC (sched/fair.c). Caller: the tick, with
 * sched_lock held. */
void sched_clock_tick_locked(uint64_t tsc);
/* Clamp what this CPU's next charge can be to two ticks (a host stall).
 * Caller: the tick, on every CPU, sched_lock held. */
void sched_clock_clamp_locked(uint64_t tsc);
/* t was just woken and queued: preempt the running task if the policy
 * says so (sched/fair.c). Caller holds sched_lock. */
void sched_wake_preempt_locked(struct task *t);
/* If t is queued, move it to the front: it runs next (the reaper after an
 * exit). Caller holds sched_lock. */
void sched_run_first_locked(struct task *t);
/* A task was queued: if this CPU is idle, reschedule here; else ask an
 * idle CPU, if there is one, to come and take it (an IPI). Caller holds
 * sched_lock. */
void sched_kick_idle_locked(const struct task *t);
/* More than one CPU (irqlock_on): the next task for this CPU, its
 * affinity and the stop obeyed, then the kicks: an idle CPU for prev if it
 * was requeued (still runnable) but may not run here, and one for the
 * first task still queued. The caller has cleared this CPU's
 * need_resched. Caller: sched_schedule_locked. */
struct task *sched_pick_next_smp_locked(struct task *prev, bool requeued);

/* Call fn at every tick of an AP's local timer, after the scheduler's,
 * with its trap frame (CPU 0's tick is the PIT's: pit_add_tick_hook).
 * Context: boot. */
void smp_add_local_tick_hook(tick_hook fn);
/* Return: queued tasks that may run on this CPU. Context: any; takes the
 * interrupt lock and sched_lock; O(queued). */
unsigned sched_nr_runnable_here(void);

/* True for the scheduler's own functions (task_where skips them). */
bool sched_is_core_fn(uintptr_t addr);

/* Timer list node lives beside the task; see sched/sched.c. */

#endif
