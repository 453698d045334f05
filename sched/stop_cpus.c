/*
 * sched/stop_cpus.c: stop every other CPU, as <sched/stop_cpus.h> says.
 *
 * How: sched_stopper is set under sched_lock; from then on the scheduler
 * picks, on every CPU, either the stopper or the CPU's idle task
 * (sched_pick_next_smp_locked), and an idle CPU does not wake up for
 * queued work.
 * Each other CPU running a task is kicked (need_resched and an IPI), its
 * task is preempted at the end of the IPI, and the stopper waits until
 * every CPU runs its idle task or the stopper itself. Nothing runs a
 * task's code after that, on any CPU, until sched_resume_others.
 *
 * Linux's stop_machine runs a thread at top priority on every CPU that
 * spins with interrupts off; ours parks the CPUs in their idle loops with
 * interrupts on, which is all a stack scan needs. Its cost (the time
 * until all have stopped) is counted in stop_stats and in make bench.
 */
#include <sched/stop_cpus.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/lib/errno.h>
#include <sched/spinlock.h>
#include <sched/task.h>
#include <sched/waitqueue.h>
#include "internal.h"

struct task *sched_stopper;
struct stop_stats stop_stats;

/* Every online CPU runs its idle task or the caller. Read without the
 * lock: while stopped, a CPU's task only changes to its idle task. */
static bool others_stopped(void)
{
	for (unsigned i = 0; i < cpu_count; i++) {
		struct task *t = cpus[i].cur_task;

		if (cpus[i].online && !t->idle && t != current)
			return false;
	}
	return true;
}

int sched_stop_others(unsigned timeout_ms)
{
	uint64_t end, t0, d;
	uint32_t f;

	sched_might_sleep();
	if (cpus_online == 1)
		return 0;       /* nothing else runs: no deadline to compute */
	end = sched_deadline(timeout_ms);
	t0 = rdtsc();
	f = spin_lock_irqsave(&sched_lock);
	assert(!sched_stopper);
	sched_stopper = current;
	for (unsigned i = 0; i < cpu_count; i++)
		if (cpus[i].online && !cpus[i].cur_task->idle &&
		    cpus[i].cur_task != current)
			sched_kick_cpu_locked(i);
	spin_unlock_irqrestore(&sched_lock, f);
	while (!others_stopped()) {
		if (end && ticks_read() >= end) {
			sched_resume_others();
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	d = rdtsc() - t0;
	stop_stats.stops++;
	stop_stats.cycles += d;
	if (d > stop_stats.max_cycles)
		stop_stats.max_cycles = d;
	return 0;
}

bool sched_stopper_is_me(void)
{
	return cpus_online == 1 || sched_stopper == current;
}

void sched_resume_others(void)
{
	uint32_t f;

	if (cpus_online == 1)
		return;
	f = spin_lock_irqsave(&sched_lock);
	assert(sched_stopper == current);
	sched_stopper = NULL;
	/* Wake as many idle CPUs as there are tasks waiting. */
	for (unsigned i = 0; i < rq_len(&sched_runqueue) && i < cpu_count;
	     i++)
		sched_kick_idle_locked(NULL);
	spin_unlock_irqrestore(&sched_lock, f);
}
