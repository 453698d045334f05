/*
 * sched/placement.c: which CPU runs what, with more than one: waking idle
 * CPUs (sched_kick_*), CPU affinity (sched_set_cpus), and the idle loop
 * every CPU runs when it has nothing to do. docs/smp.md tells the story.
 * On one CPU a kick is need_resched on this CPU, and the idle loop halts.
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
