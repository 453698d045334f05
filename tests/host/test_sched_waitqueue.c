// host-sources: sched/waitqueue.c
/*
 * tests/host/test_sched_waitqueue.c: wait queue bookkeeping: who is
 * queued, who gets woken, in what order. The scheduler is stubbed: a
 * "task" is woken by flipping its state, as sched_wake_locked would.
 */
#include "host.h"
#include <sched/waitqueue.h>
#include <sched/task.h>

struct task *current;
static struct task tasks[4];
static int wake_log[16], nwakes;
static int lock_depth;

uint32_t spin_lock_irqsave(struct spinlock *l)
{
	CHECK(!l->locked);
	l->locked = 1;
	lock_depth++;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, uint32_t f)
{
	CHECK(l->locked);
	l->locked = 0;
	lock_depth--;
}

void spin_lock_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
	l->owner = NULL;
}

bool wake_up_task(struct task *t)
{
	CHECK_EQ(lock_depth, 1);        /* called under the wq lock */
	if (t->state != TASK_SLEEPING)
		return false;
	t->state = TASK_RUNNABLE;
	wake_log[nwakes++] = t->id;
	return true;
}

static void setup(void)
{
	for (int i = 0; i < 4; i++) {
		tasks[i] = (struct task){ .id = i, .state = TASK_SLEEPING };
	}
	nwakes = 0;
}

/* Queue tasks[i] as a waiter, the way __wait_event does. */
static void enqueue(struct wait_queue *wq, struct wait_entry *we, int i)
{
	current = &tasks[i];
	wq_add(wq, we);
}

static void dequeue(struct wait_queue *wq, struct wait_entry *we, int i)
{
	current = &tasks[i];
	wq_remove(wq, we);
}

TEST(wake_up_one_wakes_the_oldest_sleeper)
{
	struct wait_queue wq;
	struct wait_entry we[3];

	setup();
	wait_queue_init(&wq, "t");
	CHECK(!wait_queue_active(&wq));
	for (int i = 0; i < 3; i++)
		enqueue(&wq, &we[i], i);
	CHECK(wait_queue_active(&wq));
	CHECK_EQ(wake_up_one(&wq), 1);
	CHECK_EQ(nwakes, 1);
	CHECK_EQ(wake_log[0], 0);
	/* Task 0 is awake but still queued (it re-checks its condition):
	 * the next wake_up_one skips it and wakes task 1. */
	CHECK_EQ(wake_up_one(&wq), 1);
	CHECK_EQ(wake_log[1], 1);
	for (int i = 0; i < 3; i++)
		dequeue(&wq, &we[i], i);
	CHECK(!wait_queue_active(&wq));
}

TEST(wake_up_wakes_every_sleeper_once)
{
	struct wait_queue wq;
	struct wait_entry we[4];

	setup();
	wait_queue_init(&wq, "t");
	for (int i = 0; i < 4; i++)
		enqueue(&wq, &we[i], i);
	tasks[2].state = TASK_RUNNING;  /* not asleep yet: nothing to do */
	CHECK_EQ(wake_up(&wq), 3);
	CHECK_EQ(wake_log[0], 0);
	CHECK_EQ(wake_log[1], 1);
	CHECK_EQ(wake_log[2], 3);
	CHECK_EQ(wake_up(&wq), 0);      /* all awake already */
	for (int i = 0; i < 4; i++)
		dequeue(&wq, &we[i], i);
}

TEST(removal_keeps_order_of_the_rest)
{
	struct wait_queue wq;
	struct wait_entry we[3];

	setup();
	wait_queue_init(&wq, "t");
	for (int i = 0; i < 3; i++)
		enqueue(&wq, &we[i], i);
	dequeue(&wq, &we[0], 0);        /* e.g. a timeout */
	CHECK_EQ(wake_up_one(&wq), 1);
	CHECK_EQ(wake_log[0], 1);
	dequeue(&wq, &we[1], 1);
	dequeue(&wq, &we[2], 2);
	CHECK_EQ(wake_up(&wq), 0);
	CHECK(!list_linked(&we[2].node));
}

int main(void)
{
	RUN(wake_up_one_wakes_the_oldest_sleeper);
	RUN(wake_up_wakes_every_sleeper_once);
	RUN(removal_keeps_order_of_the_rest);
	return host_done();
}
