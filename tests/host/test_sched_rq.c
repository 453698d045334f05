// host-sources: sched/runqueue.c sched/taskset.c
/*
 * tests/host/test_sched_rq.c: the run queue (FIFO, round robin), the list
 * primitives under it, and task sets.
 */
#include "host.h"
#include <sched/runqueue.h>
#include <sched/task.h>
#include <kernel/lib/errno.h>

struct item {
	int id;
	struct list_node node;
};

static struct item items[5];

static void init_items(void)
{
	for (int i = 0; i < 5; i++) {
		items[i].id = i;
		list_node_init(&items[i].node);
	}
}

static int pop_id(struct runqueue *rq)
{
	struct list_node *n = rq_pop(rq);

	return n ? list_entry(n, struct item, node)->id : -1;
}

TEST(rq_is_fifo)
{
	struct runqueue rq;

	init_items();
	rq_init(&rq);
	CHECK_EQ(pop_id(&rq), -1);
	for (int i = 0; i < 5; i++)
		rq_push(&rq, &items[i].node);
	CHECK_EQ(rq_len(&rq), 5);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(pop_id(&rq), i);
	CHECK_EQ(rq_len(&rq), 0);
	CHECK_EQ(pop_id(&rq), -1);
}

TEST(rq_round_robin_requeue)
{
	struct runqueue rq;
	int order[9];

	init_items();
	rq_init(&rq);
	for (int i = 0; i < 3; i++)
		rq_push(&rq, &items[i].node);
	/* Each "slice": take the head, run it, put it back at the tail. */
	for (int k = 0; k < 9; k++) {
		struct list_node *n = rq_pop(&rq);

		order[k] = list_entry(n, struct item, node)->id;
		rq_push(&rq, n);
	}
	for (int k = 0; k < 9; k++)
		CHECK_EQ(order[k], k % 3);
}

TEST(rq_remove_from_middle)
{
	struct runqueue rq;

	init_items();
	rq_init(&rq);
	for (int i = 0; i < 4; i++)
		rq_push(&rq, &items[i].node);
	CHECK(rq_remove(&rq, &items[2].node));
	CHECK(!rq_queued(&items[2].node));
	CHECK(!rq_remove(&rq, &items[2].node));  /* not queued: no-op */
	CHECK_EQ(rq_len(&rq), 3);
	CHECK_EQ(pop_id(&rq), 0);
	CHECK_EQ(pop_id(&rq), 1);
	CHECK_EQ(pop_id(&rq), 3);
	CHECK(!rq_queued(&items[3].node));
}

TEST(list_add_head_and_safe_walk)
{
	struct list_node head = LIST_HEAD_INIT(head), *n, *next;
	int seen = 0, sum = 0;

	init_items();
	list_add_tail(&items[1].node, &head);
	list_add_head(&items[0].node, &head);
	list_add_tail(&items[2].node, &head);
	list_for_each_safe(n, next, &head) {
		struct item *it = list_entry(n, struct item, node);

		CHECK_EQ(it->id, seen);
		sum += it->id;
		seen++;
		list_del_init(n);       /* removal while walking */
	}
	CHECK_EQ(seen, 3);
	CHECK_EQ(sum, 3);
	CHECK(list_empty(&head));
}

TEST(task_set_add_contains)
{
	static struct task tasks[TASK_SET_MAX + 1];
	struct task_set set = { 0 };

	CHECK(!task_set_contains(NULL, &tasks[0]));
	CHECK(!task_set_contains(&set, &tasks[0]));
	for (int i = 0; i < TASK_SET_MAX; i++)
		CHECK_EQ(task_set_add(&set, &tasks[i]), 0);
	CHECK_EQ(task_set_add(&set, &tasks[0]), 0);     /* already there */
	CHECK_EQ(task_set_add(&set, &tasks[TASK_SET_MAX]), -ENOSPC);
	CHECK(task_set_contains(&set, &tasks[TASK_SET_MAX - 1]));
	CHECK(!task_set_contains(&set, &tasks[TASK_SET_MAX]));
	CHECK_EQ(set.n, TASK_SET_MAX);
}

int main(void)
{
	RUN(rq_is_fifo);
	RUN(rq_round_robin_requeue);
	RUN(rq_remove_from_middle);
	RUN(list_add_head_and_safe_walk);
	RUN(task_set_add_contains);
	return host_done();
}
