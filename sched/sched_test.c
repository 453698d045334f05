/*
 * sched/sched_test.c: KTAP suites `sched` (preemption, sleeping, switch
 * cost) and `sync` (mutex, wait queue, completion, semaphore).
 */
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/sched.h>
#include <sched/sync.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/ktest.h>
#include <kernel/lib/string.h>
#include <sched/task.h>

/* Spin (not sleep) for ms milliseconds of timer ticks. */
static void spin_ms(unsigned ms)
{
	uint64_t end = ticks_read() + ms_to_ticks(ms);

	while (ticks_read() < end)
		cpu_relax();
}

static int counter_fn(void *arg)
{
	volatile unsigned long *count = arg;

	while (!kthread_should_stop())
		(*count)++;
	return 0;
}

/* ---- sched ----------------------------------------------------------- */

static void sched_busy_loop_does_not_starve(struct ktest *t)
{
	volatile unsigned long a = 0, b = 0;
	unsigned long a0, b0;
	struct task *ta, *tb;

	ta = kthread_run(counter_fn, (void *)&a, NULL, "test-busy-a");
	tb = kthread_run(counter_fn, (void *)&b, NULL, "test-busy-b");
	KASSERT(t, ta && tb);
	/* We spin too: only the timer can let them run. */
	spin_ms(50);
	a0 = a;
	b0 = b;
	KEXPECT(t, a0 > 0);
	KEXPECT(t, b0 > 0);
	spin_ms(60);                    /* two rounds of three slices */
	KEXPECT(t, a > a0);
	KEXPECT(t, b > b0);
	KEXPECT_EQ(t, kthread_stop(ta), 0);
	KEXPECT_EQ(t, kthread_stop(tb), 0);
}

static void sched_preempt_disable_holds_cpu(struct ktest *t)
{
	volatile unsigned long a = 0;
	unsigned long before;
	struct task *ta = kthread_run(counter_fn, (void *)&a, NULL,
				      "test-busy");

	KASSERT(t, ta);
	sleep_ms(5);
	preempt_disable();
	before = a;
	spin_ms(30);                    /* three time slices */
	KEXPECT_EQ(t, a, before);       /* nobody ran */
	preempt_enable();               /* the pending reschedule happens */
	spin_ms(20);
	KEXPECT(t, a > before);
	KEXPECT_EQ(t, kthread_stop(ta), 0);
}

static void sched_sleep_ms_within_a_tick(struct ktest *t)
{
	static const unsigned ms[] = { 1, 5, 20, 50 };
	uint64_t c0, c1, per_tick, t0;

	/* TSC cycles per tick, over 20 ticks from a tick boundary. */
	t0 = ticks_read();
	while (ticks_read() == t0)
		;
	c0 = rdtsc();
	t0 = ticks_read();
	while (ticks_read() < t0 + 20)
		;
	per_tick = (rdtsc() - c0) / 20;
	for (unsigned i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		uint64_t n = ms_to_ticks(ms[i]), dt = 0, cyc = 0;

		/* Never shorter than ms, on any try. Not longer than one tick
		 * more: a stalled host (QEMU without -icount) can only make a
		 * sleep look longer, so the best of three tries counts. */
		for (unsigned try = 0; try < 3; try++) {
			t0 = ticks_read();
			c1 = rdtsc();
			sleep_ms(ms[i]);
			cyc = rdtsc() - c1;
			dt = ticks_read() - t0;
			KEXPECT(t, dt >= n);
			if (dt <= n + 1)
				break;
			ktest_diag(t, "sleep_ms(%u) took %llu ticks: host "
				   "stall? trying again", ms[i],
				   (unsigned long long)dt);
		}
		KEXPECT(t, dt >= n && dt <= n + 1);
		ktest_diag(t, "sleep_ms(%u): %llu ticks, %llu.%02llu ticks "
			   "by TSC", ms[i], (unsigned long long)dt,
			   (unsigned long long)(cyc / per_tick),
			   (unsigned long long)(cyc % per_tick * 100 /
						per_tick));
	}
}

static int yield_fn(void *arg)
{
	while (!kthread_should_stop())
		sched_yield();
	return 0;
}

static void sched_context_switch_cost(struct ktest *t)
{
	enum { N = 20000 };
	struct task *y = kthread_run(yield_fn, NULL, NULL, "test-yield");
	uint64_t s0, c0, cycles;
	unsigned long switches;

	KASSERT(t, y);
	sched_yield();
	s0 = sched_switch_count();
	c0 = rdtsc();
	for (unsigned i = 0; i < N; i++)
		sched_yield();
	cycles = rdtsc() - c0;
	switches = sched_switch_count() - s0;
	KEXPECT(t, switches >= N);      /* each yield went to the other */
	ktest_diag(t, "context switch: %llu cycles (%lu switches, yield "
		   "ping-pong)", (unsigned long long)(cycles / switches),
		   switches);
	KEXPECT_EQ(t, kthread_stop(y), 0);
}

static int fault_fn(void *arg)
{
	volatile int *p = NULL;

	return *p;
}

static void sched_fault_kills_only_the_task(struct ktest *t)
{
	struct task *k = kthread_create(fault_fn, NULL, NULL, "test-faulter");

	KASSERT(t, k);
	task_get(k);
	kthread_start(k);
	KEXPECT_EQ(t, reaper_wait(k, 1000), 0);
	KEXPECT_EQ(t, k->exit_code, -EFAULT);
	KEXPECT_EQ(t, k->state, TASK_DEAD);
	task_put(k);
}

KTEST_SUITE(sched,
	KTEST_CASE(sched_busy_loop_does_not_starve),
	KTEST_CASE(sched_preempt_disable_holds_cpu),
	KTEST_CASE(sched_sleep_ms_within_a_tick),
	KTEST_CASE(sched_context_switch_cost),
	KTEST_CASE(sched_fault_kills_only_the_task));

/* ---- sync ------------------------------------------------------------ */

static struct mutex test_mutex = MUTEX_INIT(test_mutex, "test mutex");
static unsigned long shared;

static int mutex_fn(void *arg)
{
	for (unsigned i = 0; i < 200; i++) {
		unsigned long v;

		mutex_lock(&test_mutex);
		v = shared;
		sched_yield();          /* invite a race: the mutex stops it */
		shared = v + 1;
		mutex_unlock(&test_mutex);
	}
	return 0;
}

static void mutex_excludes_sleeping_holders(struct ktest *t)
{
	struct task *k[4];

	shared = 0;
	for (unsigned i = 0; i < 4; i++) {
		k[i] = kthread_create(mutex_fn, NULL, NULL, "test-mutex");
		KASSERT(t, k[i]);
		task_get(k[i]);
		kthread_start(k[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		KEXPECT_EQ(t, reaper_wait(k[i], 5000), 0);
		task_put(k[i]);
	}
	KEXPECT_EQ(t, shared, 800);
	KEXPECT(t, !test_mutex.owner);
}

static int hold_fn(void *arg)
{
	struct completion *done = arg;

	mutex_lock(&test_mutex);
	wait_for_completion(done);
	mutex_unlock(&test_mutex);
	return 0;
}

static void mutex_owner_trylock_and_timeout(struct ktest *t)
{
	struct completion done = COMPLETION_INIT(done, "test done");
	struct task *k;

	KASSERT(t, mutex_trylock(&test_mutex));
	KEXPECT(t, mutex_is_mine(&test_mutex));
	mutex_unlock(&test_mutex);
	KEXPECT(t, !mutex_is_mine(&test_mutex));
	k = kthread_run(hold_fn, &done, NULL, "test-holder");
	KASSERT(t, k);
	sleep_ms(5);
	KEXPECT(t, !mutex_trylock(&test_mutex));
	KEXPECT_EQ(t, mutex_lock_timeout(&test_mutex, 20), -ETIMEDOUT);
	complete(&done);
	KEXPECT_EQ(t, mutex_lock_timeout(&test_mutex, 1000), 0);
	KEXPECT(t, mutex_is_mine(&test_mutex));
	mutex_unlock(&test_mutex);
	KEXPECT_EQ(t, kthread_stop(k), 0);
}

static struct wait_queue test_wq = WAIT_QUEUE_INIT(test_wq, "test wq");
static volatile int tokens, passed;

static int token_fn(void *arg)
{
	wait_event(test_wq, tokens > 0 && (tokens--, true));
	passed++;
	return 0;
}

static void waitqueue_wake_one_and_all(struct ktest *t)
{
	struct task *k[3];

	tokens = passed = 0;
	for (unsigned i = 0; i < 3; i++) {
		k[i] = kthread_create(token_fn, NULL, NULL, "test-waiter");
		KASSERT(t, k[i]);
		task_get(k[i]);
		kthread_start(k[i]);
	}
	sleep_ms(5);
	KEXPECT(t, wait_queue_active(&test_wq));
	KEXPECT_EQ(t, passed, 0);
	tokens = 1;
	KEXPECT_EQ(t, wake_up_one(&test_wq), 1);
	sleep_ms(5);
	KEXPECT_EQ(t, passed, 1);
	tokens = 2;
	wake_up(&test_wq);
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(t, reaper_wait(k[i], 1000), 0);
		task_put(k[i]);
	}
	KEXPECT_EQ(t, passed, 3);
	KEXPECT(t, !wait_queue_active(&test_wq));
}

static void waitqueue_timeout_is_bounded(struct ktest *t)
{
	uint64_t t0 = ticks_read();

	KEXPECT_EQ(t, wait_event_timeout(test_wq, false, 20), -ETIMEDOUT);
	KEXPECT(t, ticks_read() - t0 >= ms_to_ticks(20));
	KEXPECT_EQ(t, wait_event_timeout(test_wq, true, 20), 0);
}

static int complete_waiter_fn(void *arg)
{
	wait_for_completion(arg);
	return 5;
}

static void completion_semantics(struct ktest *t)
{
	struct completion c = COMPLETION_INIT(c, "test completion");
	struct task *k[3];

	complete(&c);                   /* a pass kept for a later waiter */
	KEXPECT_EQ(t, wait_for_completion_timeout(&c, 10), 0);
	KEXPECT_EQ(t, wait_for_completion_timeout(&c, 10), -ETIMEDOUT);
	for (unsigned i = 0; i < 3; i++) {
		k[i] = kthread_create(complete_waiter_fn, &c, NULL,
				      "test-completion");
		KASSERT(t, k[i]);
		task_get(k[i]);         /* they exit on their own */
		kthread_start(k[i]);
	}
	sleep_ms(5);
	for (unsigned i = 0; i < 3; i++)
		KEXPECT_EQ(t, k[i]->state, TASK_SLEEPING);
	complete_all(&c);
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(t, kthread_stop(k[i]), 5);
		task_put(k[i]);
	}
	KEXPECT(t, completion_done(&c));
	KEXPECT(t, try_wait_for_completion(&c));        /* all: stays */
}

static void semaphore_counts(struct ktest *t)
{
	struct semaphore s = SEMAPHORE_INIT(s, 2, "test sem");

	KEXPECT(t, down_trylock(&s));
	KEXPECT_EQ(t, down_timeout(&s, 10), 0);
	KEXPECT(t, !down_trylock(&s));
	KEXPECT_EQ(t, down_timeout(&s, 10), -ETIMEDOUT);
	up(&s);
	KEXPECT(t, down_trylock(&s));
	up(&s);
	up(&s);
	KEXPECT_EQ(t, s.count, 2);
}

KTEST_SUITE(sync,
	KTEST_CASE(mutex_excludes_sleeping_holders),
	KTEST_CASE(mutex_owner_trylock_and_timeout),
	KTEST_CASE(waitqueue_wake_one_and_all),
	KTEST_CASE(waitqueue_timeout_is_bounded),
	KTEST_CASE(completion_semantics),
	KTEST_CASE(semaphore_counts));
