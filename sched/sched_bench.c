/*
 * sched/sched_bench.c: the scheduler's figures for `bench` (see
 * <kernel/bench.h>): context switch, kthread create+exit+reap, and
 * freeze+thaw of 1, 16 and 64 idle tasks in both freezer modes.
 */
#include <kernel/arch.h>
#include <kernel/bench.h>
#include <kernel/lib/format.h>
#include <kernel/panic.h>
#include <sched/freezer.h>
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/sched.h>

static int yield_fn(void *arg)
{
	while (!kthread_should_stop())
		sched_yield();
	return 0;
}

static void bench_context_switch(void)
{
	enum { N = 2000 };
	struct task *y = kthread_run(yield_fn, NULL, NULL, "bench-yield");
	uint64_t s0, c0, cycles;

	assert(y);
	sched_yield();
	s0 = sched_switch_count();
	c0 = rdtsc();
	for (unsigned i = 0; i < N; i++)
		sched_yield();
	cycles = rdtsc() - c0;
	bench_report("context_switch", cycles,
		     (uint32_t)(sched_switch_count() - s0));
	kthread_stop(y);
}
BENCH(sched_switch, bench_context_switch);

static int exit_fn(void *arg)
{
	return 0;
}

static void bench_kthread_cycle(void)
{
	enum { N = 100 };
	uint64_t c0 = 0;

	for (int round = 0; round < 2; round++) {
		c0 = rdtsc();
		for (int i = 0; i < N; i++) {
			struct task *t = kthread_create(exit_fn, NULL, NULL,
							"bench-exit");

			assert(t);
			task_get(t);
			kthread_start(t);
			reaper_wait(t, 1000);
			task_put(t);
		}
	}
	bench_report("kthread_create_exit_reap", rdtsc() - c0, N);
}
BENCH(sched_kthread, bench_kthread_cycle);

/* Idle tasks: each sleeps in a freezable wait until stopped. */
static int idle_fn(void *arg)
{
	while (!kthread_should_stop()) {
		try_to_freeze();
		sleep_ms(100000);
	}
	return 0;
}

static void freeze_thaw(unsigned ntasks, enum freeze_mode mode,
			const char *name)
{
	enum { N = 20 };
	struct task *t[64];
	uint64_t c0 = 0;
	char fig[48];

	assert(ntasks <= 64);
	for (unsigned i = 0; i < ntasks; i++) {
		t[i] = kthread_run(idle_fn, NULL, NULL, "bench-idle");
		assert(t[i]);
		task_get(t[i]);
	}
	sleep_ms(2);                    /* all of them asleep */
	for (int round = 0; round < 2; round++) {
		c0 = rdtsc();
		for (int i = 0; i < N; i++) {
			int err = freezer_freeze(mode, NULL, 1000);

			assert(err == 0);
			freezer_thaw();
		}
	}
	ksnprintf(fig, sizeof(fig), "freeze_thaw_%u_tasks_%s", ntasks, name);
	bench_report(fig, rdtsc() - c0, N);
	for (unsigned i = 0; i < ntasks; i++) {
		kthread_stop(t[i]);
		task_put(t[i]);
	}
}

static void bench_freezer(void)
{
	static const unsigned sizes[] = { 1, 16, 64 };

	for (unsigned i = 0; i < 3; i++)
		freeze_thaw(sizes[i], FREEZE_PREEMPTIVE, "preemptive");
	for (unsigned i = 0; i < 3; i++)
		freeze_thaw(sizes[i], FREEZE_COOPERATIVE, "cooperative");
}
BENCH(sched_freezer, bench_freezer);
