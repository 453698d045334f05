// host-sources: sched/runqueue.c sched/taskset.c
/*
 * tests/host/test_sched_rq.c: the run queue (sorted by vruntime) and the
 * fair-share policy's rules, the list primitives under it, and task sets.
 */
#include "host.h"
#include <sched/runqueue.h>
#include <sched/task.h>
#include <kernel/lib/errno.h>

struct item {
	int id;
	struct rq_entity e;
};

static struct item items[5];

/* One granule of the queue's order, in cycles. */
#define G (1ull << RQ_KEY_SHIFT)

static void init_items(void)
{
	for (int i = 0; i < 5; i++) {
		items[i].id = i;
		rq_entity_init(&items[i].e);
	}
}

static int pop_id(struct runqueue *rq)
{
	struct rq_entity *e = rq_pop(rq);

	return e ? list_entry(e, struct item, e)->id : -1;
}

static void insert_at(struct runqueue *rq, int i, uint64_t v)
{
	items[i].e.vruntime = v;
	rq_insert(rq, &items[i].e);
}

TEST(rq_orders_by_vruntime)
{
	struct runqueue rq;
	static const uint64_t v[5] = { 30 * G, 10 * G, 50 * G, 20 * G,
				       40 * G };

	init_items();
	rq_init(&rq);
	CHECK_EQ(pop_id(&rq), -1);
	CHECK(rq_first(&rq) == NULL);
	for (int i = 0; i < 5; i++)
		insert_at(&rq, i, v[i]);
	CHECK_EQ(rq_len(&rq), 5);
	CHECK(rq_first(&rq) == &items[1].e);
	CHECK_EQ(pop_id(&rq), 1);
	CHECK_EQ(pop_id(&rq), 3);
	CHECK_EQ(pop_id(&rq), 0);
	CHECK_EQ(pop_id(&rq), 4);
	CHECK_EQ(pop_id(&rq), 2);
	CHECK_EQ(rq_len(&rq), 0);
}

TEST(rq_equal_vruntimes_stay_fifo)
{
	struct runqueue rq;
	int order[9];

	init_items();
	rq_init(&rq);
	/* The same granule counts as equal: 100 G, and 100 G plus a few
	 * hundred cycles. Requeueing among equals is round robin. */
	for (int i = 0; i < 3; i++)
		insert_at(&rq, i, 100 * G + (uint64_t)(2 - i) * 300);
	for (int k = 0; k < 9; k++) {
		struct rq_entity *e = rq_pop(&rq);

		order[k] = list_entry(e, struct item, e)->id;
		rq_insert(&rq, e);
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
		insert_at(&rq, i, (uint64_t)i * G);
	CHECK(rq_remove(&rq, &items[2].e));
	CHECK(!rq_queued(&items[2].e));
	CHECK(!rq_remove(&rq, &items[2].e));    /* not queued: no-op */
	CHECK_EQ(rq_len(&rq), 3);
	CHECK_EQ(pop_id(&rq), 0);
	CHECK_EQ(pop_id(&rq), 1);
	CHECK_EQ(pop_id(&rq), 3);
	CHECK(!rq_queued(&items[3].e));
}

TEST(rq_min_vruntime_never_goes_back)
{
	struct runqueue rq;

	init_items();
	rq_init(&rq);
	CHECK_EQ(rq_advance_min(&rq, NULL), 0);
	insert_at(&rq, 0, 500);
	items[1].e.vruntime = 300;              /* running */
	CHECK_EQ(rq_advance_min(&rq, &items[1].e), 300);
	items[1].e.vruntime = 900;
	CHECK_EQ(rq_advance_min(&rq, &items[1].e), 500);
	insert_at(&rq, 2, 100);                 /* a latecomer behind */
	CHECK_EQ(rq_advance_min(&rq, &items[1].e), 500);
	rq_init(&rq);
	rq.min_vruntime = 700;
	CHECK_EQ(rq_advance_min(&rq, NULL), 700); /* idle: kept */
}

TEST(rq_placement_rules)
{
	struct runqueue rq;

	init_items();
	rq_init(&rq);
	rq.min_vruntime = 10000;
	/* A long sleeper comes back at most the credit behind. */
	items[0].e.vruntime = 10;
	rq_place_woken(&rq, &items[0].e, 3000);
	CHECK_EQ(items[0].e.vruntime, 7000);
	/* One that used more than its share keeps its vruntime: sleeping
	 * does not launder CPU time. */
	items[1].e.vruntime = 12000;
	rq_place_woken(&rq, &items[1].e, 3000);
	CHECK_EQ(items[1].e.vruntime, 12000);
	/* Early in boot the floor is below the credit. */
	rq.min_vruntime = 100;
	items[2].e.vruntime = 0;
	rq_place_woken(&rq, &items[2].e, 3000);
	CHECK_EQ(items[2].e.vruntime, 0);
	rq.min_vruntime = 10000;
	items[3].e.vruntime = 10000;
	/* Wakeup preemption: behind by more than the granule. */
	items[4].e.vruntime = 10500;
	CHECK(rq_wakeup_preempts(&items[0].e, &items[4].e, 250));
	CHECK(!rq_wakeup_preempts(&items[3].e, &items[4].e, 500));
	CHECK(!rq_wakeup_preempts(&items[1].e, &items[4].e, 0));
}

TEST(rq_yield_goes_behind_the_next_only)
{
	struct runqueue rq;

	init_items();
	rq_init(&rq);
	insert_at(&rq, 0, 200 * G);
	insert_at(&rq, 1, 900 * G);
	items[2].e.vruntime = 50 * G;           /* the yielder, running */
	rq_place_yield(&rq, &items[2].e);
	CHECK_EQ(items[2].e.vruntime, 200 * G);
	rq_insert(&rq, &items[2].e);
	CHECK_EQ(pop_id(&rq), 0);               /* the next in line first */
	CHECK_EQ(pop_id(&rq), 2);               /* then the yielder... */
	CHECK_EQ(pop_id(&rq), 1);               /* ...before the far one */
	items[3].e.vruntime = 5000 * G;         /* already behind: stays */
	rq_place_yield(&rq, &items[3].e);
	CHECK_EQ(items[3].e.vruntime, 5000 * G);
}

TEST(rq_order_survives_the_key_wrapping)
{
	struct runqueue rq;
	uint64_t wrap = (1ull << 32) * G;       /* key 0 again */

	init_items();
	rq_init(&rq);
	insert_at(&rq, 0, wrap - 2 * G);        /* key 0xfffffffe */
	insert_at(&rq, 1, wrap + 3 * G);        /* key 3: after it */
	insert_at(&rq, 2, wrap - 1 * G);        /* key 0xffffffff */
	insert_at(&rq, 3, wrap + 1 * G);        /* key 1 */
	CHECK_EQ(pop_id(&rq), 0);
	CHECK_EQ(pop_id(&rq), 2);
	CHECK_EQ(pop_id(&rq), 3);
	CHECK_EQ(pop_id(&rq), 1);
}

/*
 * The policy as a whole, on a simulated CPU with the kernel's rules: four
 * CPU-bound tasks and one task that does `work` units, then sleeps `nap`
 * units, over and over. Slices are 10 units; the clock ticks every unit.
 * Return: the sleeper's worst wakeup latency; used[] gets each task's CPU.
 */
enum { SIM_BUSY = 4, SIM_TASKS = SIM_BUSY + 1, SIM_SLICE = 10,
       SIM_CREDIT = 5, SIM_TIME = 100000 };

static long simulate(int work, int nap, uint64_t *used)
{
	struct runqueue rq;
	int cur = -1, slice = 0, sleeper = SIM_BUSY, burst = 0;
	long wake_at = -1, worst = 0, woken_at = -1;

	init_items();
	rq_init(&rq);
	for (int i = 0; i < SIM_TASKS; i++) {
		used[i] = 0;
		insert_at(&rq, i, 0);
	}
	for (long now = 0; now < SIM_TIME; now++) {
		bool resched = cur < 0 || --slice == 0;

		if (now == wake_at) {           /* the sleeper wakes */
			rq_place_woken(&rq, &items[sleeper].e,
				       SIM_CREDIT * G);
			rq_insert(&rq, &items[sleeper].e);
			woken_at = now;
			if (cur < 0 || rq_wakeup_preempts(&items[sleeper].e,
							  &items[cur].e, 0))
				resched = true;
		}
		if (resched) {
			if (cur >= 0)
				rq_insert(&rq, &items[cur].e);
			cur = pop_id(&rq);
			slice = SIM_SLICE;
			if (cur == sleeper && woken_at >= 0) {
				if (now - woken_at > worst)
					worst = now - woken_at;
				woken_at = -1;
			}
		}
		used[cur]++;                    /* one unit of work */
		items[cur].e.vruntime += G;
		rq_advance_min(&rq, &items[cur].e);
		if (cur == sleeper && ++burst == work) {
			burst = 0;
			wake_at = now + 1 + nap;
			cur = -1;
		}
	}
	return worst;
}

static bool busy_shared_equally(const uint64_t *used)
{
	for (int i = 1; i < SIM_BUSY; i++) {
		long d = (long)used[i] - (long)used[0];

		if (d >= SIM_SLICE * 2 || d <= -SIM_SLICE * 2)
			return false;
	}
	return true;
}

TEST(rq_policy_wakeups_run_at_once_on_a_simulated_cpu)
{
	uint64_t used[SIM_TASKS];

	/* It asks for 10% of the CPU, less than its fair fifth: it runs
	 * the moment it wakes, every time, and gets all it asks for. */
	CHECK_EQ(simulate(1, 9, used), 0);
	CHECK(used[SIM_BUSY] >= SIM_TIME / 10 - SIM_TIME / 100);
	CHECK(busy_shared_equally(used));
}

TEST(rq_policy_a_sleeper_gets_no_more_than_its_share)
{
	uint64_t used[SIM_TASKS];

	/* It asks for 2/3 of the CPU by running 20 and napping 10: sleeping
	 * earns it no more than a fair fifth (within a slice or so). */
	simulate(20, 10, used);
	CHECK(used[SIM_BUSY] <= SIM_TIME / 5 + SIM_TIME / 50);
	CHECK(used[SIM_BUSY] >= SIM_TIME / 5 - SIM_TIME / 50);
	CHECK(busy_shared_equally(used));
}

TEST(list_add_head_and_safe_walk)
{
	struct list_node head = LIST_HEAD_INIT(head), *n, *next;
	int seen = 0, sum = 0;

	init_items();
	list_add_tail(&items[1].e.node, &head);
	list_add_head(&items[0].e.node, &head);
	list_add_tail(&items[2].e.node, &head);
	list_for_each_safe(n, next, &head) {
		struct item *it = list_entry(n, struct item, e.node);

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
	RUN(rq_orders_by_vruntime);
	RUN(rq_equal_vruntimes_stay_fifo);
	RUN(rq_remove_from_middle);
	RUN(rq_min_vruntime_never_goes_back);
	RUN(rq_placement_rules);
	RUN(rq_yield_goes_behind_the_next_only);
	RUN(rq_order_survives_the_key_wrapping);
	RUN(rq_policy_wakeups_run_at_once_on_a_simulated_cpu);
	RUN(rq_policy_a_sleeper_gets_no_more_than_its_share);
	RUN(list_add_head_and_safe_walk);
	RUN(task_set_add_contains);
	return host_done();
}
