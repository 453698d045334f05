/*
 * <kernel/race/race_scenarios.h>: the race catalogue, run from code (the
 * `race` command and the `race` test suite; kernel/race/).
 */
#ifndef KERNEL_RACE_SCENARIOS_H
#define KERNEL_RACE_SCENARIOS_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/module/unload.h>

/* One cell of the matrix: what happened, and which detector decided it. */
struct race_result {
	char outcome[16];       /* safe refused delayed reregistered failed
				 * uaf deadlock leak error; n/a: the
				 * scenario needs more CPUs */
	char by[64];            /* "stack-scan", "eip+entry-window", ... */
};

/*
 * Run scenario id ("R4" or "entered-not-counted") once and measure it into
 * out. Prints the timeline when verbose, and always the closing line
 * "race: Rn NAME strategy=S outcome=O by=D". Return: 0, -ENOENT for an
 * unknown id (out untouched), -ENODEV when it needs more CPUs than are
 * online (out is "n/a" by "one-cpu", nothing was run).
 * Context: task (the shell), may sleep.
 */
int race_run_one(const char *id, enum unload_strategy strategy,
		 enum unload_busy busy, uint32_t seed, bool verbose,
		 struct race_result *out);
/* The documented cell of scenario i (0-based) under strategy s, or NULL
 * past the end. */
const struct race_result *race_expected(unsigned i, enum unload_strategy s);
/* "R1", "R2", ..., or NULL past the end. */
const char *race_scenario_id(unsigned i);
/* How many CPUs scenario i needs (R16 and R17: 2). */
unsigned race_scenario_cpus(unsigned i);
unsigned race_scenario_count(void);

#endif
