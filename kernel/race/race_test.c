/*
 * kernel/race/race_test.c: the race point mechanism itself (suite `racepoint`).
 */
#include <kernel/ktest.h>
#include <kernel/race/race.h>
#include <kernel/probe.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/task.h>

static volatile int progress;

static int call_point_fn(void *arg)
{
	progress = 1;
	probe("test.point");
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
	probe("test.point");
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
	PROBE_PREEMPT("test.preempt");
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

/* ---- suite race: the whole catalogue, as documented ------------------- */

#include <kernel/printk.h>
#include <kernel/race/race_scenarios.h>

#define RACE_SEEDS 20

/* Every strategy, RACE_SEEDS seeds: each outcome as expected, every time. */
static void check_scenario(struct ktest *t, unsigned i)
{
	int saved = console_loglevel;

	console_loglevel = LOG_ERR;
	for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++) {
		unsigned bad = 0;
		const char *got = NULL;

		for (uint32_t seed = 1; seed <= RACE_SEEDS; seed++) {
			got = race_run_one(race_scenario_id(i), s, BUSY_FAIL,
					   seed, false);
			bad += !got || strcmp(got, race_expected(i, s));
		}
		if (bad)
			ktest_fail(t, false, __FILE__, __LINE__,
				   "%s under %s: %s on %u of %u seeds "
				   "(last: %s)", race_scenario_id(i),
				   unload_strategy_name(s),
				   race_expected(i, s), RACE_SEEDS - bad,
				   RACE_SEEDS, got ? got : "?");
	}
	console_loglevel = saved;
}

#define RACE_CASE(n, fn)                                                   \
	static void fn(struct ktest *t) { check_scenario(t, n); }
RACE_CASE(0, race_r1_frozen_caller)
RACE_CASE(1, race_r2_frozen_module_thread)
RACE_CASE(2, race_r3_zombie_reaper)
RACE_CASE(3, race_r4_entered_not_counted)
RACE_CASE(4, race_r5_counted_down_not_left)
RACE_CASE(5, race_r6_eip_not_enough)
RACE_CASE(6, race_r7_preempted_zero_count)
RACE_CASE(7, race_r8_reentry_during_unregister)
RACE_CASE(8, race_r9_callback_in_flight)
RACE_CASE(9, race_r10_dependent_module)

/* twophase and refcount never end in uaf, deadlock or leak, also with the
 * other busy policies. */
static void race_safe_strategies_never_fail(struct ktest *t)
{
	static const enum unload_busy policies[] = { BUSY_WAIT, BUSY_DELAYED };
	static const char *const bad[] = { "uaf", "deadlock", "leak",
					   "error" };
	int saved = console_loglevel;

	console_loglevel = LOG_ERR;
	for (unsigned i = 0; race_scenario_id(i); i++)
		for (unsigned p = 0; p < 2; p++)
			for (unsigned s = UNLOAD_TWOPHASE; s <= UNLOAD_REFCOUNT;
			     s++) {
				const char *got = race_run_one(
					race_scenario_id(i), s, policies[p], 7,
					false);

				for (unsigned b = 0; b < 4; b++)
					if (!got || !strcmp(got, bad[b]))
						ktest_fail(
						    t, false, __FILE__,
						    __LINE__,
						    "%s %s "
						    "busy=%u: %s",
						    race_scenario_id(i),
						    unload_strategy_name(s), p,
						    got ? got : "?");
			}
	console_loglevel = saved;
}

KTEST_SUITE(race,
	    KTEST_CASE(race_r1_frozen_caller),
	    KTEST_CASE(race_r2_frozen_module_thread),
	    KTEST_CASE(race_r3_zombie_reaper),
	    KTEST_CASE(race_r4_entered_not_counted),
	    KTEST_CASE(race_r5_counted_down_not_left),
	    KTEST_CASE(race_r6_eip_not_enough),
	    KTEST_CASE(race_r7_preempted_zero_count),
	    KTEST_CASE(race_r8_reentry_during_unregister),
	    KTEST_CASE(race_r9_callback_in_flight),
	    KTEST_CASE(race_r10_dependent_module),
	    KTEST_CASE(race_safe_strategies_never_fail));
