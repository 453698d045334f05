/*
 * kernel/race_test.c: the race point mechanism itself (suite `racepoint`).
 */
#include <kernel/ktest.h>
#include <kernel/race.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/task.h>

static volatile int progress;

static int call_point_fn(void *arg)
{
	progress = 1;
	race_point("test.point");
	progress = 2;
	return 0;
}

static void racepoint_holds_and_releases(struct ktest *t)
{
	struct task *who = NULL, *k;

	progress = 0;
	KASSERT_EQ(t, race_arm("test.point", NULL), 0);
	KEXPECT_EQ(t, race_arm("test.point", NULL), -EBUSY);
	k = kthread_run(call_point_fn, NULL, NULL, "test-racer");
	KASSERT(t, k);
	task_get(k);
	KASSERT_EQ(t, race_wait("test.point", 1000, &who), 0);
	KEXPECT(t, who == k);
	KEXPECT_EQ(t, progress, 1);
	sleep_ms(5);
	KEXPECT_EQ(t, progress, 1);             /* really held */
	KEXPECT(t, race_where_held(k) && !strcmp(race_where_held(k),
						 "test.point"));
	race_release("test.point");
	KEXPECT_EQ(t, kthread_stop(k), 0);
	KEXPECT_EQ(t, progress, 2);
	KEXPECT(t, race_where_held(k) == NULL);
	task_put(k);
}

static void racepoint_unarmed_is_a_no_op(struct ktest *t)
{
	progress = 0;
	race_point("test.point");
	KEXPECT_EQ(t, race_wait("test.point", 10, NULL), -ENOENT);
}

static void racepoint_watch_counts_without_holding(struct ktest *t)
{
	struct task *k;

	progress = 0;
	KASSERT_EQ(t, race_watch("test.point"), 0);
	KEXPECT(t, !race_reached("test.point"));
	k = kthread_run(call_point_fn, NULL, NULL, "test-racer");
	KASSERT(t, k);
	task_get(k);
	KEXPECT_EQ(t, race_wait("test.point", 1000, NULL), 0);
	KEXPECT_EQ(t, kthread_stop(k), 0);
	KEXPECT_EQ(t, progress, 2);             /* went straight on */
	KEXPECT(t, race_reached("test.point"));
	race_release("test.point");
	task_put(k);
}

static volatile uintptr_t preempt_ip;

static int preempt_fn(void *arg)
{
	__asm__ volatile("movl $1f, %0\n\t" : "=m"(preempt_ip));
	RACE_PREEMPT("test.preempt");
	__asm__ volatile("1:");
	progress = 3;
	return 0;
}

static void racepoint_preempt_looks_preempted(struct ktest *t)
{
	struct task *k, *who = NULL;

	progress = 0;
	KASSERT_EQ(t, race_arm("test.preempt", NULL), 0);
	k = kthread_run(preempt_fn, NULL, NULL, "test-preempt");
	KASSERT(t, k);
	task_get(k);
	KASSERT_EQ(t, race_wait("test.preempt", 1000, &who), 0);
	KEXPECT(t, who == k);
	KEXPECT(t, k->preempt_tf != NULL);
	KEXPECT(t, task_where(k) >= (uintptr_t)preempt_fn &&
		   task_where(k) < (uintptr_t)preempt_fn + 64);
	KEXPECT(t, task_runs_in_range(k, (uintptr_t)preempt_fn,
				      (uintptr_t)preempt_fn + 64));
	race_release("test.preempt");
	KEXPECT_EQ(t, kthread_stop(k), 0);
	KEXPECT_EQ(t, progress, 3);
	KEXPECT(t, k->preempt_tf == NULL);
	task_put(k);
}

static void racepoint_reset_releases_everything(struct ktest *t)
{
	struct task *k;

	KASSERT_EQ(t, race_arm("test.point", NULL), 0);
	k = kthread_run(call_point_fn, NULL, NULL, "test-racer");
	KASSERT(t, k);
	task_get(k);
	KASSERT_EQ(t, race_wait("test.point", 1000, NULL), 0);
	race_reset();
	KEXPECT_EQ(t, kthread_stop(k), 0);
	KEXPECT_EQ(t, race_wait("test.point", 10, NULL), -ENOENT);
	task_put(k);
}

KTEST_SUITE(racepoint,
	    KTEST_CASE(racepoint_holds_and_releases),
	    KTEST_CASE(racepoint_unarmed_is_a_no_op),
	    KTEST_CASE(racepoint_watch_counts_without_holding),
	    KTEST_CASE(racepoint_preempt_looks_preempted),
	    KTEST_CASE(racepoint_reset_releases_everything));
