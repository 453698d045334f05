/*
 * <sched/runqueue.h>: the run queue: a FIFO of runnable tasks.
 *
 * The policy is round robin: a task that becomes runnable (woken, created,
 * preempted at the end of its slice, yielding) goes to the tail; the
 * scheduler takes the head. There are no priorities: simple to reason
 * about, and fair enough to show that a busy loop cannot starve anyone.
 * The idle task is never queued; the scheduler runs it when the queue is
 * empty.
 *
 * Pure logic on list nodes, host tested; the scheduler holds sched_lock
 * around every call (lock legend in <sched/task.h>).
 */
#ifndef SCHED_RUNQUEUE_H
#define SCHED_RUNQUEUE_H

#include <sched/list.h>

struct runqueue {
	struct list_node head;          /* [S] queued nodes, FIFO */
	unsigned nr;                    /* [S] how many */
};

/*
 * Every function here: Context: any, caller holds sched_lock (the host
 * tests hold nothing). None sleeps or allocates.
 */
void rq_init(struct runqueue *rq);
/* Queue n at the tail. n must not be queued (asserted). Return: none. */
void rq_push(struct runqueue *rq, struct list_node *n);
/* Return: the head node, unlinked, or NULL when empty. */
struct list_node *rq_pop(struct runqueue *rq);
/* Unlink n if it is queued. Return: true if it was. */
bool rq_remove(struct runqueue *rq, struct list_node *n);
/* Return: true if n is queued (on this or any list). */
bool rq_queued(const struct list_node *n);
/* Return: the number of queued nodes. */
static inline unsigned rq_len(const struct runqueue *rq)
{
	return rq->nr;
}

#endif
