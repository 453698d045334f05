/*
 * kernel/race/race_cmds.c: `race list`, `race run SCENARIO`, `race matrix`.
 *
 * `race run --events` also prints the run as "@ev" lines
 * (race_events.c) for scripts/race_diagram.py.
 *
 * The matrix runs every scenario under every strategy for N seeds, prints
 * the measured cells and marks (!) each that differs from the documented
 * one (race_expected) or changed across seeds.
 */
#include "internal.h"
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/parse.h>
#include <kernel/lib/string.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <drivers/pit.h>
#include <kernel/cpu.h>
#include <mm/tlb.h>

static int race_list(void)
{
	for (unsigned i = 0; i < race_ntable; i++)
		kprintf("  %-4s %-26s %s\n", race_table[i].id,
			race_table[i].name, race_table[i].what);
	return 0;
}

static bool same(const struct race_result *a, const struct race_result *b)
{
	return !strcmp(a->outcome, b->outcome) && !strcmp(a->by, b->by);
}

/* One table: each cell's outcome (by == false) or detector (by == true),
 * "!" after a cell that differs from the documented one. */
static unsigned print_table(bool by,
			    struct race_result got[][UNLOAD_NR_STRATEGIES])
{
	unsigned mismatches = 0;

	kprintf("\n%-30s %-22s %-22s %-22s %-22s\n",
		by ? "decided by" : "outcome", "naive", "eip", "twophase",
		"refcount");
	for (unsigned i = 0; i < race_ntable; i++) {
		char name[40];

		ksnprintf(name, sizeof(name), "%s %s", race_table[i].id,
			  race_table[i].name);
		kprintf("%-30s", name);
		for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++) {
			const struct race_result *e = race_expected(i, s);
			bool ok = same(&got[i][s], e) ||
				  !strcmp(got[i][s].outcome, "n/a");

			mismatches += !ok;
			kprintf(" %-21s%s", by ? got[i][s].by :
				got[i][s].outcome, ok ? " " : "!");
		}
		kprintf("\n");
	}
	return mismatches;
}

static int race_matrix(uint32_t seeds, uint32_t seed0)
{
	static struct race_result got[RACE_MAX_SCENARIOS]
				     [UNLOAD_NR_STRATEGIES];
	unsigned mismatches, unstable = 0, runs = 0;
	int saved = console_loglevel;
	uint64_t t0;

	assert(race_ntable <= RACE_MAX_SCENARIOS);
	kprintf("race matrix: %u scenarios x %u strategies x %lu seed(s) "
		"(quiet; 'race run' narrates one)\n", (unsigned)race_ntable,
		UNLOAD_NR_STRATEGIES, (unsigned long)seeds);
	console_loglevel = LOG_ERR;
	t0 = ticks_read();
	for (uint32_t n = 0; n < seeds; n++)
		for (unsigned i = 0; i < race_ntable; i++)
			for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++) {
				struct race_result r;

				runs += !race_run_one(race_table[i].id, s,
						      BUSY_FAIL, seed0 + n,
						      false, &r);
				if (n == 0)
					got[i][s] = r;
				else if (!same(&got[i][s], &r))
					unstable++;
			}
	console_loglevel = saved;
	kprintf("\nrace matrix: %u runs in %lu ms of emulated time\n", runs,
		(unsigned long)((ticks_read() - t0) * 1000 / hz));
	mismatches = print_table(false, got);
	print_table(true, got);         /* the same cells, the same marks */
	for (unsigned i = 0; i < race_ntable; i++)
		if (!strcmp(got[i][0].outcome, "n/a"))
			kprintf("race matrix: %s needs %u CPUs and was not run "
				"(n/a); this kernel runs on %u\n",
				race_table[i].id, race_scenario_cpus(i),
				cpus_online);
	kprintf("race matrix: %u cell(s) differ from docs/race-catalogue.md "
		"(marked !), %u changed across seeds\n", mismatches, unstable);
	return mismatches || unstable ? -EIO : 0;
}

static int cmd_race(int argc, char **argv)
{
	enum unload_strategy strategy = UNLOAD_TWOPHASE;
	enum unload_busy busy = BUSY_FAIL;
	uint32_t seed = 1, seeds = 1;
	bool events = false, no_shootdown = false;
	struct race_result result;
	const struct scenario *sc;
	const char *v;
	char err[96];

	if (argc < 2)
		return cmd_error(-EINVAL,
				 "usage: race list | race run SCENARIO "
				 "[--strategy=S] [--busy=P] [--seed=N] "
				 "[--events] [--shootdown=off] | race matrix "
				 "[--seeds=N]");
	for (int i = 2; i < argc; i++) {
		int opt = unload_parse_option(argv[i], &strategy, &busy, err,
					      sizeof(err));

		if (opt < 0)
			return cmd_error(opt, "%s", err);
		if (opt)
			continue;
		if ((v = parse_option(argv[i], "seed"))) {
			if (parse_u32(v, &seed))
				return cmd_error(-EINVAL, "bad seed '%s'", v);
		} else if (!strcmp(argv[i], "--events") &&
			   !strcmp(argv[1], "run")) {
			events = true;
		} else if (!strcmp(argv[i], "--shootdown=off") &&
			   !strcmp(argv[1], "run")) {
			no_shootdown = true;
		} else if ((v = parse_option(argv[i], "seeds"))) {
			if (parse_u32(v, &seeds) || !seeds || seeds > 100)
				return cmd_error(-EINVAL, "--seeds takes 1 to "
						 "100");
		} else if (i != 2 || strcmp(argv[1], "run")) {
			return cmd_error(-EINVAL, "unexpected '%s'", argv[i]);
		}
	}
	if (!strcmp(argv[1], "list"))
		return race_list();
	if (!strcmp(argv[1], "matrix"))
		return race_matrix(seeds, seed) ?
			cmd_error(-EIO, "the matrix is not as documented") : 0;
	if (strcmp(argv[1], "run") || argc < 3)
		return cmd_error(-EINVAL, "usage: race run SCENARIO "
				 "[--strategy=S] [--busy=P] [--seed=N] "
				 "[--events] [--shootdown=off]");
	sc = race_find(argv[2]);
	if (!sc)
		return cmd_error(-ENOENT, "no scenario '%s'; 'race list' shows "
				 "them", argv[2]);
	if (cpus_online < sc->cpus)
		return cmd_error(-ENODEV, "%s needs %u CPUs and this kernel "
				 "runs on %u (boot it with SMP=2 or more; "
				 "`make run` boots 2)", argv[2], sc->cpus,
				 cpus_online);
	/* The demonstration of what the shootdown is for: this run only,
	 * switched back on however it ends. */
	if (no_shootdown)
		kprintf("race: the TLB shootdown is off for this run: an unmap "
			"drops the translations of this CPU only\n");
	tlb_shootdown_enabled = !no_shootdown;
	race_events_enable(events);
	race_run_one(argv[2], strategy, busy, seed, true, &result);
	race_events_enable(false);
	tlb_shootdown_enabled = true;
	if (!strcmp(result.outcome, "error"))
		return cmd_error(race_last_harness_err ? race_last_harness_err :
				 -EIO, "scenario %s could not be played to "
				 "its end (above); nothing was learned about "
				 "the strategy", argv[2]);
	return 0;
}
COMMAND(race, "race",
	"list | run SCENARIO [--strategy=S] [--seed=N] [--events] "
	"[--shootdown=off] | matrix",
	"replay the unload races R1-R17 under a strategy", cmd_race);
