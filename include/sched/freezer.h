/*
 * <sched/freezer.h>: the freezer: stop every task but a few, then thaw.
 *
 * The seed: "freezing processes has the same effect as preempt". A frozen
 * task can be stopped anywhere it could be preempted; the unload protocol
 * freezes the world and then looks at every frozen task's stack.
 *
 * Two modes:
 *   FREEZE_COOPERATIVE: as in Linux, a task freezes itself at a
 *     try_to_freeze() point (kthread loops, freezable sleeps: sleep_ms,
 *     wait_event_freezable). Tasks in freezable sleeps are kicked awake so
 *     they reach the point. A task that never reaches one (a busy loop, a
 *     blocked wait) refuses: after timeout_ms the freezer reports each
 *     refuser, thaws everything and returns -ETIMEDOUT.
 *   FREEZE_PREEMPTIVE: a task is frozen wherever it is: runnable tasks
 *     where they were preempted, sleeping tasks in their sleep (a wakeup
 *     that arrives meanwhile is kept for the thaw). On one CPU this always
 *     succeeds at once: the caller runs, so nobody else does.
 *
 * Never frozen (the exempt set): the caller (the seed: "You must not freeze
 * the process doing rmmod, that way lies deadlock"), tasks with
 * freezable == false (idle, reaper, watchdog), zombies, and an explicit
 * set (the seed: "You must not freeze any threads that belong to the
 * module").
 *
 * Lifecycle of one freeze:
 *   IDLE --freezer_freeze--> FREEZING --all targets frozen--> FROZEN
 *                               | timeout: report, thaw        | thaw
 *                               v                              v
 *                             IDLE (-ETIMEDOUT)              IDLE
 * Only one freeze at a time (-EBUSY otherwise). Each frozen task carries
 * t->frozen; freezer_for_each_frozen lets the unload protocol scan them,
 * and thaw resumes exactly those tasks, each to the state it was in.
 */
#ifndef SCHED_FREEZER_H
#define SCHED_FREEZER_H

#include <stdbool.h>
#include <sched/task.h>

enum freeze_mode {
	FREEZE_COOPERATIVE,
	FREEZE_PREEMPTIVE,
};

/*
 * Freeze every task not exempt (see above). exempt may be NULL.
 * Return: 0 (all frozen), -ETIMEDOUT (refusers reported, all thawed),
 * -EBUSY (a freeze is already active), -EINVAL (bad mode).
 * Context: task, may sleep.
 */
int freezer_freeze(enum freeze_mode mode, const struct task_set *exempt,
		   unsigned timeout_ms);
/*
 * Freeze the calling task too, if it is freezable: what a careless quiesce
 * that freezes "everything" does to the task running rmmod (race R1). It
 * returns only after someone else thaws. Context: task, may sleep.
 */
void freezer_freeze_self(void);
/* Resume exactly the tasks this freeze froze. Return: how many. */
unsigned freezer_thaw(void);

/*
 * Queries; each Context: any (a snapshot: it may change unless you are
 * the task that froze). Return: true while a freeze is active (freezing
 * or frozen); its mode; the number of tasks frozen now; whether t is
 * frozen by the current freeze.
 */
bool freezer_active(void);
enum freeze_mode freezer_mode(void);
unsigned freezer_frozen_count(void);
bool freezer_is_frozen(const struct task *t);
/*
 * Call fn for each frozen task with a reference held, in task context, so
 * fn may walk its stack and print. Return: false if fn stopped early.
 */
bool freezer_for_each_frozen(bool (*fn)(struct task *t, void *arg),
			     void *arg);

/*
 * A freeze point: if the current task is asked to freeze, stop here until
 * thaw. Return: true if it was frozen. Context: task, may sleep.
 */
bool try_to_freeze(void);

/* Return: freezes that timed out since boot (tests). Context: any. */
unsigned freezer_refusals(void);

#endif
