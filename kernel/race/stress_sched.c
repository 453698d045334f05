/*
 * kernel/race/stress_sched.c: the stress test's scheduling points.
 *
 * Interface (<kernel/race/stress.h>): a probe subscriber (<kernel/probe.h>),
 * stress_sched_start/stop, stress_rand, stress_sched_join/leave,
 * stress_sched_delegate; the decisions go to stress_trace.c.
 *
 * A scheduling point is a named place where a task may lose the CPU in a
 * way that matters to unloading: a reference taken or dropped, the use
 * count raised or lowered, the freeze, the re-check, the reap, the free,
 * the entry and exit of module code. What a point does depends on --sched:
 *
 *   timer   the realistic mode: the timer preempts anywhere as usual;
 *           --perturb=random adds a yield (1 in 4) or a 1 ms sleep (1 in
 *           32) at each point, so module code is preempted where it
 *           hurts. Decisions use the seeded generator, but the interleaving
 *           with the timer is not repeatable.
 *
 *   seeded  every decision at a point comes from the generator, and
 *   pct     nothing else decides who runs among the stress threads: they
 *           pass a baton. Only the holder runs; at each point it draws
 *           the next holder (seeded: uniformly among the threads waiting
 *           at a point, itself included; pct: the one of highest
 *           priority, priorities random at the start and the holder's
 *           dropped to the bottom at random change points, 1 in 32
 *           decisions: PCT's change points, repeated so that a thread
 *           spinning at a point cannot starve the others for good). The
 *           timer still preempts, but everyone else is waiting for the
 *           baton, so preemption changes nothing. No clock is read.
 *
 * Lifecycle of a participant in seeded/pct mode:
 *
 *   join --wait--> READY --chosen--> HOLDER --point: chose other--> READY
 *                                      |  \--blocked in the kernel: the
 *                                      |     monitor passes the baton on
 *                                      +--leave--> GONE (baton passed on)
 *
 * What makes a replay exact: the set a holder draws from is every
 * participant that has not left, in name order (not who happens to wait
 * at that moment, nor who joined first); a participant chosen while on
 * its way to a point passes that point, as one chosen while waiting there
 * does; leaving takes a turn; and the monitor passes the baton on when
 * the holder sleeps and no task serving the run (reaper, unloadd, module
 * threads, an unload task on its way) is runnable: a state, not a time.
 * Limits, honestly: a participant the monitor passed over runs, once
 * woken, to its next point beside the holder; where what it does there
 * changes what the holder sees (pct with --busy=wait, say), two runs can
 * part; a bounded wait that times out parts them too. The trace shows
 * where.
 *
 * Lock: the baton and the participant table change with interrupts off
 * (one CPU); waiters sleep on baton_wq.
 */
#include <kernel/race/stress.h>
#include <kernel/locking.h>
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/lib/format.h>
#include <kernel/panic.h>
#include <kernel/probe.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>
#include <sched/freezer.h>
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/task.h>
#include <sched/waitqueue.h>
#include "internal.h"

#define MAX_PARTS (STRESS_MAX_CLIENTS + STRESS_MAX_LOADERS + 2)
#define PCT_CHANGE 32            /* 1 in 32 decisions demotes the holder */
#define PCT_BASE 1000000u       /* initial priorities are above this */

struct part {
	struct task *task;              /* [irq] the thread */
	struct task *delegate;          /* [irq] its unload task, deciding */
	bool delegating;                /* [irq] an unload runs for it */
	bool ready;                     /* [irq] waiting for the baton */
	bool pass_next;                 /* [irq] chosen while on its way */
	bool gone;                      /* [irq] left */
	unsigned prio;                  /* [irq] pct */
};

static volatile bool active;            /* [a] a run is armed */
static enum stress_sched_mode mode;
static enum stress_perturb perturb;
static uint64_t rng;                    /* [irq] the generator */
static struct part parts[MAX_PARTS];    /* [irq] */
static unsigned nparts;                 /* [irq] */
static struct part *volatile baton;     /* [irq] the holder */
static unsigned pct_low;                /* [irq] the next demoted priority */
static bool started;                    /* [irq] the first holder drawn */
static struct task *monitor;
static volatile bool monitor_stop;
static struct wait_queue baton_wq = WAIT_QUEUE_INIT(baton_wq, "baton");

/* ---- the generator: splitmix64, nothing but the seed ------------------ */

static uint32_t next_rand_irqoff(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	assert_irqs_off();
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 16);
}

uint32_t stress_rand(void)
{
	uint32_t f = irq_save();
	uint32_t r = next_rand_irqoff();

	irq_restore(f);
	return r;
}

/* ---- participants and the baton --------------------------------------- */

static struct part *part_of_irqoff(struct task *t)
{
	assert_irqs_off();
	for (unsigned i = 0; i < nparts; i++)
		if (!parts[i].gone && (parts[i].task == t ||
				       parts[i].delegate == t))
			return &parts[i];
	return NULL;
}

static const char *part_name(const struct part *p)
{
	return p ? p->task->name : "nobody";
}

/* The participants that have not left, in name order, not join order:
 * the threads join in the order the host lets them start, and a replay
 * must draw the same one. Return: how many. */
static unsigned in_name_order_irqoff(struct part **cand)
{
	unsigned n = 0;

	assert_irqs_off();
	for (unsigned i = 0; i < nparts; i++) {
		unsigned j;

		if (parts[i].gone)
			continue;
		for (j = n++; j && strcmp(cand[j - 1]->task->name,
					  parts[i].task->name) > 0; j--)
			cand[j] = cand[j - 1];
		cand[j] = &parts[i];
	}
	return n;
}

/*
 * Draw the next holder among every participant that has not left, self
 * included (self may be NULL). Not only the ones waiting at a point: who
 * is waiting at the moment of a decision depends on the host's timing (a
 * participant just handed the baton away, or just woken from a block in
 * the kernel, may not have reached its next point yet), and a replay must
 * draw from the same set. A holder chosen while still on its way takes
 * the baton at its next point; one blocked in the kernel is passed over
 * by the monitor.
 */
static struct part *draw_irqoff(struct part *self, struct part **cand,
				unsigned n)
{
	struct part *best;

	assert_irqs_off();
	if (!n)
		return NULL;
	if (mode == STRESS_SCHED_SEEDED)
		return cand[next_rand_irqoff() % n];
	/* A change point: the holder drops below everyone (PCT), and
	 * below the ones demoted before it, so nobody starves for good. */
	if (self && next_rand_irqoff() % PCT_CHANGE == 0)
		self->prio = pct_low--;
	best = cand[0];
	for (unsigned i = 1; i < n; i++)
		if (cand[i]->prio > best->prio)
			best = cand[i];
	return best;
}

static struct part *choose_irqoff(struct part *self)
{
	struct part *cand[MAX_PARTS];

	return draw_irqoff(self, cand, in_name_order_irqoff(cand));
}

/* The monitor's draw: the blocked holder is passed over (and, for pct,
 * demoted: a change point), unless it is the only one left. */
static struct part *choose_other_irqoff(struct part *blocked)
{
	struct part *cand[MAX_PARTS];
	unsigned n = in_name_order_irqoff(cand), k = 0;

	for (unsigned i = 0; i < n; i++)
		if (cand[i] != blocked || n == 1)
			cand[k++] = cand[i];
	if (blocked && mode == STRESS_SCHED_PCT)
		blocked->prio = pct_low--;
	return draw_irqoff(NULL, cand, k);
}

/*
 * A participant chosen while waiting at a point goes on past it and
 * decides at the next one. One chosen while still on its way to a point
 * (woken from a block in the kernel, or its unload task not there yet)
 * must do the same, or a replay would decide at a different point
 * depending on whether the host let it reach its point before the draw:
 * pass_next makes it pass the first point it reaches.
 */
static void give_irqoff(struct part *next)
{
	assert_irqs_off();
	baton = next;
	if (next) {
		next->pass_next = !next->ready;
		next->ready = false;
	}
}

/* Wait until p holds the baton (or the run is disarmed). */
static void wait_baton(struct part *p)
{
	uint32_t f = irq_save();

	if (baton != p)
		p->ready = true;
	irq_restore(f);
	wake_up(&baton_wq);     /* the monitor may be waiting for readiness */
	wait_event_idle(baton_wq, baton == p || !active);
}

static void decide(const char *name)
{
	struct part *p, *next;
	uint32_t f = irq_save();

	p = part_of_irqoff(current);
	if (!p) {
		/* The loader's unload task: it decides for the loader. */
		for (unsigned i = 0; i < nparts && !p; i++)
			if (parts[i].delegating && !parts[i].delegate &&
			    !strcmp(current->name, "rmmod")) {
				p = &parts[i];
				p->delegate = current;
				task_get(current); /* the monitor reads it */
			}
	}
	if (!p || freezer_active()) {
		/* Not ours, or a freeze holds the others: go on. */
		irq_restore(f);
		return;
	}
	if (baton != p) {
		/* Not our turn (the monitor moved on while we were blocked,
		 * or we left an unload): wait here, then go on. */
		irq_restore(f);
		wait_baton(p);
		return;
	}
	if (p->pass_next) {
		p->pass_next = false;   /* as if we had waited here */
		irq_restore(f);
		return;
	}
	next = choose_irqoff(p);
	stress_trace_record_irqoff(p->delegate == current ? "rmmod" :
				   current->name, name, part_name(next));
	if (next == p) {
		irq_restore(f);
		return;
	}
	p->ready = true;        /* from this decision on, it waits here */
	give_irqoff(next);
	irq_restore(f);
	wake_up(&baton_wq);
	wait_baton(p);
}

/* Timer mode: perturb. */
static void perturb_here(void)
{
	uint32_t r;

	if (perturb != STRESS_PERTURB_RANDOM)
		return;
	r = stress_rand();
	if (r % 32 == 1)
		sleep_ms(1);
	else if (r % 4 == 0)
		sched_yield();
}

/* The stress scheduler's probe subscriber (<kernel/probe.h>). */
static void stress_probe(const char *name, struct trap_frame *tf)
{
	if (!active)
		return;
	if (irq_depth || preempt_count() || !irqs_enabled())
		return;
	if (mode == STRESS_SCHED_TIMER)
		perturb_here();
	else
		decide(name);
}

static int stress_sched_init(void)
{
	return probe_subscribe(stress_probe);
}
INITCALL(stress_sched_init, INIT_SUBSYS);

void stress_sched_join(void)
{
	struct part *p;
	uint32_t f;

	if (mode == STRESS_SCHED_TIMER || !active)
		return;
	f = irq_save();
	assert(nparts < MAX_PARTS);
	p = &parts[nparts++];
	*p = (struct part){ .task = current };
	irq_restore(f);
	wait_baton(p);
}

void stress_sched_leave(void)
{
	struct part *p;
	uint32_t f;

	if (mode == STRESS_SCHED_TIMER)
		return;
	f = irq_save();
	p = part_of_irqoff(current);
	if (p && baton != p) {
		/* Leave in turn, like any other decision: the set the
		 * holders draw from must change at the same step in a
		 * replay. */
		irq_restore(f);
		wait_baton(p);
		f = irq_save();
	}
	if (p) {
		p->gone = true;
		p->ready = false;
		if (baton == p) {
			give_irqoff(choose_irqoff(NULL));
			stress_trace_record_irqoff(current->name, "leave",
						   part_name(baton));
		}
	}
	irq_restore(f);
	wake_up(&baton_wq);
}

void stress_sched_delegate(bool on)
{
	struct task *was = NULL;
	struct part *p;
	uint32_t f;

	if (mode == STRESS_SCHED_TIMER)
		return;
	f = irq_save();
	p = part_of_irqoff(current);
	if (p) {
		p->delegating = on;
		was = p->delegate;
		p->delegate = NULL;
		/* The end of an unload is a point the loader waits at. */
		if (!on && baton == p)
			p->pass_next = false;
	}
	irq_restore(f);
	if (was)
		task_put(was);
	if (p && !on && baton != p)
		wait_baton(p);
}

/*
 * The monitor: hands the baton on when its holder blocked in the kernel
 * (a mutex, a wait for a callback to drain) on something only another
 * participant can finish, or when nobody holds it. Seeded/pct only.
 *
 * "Only another participant can finish it" is decided from the state of
 * the tasks, never from how long the holder has slept: the holder sleeps
 * and no task that serves the run is runnable. The servers are the
 * kernel's own threads (reaper, unloadd), the modules' threads and the
 * unload tasks ("rmmod") that have not reached a point yet; tasks outside
 * the run (a `spawn busy` spinner) are not. Once true, that state can
 * change only by a timeout (nothing runnable can wake the holder, and the
 * participants wait for the baton), so the hand-off happens at the same
 * decision in every replay however slow the host is: a threshold in
 * milliseconds made the hand-off depend on how long the reaper took.
 */
static bool no_server_runs(struct task *t, void *arg)
{
	bool *idle = arg;

	if (t == current || t->id == 0 || t->state != TASK_RUNNABLE ||
	    part_of_irqoff(t))
		return true;    /* a participant waits for the baton */
	if (t->owner || t->system || !strcmp(t->name, "rmmod"))
		*idle = false;
	return *idle;
}

/* True if the baton must move: nobody holds it, or its holder (its
 * unload task, once that has reached a point) sleeps and no server of the
 * run is runnable. */
static bool holder_blocked_irqoff(void)
{
	struct task *t;
	bool idle = true;

	assert_irqs_off();
	if (!started)
		return false;   /* the threads are still joining */
	if (!baton)
		return true;
	t = baton->delegate ? baton->delegate : baton->task;
	if (baton->ready || t->state != TASK_SLEEPING)
		return false;
	task_for_each(no_server_runs, &idle);
	return idle;
}

static int monitor_fn(void *arg)
{
	unsigned blocked = 0;

	while (!monitor_stop) {
		uint32_t f;

		sleep_ms(1);
		f = irq_save();
		if (freezer_active() || !holder_blocked_irqoff()) {
			blocked = 0;
		} else if (++blocked >= 2) {
			struct part *was = baton;
			struct part *next = choose_other_irqoff(was);

			if (next) {
				/* It waits at its next point when it wakes. */
				if (was)
					was->pass_next = false;
				give_irqoff(next);
				stress_trace_record_irqoff(part_name(was),
							   "(blocked)",
							   part_name(next));
			}
			blocked = 0;
		}
		irq_restore(f);
		wake_up(&baton_wq);
	}
	return 0;
}

/* Draw pct's priorities (in name order) and hand the baton to the first
 * holder, once every participant is ready. */
static void first_holder(void)
{
	struct part *cand[MAX_PARTS];
	uint32_t f = irq_save();
	unsigned n = in_name_order_irqoff(cand);

	for (unsigned i = 0; i < n; i++)
		cand[i]->prio = PCT_BASE + next_rand_irqoff() % 1000;
	if (!baton)
		give_irqoff(choose_irqoff(NULL));
	started = true;
	irq_restore(f);
	wake_up(&baton_wq);
}

void stress_sched_start(const struct stress_cfg *cfg)
{
	mode = cfg->sched;
	perturb = cfg->perturb;
	rng = cfg->seed;
	nparts = 0;
	baton = NULL;
	started = false;
	stress_trace_reset();
	pct_low = PCT_BASE - 1;
	monitor_stop = false;
	monitor = NULL;
	if (!active)
		probe_arm();
	active = true;
	if (mode == STRESS_SCHED_TIMER)
		return;
	monitor = kthread_create(monitor_fn, NULL, NULL, "stressmon");
	if (monitor) {
		monitor->freezable = false;
		task_get(monitor);
		kthread_start(monitor);
	}
}

static unsigned ready_count(void)
{
	unsigned n = 0;
	uint32_t f = irq_save();

	for (unsigned i = 0; i < nparts; i++)
		n += parts[i].ready;
	irq_restore(f);
	return n;
}

void stress_sched_go(unsigned expected)
{
	if (mode == STRESS_SCHED_TIMER)
		return;
	/* Wait (bounded) until every thread waits at the start line. */
	for (unsigned ms = 0; ms < 10000 && ready_count() < expected; ms++)
		sleep_ms(1);
	first_holder();
}

void stress_sched_stop(void)
{
	if (active)
		probe_disarm();
	active = false;
	wake_up(&baton_wq);
	if (monitor) {
		monitor_stop = true;
		kthread_stop(monitor);
		task_put(monitor);
		monitor = NULL;
	}
}
