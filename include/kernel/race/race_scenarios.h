/*
 * <kernel/race/race_scenarios.h>: the race catalogue R1-R10, run from code
 * (the `race` command and the `race` test suite; kernel/race/race_scenarios.c).
 */
#ifndef KERNEL_RACE_SCENARIOS_H
#define KERNEL_RACE_SCENARIOS_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/module/unload.h>

/*
 * Run scenario id ("R4" or "entered-not-counted") once and measure it.
 * Prints the timeline when verbose, and always the closing line
 * "race: Rn NAME strategy=S outcome=O". Return: the outcome ("safe",
 * "refused", "delayed", "reregistered", "uaf", "deadlock", "leak", or
 * "error" if the scenario itself could not run), NULL for an unknown id.
 * Context: task (the shell), may sleep.
 */
const char *race_run_one(const char *id, enum unload_strategy strategy,
			 enum unload_busy busy, uint32_t seed, bool verbose);
/* The documented outcome of scenario i (0-based) under strategy s. */
const char *race_expected(unsigned i, enum unload_strategy s);
/* "R1".."R10", or NULL past the end. */
const char *race_scenario_id(unsigned i);
unsigned race_scenario_count(void);

#endif
