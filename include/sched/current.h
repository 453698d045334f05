/*
 * <sched/current.h>: the running task and references to a task, without
 * the insides of struct task (<sched/task.h>). What a module sees of tasks:
 * an opaque handle it may keep (with a reference) and hand back to
 * kthread_stop() or reaper_wait().
 */
#ifndef SCHED_CURRENT_H
#define SCHED_CURRENT_H

#include <kernel/cpu.h>

struct task;

/* The task running on this CPU (its struct cpu's cur_task). Never NULL
 * (the CPU's idle task at boot). Within one call of any function it is
 * the same task, on whichever CPU that call goes on after a switch: the
 * task is the one running the call. So the read is not volatile: the
 * compiler may keep it in a register across the function, as it kept the
 * global variable this once was (Linux's this_cpu_read_stable). */
#ifdef HOST_TEST
extern struct task *current;    /* host unit tests set it themselves */
#else
static inline struct task *get_current(void)
{
	struct task *t;

	__asm__("movl %%fs:%c1, %0" : "=r"(t)
		: "i"(offsetof(struct cpu, cur_task)));
	return t;
}
#define current get_current()
#endif

/*
 * Reference counting of the struct: a pointer kept across a sleep (e.g. a
 * thread you will kthread_stop or reaper_wait) needs a reference.
 * task_put frees the struct when the last reference goes (the task must be
 * DEAD then). Context: any task context.
 */
void task_get(struct task *t);
void task_put(struct task *t);

#endif
