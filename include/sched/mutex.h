/*
 * <sched/mutex.h>: sleeping mutual exclusion.
 *
 * A mutex has an owner. Rules (asserted): lock and unlock in task context
 * with preemption enabled; no recursion (locking a mutex you hold panics:
 * it would deadlock); only the owner unlocks. A task blocked on a mutex is
 * in a "blocked" sleep: the watchdog reports it when it waits too long, so
 * an ABBA deadlock shows up with both tasks' backtraces.
 */
#ifndef SCHED_MUTEX_H
#define SCHED_MUTEX_H

#include <stdbool.h>
#include <sched/waitqueue.h>

struct task;

struct mutex {
	struct task *owner;             /* [irq] NULL when free */
	struct wait_queue wq;           /* tasks waiting for it */
};

#define MUTEX_INIT(m, n) { 0, WAIT_QUEUE_INIT((m).wq, n) }

/* Context: any (not while the mutex is in use). Return: none. */
void mutex_init(struct mutex *m, const char *name);
/* Context: task, may sleep. */
void mutex_lock(struct mutex *m);
/* Return: 0, or -ETIMEDOUT after ms. Context: task, may sleep. */
int mutex_lock_timeout(struct mutex *m, unsigned ms);
/* Return: true if taken. Context: task. */
bool mutex_trylock(struct mutex *m);
/* Context: task; the caller must own m. */
void mutex_unlock(struct mutex *m);
/* Return: true if the current task holds m. */
bool mutex_is_mine(const struct mutex *m);

#endif
