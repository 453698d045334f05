/*
 * sched/runqueue.c: the run queue, a FIFO of list nodes.
 *
 * Pure logic (no x86, no locks): the scheduler calls it under sched_lock,
 * and tests/host/test_sched_rq.c runs it on the host. Round robin is the
 * whole policy; see <sched/runqueue.h>.
 */
#include <sched/runqueue.h>
#include <kernel/panic.h>

void rq_init(struct runqueue *rq)
{
	list_node_init(&rq->head);
	rq->nr = 0;
}

void rq_push(struct runqueue *rq, struct list_node *n)
{
	assert(!list_linked(n));        /* queued twice: a broken state */
	list_add_tail(n, &rq->head);
	rq->nr++;
}

struct list_node *rq_pop(struct runqueue *rq)
{
	struct list_node *n;

	if (list_empty(&rq->head)) {
		assert(rq->nr == 0);
		return NULL;
	}
	n = rq->head.next;
	list_del_init(n);
	assert(rq->nr > 0);
	rq->nr--;
	return n;
}

bool rq_remove(struct runqueue *rq, struct list_node *n)
{
	if (!list_linked(n))
		return false;
	list_del_init(n);
	assert(rq->nr > 0);
	rq->nr--;
	return true;
}

bool rq_queued(const struct list_node *n)
{
	return list_linked(n);
}
