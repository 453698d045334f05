/*
 * sched/kthread_test.c: KTAP suites `kthread` (create, stop, exit, reap,
 * no leaks), `freezer` (both modes, refusers, exact thaw, stack walk of a
 * frozen task, cost) and `watchdog` (a hung task is reported).
 */
#include <sched/freezer.h>
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/sched.h>
#include <sched/sync.h>
#include <sched/watchdog.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/lib/errno.h>
#include <kernel/ksyms.h>
#include <kernel/ktest.h>
#include "test_wait.h"
#include <kernel/lib/string.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

/* Start a thread and keep a reference on it. */
static struct task *start(int (*fn)(void *), void *arg, const char *name)
{
	struct task *k = kthread_create(fn, arg, NULL, name);

	if (k) {
		task_get(k);
		kthread_start(k);
	}
	return k;
}

static int stop_put(struct task *k)
{
	int code = kthread_stop(k);

	task_put(k);
	return code;
}

/* ---- kthread --------------------------------------------------------- */

static int long_sleeper_fn(void *arg)
{
	while (!kthread_should_stop())
		sleep_ms(10000);
	return 42;
}

static void kthread_stop_wakes_a_sleeping_thread(struct ktest *t)
{
	struct task *k = start(long_sleeper_fn, NULL, "test-sleeper");
	uint64_t t0;

	KASSERT(t, k);
	KEXPECT(t, WAIT_UNTIL(k->state == TASK_SLEEPING, 5000));
	t0 = ticks_read();
	KEXPECT_EQ(t, stop_put(k), 42);
	KEXPECT(t, ticks_read() - t0 < ms_to_ticks(100));
}

static volatile bool ran;

static int mark_ran_fn(void *arg)
{
	ran = true;
	return 0;
}

static void kthread_stop_of_unstarted_thread(struct ktest *t)
{
	struct task *k = kthread_create(mark_ran_fn, NULL, NULL, "test-new");

	KASSERT(t, k);
	ran = false;
	KEXPECT_EQ(t, k->state, TASK_NEW);
	task_get(k);
	KEXPECT_EQ(t, stop_put(k), -EINTR);
	KEXPECT(t, !ran);
}

static int return_arg_fn(void *arg)
{
	return (int)(uintptr_t)arg;
}

static struct task *hook_task;
static const char *hook_ran_in;

static void exit_hook(struct task *k, void *arg)
{
	hook_task = k;
	hook_ran_in = current->name;
	*(int *)arg += 1;
}

static void kthread_exit_code_hooks_and_reap(struct ktest *t)
{
	struct task *k = kthread_create(return_arg_fn, (void *)7,
					(struct module *)0x1234, "test-exit");
	int hooks = 0;

	KASSERT(t, k);
	KEXPECT(t, k->owner == (struct module *)0x1234);
	task_get(k);
	KEXPECT_EQ(t, reaper_add_exit_hook(k, exit_hook, &hooks), 0);
	KEXPECT_EQ(t, reaper_add_exit_hook(k, exit_hook, &hooks), 0);
	kthread_start(k);
	KEXPECT_EQ(t, reaper_wait(k, 1000), 0);
	KEXPECT_EQ(t, k->state, TASK_DEAD);
	KEXPECT_EQ(t, k->exit_code, 7);
	KEXPECT_EQ(t, hooks, 2);
	KEXPECT(t, hook_task == k);
	KEXPECT_STREQ(t, hook_ran_in, "reaper");
	KEXPECT(t, !k->stack);
	KEXPECT_EQ(t, reaper_add_exit_hook(k, exit_hook, &hooks), -ESRCH);
	KEXPECT_EQ(t, reaper_wait_id(k->id, 10), 0);
	task_put(k);
}

static void kthread_1000_cycles_leak_nothing(struct ktest *t)
{
	struct heap_stats h0, h1;
	uint32_t frames0, vmap0;
	uint64_t c0, cycles;

	while (reaper_pending())
		sleep_ms(1);
	frames0 = pmm_used();
	vmap0 = vmap_used_pages();
	heap_stats(&h0);
	c0 = rdtsc();
	for (unsigned i = 0; i < 1000; i++) {
		struct task *k = start(return_arg_fn, (void *)(uintptr_t)i,
				       "test-cycle");

		KASSERT(t, k);
		KASSERT_EQ(t, reaper_wait(k, 1000), 0);
		KASSERT_EQ(t, k->exit_code, (int)i);
		task_put(k);
	}
	cycles = rdtsc() - c0;
	heap_stats(&h1);
	KEXPECT_EQ(t, pmm_used(), frames0);
	KEXPECT_EQ(t, vmap_used_pages(), vmap0);
	KEXPECT_EQ(t, h1.bytes_in_use, h0.bytes_in_use);
	KEXPECT_EQ(t, h1.allocations, h0.allocations);
	ktest_diag(t, "kthread create+exit+reap: %llu cycles each",
		   (unsigned long long)(cycles / 1000));
}

KTEST_SUITE(kthread,
	KTEST_CASE(kthread_stop_wakes_a_sleeping_thread),
	KTEST_CASE(kthread_stop_of_unstarted_thread),
	KTEST_CASE(kthread_exit_code_hooks_and_reap),
	KTEST_CASE(kthread_1000_cycles_leak_nothing));

/* ---- freezer --------------------------------------------------------- */

enum { NSLEEP = 6, NYIELD = 3, NBUSY = 3, NEXEMPT = 2,
       NALL = NSLEEP + NYIELD + NBUSY + NEXEMPT };

struct worker {
	struct task *task;
	volatile unsigned long count;
};

static int sleeper_fn(void *arg)
{
	struct worker *w = arg;

	while (!kthread_should_stop()) {
		w->count++;
		sleep_ms(2);
	}
	return 0;
}

static int yielder_fn(void *arg)
{
	struct worker *w = arg;

	while (!kthread_should_stop()) {
		w->count++;
		try_to_freeze();
		sched_yield();
	}
	return 0;
}

static int busy_fn(void *arg)
{
	struct worker *w = arg;

	while (!kthread_should_stop())
		if ((++w->count & 0xff) == 0)
			try_to_freeze();
	return 0;
}

static bool start_workers(struct ktest *t, struct worker *w,
			  struct task_set *exempt)
{
	for (unsigned i = 0; i < NALL; i++) {
		int (*fn)(void *) = i < NSLEEP ? sleeper_fn :
				    i < NSLEEP + NYIELD ? yielder_fn :
				    busy_fn;

		w[i].count = 0;
		w[i].task = start(fn, &w[i], "test-worker");
		if (!w[i].task)
			return false;
		if (i >= NALL - NEXEMPT)
			task_set_add(exempt, w[i].task);
	}
	/* Each has run: a sleeper is asleep, the others have counted. */
	for (unsigned i = 0; i < NALL; i++)
		if (!WAIT_UNTIL(i < NSLEEP ?
				w[i].task->state == TASK_SLEEPING :
				w[i].count > 0, 5000))
			return false;
	return true;
}

static void stop_workers(struct ktest *t, struct worker *w)
{
	for (unsigned i = 0; i < NALL; i++)
		if (w[i].task)
			KEXPECT_EQ(t, stop_put(w[i].task), 0);
}

/* Wait (up to 2 s: busy workers share the CPU in 10 ms slices) until
 * every worker in [from, to) has counted past c. */
static bool progressed(struct worker *w, const unsigned long *c,
		       unsigned from, unsigned to)
{
	for (unsigned tries = 0; tries < 200; tries++) {
		unsigned i = from;

		while (i < to && w[i].count > c[i])
			i++;
		if (i == to)
			return true;
		sleep_ms(10);
	}
	return false;
}

/* Count freezable, non-exempt, live tasks other than us. */
static bool count_target(struct task *k, void *arg)
{
	const struct task_set *exempt = ((const struct task_set **)arg)[0];
	unsigned *n = ((unsigned **)arg)[1];

	if (k != current && k->freezable && k->state < TASK_ZOMBIE &&
	    k->state != TASK_NEW && !task_set_contains(exempt, k))
		(*n)++;
	return true;
}

static void check_freeze_and_thaw(struct ktest *t, enum freeze_mode mode)
{
	struct worker w[NALL];
	struct task_set exempt = { 0 };
	enum task_state before[NALL];
	unsigned long c[NALL];
	unsigned targets = 0;
	void *args[2] = { &exempt, &targets };
	int err;

	memset(w, 0, sizeof(w));
	if (!start_workers(t, w, &exempt)) {
		stop_workers(t, w);
		KASSERT(t, false);
	}
	task_for_each(count_target, args);
	err = freezer_freeze(mode, &exempt, 1000);
	if (err) {
		stop_workers(t, w);     /* they count into our stack */
		KASSERT_EQ(t, err, 0);
	}
	KEXPECT(t, freezer_active());
	KEXPECT_EQ(t, freezer_frozen_count(), targets);
	KEXPECT(t, !freezer_is_frozen(current));
	for (unsigned i = 0; i < NALL; i++) {
		bool ex = i >= NALL - NEXEMPT;

		KEXPECT_EQ(t, freezer_is_frozen(w[i].task), !ex);
		before[i] = w[i].task->frozen_from;
		c[i] = w[i].count;
	}
	KEXPECT(t, progressed(w, c, NALL - NEXEMPT, NALL));  /* exempt */
	for (unsigned i = 0; i < NALL - NEXEMPT; i++)
		KEXPECT_EQ(t, w[i].count, c[i]);        /* frozen: still */
	KEXPECT_EQ(t, freezer_thaw(), targets);
	KEXPECT(t, !freezer_active());
	for (unsigned i = 0; i < NALL - NEXEMPT; i++) {
		enum task_state s = w[i].task->state;

		/* Back to exactly what it was: asleep stays asleep. With
		 * more CPUs it may already have run, and slept again. */
		if (cpus_online > 1)
			KEXPECT(t, s != TASK_FROZEN);
		else if (before[i] == TASK_SLEEPING)
			KEXPECT(t, s == TASK_SLEEPING || s == TASK_RUNNABLE);
		else
			KEXPECT_EQ(t, s, TASK_RUNNABLE);
		c[i] = w[i].count;
	}
	KEXPECT(t, progressed(w, c, 0, NALL - NEXEMPT));
	stop_workers(t, w);
}

static void freezer_cooperative_all_but_exempt(struct ktest *t)
{
	check_freeze_and_thaw(t, FREEZE_COOPERATIVE);
}

static void freezer_preemptive_all_but_exempt(struct ktest *t)
{
	check_freeze_and_thaw(t, FREEZE_PREEMPTIVE);
}

static int blocked_fn(void *arg)
{
	wait_for_completion(arg);
	return 3;
}

static void freezer_cooperative_reports_refuser(struct ktest *t)
{
	struct completion c = COMPLETION_INIT(c, "test never");
	unsigned refusals = freezer_refusals();
	struct task *k = start(blocked_fn, &c, "test-refuser");

	KASSERT(t, k);
	KEXPECT(t, WAIT_UNTIL(k->state == TASK_SLEEPING, 5000));
	KEXPECT_EQ(t, freezer_freeze(FREEZE_COOPERATIVE, NULL, 50),
		   -ETIMEDOUT);
	KEXPECT_EQ(t, freezer_refusals(), refusals + 1);
	KEXPECT(t, !freezer_active());
	KEXPECT_EQ(t, freezer_frozen_count(), 0);
	KEXPECT_EQ(t, k->state, TASK_SLEEPING);
	complete(&c);
	KEXPECT_EQ(t, stop_put(k), 3);
}

static void freezer_preemptive_keeps_a_wakeup(struct ktest *t)
{
	struct completion c = COMPLETION_INIT(c, "test wake");
	struct task *k = start(blocked_fn, &c, "test-blocked");

	KASSERT(t, k);
	KEXPECT(t, WAIT_UNTIL(k->state == TASK_SLEEPING, 5000));
	KASSERT_EQ(t, freezer_freeze(FREEZE_PREEMPTIVE, NULL, 50), 0);
	KEXPECT(t, freezer_is_frozen(k));
	KEXPECT_EQ(t, k->frozen_from, TASK_SLEEPING);
	complete(&c);                   /* arrives while frozen */
	sleep_ms(10);
	KEXPECT_EQ(t, k->state, TASK_FROZEN);
	KEXPECT_EQ(t, k->frozen_from, TASK_RUNNABLE);
	freezer_thaw();
	KEXPECT_EQ(t, reaper_wait(k, 1000), 0);
	KEXPECT_EQ(t, k->exit_code, 3);
	task_put(k);
	KEXPECT_EQ(t, freezer_freeze(FREEZE_PREEMPTIVE, NULL, 50), 0);
	KEXPECT_EQ(t, freezer_freeze(FREEZE_PREEMPTIVE, NULL, 50), -EBUSY);
	freezer_thaw();
}

/* noinline, and each calls the next: the walk must find all three. */
__attribute__((noinline)) void freezer_test_inner(volatile bool *stop)
{
	while (!*stop)
		cpu_relax();            /* preempted here by the timer */
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void freezer_test_middle(volatile bool *stop)
{
	freezer_test_inner(stop);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void freezer_test_sleepy(volatile bool *stop)
{
	while (!*stop)
		sleep_ms(1);
	__asm__ volatile("" ::: "memory");
}

static volatile bool walk_stop;

static int walk_spin_fn(void *arg)
{
	freezer_test_middle(&walk_stop);
	return 0;
}

static int walk_sleep_fn(void *arg)
{
	freezer_test_sleepy(&walk_stop);
	return 0;
}

static bool trace_has(const uintptr_t *pcs, unsigned n, const char *fn)
{
	struct ksym s;

	for (unsigned i = 0; i < n; i++)
		if (ksyms_lookup(pcs[i] - 1, &s) && s.name &&
		    !strcmp(s.name, fn))
			return true;
	return false;
}

static void freezer_stack_walk_of_frozen_tasks(struct ktest *t)
{
	struct task *spin, *sleepy;
	uintptr_t pcs[BACKTRACE_MAX];
	struct ksym s;
	unsigned n;

	walk_stop = false;
	spin = start(walk_spin_fn, NULL, "test-walk-spin");
	sleepy = start(walk_sleep_fn, NULL, "test-walk-sleep");
	KASSERT(t, spin && sleepy);
	/* The spinner was preempted at least once inside its loop (with
	 * more CPUs it may run alone on one: the freeze preempts it, by
	 * IPI), and the sleeper is asleep. */
	KEXPECT(t, WAIT_UNTIL(spin->switches >= 1 && (cpus_online > 1 ||
			      (spin->switches >= 2 && spin->preempt_tf)) &&
			      sleepy->state == TASK_SLEEPING, 5000));
	KASSERT_EQ(t, freezer_freeze(FREEZE_PREEMPTIVE, NULL, 100), 0);
	/* Preempted: the interrupted EIP is in freezer_test_inner. */
	n = task_backtrace(spin, pcs, BACKTRACE_MAX);
	KEXPECT(t, spin->preempt_tf != NULL);
	KEXPECT(t, trace_has(pcs, n, "freezer_test_inner"));
	KEXPECT(t, trace_has(pcs, n, "freezer_test_middle"));
	KEXPECT(t, trace_has(pcs, n, "walk_spin_fn"));
	KEXPECT(t, ksyms_lookup(task_where(spin), &s) && s.name &&
		   !strcmp(s.name, "freezer_test_inner"));
	/* The range check the unload protocol will use. */
	KEXPECT(t, task_runs_in_range(spin, task_where(spin),
				      task_where(spin) + 1));
	KEXPECT(t, task_runs_in_range(spin, (uintptr_t)walk_spin_fn,
				      (uintptr_t)walk_spin_fn + 32));
	KEXPECT(t, !task_runs_in_range(spin, (uintptr_t)walk_sleep_fn,
				       (uintptr_t)walk_sleep_fn + 32));
	KEXPECT(t, task_runs_in_range(sleepy, (uintptr_t)walk_sleep_fn,
				      (uintptr_t)walk_sleep_fn + 32));
	/* Asleep: its callers are on the stack above the scheduler. */
	n = task_backtrace(sleepy, pcs, BACKTRACE_MAX);
	KEXPECT(t, trace_has(pcs, n, "sleep_ms"));
	KEXPECT(t, trace_has(pcs, n, "freezer_test_sleepy"));
	KEXPECT(t, trace_has(pcs, n, "walk_sleep_fn"));
	freezer_thaw();
	walk_stop = true;
	KEXPECT_EQ(t, stop_put(spin), 0);
	KEXPECT_EQ(t, stop_put(sleepy), 0);
}

static int idle_sleeper_fn(void *arg)
{
	while (!kthread_should_stop())
		sleep_ms(1000);
	return 0;
}

static void freezer_freeze_thaw_64_cost(struct ktest *t)
{
	enum { N = 64 };
	struct task **k = kzalloc(N * sizeof(*k));
	uint64_t c0, c1, c2;

	KASSERT(t, k);
	for (unsigned i = 0; i < N; i++) {
		k[i] = start(idle_sleeper_fn, NULL, "test-64");
		KASSERT(t, k[i]);
	}
	/* Stop at the first that does not sleep: a broken freezer (the
	 * freezer lab's starter) cost 64 timeouts of 5 s here. */
	for (unsigned i = 0, ok = 1; i < N && ok; i++)
		KEXPECT(t, (ok = WAIT_UNTIL(k[i]->state == TASK_SLEEPING,
					   5000)));
	for (int mode = FREEZE_COOPERATIVE; mode <= FREEZE_PREEMPTIVE;
	     mode++) {
		c0 = rdtsc();
		KEXPECT_EQ(t, freezer_freeze(mode, NULL, 1000), 0);
		c1 = rdtsc();
		KEXPECT(t, freezer_frozen_count() >= N);
		KEXPECT(t, freezer_thaw() >= N);
		c2 = rdtsc();
		ktest_diag(t, "freeze+thaw of %u tasks (%s): %llu cycles "
			   "(freeze %llu, thaw %llu)", N,
			   mode == FREEZE_COOPERATIVE ? "cooperative" :
			   "preemptive", (unsigned long long)(c2 - c0),
			   (unsigned long long)(c1 - c0),
			   (unsigned long long)(c2 - c1));
		sleep_ms(5);
	}
	for (unsigned i = 0; i < N; i++)
		KEXPECT_EQ(t, stop_put(k[i]), 0);
	kfree(k);
}

KTEST_SUITE(freezer,
	KTEST_CASE(freezer_cooperative_all_but_exempt),
	KTEST_CASE(freezer_preemptive_all_but_exempt),
	KTEST_CASE(freezer_cooperative_reports_refuser),
	KTEST_CASE(freezer_preemptive_keeps_a_wakeup),
	KTEST_CASE(freezer_stack_walk_of_frozen_tasks),
	KTEST_CASE(freezer_freeze_thaw_64_cost));

/* ---- watchdog -------------------------------------------------------- */

static void watchdog_reports_a_hung_task(struct ktest *t)
{
	struct completion c = COMPLETION_INIT(c, "test hang");
	unsigned limit = watchdog_limit_ms(), reports = watchdog_report_count();
	struct task *hung, *sleepy, *k;
	bool seen = false;

	hung = start(blocked_fn, &c, "test-hung");
	sleepy = start(idle_sleeper_fn, NULL, "test-not-hung");
	KASSERT(t, hung && sleepy);
	watchdog_set_limit_ms(100);
	for (unsigned i = 0; i < 100 && !seen; i++) {
		sleep_ms(10);
		seen = watchdog_last_reported_id() == hung->id;
	}
	watchdog_set_limit_ms(limit);
	KEXPECT(t, seen);
	KEXPECT(t, watchdog_report_count() > reports);
	KEXPECT(t, hung->hung_reported);
	KEXPECT(t, !sleepy->hung_reported);     /* a freezable sleep */
	complete(&c);
	KEXPECT_EQ(t, stop_put(hung), 3);
	KEXPECT_EQ(t, stop_put(sleepy), 0);
	/* Still usable: a new thread runs and is reaped. */
	k = start(return_arg_fn, (void *)9, "test-after");
	KASSERT(t, k);
	KEXPECT_EQ(t, reaper_wait(k, 1000), 0);
	KEXPECT_EQ(t, k->exit_code, 9);
	task_put(k);
}

/* We keep CPU cpu with preemption off while k waits for it: that CPU's
 * tick reports the stall, naming us. */
static void stall_on(struct ktest *t, unsigned cpu)
{
	struct worker w = { 0 };
	unsigned limit = watchdog_limit_ms(), reports = watchdog_report_count();
	struct task *k = start(busy_fn, &w, "test-starved");
	unsigned on;
	int seen;

	KASSERT(t, k);
	sched_set_cpus(current, 1u << cpu);     /* k waits for our CPU */
	sched_set_cpus(k, 1u << cpu);
	watchdog_set_limit_ms(50);
	preempt_disable();
	on = cpu_id();
	spin_ms(120);
	seen = watchdog_last_reported_id();     /* before k runs, catching up */
	preempt_enable();
	watchdog_set_limit_ms(limit);
	unpin(current);
	KEXPECT_EQ(t, on, cpu);
	KEXPECT(t, watchdog_report_count() > reports);
	KEXPECT_EQ(t, seen, current->id);
	KEXPECT_EQ(t, stop_put(k), 0);
}

static void watchdog_reports_a_stall(struct ktest *t)
{
	stall_on(t, 0);
}

/* CPU 1's own tick looks at it (the check looked at CPU 0 only). */
static void watchdog_reports_a_stall_on_another_cpu(struct ktest *t)
{
	if (cpus_online < 2)
		ktest_skip(t, "needs 2 CPUs (boot with -smp 2 or more)");
	stall_on(t, 1);
}

KTEST_SUITE(watchdog,
	KTEST_CASE(watchdog_reports_a_hung_task),
	KTEST_CASE(watchdog_reports_a_stall),
	KTEST_CASE(watchdog_reports_a_stall_on_another_cpu));
