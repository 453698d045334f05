/*
 * <sched/runqueue.h>: the run queue and the fair-share policy's arithmetic.
 *
 * Policy (docs/scheduling.md has the whole story and a diagram): every task
 * has a virtual runtime, the CPU time it has used, in TSC cycles, shifted
 * when it wakes. The run queue keeps runnable tasks sorted by it; the
 * scheduler always runs the leftmost (the one that has had least), so
 * CPU-bound tasks share the CPU equally. Two rules place a task that
 * comes back, and they are all the policy there is:
 *
 *   wakeup   vruntime = max(vruntime, min_vruntime - credit): a task that
 *            slept (or is new: its vruntime starts at 0) falls behind
 *            everyone, but by at most `credit`, so it runs first without
 *            piling up a claim on the CPU; one that used more than its
 *            share keeps its vruntime: sleeping does not launder CPU time;
 *   yield    vruntime = max(vruntime, leftmost's vruntime): it goes behind
 *            the next task in line, and no further.
 *
 * A woken task preempts the running one when its vruntime is lower by more
 * than `gran` (rq_wakeup_preempts; the scheduler adds a condition on the
 * running task, see sched/sched.c): that is the prompt wakeup. Otherwise a
 * task runs until its time slice is used or it sleeps.
 *
 * min_vruntime is a floor under every runnable task's vruntime that never
 * goes back (rq_advance_min): the reference the placements use.
 *
 * Pure logic on embedded nodes, host tested (tests/host/test_sched_rq.c);
 * the scheduler holds sched_lock around every call (lock legend in
 * <sched/task.h>). No call sleeps or allocates. O(n) insertion in the
 * number of runnable tasks, O(1) in the common cases (a woken task going
 * to the front, a preempted or yielding one to the back); a teaching
 * kernel has a handful of runnable tasks, where a sorted list beats a
 * tree. The O(1) paths are inline: every context switch runs them.
 */
#ifndef SCHED_RUNQUEUE_H
#define SCHED_RUNQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sched/list.h>
#include <kernel/panic.h>

/*
 * The queue is sorted by vruntime in granules of 2^RQ_KEY_SHIFT cycles
 * (65,536: about 65 us at 1 GHz), and tasks in the same granule stay in
 * FIFO order. Finer ordering buys nothing (a slice is 10 ms) and costs a
 * walk of the queue whenever a crowd of tasks that each ran a few hundred
 * cycles comes back (64 tasks thawed by the freezer).
 */
#define RQ_KEY_SHIFT 21

/* What a task puts on the run queue (embedded in struct task). */
struct rq_entity {
	struct list_node node;          /* [S] link, sorted by key */
	uint64_t vruntime;              /* [S] CPU cycles used, placed */
	uint32_t key;                   /* [S] vruntime's granule, while
					 * queued (wraps: compare with
					 * rq_key_before) */
};

/* Is granule a before granule b? Wrap-safe: queued keys are never 2^31
 * granules apart (they are within a few slices of min_vruntime). */
static inline bool rq_key_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

struct runqueue {
	struct list_node head;          /* [S] queued entities, leftmost
					 * (lowest vruntime) first */
	unsigned nr;                    /* [S] how many */
	uint64_t min_vruntime;          /* [S] floor, never decreases */
};

/*
 * Every function here: Context: any, caller holds sched_lock (the host
 * tests hold nothing). None sleeps or allocates.
 */
void rq_init(struct runqueue *rq);
/* An entity that is on no queue (before its first rq_insert). */
void rq_entity_init(struct rq_entity *e);
/* Return: the leftmost entity, still queued, or NULL when empty. */
static inline struct rq_entity *rq_first(const struct runqueue *rq)
{
	return rq->nr ? list_entry(rq->head.next, struct rq_entity, node)
		      : NULL;
}
/* Return: the rightmost entity, still queued, or NULL when empty. */
static inline struct rq_entity *rq_last(const struct runqueue *rq)
{
	return rq->nr ? list_entry(rq->head.prev, struct rq_entity, node)
		      : NULL;
}
/* rq_insert's walk, for an entity that goes between two others. */
void rq_insert_middle(struct runqueue *rq, struct rq_entity *e);
/*
 * Queue e in vruntime order, behind every entity of the same or a lower
 * granule (equal ones stay FIFO: round robin among equals). e must not be
 * queued (asserted). Return: none.
 */
static inline void rq_insert(struct runqueue *rq, struct rq_entity *e)
{
	assert(!list_linked(&e->node));         /* queued twice: broken */
	e->key = (uint32_t)(e->vruntime >> RQ_KEY_SHIFT);
	if (!rq->nr || rq_key_before(e->key, rq_first(rq)->key))
		list_add_head(&e->node, &rq->head);     /* ahead of all */
	else if (!rq_key_before(e->key, rq_last(rq)->key))
		list_add_tail(&e->node, &rq->head);     /* behind all */
	else
		rq_insert_middle(rq, e);
	rq->nr++;
}
/* Return: the leftmost entity, unlinked, or NULL when empty. */
static inline struct rq_entity *rq_pop(struct runqueue *rq)
{
	struct list_node *n = rq->head.next;

	if (n == &rq->head)
		return NULL;
	list_del_init(n);
	rq->nr--;
	return list_entry(n, struct rq_entity, node);
}
/* Unlink e if it is queued. Return: true if it was. */
bool rq_remove(struct runqueue *rq, struct rq_entity *e);
/* Return: true if e is queued. */
static inline bool rq_queued(const struct rq_entity *e)
{
	return list_linked(&e->node);
}
/* Return: the number of queued entities. */
static inline unsigned rq_len(const struct runqueue *rq)
{
	return rq->nr;
}

/*
 * Raise min_vruntime to the lowest vruntime among the queue and curr (the
 * running entity; NULL when the CPU idles), never lowering it.
 * Return: the new min_vruntime.
 */
uint64_t rq_advance_min(struct runqueue *rq, const struct rq_entity *curr);
/* The wakeup rule: e slept or is new; place it at most credit behind
 * the floor. */
static inline void rq_place_woken(const struct runqueue *rq,
				  struct rq_entity *e, uint64_t credit)
{
	uint64_t floor = rq->min_vruntime > credit ?
			 rq->min_vruntime - credit : 0;

	if (e->vruntime < floor)
		e->vruntime = floor;
}
/* The yield rule: e (running, not queued) goes behind the leftmost. */
static inline void rq_place_yield(const struct runqueue *rq,
				  struct rq_entity *e)
{
	const struct rq_entity *first = rq_first(rq);

	if (first && e->vruntime < first->vruntime)
		e->vruntime = first->vruntime;
}
/*
 * Should woken preempt curr? Return: true when woken's vruntime is lower
 * than curr's by more than gran.
 */
static inline bool rq_wakeup_preempts(const struct rq_entity *woken,
				      const struct rq_entity *curr,
				      uint64_t gran)
{
	return woken->vruntime + gran < curr->vruntime;
}

#endif
