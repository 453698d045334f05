/*
 * kernel/race/race_engine.c: one run of one race scenario, measured.
 *
 * A run starts noise from the seed, lets the scenario (race_scenarios.c)
 * open its race and run the unload, then settles: releases every held
 * task, thaws, unloads what is left, waits for the reaper and unloadd.
 * Then it measures what happened. Nothing is decided from the scenario's
 * name:
 *
 *   uaf       the module area's use-after-free detector fired
 *             (modmem_uaf_reports() went up), or a client held inside
 *             the module came back normally after the module was freed
 *             (it ran freed code and nothing faulted: "stale-tlb", only
 *             possible on another CPU whose TLB was not shot down);
 *   deadlock  the unload's bounded wait caught it (unload_wait);
 *   leak      frames or heap not back to the baseline once the module is
 *             gone and every task of the scenario has been reaped;
 *   otherwise what the unload said: freed (safe), refused, delayed,
 *             reregistered.
 *
 * The seed drives only noise: a few background tasks and small pauses
 * between steps. The outcome must not depend on it (race matrix checks
 * that over many seeds), because the holds, not the timing, open the race.
 *
 * Context: runs in the shell task (never frozen); module_mutex is taken
 * only by the load and unload calls.
 */
#include "internal.h"
#include <kernel/cpu.h>
#include <kernel/module/module.h>
#include <kernel/module/modmem.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <kernel/race/race.h>
#include <sched/freezer.h>
#include <sched/reaper.h>
#include <sched/task.h>

int race_last_harness_err;

void race_harness_fail_err(struct race_ctx *c, const char *what, int err)
{
	kprintf("race: harness: %s\n", what);
	if (!c->harness_err || c->harness_err == -EIO)
		c->harness_err = err;
}

void race_harness_fail(struct race_ctx *c, const char *what)
{
	race_harness_fail_err(c, what, -EIO);
}

/* ---- noise from the seed -------------------------------------------- */

static uint32_t rnd(struct race_ctx *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

void race_jitter(struct race_ctx *c)
{
	unsigned ms = rnd(c) % 3;

	if (ms)
		sleep_ms(ms);
	else
		sched_yield();
}

static int noise_fn(void *arg)
{
	uint32_t period = (uint32_t)(uintptr_t)arg;

	while (!kthread_should_stop()) {
		if (period)
			sleep_ms(period);
		else
			sched_yield();
	}
	return 0;
}

static void noise_start(struct race_ctx *c)
{
	c->nnoise = rnd(c) % 4;
	for (unsigned i = 0; i < c->nnoise; i++) {
		c->noise[i] = kthread_run(noise_fn,
					  (void *)(uintptr_t)(rnd(c) % 4), NULL,
					  "noise");
		if (c->noise[i])
			task_get(c->noise[i]);
	}
}

static void noise_stop(struct race_ctx *c)
{
	for (unsigned i = 0; i < c->nnoise; i++)
		if (c->noise[i]) {
			kthread_stop(c->noise[i]);
			task_put(c->noise[i]);
		}
	c->nnoise = 0;
}

/* ---- settling and measuring ------------------------------------------ */

/* Release everything, unload what is left, wait for the reaper and the
 * unload worker. Return: true if memory came back to the baseline. */
/* Does a thread of a freed module still run? (naive and eip leave one
 * behind in R15: it faults only when it next wakes up.) */
static bool orphan_threads(void)
{
	unsigned n;
	struct task **snap = task_snapshot_all(&n);
	bool found = false;

	for (unsigned i = 0; snap && i < n && !found; i++)
		found = snap[i]->owner && snap[i]->state < TASK_ZOMBIE &&
			snap[i]->owner->state == MODULE_GONE;
	if (snap)
		task_snapshot_free(snap, n);
	return found;
}

static bool settle(struct race_ctx *c, const struct scenario *s)
{
	struct mem_usage now;

	race_reset();
	if (freezer_active())
		freezer_thaw();
	noise_stop(c);
	for (unsigned i = 0; i < 2 && s->modules[i]; i++) {
		struct unload_req r;
		struct module *m = module_find(s->modules[i]);
		int err, tries = 0;

		if (!m || m->delayed)
			continue;
		/* An unload refused for want of memory unwound cleanly (the
		 * module is live again): try again a little later, as an
		 * administrator would, before calling it a leak (found by
		 * failalloc sweep). */
		do {
			if (tries)
				sleep_ms(10);
			unload_req_init(&r);
			err = unload_module(s->modules[i], &r);
		} while (err == -ENOMEM && ++tries < 3);
		if (err == -ENOMEM)
			race_harness_fail_err(c, "no memory to unload the "
					      "scenario's module", -ENOMEM);
		if (err)
			kprintf(
			    "race: %s stays loaded after the scenario: %s\n",
			    s->modules[i], r.msg);
	}
	/* A task killed by a use-after-free dies holding what it held (a
	 * reference, a count): after a uaf the outcome is known and memory
	 * is not expected back, so do not wait for it. But wait for the
	 * scenario's tasks to be reaped: on another CPU the reaper may
	 * still be at them when the next run arms "reaper.reap", and hold
	 * the wrong reap (R3 under eip after R3 under naive, 1 seed in 20
	 * on 2 parallel CPUs: a deadlock instead of the uaf). */
	if (modmem_uaf_reports() != c->uaf0) {
		for (unsigned n = 0; n < 500 && (task_count() > c->tasks0 ||
						 reaper_pending()); n++)
			sleep_ms(2);
		return false;
	}
	for (unsigned n = 0; n < 1000; n++) {
		/* Below the baseline is fine: an earlier scenario's leftovers
		 * (a zombie, a ghost) may be freed meanwhile. But no thread
		 * of a freed module may still run: one left running (R15
		 * under naive or eip) faults only when it next wakes, and an
		 * earlier run's tasks going away must not hide it. */
		mem_usage_read(&now);
		if (modmem_uaf_reports() != c->uaf0)
			return false;
		if (mem_usage_within(&now, &c->base) &&
		    task_count() <= c->tasks0 && !orphan_threads() &&
		    !unload_delayed_pending())
			return true;
		sleep_ms(2);
	}
	kprintf("race: memory not back: %lu frames (was %lu), %lu heap bytes "
		"(was %lu)\n", (unsigned long)now.frames,
		(unsigned long)c->base.frames, (unsigned long)now.heap_bytes,
		(unsigned long)c->base.heap_bytes);
	return false;
}

/*
 * What happened, and what decided it. A failure the harness measured
 * (uaf, deadlock, leak) is decided by the harness's own detector; else
 * the unload's result, decided by the detectors the unload reports
 * (req.by), plus the gate if it turned a client away during the run.
 */
static void measure(struct race_ctx *c, bool clean, struct race_result *out)
{
	const char *o = NULL, *by = NULL;
	unsigned det = c->req.by;

	if (c->harness_err)
		o = "error", by = "harness";
	else if (modmem_uaf_reports() != c->uaf0)
		o = "uaf", by = "uaf-detector";
	else if (c->ran_freed)
		o = "uaf", by = "stale-tlb";
	else if (c->deadlocked)
		o = "deadlock", by = "deadlock-wait";
	else if (!clean)
		o = "leak", by = "leak-check";
	else if (!c->unloaded)
		o = "error", by = "harness";
	kstrlcpy(out->outcome, o ? o : unload_outcome_name(c->req.outcome),
		 sizeof(out->outcome));
	if (!o && c->req.outcome == UNLOAD_FREED)
		kstrlcpy(out->outcome, "safe", sizeof(out->outcome));
	if (by) {
		kstrlcpy(out->by, by, sizeof(out->by));
		return;
	}
	if (module_gate_refusals != c->gate0)
		det |= UD_GATE;
	unload_detector_names(det, out->by, sizeof(out->by));
}

const struct scenario *race_find(const char *id)
{
	for (unsigned i = 0; i < race_ntable; i++)
		if (!strcmp(race_table[i].id, id) ||
		    !strcmp(race_table[i].name, id))
			return &race_table[i];
	return NULL;
}

int race_run_one(const char *id, enum unload_strategy strategy,
		 enum unload_busy busy, uint32_t seed, bool verbose,
		 struct race_result *out)
{
	const struct scenario *s = race_find(id);
	struct race_ctx c = { .strategy = strategy, .busy = busy,
			      .seed = seed, .rng = seed * 2654435761u + 1,
			      .verbose = verbose, .client_cpu = -1 };
	uint32_t allowed;
	bool clean;

	if (!s)
		return -ENOENT;
	if (cpus_online < s->cpus) {
		kstrlcpy(out->outcome, "n/a", sizeof(out->outcome));
		kstrlcpy(out->by, "one-cpu", sizeof(out->by));
		return -ENODEV;
	}
	if (verbose)
		kprintf("race %s %s: %s\n  strategy %s, seed %lu\n", s->id,
			s->name, s->what, unload_strategy_name(strategy),
			(unsigned long)seed);
	race_events_begin(s->id, s->name, strategy, busy, seed);
	/* R1 to R15 are the races of one CPU: preemption and sleep. Their
	 * cast (clients, the module's threads, the unload task: every task
	 * started from here inherits the pin) shares this CPU, as on a
	 * uniprocessor, so a replay is the same with any number of CPUs;
	 * the rest of the kernel (reaper, unloadd, interrupts, the freeze's
	 * IPIs, the stop of the other CPUs for the scan) runs on all. A
	 * race only a multiprocessor has (R16, R17) runs from CPU 0 and
	 * places its client on CPU 1 itself, the same on every boot. */
	allowed = current->cpus_allowed;
	sched_set_cpus(current, s->cpus > 1 ? 1u : 1u << cpu_id());
	c.uaf0 = modmem_uaf_reports();
	c.gate0 = module_gate_refusals;
	c.tasks0 = task_count();
	mem_usage_read(&c.base);
	noise_start(&c);
	s->run(&c);
	clean = settle(&c, s);
	measure(&c, clean, out);
	race_last_harness_err = c.harness_err;
	race_events_end(out);
	sched_set_cpus(current, allowed);
	kprintf("race: %s %s strategy=%s outcome=%s by=%s\n", s->id, s->name,
		unload_strategy_name(strategy), out->outcome, out->by);
	return 0;
}
