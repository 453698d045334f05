/*
 * <kernel/race.h>: race points: holding tasks at named places, on purpose.
 *
 * The race scenarios (kernel/race_scenarios.c) replay each unload race
 * deterministically. Instead of starting threads and hoping, a scenario
 * arms a named point; the next task to reach it (or one chosen task) is
 * held there, and the scenario waits for it to arrive, does what opens the
 * race, and releases it. Two kinds of point:
 *
 *   race_point("reaper.before_reap")   in kernel code: a call. The held
 *       task sleeps inside race_point(); its EIP is in the scheduler, its
 *       return addresses lead back to the caller.
 *
 *   RACE_PREEMPT("R4.window")          in module code: `int $0x81`. The
 *       held task sleeps inside the trap handler with the trap frame as
 *       its preemption frame, so it looks exactly like a task the timer
 *       preempted at that instruction: its EIP is inside the module.
 *
 * A point can also be *watched* rather than held: reaching it is counted
 * and wakes the scenario, and the task goes on (the unloader announces
 * "I am waiting for the reaper" this way).
 *
 * Unarmed points cost one comparison. Holds are bounded: a task held
 * longer than RACE_HOLD_MAX_MS is let go with a warning, so a broken
 * scenario cannot hang the kernel.
 *
 * Lock: race_lock (a spinlock) guards the point table; held tasks sleep on
 * the point's wait queue.
 */
#ifndef KERNEL_RACE_H
#define KERNEL_RACE_H

#include <stdbool.h>

struct task;

#define RACE_HOLD_MAX_MS 20000

/* ---- the side of the code being raced ------------------------------- */
/* A point in kernel code. Context: task, may sleep when armed. */
void race_point(const char *name);

/* A point in module code that looks like a preemption there. */
#define RACE_PREEMPT(name) \
	__asm__ volatile("int $0x81" : : "a"(name) : "memory")

/* ---- the scenario's side --------------------------------------------- */
/*
 * Hold the next task that reaches point (only that task, if only is not
 * NULL). Return: 0, -EBUSY if the point is armed already, -ENOSPC if the
 * table is full. Context: task.
 */
int race_arm(const char *point, struct task *only);
/* Count arrivals at point without holding anyone. Return: as race_arm. */
int race_watch(const char *point);
/*
 * Wait until a task is held at point (armed) or the point was reached
 * (watched) since armed. Return: 0, -ETIMEDOUT, -ENOENT if not armed.
 * *who (if not NULL) gets the held task, without a reference.
 * Context: task, may sleep.
 */
int race_wait(const char *point, unsigned timeout_ms, struct task **who);
/* Non-blocking: has point been reached? */
bool race_reached(const char *point);
/* Release the task held at point (if any) and disarm it. */
void race_release(const char *point);
/* Release everything and disarm every point. Context: task. */
void race_reset(void);
/* Return: the name of the point t is held at, or NULL. Context: any. */
const char *race_where_held(const struct task *t);

#endif
