/*
 * <sched/reaper.h>: the reaper: where zombies are laid to rest.
 *
 * An exiting task cannot free its own stack (it is running on it). It
 * becomes a ZOMBIE and joins the reaper's list; the reaper thread then
 *   1. runs the exit hooks registered for it (oldest first),
 *   2. frees its stack,
 *   3. marks it DEAD, removes it from the task table and wakes reaper_wait
 *      callers,
 *   4. drops the task's own reference (the struct goes with the last one).
 * Exit hooks run in the reaper, after the task is gone: the seed's "zombie
 * clean up code can refer to the module that no longer exists" is exactly
 * this step. So the unload protocol stops a module's threads and then
 * reaper_wait()s for each before it frees the module (race R3).
 */
#ifndef SCHED_REAPER_H
#define SCHED_REAPER_H

#include <sched/current.h>

/* An exit hook: runs in the reaper thread, t is a ZOMBIE (no stack). */
typedef void (*task_exit_fn)(struct task *t, void *arg);

/*
 * Run fn(t, arg) in the reaper when t is reaped. Return: 0, -ENOMEM, or
 * -ESRCH if t is already a zombie. Context: task.
 */
int reaper_add_exit_hook(struct task *t, task_exit_fn fn, void *arg);

/*
 * Wait until t has been reaped (DEAD). The caller holds a reference on t.
 * Return: 0, or -ETIMEDOUT. Context: task, may sleep.
 */
int reaper_wait(struct task *t, unsigned timeout_ms);
/* The same by id: until no task with that id is in the table. */
int reaper_wait_id(int id, unsigned timeout_ms);

/* Hand a zombie to the reaper. Context: the exiting task, IRQs off. */
void reaper_enqueue_irqoff(struct task *t);

/* Tasks reaped since boot; zombies waiting now. */
unsigned long reaper_reaped_count(void);
unsigned reaper_pending(void);

#endif
