/*
 * kernel/race/stress_sched.c: the stress test's scheduling points.
 *
 * Interface (<kernel/race/stress.h>): a probe subscriber (<kernel/probe.h>),
 * stress_sched_start/stop, stress_rand, stress_sched_join/leave,
 * stress_sched_delegate, stress_sched_print_trace, stress_sched_decisions,
 * stress_sched_trace_hash.
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
 * Limits, honestly: the kernel's own threads (reaper, unloadd, a module's
 * thread) are not participants and run when the scheduler picks them; a
 * holder that blocks on a stress thread (a callback to drain) is noticed
 * by the monitor a tick later. So a replay repeats the decision sequence
 * exactly as long as no bounded wait times out; the trace shows it.
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

#define MAX_PARTS (STRESS_MAX_CLIENTS + STRESS_MAX_LOADERS + 2)
#define TRACE_LEN 48
#define PCT_CHANGE 32            /* 1 in 32 decisions demotes the holder */
#define PCT_BASE 1000000u       /* initial priorities are above this */

struct part {
	struct task *task;              /* [irq] the thread */
	struct task *delegate;          /* [irq] its unload task, deciding */
	bool delegating;                /* [irq] an unload runs for it */
	bool ready;                     /* [irq] waiting for the baton */
	bool gone;                      /* [irq] left */
	unsigned prio;                  /* [irq] pct */
};

struct decision {
	unsigned long step;
	char who[16];
	char point[20];                 /* a copy: module strings go away */
	char next[16];
};

static volatile bool active;            /* [a] a run is armed */
static enum stress_sched_mode mode;
static enum stress_perturb perturb;
static uint64_t rng;                    /* [irq] the generator */
static struct part parts[MAX_PARTS];    /* [irq] */
static unsigned nparts;                 /* [irq] */
static struct part *volatile baton;     /* [irq] the holder */
static unsigned long steps;             /* [irq] decisions taken */
static uint32_t trace_hash;             /* [irq] of every decision */
static unsigned pct_low;                /* [irq] the next demoted priority */
static struct decision trace[TRACE_LEN];        /* [irq] a ring */
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

/* ---- the trace ---------------------------------------------------------- */

/* FNV-1a over s and its terminating NUL (so "ab","c" != "a","bc"). */
static uint32_t hash_str(uint32_t h, const char *s)
{
	do {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	} while (*s++);
	return h;
}

static void record_irqoff(const char *who, const char *point,
			  const char *next)
{
	struct decision *d = &trace[steps % TRACE_LEN];

	assert_irqs_off();
	/* Keep the trace as it was at the first failure: what led to it. */
	if (stress_stats.failure[0])
		return;
	d->step = steps++;
	kstrlcpy(d->who, who, sizeof(d->who));
	kstrlcpy(d->point, point, sizeof(d->point));
	kstrlcpy(d->next, next, sizeof(d->next));
	/* The ring keeps the last TRACE_LEN; the hash, all of them, as
	 * recorded (the same truncated names). */
	trace_hash = hash_str(hash_str(hash_str(trace_hash, d->who),
				       d->point), d->next);
}

void stress_sched_print_trace(void)
{
	unsigned long first = steps > TRACE_LEN ? steps - TRACE_LEN : 0;

	kprintf("# decision trace up to the failure (last %lu of %lu, oldest "
		"first):\n", steps - first, steps);
	for (unsigned long s = first; s < steps; s++) {
		const struct decision *d = &trace[s % TRACE_LEN];

		kprintf("#   %6lu %-10s at %-16s -> %s\n", d->step, d->who,
			d->point, d->next);
	}
}

unsigned long stress_sched_decisions(void)
{
	return steps;
}

uint32_t stress_sched_trace_hash(void)
{
	return trace_hash;
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

/* Draw the next holder among the ready ones and self (may be NULL). */
static struct part *choose_irqoff(struct part *self)
{
	struct part *cand[MAX_PARTS], *best;
	unsigned n = 0;

	assert_irqs_off();
	for (unsigned i = 0; i < nparts; i++)
		if (!parts[i].gone && (parts[i].ready || &parts[i] == self))
			cand[n++] = &parts[i];
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

static void give_irqoff(struct part *next)
{
	assert_irqs_off();
	baton = next;
	if (next)
		next->ready = false;
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
	if (!p || baton != p || freezer_active()) {
		/* Not ours, not our turn (the monitor moved on while we were
		 * blocked), or a freeze holds the others: go on. */
		irq_restore(f);
		if (p && baton != p && !freezer_active())
			wait_baton(p);
		return;
	}
	next = choose_irqoff(p);
	record_irqoff(p->delegate == current ? "rmmod" : current->name, name,
		      part_name(next));
	if (next == p) {
		irq_restore(f);
		return;
	}
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
	*p = (struct part){ .task = current,
			    .prio = PCT_BASE + next_rand_irqoff() % 1000 };
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
	if (p) {
		p->gone = true;
		p->ready = false;
		if (baton == p) {
			give_irqoff(choose_irqoff(NULL));
			record_irqoff(current->name, "leave",
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
 */
static unsigned holder_blocked_irqoff(void)
{
	struct task *t;

	assert_irqs_off();
	if (!baton)
		return 1;
	if (baton->delegating && !baton->delegate)
		return 2;       /* its unload task has not reached a point:
				 * it runs, or it waits for module_mutex */
	t = baton->delegate ? baton->delegate : baton->task;
	return t->state == TASK_SLEEPING && !baton->ready;
}

static int monitor_fn(void *arg)
{
	unsigned blocked = 0, how;

	while (!monitor_stop) {
		uint32_t f;

		sleep_ms(1);
		f = irq_save();
		how = holder_blocked_irqoff();
		if (freezer_active() || !how) {
			blocked = 0;
		} else if (++blocked >= (how == 2 ? 50u : 2u)) {
			struct part *was = baton, *next = choose_irqoff(NULL);

			if (next) {
				give_irqoff(next);
				record_irqoff(part_name(was), "(blocked)",
					      part_name(next));
			}
			blocked = 0;
		}
		irq_restore(f);
		wake_up(&baton_wq);
	}
	return 0;
}

/* Hand the baton to the first holder once every participant is ready. */
static void first_holder(void)
{
	uint32_t f = irq_save();

	if (!baton)
		give_irqoff(choose_irqoff(NULL));
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
	steps = 0;
	trace_hash = 2166136261u;       /* FNV-1a's offset basis */
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
	for (unsigned ms = 0; ms < 2000 && ready_count() < expected; ms++)
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
