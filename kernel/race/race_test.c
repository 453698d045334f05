/*
 * kernel/race/race_test.c: the race point mechanism itself (suite `racepoint`).
 */
#include <kernel/cpu.h>
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

/* Start fn in a thread we hold a reference to from before it runs: on
 * another CPU it may end, and be reaped, before kthread_run returns. */
static struct task *start_held(int (*fn)(void *), const char *name)
{
	struct task *k = kthread_create(fn, NULL, NULL, name);

	if (k) {
		task_get(k);
		kthread_start(k);
	}
	return k;
}

static void racepoint_holds_and_releases(struct ktest *t)
{
	struct task *who = NULL, *k;

	progress = 0;
	KASSERT_EQ(t, race_arm("test.point", NULL), 0);
	KEXPECT_EQ(t, race_arm("test.point", NULL), -EBUSY);
	k = start_held(call_point_fn, "test-racer");
	KASSERT(t, k);
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
	k = start_held(call_point_fn, "test-racer");
	KASSERT(t, k);
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
	k = start_held(preempt_fn, "test-preempt");
	KASSERT(t, k);
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
	k = start_held(call_point_fn, "test-racer");
	KASSERT(t, k);
	KASSERT_EQ(t, race_wait("test.point", 1000, NULL), 0);
	race_reset();
	KEXPECT_EQ(t, kthread_stop(k), 0);
	KEXPECT_EQ(t, race_wait("test.point", 10, NULL), -ENOENT);
	task_put(k);
}

/* A hold that runs out frees its slot: the next wait on the point finds
 * nothing armed (it used to find a HELD slot with no task in it). */
static void racepoint_hold_that_times_out_frees_its_slot(struct ktest *t)
{
	unsigned saved = race_hold_max_ms;
	struct task *k, *who = NULL;
	int err;

	progress = 0;
	race_hold_max_ms = 20;
	KASSERT_EQ(t, race_arm("test.point", NULL), 0);
	k = start_held(call_point_fn, "test-racer");
	KASSERT(t, k);
	/* Held (0), or already let go if this task came back to the CPU
	 * more than 20 ms later (busy tasks running): either way it came. */
	err = race_wait("test.point", 1000, &who);
	KEXPECT(t, err == 0 || err == -ETIMEDOUT);
	KEXPECT(t, err || who == k);
	KEXPECT(t, race_reached("test.point"));
	KEXPECT_EQ(t, kthread_stop(k), 0);      /* let go after 20 ms */
	KEXPECT_EQ(t, progress, 2);
	KEXPECT_EQ(t, race_wait("test.point", 10, &who), -ENOENT);
	race_hold_max_ms = saved;
	race_reset();
	task_put(k);
}

KTEST_SUITE(racepoint,
	    KTEST_CASE(racepoint_holds_and_releases),
	    KTEST_CASE(racepoint_unarmed_is_a_no_op),
	    KTEST_CASE(racepoint_watch_counts_without_holding),
	    KTEST_CASE(racepoint_preempt_looks_preempted),
	    KTEST_CASE(racepoint_reset_releases_everything),
	    KTEST_CASE(racepoint_hold_that_times_out_frees_its_slot));

/* ---- suite race: the whole catalogue, as documented ------------------- */

#include <kernel/printk.h>
#include <kernel/race/race_scenarios.h>

#define RACE_SEEDS 20

/* Every strategy, RACE_SEEDS seeds: each cell as documented, outcome and
 * detector, every time. */
static void check_scenario(struct ktest *t, unsigned i)
{
	int saved = console_loglevel;

	if (cpus_online < race_scenario_cpus(i))
		ktest_skip(t, "a race of a multiprocessor: needs 2 CPUs "
			   "(boot with -smp 2 or more)");
	console_loglevel = LOG_ERR;
	for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++) {
		const struct race_result *want = race_expected(i, s);
		struct race_result got = { "?", "?" };
		unsigned bad = 0;

		for (uint32_t seed = 1; seed <= RACE_SEEDS; seed++) {
			if (race_run_one(race_scenario_id(i), s, BUSY_FAIL,
					 seed, false, &got))
				bad++;
			else
				bad += strcmp(got.outcome, want->outcome) ||
				       strcmp(got.by, want->by);
		}
		if (bad)
			ktest_fail(t, false, __FILE__, __LINE__,
				   "%s under %s: %s by=%s on %u of %u seeds "
				   "(last: %s by=%s)", race_scenario_id(i),
				   unload_strategy_name(s), want->outcome,
				   want->by, RACE_SEEDS - bad, RACE_SEEDS,
				   got.outcome, got.by);
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
RACE_CASE(10, race_r11_notifier_asleep)
RACE_CASE(11, race_r12_notifier_preempted)
RACE_CASE(12, race_r13_got_not_called)
RACE_CASE(13, race_r14_opened_during_unregister)
RACE_CASE(14, race_r15_thread_left_running)
RACE_CASE(15, race_r16_running_elsewhere)
RACE_CASE(16, race_r17_stale_tlb)

static int idle_fn(void *arg)
{
	while (!kthread_should_stop())
		sleep_ms(20);
	return 0;
}

/* The scan looks at every task, however many: with 120 more tasks, the
 * R11 client (created last, found only by the stack scan) is still found
 * (the scan used to stop silently after 96 tasks and free the module). */
static void race_scan_covers_every_task(struct ktest *t)
{
	enum { IDLERS = 120 };
	static struct task *idle[IDLERS];
	struct race_result got = { "?", "?" };
	int saved = console_loglevel;
	unsigned n;

	for (n = 0; n < IDLERS; n++) {
		idle[n] = kthread_run(idle_fn, NULL, NULL, "idler");
		if (!idle[n])
			break;
		task_get(idle[n]);
	}
	KEXPECT_EQ(t, n, IDLERS);
	KEXPECT(t, task_count() > IDLERS);
	console_loglevel = LOG_ERR;
	KEXPECT_EQ(t, race_run_one("R11", UNLOAD_TWOPHASE, BUSY_FAIL, 1, false,
				   &got), 0);
	console_loglevel = saved;
	KEXPECT_STREQ(t, got.outcome, "reregistered");
	KEXPECT_STREQ(t, got.by, "stack-scan");
	for (unsigned i = 0; i < n; i++) {
		kthread_stop(idle[i]);
		task_put(idle[i]);
	}
}

/* twophase and refcount never end in uaf, deadlock, leak or failed, also
 * with the other busy policies. */
static void race_safe_strategies_never_fail(struct ktest *t)
{
	static const enum unload_busy policies[] = { BUSY_WAIT, BUSY_DELAYED };
	static const char *const bad[] = { "uaf", "deadlock", "leak",
					   "error", "failed" };
	int saved = console_loglevel;

	console_loglevel = LOG_ERR;
	for (unsigned i = 0; race_scenario_id(i); i++)
		for (unsigned p = 0; p < 2 &&
		     cpus_online >= race_scenario_cpus(i); p++)
			for (unsigned s = UNLOAD_TWOPHASE; s <= UNLOAD_REFCOUNT;
			     s++) {
				struct race_result got = { "?", "?" };
				bool ok = !race_run_one(race_scenario_id(i), s,
							policies[p], 7, false,
							&got);

				for (unsigned b = 0; b < 5; b++)
					ok = ok && strcmp(got.outcome, bad[b]);
				if (!ok)
					ktest_fail(
					    t, false, __FILE__, __LINE__,
					    "%s %s busy=%s: %s by=%s",
					    race_scenario_id(i),
					    unload_strategy_name(s),
					    unload_busy_name(policies[p]),
					    got.outcome, got.by);
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
	    KTEST_CASE(race_r11_notifier_asleep),
	    KTEST_CASE(race_r12_notifier_preempted),
	    KTEST_CASE(race_r13_got_not_called),
	    KTEST_CASE(race_r14_opened_during_unregister),
	    KTEST_CASE(race_r15_thread_left_running),
	    KTEST_CASE(race_r16_running_elsewhere),
	    KTEST_CASE(race_r17_stale_tlb),
	    KTEST_CASE(race_scan_covers_every_task),
	    KTEST_CASE(race_safe_strategies_never_fail));
