/*
 * sched/placement.c: which CPU runs what, with more than one: the pick of
 * the next task (affinity, the stop of the other CPUs), waking idle CPUs
 * (sched_kick_*), CPU affinity (sched_set_cpus), and the idle loop every
 * CPU runs when it has nothing to do. docs/smp.md tells the story. On one
 * CPU the scheduler picks without this file (pick_next_locked, sched.c),
 * a kick is need_resched on this CPU, and the idle loop halts.
 */
#include <sched/sched.h>
#include <drivers/lapic.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <sched/task.h>
#include "internal.h"

void sched_kick_cpu_locked(unsigned cpu)
{
	struct cpu *c = &cpus[cpu];

	assert_held(&sched_lock);
	c->need_resched = true;
	if (c != this_cpu())
		lapic_send_ipi(c->apic_id, VEC_IPI_RESCHED);
}

void sched_kick_idle_locked(const struct task *t)
{
	struct cpu *me = this_cpu();
	uint32_t allowed = t ? t->cpus_allowed : ~0u;

	assert_held(&sched_lock);
	if (current->idle && (allowed & (1u << me->id))) {
		sched_set_need_resched(true);
		return;
	}
	for (unsigned i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];

		/* cur_task changes only under sched_lock: this is exact. */
		if (c == me || !c->online || !c->cur_task->idle ||
		    c->need_resched || !(allowed & (1u << i)))
			continue;
		sched_kick_cpu_locked(i);
		return;
	}
}

/* May t run on this CPU (its affinity)? */
static inline bool allowed_here(const struct task *t)
{
	return t->cpus_allowed & (1u << cpu_id());
}

/* The leftmost task this CPU may run. While another CPU's task has every
 * other CPU stopped, only it may run. */
static struct task *pick_allowed_locked(void)
{
	struct list_node *n;
	struct task *s = sched_stopper;

	if (s) {
		if (s->state != TASK_RUNNABLE || !rq_queued(&s->rq))
			return this_cpu()->idle;
		rq_remove(&sched_runqueue, &s->rq);
		return s;
	}
	list_for_each(n, &sched_runqueue.head) {
		struct rq_entity *e = list_entry(n, struct rq_entity, node);
		struct task *t = list_entry(e, struct task, rq);

		if (allowed_here(t)) {
			rq_remove(&sched_runqueue, e);
			return t;
		}
	}
	return this_cpu()->idle;
}

unsigned sched_nr_runnable_here(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	unsigned n = 0;
	struct list_node *i;

	list_for_each(i, &sched_runqueue.head)
		n += allowed_here(list_entry(list_entry(i, struct rq_entity,
							node), struct task, rq));
	spin_unlock_irqrestore(&sched_lock, f);
	return n;
}

struct task *sched_pick_next_smp_locked(struct task *prev, bool requeued)
{
	struct task *next;

	assert_held(&sched_lock);
	assert(irqlock_on);
	next = pick_allowed_locked();
	/* prev is not idle when requeued: neither kick below can set this
	 * CPU's need_resched on its account, so the kick for prev may
	 * follow the pick (it used to come first). */
	if (requeued && !allowed_here(prev))
		sched_kick_idle_locked(prev);   /* it moves away */
	if (rq_len(&sched_runqueue) && !sched_stopper)
		sched_kick_idle_locked(list_entry(rq_first(&sched_runqueue),
						  struct task, rq));
	return next;
}

void sched_set_cpus(struct task *t, uint32_t mask)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	bool move;

	assert(mask);
	t->cpus_allowed = mask;
	move = t->state == TASK_RUNNING && !(mask & (1u << t->cpu));
	if (move && t != current)
		sched_kick_cpu_locked(t->cpu);
	spin_unlock_irqrestore(&sched_lock, f);
	if (move && t == current)
		schedule();
}

void sched_idle_loop(void)
{
	assert(current->idle);
	for (;;) {
		uint32_t f = irq_save();

		/* Work for this CPU comes with need_resched: an enqueue
		 * kicks an idle CPU the task may run on. Queued tasks
		 * pinned elsewhere are not ours to look at. */
		while (!sched_need_resched) {
			this_cpu()->idle_halts++;
			irq_wait_interrupt();
		}
		irq_restore(f);
		schedule();
	}
}
