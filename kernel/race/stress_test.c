/*
 * kernel/race/stress_test.c: KTAP suite `stress`, and the bench figure
 * stress_cycle_twophase_seeded.
 *
 * Short seeded runs (a few dozen unload cycles, quiet): twophase and
 * refcount pass with memory back at the baseline, and the same seed gives
 * the same decisions and the same counts twice. The generator repeats from
 * its seed. (The negative control, naive, is checked end to end by
 * tests/e2e_stress.py: its faulting callers leave a reference behind that
 * would spoil the memory checks of the suites after this one.)
 */
#include <kernel/race/stress.h>
#include <kernel/bench.h>
#include <kernel/arch.h>
#include <kernel/ktest.h>

static void seeded(struct stress_cfg *c, enum unload_strategy s,
		   enum stress_sched_mode mode, uint32_t seed, unsigned cycles)
{
	stress_cfg_defaults(c);
	c->strategy = s;
	c->sched = mode;
	c->seed = seed;
	c->cycles = cycles;
	c->duration_ms = 0;
	c->clients = 3;
}

static void stress_rand_repeats_from_seed(struct ktest *t)
{
	struct stress_cfg c;
	uint32_t a[8];

	stress_cfg_defaults(&c);
	c.seed = 42;
	stress_sched_start(&c);
	for (unsigned i = 0; i < 8; i++)
		a[i] = stress_rand();
	stress_sched_stop();
	stress_sched_start(&c);
	for (unsigned i = 0; i < 8; i++)
		KEXPECT_EQ(t, stress_rand(), a[i]);
	stress_sched_stop();
}

static void stress_twophase_seeded_passes(struct ktest *t)
{
	struct stress_cfg c;

	seeded(&c, UNLOAD_TWOPHASE, STRESS_SCHED_SEEDED, 3, 40);
	KEXPECT_EQ(t, stress_run_cfg(&c, true), 0);
	KEXPECT_EQ(t, stress_stats.failure[0], '\0');
	KEXPECT(t, stress_stats.unloads >= 40);
}

static void stress_refcount_pct_passes(struct ktest *t)
{
	struct stress_cfg c;

	seeded(&c, UNLOAD_REFCOUNT, STRESS_SCHED_PCT, 4, 40);
	KEXPECT_EQ(t, stress_run_cfg(&c, true), 0);
	KEXPECT_EQ(t, stress_stats.failure[0], '\0');
	KEXPECT(t, stress_stats.unloads >= 40);
}

/* The same seed replays the same run: every decision, in order (who
 * decided, at which point, who got the baton), not just the totals, which
 * two different interleavings can share. */
static void stress_same_seed_same_run(struct ktest *t)
{
	struct stress_cfg c;
	unsigned long d1;
	uint32_t calls1, hash1;
	unsigned ref1;

	seeded(&c, UNLOAD_TWOPHASE, STRESS_SCHED_SEEDED, 11, 30);
	KEXPECT_EQ(t, stress_run_cfg(&c, true), 0);
	d1 = stress_sched_decisions();
	hash1 = stress_sched_trace_hash();
	calls1 = stress_stats.calls;
	ref1 = stress_stats.refusals;
	KEXPECT_EQ(t, stress_run_cfg(&c, true), 0);
	KEXPECT_EQ(t, stress_sched_decisions(), d1);
	KEXPECT_EQ(t, stress_sched_trace_hash(), hash1);
	KEXPECT_EQ(t, stress_stats.calls, calls1);
	KEXPECT_EQ(t, stress_stats.refusals, ref1);
	if (stress_sched_trace_hash() != hash1) {
		ktest_diag(t, "the second run's last decisions:");
		stress_sched_print_trace();
	}
}

KTEST_SUITE(stress,
	KTEST_CASE(stress_rand_repeats_from_seed),
	KTEST_CASE(stress_twophase_seeded_passes),
	KTEST_CASE(stress_refcount_pct_passes),
	KTEST_CASE(stress_same_seed_same_run));

/* TSC cycles per load/unload cycle of a seeded twophase run of 200
 * cycles (under make bench's -icount the figure is exact); stress cycles
 * per million cycles is 1e6 divided by it (under 1 in QEMU: a cycle
 * freezes and scans every task, and creates and reaps two). */
static void bench_stress(void)
{
	struct stress_cfg c;
	uint64_t t0;

	seeded(&c, UNLOAD_TWOPHASE, STRESS_SCHED_SEEDED, 1, 200);
	t0 = rdtsc();
	if (stress_run_cfg(&c, true)) {
		bench_fail("the stress run failed: %s", stress_stats.failure);
		return;
	}
	t0 = rdtsc() - t0;
	bench_report("stress_cycle_twophase_seeded", t0,
		     stress_stats.unloads ? stress_stats.unloads : 1);
}
BENCH(stress, bench_stress);
