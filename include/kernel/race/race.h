/*
 * <kernel/race/race.h>: holding tasks at named probes, on purpose.
 *
 * The race scenarios (kernel/race/race_scenarios.c) replay each unload
 * race deterministically. Instead of starting threads and hoping, a
 * scenario arms a named probe (<kernel/probe.h>); the next task to reach
 * it (or one chosen task) is held there, and the scenario waits for it to
 * arrive, does what opens the race, and releases it. A task held at a
 * probe() call sleeps inside the kernel (its EIP in the scheduler, its
 * return addresses leading back to the caller); a task held at a
 * PROBE_PREEMPT in module code looks exactly like a task the timer
 * preempted at that instruction (its EIP inside the module).
 *
 * A probe can also be *watched* rather than held: reaching it is counted
 * and wakes the scenario, and the task goes on (the unloader announces
 * "I am waiting for the reaper" this way).
 *
 * Unarmed probes cost one comparison here. Holds are bounded: a task held
 * longer than RACE_HOLD_MAX_MS is let go with a warning, so a broken
 * scenario cannot hang the kernel.
 *
 * Lock: race_lock (a spinlock) guards the slot table; held tasks sleep on
 * the release wait queue.
 */
#ifndef KERNEL_RACE_H
#define KERNEL_RACE_H

#include <stdbool.h>

struct task;

#define RACE_HOLD_MAX_MS 20000
/* The bound on a hold now ([a]; a test lowers it). */
extern unsigned race_hold_max_ms;

/* ---- the scenario's side --------------------------------------------- */
/*
 * Hold the next task that reaches point (only that task, if only is not
 * NULL). Return: 0, -EBUSY if the point is armed already, -ENOSPC if the
 * table is full. Context: task.
 */
int race_arm(const char *point, struct task *only);
/* Count arrivals at point without holding anyone. Return: as race_arm. */
int race_watch(const char *point);
/* Keep the next task that reaches PROBE_SPIN(point) spinning there,
 * running its own code, until released (race_wait returns once it is in
 * its spin loop, and gives it as *who).
 * One spin point at a time. Return: as race_arm. Context: task. */
int race_spin(const char *point);
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
