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
 *                             strategy, with N = 0 and 16 idle tasks;
 *   module_load_unload_twophase
 *                             a whole insmod + rmmod of the empty module,
 *                             freeze and stack scan included, with only
 *                             the boot-time tasks present.
 *
 * The console is quiet while they run (console_loglevel is lowered):
 * hello prints a line in init, and one line on the serial port costs more
 * than the whole load. The lines still go to the log ring, as always.
 * A module whose file is not among the boot files is skipped.
 */
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/bench.h>
#include <kernel/boot.h>
#include <kernel/module/unload.h>

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
		pr_err("bench: %s", err);
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
		pr_err("bench: rmmod %s: %s", name, req.msg);
	return ret;
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
		if (boot_file_find(names[i]))
			bench_one_insmod(names[i]);
	/* mathuser links against mathlib's exports: load that first. */
	if (boot_file_find("mathuser") && boot_file_find("mathlib") &&
	    !load("mathlib")) {
		bench_one_insmod("mathuser");
		unload("mathlib", UNLOAD_TWOPHASE);
	}
	console_loglevel = level;
}
BENCH(module_insmod, bench_insmod);

/* ---- rmmod per strategy, with and without idle tasks --------------- */

/* An idle task: asleep in a freezable sleep until stopped. */
static int idle_fn(void *arg)
{
	while (!kthread_should_stop()) {
		try_to_freeze();
		sleep_ms(100000);
	}
	return 0;
}

static void bench_one_rmmod(enum unload_strategy s, unsigned nidle)
{
	uint64_t total = 0, t0;
	char fig[48];

	for (int i = 0; i <= ROUNDS; i++) {
		if (load("empty"))
			return;
		t0 = rdtsc();
		if (unload("empty", s))
			return;
		if (i > 0)
			total += rdtsc() - t0;
	}
	ksnprintf(fig, sizeof(fig), "rmmod_%s_%u_idle",
		  unload_strategy_name(s), nidle);
	bench_report(fig, total, ROUNDS);
}

static void bench_rmmod(void)
{
	static const unsigned counts[] = { 0, 16 };
	struct task *idle[16];
	int level;

	if (!boot_file_find("empty"))
		return;
	level = quiet();
	for (unsigned c = 0; c < 2; c++) {
		for (unsigned i = 0; i < counts[c]; i++) {
			idle[i] = kthread_run(idle_fn, NULL, NULL,
					      "bench-idle");
			assert(idle[i]);
			task_get(idle[i]);
		}
		sleep_ms(2);            /* all of them asleep */
		for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++)
			bench_one_rmmod(s, counts[c]);
		for (unsigned i = 0; i < counts[c]; i++) {
			kthread_stop(idle[i]);
			task_put(idle[i]);
		}
	}
	console_loglevel = level;
}
BENCH(module_rmmod, bench_rmmod);

/* ---- the whole cycle ----------------------------------------------- */

static void bench_cycle(void)
{
	uint64_t t0 = 0;
	int level;

	if (!boot_file_find("empty"))
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
