/*
 * kernel/module/module_bench.c: the loader's and the unload protocol's figures
 * for `bench` (see <kernel/bench.h>).
 *
 *   insmod_NAME[_STEP]        each sample module's load, and its steps
 *                             (validate, layout, relocate, init: see
 *                             struct module_load_times);
 *   rmmod_twophase_NAME       its twophase unload (worker's includes
 *                             stopping and reaping its thread);
 *   rmmod_STRATEGY_N_idle     unloading the empty module with each
 *                             strategy, with N = 0, 16 and 64 extra tasks
 *                             asleep since before the load (the quiesce
 *                             freezes them but skips their stack walk);
 *   rmmod_STRATEGY_N_ran      the same, N = 16 and 64, with each task
 *                             woken once between the load and the unload
 *                             (untimed), so the quiesce walks every stack;
 *   rmmod_twophase_walk_per_task
 *                             (64_ran - 64_idle) / 64: one stack walk;
 *   rmmod_twophase_per_walked_task
 *                             (64_ran - 16_ran) / 48: one more task that
 *                             ran since the load, frozen, walked, thawed;
 *   module_load_unload_twophase
 *                             a whole insmod + rmmod of the empty module,
 *                             freeze and stack scan included, with only
 *                             the boot-time tasks present (asleep since
 *                             before the load: their walks are skipped);
 *   module_load_unload_twophase_N_ran
 *                             the same with N = 16 and 64 extra tasks that
 *                             run between the load and the unload (that
 *                             part untimed): every stack is walked.
 *
 * The console is quiet while they run (console_loglevel is lowered):
 * hello prints a line in init, and one line on the serial port costs more
 * than the whole load. The lines still go to the log ring, as always.
 * A module file missing from the boot files, or a load or unload that
 * fails, fails the benchmark (bench_fail): its figures would be missing.
 */
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/bench.h>
#include <kernel/boot.h>
#include <kernel/module/unload.h>
#include <sched/task.h>

enum { ROUNDS = 10 };                   /* timed; one more to warm up */

static int quiet(void)
{
	int old = console_loglevel;

	console_loglevel = LOG_WARN;
	return old;
}

static int load(const char *name)
{
	char err[200];
	int ret = module_load(name, 0, NULL, err, sizeof(err));

	if (ret)
		bench_fail("%s", err);
	return ret;
}

static int unload(const char *name, enum unload_strategy s)
{
	struct unload_req req;
	int ret;

	unload_req_init(&req);
	req.strategy = s;
	ret = unload_module(name, &req);
	if (ret)
		bench_fail("rmmod %s: %s", name, req.msg);
	return ret;
}

/* Return: true if NAME.ko is among the boot files; fail the benchmark if
 * it is not. */
static bool have(const char *name)
{
	if (boot_file_find(name))
		return true;
	bench_fail("%s.ko is not among the boot files", name);
	return false;
}

/* ---- insmod, step by step ------------------------------------------ */

static void report_load(const char *name, const struct module_load_times *t,
			uint64_t total, uint64_t unload_total)
{
	static const char *const steps[] = {
		"validate", "layout", "relocate", "init" };
	const uint64_t cycles[] = { t->validate, t->layout, t->relocate,
				    t->init };
	char fig[48];

	ksnprintf(fig, sizeof(fig), "insmod_%s", name);
	bench_report(fig, total, ROUNDS);
	for (unsigned i = 0; i < 4; i++) {
		ksnprintf(fig, sizeof(fig), "insmod_%s_%s", name, steps[i]);
		bench_report(fig, cycles[i], ROUNDS);
	}
	ksnprintf(fig, sizeof(fig), "rmmod_twophase_%s", name);
	bench_report(fig, unload_total, ROUNDS);
}

/* Load and unload name ROUNDS + 1 times; report the last ROUNDS loads. */
static void bench_one_insmod(const char *name)
{
	struct module_load_times sum = { 0 };
	uint64_t total = 0, unload_total = 0, t0;

	for (int i = 0; i <= ROUNDS; i++) {
		struct module *m;

		if (load(name))
			return;
		m = module_find(name);
		if (i > 0) {
			sum.validate += m->load_times.validate;
			sum.layout += m->load_times.layout;
			sum.relocate += m->load_times.relocate;
			sum.init += m->load_times.init;
			total += m->load_cycles;
		}
		t0 = rdtsc();
		if (unload(name, UNLOAD_TWOPHASE))
			return;
		if (i > 0)
			unload_total += rdtsc() - t0;
	}
	report_load(name, &sum, total, unload_total);
}

static void bench_insmod(void)
{
	static const char *const names[] = {
		"empty", "hello", "counter", "mathlib", "shout", "ticker",
		"worker" };
	int level = quiet();

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (have(names[i]))
			bench_one_insmod(names[i]);
	/* mathuser links against mathlib's exports: load that first. */
	if (have("mathuser") && have("mathlib") && !load("mathlib")) {
		bench_one_insmod("mathuser");
		unload("mathlib", UNLOAD_TWOPHASE);
	}
	console_loglevel = level;
}
BENCH(module_insmod, bench_insmod);

/* ---- rmmod per strategy, with idle tasks and with tasks that ran ----- */

enum { MAX_IDLE = 64 };

static struct task *idle[MAX_IDLE];
static unsigned nidle;

/* An idle task: asleep in a freezable sleep until woken or stopped. */
static int idle_fn(void *arg)
{
	while (!kthread_should_stop()) {
		try_to_freeze();
		sleep_ms(100000);
	}
	return 0;
}

static void idle_start(unsigned n)
{
	assert(n <= MAX_IDLE && !nidle);
	for (nidle = 0; nidle < n; nidle++) {
		idle[nidle] = kthread_run(idle_fn, NULL, NULL, "bench-idle");
		assert(idle[nidle]);
		task_get(idle[nidle]);
	}
	sleep_ms(2);            /* all of them asleep */
}

static void idle_stop(void)
{
	for (unsigned i = 0; i < nidle; i++) {
		kthread_stop(idle[i]);
		task_put(idle[i]);
	}
	nidle = 0;
}

/* Wake every idle task and wait until each has run and is asleep again:
 * each has then been on the CPU since m was loaded, so the quiesce must
 * walk its stack (task_inside() skips only tasks that have not).
 * Untimed. Context: task, module_mutex not held. */
static void idle_run_since_load(const struct module *m)
{
	for (unsigned i = 0; i < nidle; i++)
		wake_up_task(idle[i]);
	for (unsigned i = 0; i < nidle; i++)
		while (idle[i]->state != TASK_SLEEPING ||
		       idle[i]->switched_out_at < m->load_switch)
			sched_yield();
}

/* Return: the cycles of ROUNDS unloads (after one untimed), 0 on failure. */
static uint64_t bench_one_rmmod(enum unload_strategy s, bool ran)
{
	uint64_t total = 0, t0;
	char fig[48];

	for (int i = 0; i <= ROUNDS; i++) {
		if (load("empty"))
			return 0;
		if (ran)
			idle_run_since_load(module_find("empty"));
		t0 = rdtsc();
		if (unload("empty", s))
			return 0;
		if (i > 0)
			total += rdtsc() - t0;
	}
	ksnprintf(fig, sizeof(fig), "rmmod_%s_%u_%s",
		  unload_strategy_name(s), nidle, ran ? "ran" : "idle");
	bench_report(fig, total, ROUNDS);
	return total;
}

/* What one more task costs the twophase unload: walked (ran since the
 * load) against skipped (idle since before it), and in all (frozen,
 * walked, thawed) from 16 tasks to 64. */
static void report_per_task(uint64_t idle64, uint64_t ran16, uint64_t ran64)
{
	if (!idle64 || !ran16 || !ran64 || ran64 < idle64 || ran64 < ran16)
		return;
	bench_report("rmmod_twophase_walk_per_task", ran64 - idle64,
		     64 * ROUNDS);
	bench_report("rmmod_twophase_per_walked_task", ran64 - ran16,
		     48 * ROUNDS);
}

static void bench_rmmod(void)
{
	static const unsigned counts[] = { 0, 16, 64 };
	uint64_t tp[3][2] = { { 0 } };  /* twophase: [count][ran] */
	int level;

	if (!have("empty"))
		return;
	level = quiet();
	for (unsigned c = 0; c < 3; c++) {
		idle_start(counts[c]);
		for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++)
			for (int ran = 0; ran <= (counts[c] > 0); ran++) {
				uint64_t t = bench_one_rmmod(s, ran);

				if (s == UNLOAD_TWOPHASE)
					tp[c][ran] = t;
			}
		idle_stop();
	}
	report_per_task(tp[2][0], tp[1][1], tp[2][1]);
	console_loglevel = level;
}
BENCH(module_rmmod, bench_rmmod);

/* ---- the whole cycle ----------------------------------------------- */

static void bench_cycle(void)
{
	uint64_t t0 = 0;
	int level;

	if (!have("empty"))
		return;
	level = quiet();
	for (int round = 0; round < 2; round++) {
		t0 = rdtsc();
		for (int i = 0; i < ROUNDS; i++)
			if (load("empty") || unload("empty", UNLOAD_TWOPHASE))
				goto out;
	}
	bench_report("module_load_unload_twophase", rdtsc() - t0, ROUNDS);
out:
	console_loglevel = level;
}
BENCH(module_cycle, bench_cycle);

/* The whole cycle with n tasks that run between the load and the unload
 * (untimed), so that the quiesce walks every one of their stacks. */
static void bench_cycle_ran(unsigned n)
{
	uint64_t total = 0, t0, t1;
	char fig[48];

	idle_start(n);
	for (int i = 0; i <= ROUNDS; i++) {
		t0 = rdtsc();
		if (load("empty"))
			break;
		t1 = rdtsc();
		idle_run_since_load(module_find("empty"));
		t0 += rdtsc() - t1;
		if (unload("empty", UNLOAD_TWOPHASE))
			break;
		if (i > 0)
			total += rdtsc() - t0;
		if (i == ROUNDS) {
			ksnprintf(fig, sizeof(fig),
				  "module_load_unload_twophase_%u_ran", n);
			bench_report(fig, total, ROUNDS);
		}
	}
	idle_stop();
}

static void bench_cycles_ran(void)
{
	int level;

	if (!have("empty"))
		return;
	level = quiet();
	bench_cycle_ran(16);
	bench_cycle_ran(64);
	console_loglevel = level;
}
BENCH(module_cycle_ran, bench_cycles_ran);
