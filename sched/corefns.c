/*
 * sched/corefns.c: which functions are the scheduler's own, so that
 * "where is this task" (task_where) names the code that put it to sleep
 * or was preempted, not the switch itself.
 */
#include <sched/sched.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <kernel/lib/string.h>
#include "internal.h"

static const char *const core_fns[] = {
	"sched_switch", "sched_schedule_locked", "schedule", "sched_yield",
	"sched_sleep_irqoff", "sleep_ms", "try_to_freeze", "sched_irq_exit",
	"irq_dispatch", "trap_dispatch", "trap_common", "preempt_enable",
	"spin_unlock_irqrestore", "spin_unlock", "console_sleep",
	"console_getc",
	/* a task stopped at a probe "is" where the probe is */
	"probe", "fire", "probe_trap",
};

/* Names a higher layer adds (its probe subscribers). [boot] */
static const char *extra_core_fns[8];
static unsigned nextra_core_fns;

void sched_add_core_fn(const char *name)
{
	assert(nextra_core_fns < sizeof(extra_core_fns) /
				 sizeof(extra_core_fns[0]));
	extra_core_fns[nextra_core_fns++] = name;
}

static bool name_is(const char *sym, const char *fn)
{
	size_t n = strlen(fn);

	/* GCC may split a function: "schedule.part.0" is schedule too. */
	return !strncmp(sym, fn, n) && (sym[n] == '\0' || sym[n] == '.');
}

bool sched_is_core_fn(uintptr_t addr)
{
	struct ksym s;

	if (!ksyms_lookup(addr, &s) || !s.name)
		return false;
	for (unsigned i = 0; i < sizeof(core_fns) / sizeof(core_fns[0]); i++)
		if (name_is(s.name, core_fns[i]))
			return true;
	for (unsigned i = 0; i < nextra_core_fns; i++)
		if (name_is(s.name, extra_core_fns[i]))
			return true;
	return false;
}
