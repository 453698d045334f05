/*
 * sched/freezer.c: freeze every task but an exempt set; thaw exactly those.
 *
 * Interface, the two modes and the lifecycle of a freeze are in
 * <sched/freezer.h>. How each mode stops a task:
 *
 *   cooperative  the freezer sets t->freeze_pending and kicks tasks in
 *                freezable sleeps awake; each target calls try_to_freeze()
 *                at its next freeze point, marks itself FROZEN (frozen_from
 *                = RUNNABLE) and schedules away. The freezer waits on
 *                freeze_wq, bounded by the timeout.
 *   preemptive   the freezer itself moves each target to FROZEN: off the
 *                run queue if it was RUNNABLE (it was preempted, or had
 *                yielded), in place if it was SLEEPING (frozen_from =
 *                SLEEPING: a wakeup during the freeze sets frozen_from =
 *                RUNNABLE, so nothing is lost). A target running on
 *                another CPU is IPI'd into the freezer: its CPU is asked
 *                to reschedule, and the scheduler, switching it out,
 *                freezes it where it was preempted
 *                (freezer_preempted_locked); the freezer waits for that.
 *                On one CPU there is nothing to wait for.
 *
 * In both modes a target still NEW (created, not started) is marked and
 * freezes at its first instruction (sched_task_entry calls
 * try_to_freeze), and so does a freezable task created during the freeze.
 *
 * Lock: the freezer's state and every task's freeze fields are [S]
 * (sched_lock); one freeze at a time (`active`).
 */
#include <sched/freezer.h>
#include <drivers/pit.h>
#include <sched/sched.h>
#include <sched/waitqueue.h>
#include "internal.h"
#include <kernel/lib/errno.h>
#include <kernel/ksyms.h>
#include <kernel/mutant.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/heap.h>


static bool active;                     /* [S] */
static enum freeze_mode mode;           /* [S] */
static struct task *caller;             /* [S] who froze (exempt) */
static unsigned nfrozen;                /* [S] */
static unsigned refusals;
static struct wait_queue freeze_wq = WAIT_QUEUE_INIT(freeze_wq, "freezer");

static bool is_target(struct task *t, const struct task_set *exempt)
{
/* LAB(freezer) BEGIN: is t to be frozen? (not the caller, not exempt...) */
	return t != caller && t->freezable && !t->idle &&
	       t->state != TASK_ZOMBIE && t->state != TASK_DEAD &&
	       !task_set_contains(exempt, t);
/* LAB(freezer) STUB
	return false;
   LAB(freezer) END */
}

/* Freeze a task that is not running, where it is. Inline in both loops
 * (the freeze's, the stragglers'): a call per task was 1 CPU's largest
 * cost of the SMP freezer. */
static inline __attribute__((always_inline)) void
freeze_in_place_locked(struct task *t)
{
	assert_held(&sched_lock);
	assert(t != current);
/* LAB(freezer) BEGIN: stop a RUNNABLE or SLEEPING task where it stands */
	if (t->state == TASK_RUNNABLE) {
		sched_dequeue_locked(t);
		t->frozen_from = TASK_RUNNABLE;
	} else if (t->state == TASK_SLEEPING) {
		t->frozen_from = TASK_SLEEPING;
	} else {
		return;                 /* NEW: freezes when it starts */
	}
	t->state = TASK_FROZEN;
	t->frozen = true;
	nfrozen++;
/* LAB(freezer) STUB
   LAB(freezer) END */
}

bool freezer_preempted_locked(struct task *t)
{
	assert_held(&sched_lock);
	if (!active || mode != FREEZE_PREEMPTIVE || !t->freeze_pending ||
	    t->frozen)
		return false;
	t->state = TASK_FROZEN;
	t->frozen = true;
	t->frozen_from = TASK_RUNNABLE;
	nfrozen++;
	return true;
}

/* Preemptive mode: freeze every target that is off its CPU now (it went
 * to sleep on its own before the IPI came), kick each that still runs on
 * one. Return: true when all are frozen. */
static bool freeze_stragglers(void)
{
	struct list_node *n;
	bool done = true;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	list_for_each(n, &task_list) {
		struct task *t = list_entry(n, struct task, all_node);

		if (!t->freeze_pending || t->frozen || t == caller)
			continue;
		if (t->state == TASK_RUNNING) {
			sched_kick_cpu_locked(t->cpu);
			done = false;
		} else {
			freeze_in_place_locked(t);
		}
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return done;
}

void freezer_new_task_locked(struct task *t)
{
	assert_held(&sched_lock);
	if (active && t->freezable)
		t->freeze_pending = true;
}

/* Return: true when every target has frozen. Called with IRQs off. */
static bool all_frozen(void)
{
	struct list_node *n;
	bool done = true;

	spin_lock(&sched_lock);
	list_for_each(n, &task_list) {
		struct task *t = list_entry(n, struct task, all_node);

		if (t->freeze_pending && !t->frozen &&
		    t->state != TASK_NEW && t->state != TASK_ZOMBIE &&
		    t->state != TASK_DEAD) {
			done = false;
			break;
		}
	}
	spin_unlock(&sched_lock);
	return done;
}

bool try_to_freeze(void)
{
	struct task *t = current;
	uint32_t f;

	if (!t->freeze_pending)         /* [a] the fast path: one load */
		return false;
	f = spin_lock_irqsave(&sched_lock);
	if (!t->freeze_pending || t->frozen) {
		spin_unlock_irqrestore(&sched_lock, f);
		return false;
	}
	t->frozen = true;
	t->frozen_from = TASK_RUNNABLE;
	t->state = TASK_FROZEN;
	nfrozen++;
	spin_unlock(&sched_lock);       /* IRQs stay off until we are gone */
	wake_up(&freeze_wq);
	spin_lock(&sched_lock);
	sched_schedule_locked();        /* back here after the thaw */
	spin_unlock_irqrestore(&sched_lock, f);
	return true;
}

static void report_refusers(void)
{
	unsigned n;
	struct task **snap = task_snapshot_all(&n);
	char sym[96];

	if (!snap)
		return;

	for (unsigned i = 0; i < n; i++) {
		struct task *t = snap[i];

		if (!t->freeze_pending || t->frozen || t->state == TASK_NEW ||
		    t->state >= TASK_ZOMBIE)
			continue;
		ksyms_format(task_where(t), sym, sizeof(sym));
		kprintf("freezer: task '%s' (id %d) refused to freeze: %s%s%s "
			"at %s\n", t->name, t->id, task_state_name(t->state),
			t->wait_what ? " on " : "",
			t->wait_what ? t->wait_what : "", sym);
	}
	task_snapshot_free(snap, n);
}

int freezer_freeze(enum freeze_mode m, const struct task_set *exempt,
		   unsigned timeout_ms)
{
	struct list_node *n;
	uint32_t f;
	int err = 0;

	sched_might_sleep();
	if (m != FREEZE_COOPERATIVE && m != FREEZE_PREEMPTIVE)
		return -EINVAL;
	f = spin_lock_irqsave(&sched_lock);
	if (active) {
		spin_unlock_irqrestore(&sched_lock, f);
		return -EBUSY;
	}
	active = true;
	mode = m;
	caller = current;
	nfrozen = 0;
	list_for_each(n, &task_list) {
		struct task *t = list_entry(n, struct task, all_node);

		if (!is_target(t, exempt))
			continue;
		/* The careless port: "running elsewhere, so not in a module
		 * we are about to free". */
		if (MUTANT_SCAN_SLEEPING_ONLY && t->state == TASK_RUNNING)
			continue;
		t->freeze_pending = true;
		if (m == FREEZE_PREEMPTIVE)
			freeze_in_place_locked(t);
		else if (t->state == TASK_SLEEPING &&
			 t->sleep_kind == SLEEP_FREEZABLE)
			sched_wake_locked(t);   /* kick: go to try_to_freeze */
	}
	spin_unlock_irqrestore(&sched_lock, f);
	if (m == FREEZE_COOPERATIVE) {
		err = wait_event_timeout(freeze_wq, all_frozen(), timeout_ms);
	} else if (cpus_online > 1) {
		/* One CPU: every target was off it, and froze above. */
		uint64_t end = sched_deadline(timeout_ms);

		while (!freeze_stragglers() && !err) {
			if (end && ticks_read() >= end)
				err = -ETIMEDOUT;
			else
				sleep_ms(1);
		}
	}
	if (err) {
		kprintf("freezer: %u ms passed and some tasks did not freeze; "
			"thawing\n", timeout_ms);
		report_refusers();
		refusals++;
		freezer_thaw();
		return -ETIMEDOUT;
	}
	return 0;
}

void freezer_freeze_self(void)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	bool join = active && current->freezable;

	if (join)
		current->freeze_pending = true;
	spin_unlock_irqrestore(&sched_lock, f);
	if (join)
		try_to_freeze();
}

unsigned freezer_thaw(void)
{
	struct list_node *n;
	unsigned thawed = 0;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	if (!active) {
		spin_unlock_irqrestore(&sched_lock, f);
		return 0;
	}
	list_for_each(n, &task_list) {
		struct task *t = list_entry(n, struct task, all_node);

		t->freeze_pending = false;
		if (!t->frozen)
			continue;
		assert(t->state == TASK_FROZEN);
		t->frozen = false;
		thawed++;
		if (t->frozen_from == TASK_RUNNABLE)
			sched_enqueue_locked(t);
		else
			t->state = TASK_SLEEPING;
	}
	assert(thawed == nfrozen);
	nfrozen = 0;
	active = false;
	caller = NULL;
	spin_unlock_irqrestore(&sched_lock, f);
	return thawed;
}

bool freezer_active(void)
{
	return active;
}

enum freeze_mode freezer_mode(void)
{
	return mode;
}

unsigned freezer_frozen_count(void)
{
	return nfrozen;
}

bool freezer_is_frozen(const struct task *t)
{
	return t->frozen;
}

unsigned freezer_refusals(void)
{
	return refusals;
}

bool freezer_for_each_frozen(bool (*fn)(struct task *t, void *arg),
			     void *arg)
{
	unsigned n;
	struct task **snap = task_snapshot_all(&n);
	bool all = true;

	if (!snap)
		return false;
	for (unsigned i = 0; i < n && all; i++)
		if (snap[i]->frozen)
			all = fn(snap[i], arg);
	task_snapshot_free(snap, n);
	return all;
}
