/*
 * <sched/current.h>: the running task and references to a task, without
 * the insides of struct task (<sched/task.h>). What a module sees of tasks:
 * an opaque handle it may keep (with a reference) and hand back to
 * kthread_stop() or reaper_wait().
 */
#ifndef SCHED_CURRENT_H
#define SCHED_CURRENT_H

struct task;

/* The task running on this CPU. Never NULL (the idle task at boot). */
extern struct task *current;

/*
 * Reference counting of the struct: a pointer kept across a sleep (e.g. a
 * thread you will kthread_stop or reaper_wait) needs a reference.
 * task_put frees the struct when the last reference goes (the task must be
 * DEAD then). Context: any task context.
 */
void task_get(struct task *t);
void task_put(struct task *t);

#endif
