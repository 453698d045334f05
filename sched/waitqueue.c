/*
 * sched/waitqueue.c: wait queues (see <sched/waitqueue.h> for the waiting
 * side, which is a macro so the condition is the caller's own code).
 *
 * Lock order: wq->lock, then sched_lock (wake_up_task takes it).
 */
#include <sched/waitqueue.h>
#include <sched/sched.h>
#include <kernel/panic.h>

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	spin_lock_init(&wq->lock, name);
	list_node_init(&wq->waiters);
	wq->name = name;
}

void wq_add(struct wait_queue *wq, struct wait_entry *we)
{
	uint32_t f = spin_lock_irqsave(&wq->lock);

	we->task = current;
	list_add_tail(&we->node, &wq->waiters);
	spin_unlock_irqrestore(&wq->lock, f);
}

void wq_remove(struct wait_queue *wq, struct wait_entry *we)
{
	uint32_t f = spin_lock_irqsave(&wq->lock);

	assert(we->task == current);
	list_del_init(&we->node);
	spin_unlock_irqrestore(&wq->lock, f);
}

/* Wake up to max waiters, oldest first. A waiter stays queued until it
 * leaves the wait itself: it may find its condition false and sleep
 * again, and must still be found by the next wake_up. */
static unsigned wake(struct wait_queue *wq, unsigned max)
{
	struct list_node *n;
	unsigned woken = 0;
	uint32_t f = spin_lock_irqsave(&wq->lock);

	list_for_each(n, &wq->waiters) {
		struct wait_entry *we = list_entry(n, struct wait_entry, node);

		if (woken == max)
			break;
		if (wake_up_task(we->task))
			woken++;
	}
	spin_unlock_irqrestore(&wq->lock, f);
	return woken;
}

unsigned wake_up(struct wait_queue *wq)
{
	return wake(wq, ~0u);
}

unsigned wake_up_one(struct wait_queue *wq)
{
	return wake(wq, 1);
}

bool wait_queue_active(struct wait_queue *wq)
{
	uint32_t f = spin_lock_irqsave(&wq->lock);
	bool busy = !list_empty(&wq->waiters);

	spin_unlock_irqrestore(&wq->lock, f);
	return busy;
}
