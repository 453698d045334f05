/*
 * sched/runqueue.c: the run queue, sorted by virtual runtime, and the
 * placement rules of the fair-share policy.
 *
 * Pure logic (no x86, no locks, no clock): the scheduler calls it under
 * sched_lock and feeds it cycle counts; tests/host/test_sched_rq.c runs it
 * on the host. The policy is described in <sched/runqueue.h>.
 */
#include <sched/runqueue.h>
#include <kernel/panic.h>

void rq_init(struct runqueue *rq)
{
	list_node_init(&rq->head);
	rq->nr = 0;
	rq->min_vruntime = 0;
}

void rq_entity_init(struct rq_entity *e)
{
	list_node_init(&e->node);
	e->vruntime = 0;
}

/* Between the first and the last (rq_insert took the two ends): walk
 * from the back to the last entity not above e, and go behind it. */
void rq_insert_middle(struct runqueue *rq, struct rq_entity *e)
{
	struct list_node *n;

	assert(rq->nr >= 2);
	for (n = rq->head.prev; n != &rq->head; n = n->prev)
		if (!rq_key_before(e->key,
				   list_entry(n, struct rq_entity, node)->key))
			break;
	assert(n != &rq->head);         /* the first is not above e */
	list_insert_between(&e->node, n, n->next);
}

bool rq_remove(struct runqueue *rq, struct rq_entity *e)
{
	if (!list_linked(&e->node))
		return false;
	list_del_init(&e->node);
	assert(rq->nr > 0);
	rq->nr--;
	return true;
}

uint64_t rq_advance_min(struct runqueue *rq, const struct rq_entity *curr)
{
	const struct rq_entity *first = rq_first(rq);
	uint64_t v;

	if (!first && !curr)
		return rq->min_vruntime;        /* nothing runnable: keep it */
	if (!first)
		v = curr->vruntime;
	else if (!curr || first->vruntime < curr->vruntime)
		v = first->vruntime;
	else
		v = curr->vruntime;
	if (v > rq->min_vruntime)
		rq->min_vruntime = v;
	return rq->min_vruntime;
}

