/*
 * sched/fair.c: the fair-share policy's clock, and what it shows.
 *
 * The policy (<sched/runqueue.h> states its rules, docs/scheduling.md
 * tells the story) charges tasks in TSC cycles, exactly, at every switch
 * and tick (sched_charge in sched/internal.h). Its lengths, though, are
 * in milliseconds: the slice, the wakeup credit, the granule. This file
 * converts: the tick measures the TSC cycles of a tick (a running
 * average over 8 ticks, so a stalled host under plain QEMU moves it
 * only a little), and derives the lengths in cycles (sched_clock).
 * Under QEMU -icount a tick at hz=1000 is exactly 1,000,000 cycles.
 *
 * And the policy's two decisions outside the switch itself: where a task
 * that becomes runnable goes (sched_enqueue_locked), and whether its
 * wakeup preempts the running task (sched_wake_preempt_locked).
 *
 * Interface (<sched/sched.h>): sched_task_stat, sched_task_cycles,
 * sched_cycles_per_tick; for the scheduler (sched/internal.h):
 * sched_clock_tick_locked, sched_enqueue_locked, sched_wake_preempt_locked.
 */
#include <sched/sched.h>
#include "internal.h"
#include <drivers/pit.h>
#include <kernel/arch.h>

struct sched_clock sched_clock = { .max_charge = ~0ull };

void sched_clock_clamp_locked(uint64_t tsc)
{
	struct cpu *c = this_cpu();

	assert_held(&sched_lock);
	/* Every tick charges the running task, so what it charges is at
	 * most a tick. More is time the CPU was not ours (QEMU's host
	 * stalled it: its TSC follows the host clock; a stall ends with the
	 * tick QEMU owes): charge two ticks, not a run of seconds that would
	 * send the task to the back of the queue for as long. */
	if (tsc - c->run_start > sched_clock.max_charge)
		c->run_start = tsc - sched_clock.max_charge;
}

void sched_clock_tick_locked(uint64_t tsc)
{
	struct sched_clock *c = &sched_clock;
	uint64_t d = tsc - c->last_tick, per_ms;

	assert_held(&sched_lock);
	c->last_tick = tsc;
	if (!d || d == tsc)
		return;                 /* the first tick: nothing to measure */
	/* A host stall, not a tick's length; or a tick QEMU owed, delivered
	 * at once after a stall. But eight odd ones in a row are the
	 * measure that was wrong (it had learnt from a run of owed ticks):
	 * learn again. */
	if (c->per_tick && (d > 2 * c->per_tick || d < c->per_tick / 2) &&
	    ++c->odd < 8)
		return;
	c->odd = 0;
	c->per_tick = c->per_tick ? c->per_tick - c->per_tick / 8 + d / 8 : d;
	c->max_charge = 2 * c->per_tick;
	per_ms = c->per_tick * hz / 1000;
	c->credit = per_ms * SCHED_WAKEUP_CREDIT_MS;
	c->gran = per_ms * SCHED_WAKEUP_GRAN_US / 1000;
	c->slice = c->per_tick * sched_slice_ticks;
}

/*
 * t becomes runnable (new, woken or thawed): place it at most a credit
 * behind the floor (a new task's vruntime is 0: it gets the whole credit;
 * see <sched/runqueue.h>) and queue it. Caller holds sched_lock.
 */
void sched_enqueue_locked(struct task *t)
{
	assert_held(&sched_lock);
	assert(!t->idle && t != current);
	rq_place_woken(&sched_runqueue, &t->rq, sched_clock.credit);
	t->state = TASK_RUNNABLE;
	rq_insert(&sched_runqueue, &t->rq);
	if (!irqlock_on) {              /* one CPU */
		if (current->idle)
			sched_set_need_resched(true);
	} else {
		sched_kick_idle_locked(t);
	}
}

/*
 * The wakeup preemption: t was just woken and queued. If the running task
 * is CPU-bound and t is behind it by more than the granule, the running
 * task gives way at the next preemption point (the end of the interrupt
 * that woke t, or the waker's own spin_unlock_irqrestore).
 * Caller holds sched_lock.
 *
 * CPU-bound means: it has used a whole slice of CPU since it last slept.
 * That is the task that would otherwise keep the woken one waiting for
 * up to a slice. A task that sleeps often is left alone: it will give the
 * CPU up soon anyway, and it is usually the waker, handing over work (a
 * baton, a reply, a completion) just before it blocks; preempting it
 * would cost two switches instead of one and let the woken task run
 * before the waker has settled, an order that then depends on cycle
 * counts (the stress harness's seeded replays need the old order).
 */
void sched_wake_preempt_locked(struct task *t)
{
	struct task *c = current;

	if (c->idle)
		return;                 /* enqueue already asked */
	/* The cheap test first: a task that sleeps often is left alone
	 * (its CPU time may be stale by a tick: it errs towards "not yet"). */
	if (c->sum_exec - c->exec_at_wake < sched_clock.slice)
		return;
	sched_charge(c, rdtsc());       /* compare with its vruntime of now */
	if (rq_wakeup_preempts(&t->rq, &c->rq, sched_clock.gran)) {
		sched_set_need_resched(true);
		t->nr_wake_preempts++;
	}
}

void sched_run_first_locked(struct task *t)
{
	struct rq_entity *first = rq_first(&sched_runqueue);

	assert_held(&sched_lock);
	if (!rq_queued(&t->rq) || first == &t->rq)
		return;
	rq_remove(&sched_runqueue, &t->rq);
	if (t->rq.vruntime > first->vruntime)
		t->rq.vruntime = first->vruntime;
	/* The same granule as the first goes behind it: one below. */
	t->rq.vruntime -= t->rq.vruntime >= (1ull << RQ_KEY_SHIFT) ?
			  1ull << RQ_KEY_SHIFT : t->rq.vruntime;
	rq_insert(&sched_runqueue, &t->rq);
}

/* Cycles to microseconds by the tick's measure; 0 before it has one. */
static int64_t cycles_to_us(int64_t cycles)
{
	uint64_t per_ms = sched_clock.per_tick * hz / 1000;
	uint64_t a = cycles < 0 ? (uint64_t)-cycles : (uint64_t)cycles;

	if (!per_ms)
		return 0;
	a = a * 1000 / per_ms;
	return cycles < 0 ? -(int64_t)a : (int64_t)a;
}

void sched_task_stat(struct task *t, struct sched_stat *st)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	if (t == current)
		sched_charge(t, rdtsc());
	st->vruntime_us = cycles_to_us((int64_t)(t->rq.vruntime -
					sched_runqueue.min_vruntime));
	st->cpu_us = (uint64_t)cycles_to_us((int64_t)t->sum_exec);
	st->slices = t->nr_slices;
	st->wake_preempts = t->nr_wake_preempts;
	spin_unlock_irqrestore(&sched_lock, f);
}

uint64_t sched_task_cycles(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	uint64_t c;

	if (t == current)
		sched_charge(t, rdtsc());
	c = t->sum_exec;
	spin_unlock_irqrestore(&sched_lock, f);
	return c;
}

uint64_t sched_cycles_per_tick(void)
{
	return sched_clock.per_tick;
}
