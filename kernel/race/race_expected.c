/*
 * kernel/race/race_expected.c: the documented matrix of the race catalogue.
 *
 * One row per scenario of race_table (race_scenarios.c), in its order;
 * one cell per strategy: the outcome and the detector that decides it,
 * as docs/race-catalogue.md explains cell by cell. R16 and R17 need two
 * CPUs; on one they are not run ("n/a"), and their cells are what two or
 * more CPUs give.
 */
#include "internal.h"
#include <kernel/panic.h>

/*
 * The expected cell of each scenario under each strategy, as
 * docs/race-catalogue.md explains it: the outcome, and the detector that
 * decides it. Used only to mark mismatches in the printed matrix (and by
 * the tests): the cells themselves are measured.
 */
#define C(o, d) { o, d }
static const struct race_result expected[][UNLOAD_NR_STRATEGIES] = {
	/* naive, eip, twophase, refcount */
	{ C("safe", "none"), C("deadlock", "deadlock-wait"),
	  C("safe", "caller-exempt"), C("safe", "none") },
	{ C("safe", "none"), C("deadlock", "deadlock-wait"),
	  C("safe", "none"), C("safe", "none") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("safe", "thread-reap"), C("safe", "thread-reap") },
	{ C("uaf", "uaf-detector"), C("refused", "eip"),
	  C("reregistered", "eip+stack-scan"), C("refused", "use-count") },
	{ C("uaf", "uaf-detector"), C("refused", "eip"),
	  C("reregistered", "eip+stack-scan"), C("refused", "use-count") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("reregistered", "stack-scan"), C("refused", "use-count") },
	{ C("uaf", "uaf-detector"), C("refused", "eip"),
	  C("reregistered", "eip"), C("refused", "use-count") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("reregistered", "use-count+stack-scan"), C("safe", "gate") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("safe", "callback-drain"), C("refused", "use-count") },
	{ C("refused", "dependency"), C("refused", "dependency"),
	  C("refused", "dependency"), C("refused", "dependency") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("reregistered", "stack-scan"), C("refused", "raw-entry") },
	{ C("uaf", "uaf-detector"), C("refused", "eip"),
	  C("reregistered", "eip"), C("refused", "raw-entry") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("reregistered", "entry-window"), C("refused", "use-count") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("reregistered", "use-count"), C("safe", "gate") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("safe", "thread-stop"), C("safe", "thread-stop") },
	{ C("uaf", "uaf-detector"), C("refused", "eip"),
	  C("reregistered", "eip"), C("refused", "raw-entry") },
	{ C("uaf", "uaf-detector"), C("uaf", "uaf-detector"),
	  C("reregistered", "stack-scan"), C("refused", "raw-entry") },
};
#undef C

const struct race_result *race_expected(unsigned scenario,
					enum unload_strategy s)
{
	assert(sizeof(expected) / sizeof(expected[0]) == race_ntable);
	if (scenario >= race_ntable || (unsigned)s >= UNLOAD_NR_STRATEGIES)
		return NULL;
	return &expected[scenario][s];
}

const char *race_scenario_id(unsigned i)
{
	return i < race_ntable ? race_table[i].id : NULL;
}

unsigned race_scenario_cpus(unsigned i)
{
	return i < race_ntable ? race_table[i].cpus : 1;
}

unsigned race_scenario_count(void)
{
	return race_ntable;
}
