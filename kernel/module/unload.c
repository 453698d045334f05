/*
 * kernel/module/unload.c: unloading a module: the two-phase protocol, and the
 * three other strategies it is compared with (see <kernel/module/unload.h>).
 *
 * The two-phase protocol, as the seed lays it out ("The logic must be"):
 *
 *   1. "Check usecount == 0."  Busy: refuse (EBUSY), wait (bounded), or
 *      mark the module for delayed delete, per --busy.
 *   2. "Call module unregister routine. [...] this only removes externally
 *      visible interfaces, it does not delete module structures."
 *      The module is GOING: commands, services and timers are withdrawn,
 *      so nothing new can enter through them.
 *   3. "Outside the module, do whatever it takes to ensure that nothing is
 *      executing any module code, including threads, command callbacks
 *      etc."  kernel/module/quiesce.c: stop and reap the module's threads,
 * drain callbacks, freeze the rest, scan every stack and entry window, thaw.
 *   4. "Check the usecount again. If usecount is non-zero then some other
 *      code entered the module after checking the usecount the first time
 *      and before unregister completed. Either mark the module for delayed
 *      delete or reactivate the module by calling the module's register
 *      routine."  (A task found inside by step 3 counts the same way.)
 *   5. "If usecount is still 0 after the handwaving, then it is safe to
 *      call the final module clean up routine to destroy its structures,
 *      release hardware etc. Then (and only then) is it safe to free the
 *      module."
 *
 *      LIVE --1--> LIVE --2--> GOING --3,4--> GOING --5--> GONE (freed)
 *        ^  busy: EBUSY          |   someone inside
 *        |                       +--> register again --> LIVE
 *        |                       +--> delayed: the worker repeats 3-5
 *        |                            once the last user has left
 *
 * Delayed delete and ghosts: kernel/module/unloadd.c. Running an unload
 * in its own task under a deadlock watch: kernel/module/unload_watch.c.
 * The names of strategies, policies and outcomes, and the one parser of
 * --strategy/--busy: kernel/module/unload_opts.c.
 *
 * Lock: module_mutex across each unload; counts change with IRQs off.
 */
#include <kernel/module/module.h>
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/probe.h>
#include <kernel/mutant.h>
#include <sched/task.h>
#include <sched/freezer.h>
#include <sched/completion.h>

struct wait_queue unload_wq = WAIT_QUEUE_INIT(unload_wq, "unload");

/* ---- outcomes -------------------------------------------------------- */

static int refuse(struct unload_req *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(struct unload_req *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->outcome = UNLOAD_REFUSED;
	r->err = err;
	narrate(r->verbose, current->name, "  -> refused: %s", r->msg);
	return err;
}

static void set_state(struct module *m, enum module_state st)
{
	uint32_t f = irq_save();

	m->state = st;
	irq_restore(f);
}

/* 5. cleanup, then free. */
int unload_finish(struct module *m, struct unload_req *r)
{
	assert(mutex_is_mine(&module_mutex));
	assert(m->state == MODULE_GOING);
	probe("unload.free");
	if (module_call_hook(m, NULL, m->cleanup)) {
		ksnprintf(r->msg, sizeof(r->msg), "module '%s' faulted in "
			  "cleanup; it stays loaded (going)", m->name);
		r->outcome = UNLOAD_FAILED;
		return r->err = -EFAULT;
	}
	narrate(r->verbose, current->name,
		"  5. cleanup ran; freeing the module's memory");
	module_bury(m);
	module_unloads++;
	r->outcome = UNLOAD_FREED;
	return r->err = 0;
}

/* Withdraw the module's interfaces (its unregister hook, then whatever it
 * forgot). Return: 0 or -EFAULT if the hook faulted. */
static int withdraw(struct module *m)
{
	int ret = module_call_hook(m, NULL, m->unreg);

	module_withdraw_leftovers(m);
	return ret;
}

/* Put m on the delayed list: unloadd frees it once it is quiet. */
static int mark_delayed(struct module *m, struct unload_req *r)
{
	unloadd_add(m);
	ksnprintf(r->msg, sizeof(r->msg), "module '%s' is withdrawn and "
		  "will be freed when its last user has left", m->name);
	narrate(r->verbose, current->name, "  -> delayed: %s", r->msg);
	r->outcome = UNLOAD_DELAYED;
	return r->err = 0;
}

/* 4, busy: call register again, the module is LIVE. */
static int reactivate(struct module *m, struct unload_req *r, const char *why)
{
	/* Only a module whose unregister ran comes back, and it comes back
	 * with its gate open: a LIVE module behind a closed gate would turn
	 * every caller away for good. */
	assert(mutex_is_mine(&module_mutex));
	assert(m->state == MODULE_GOING && !m->gated);
	set_state(m, MODULE_LIVE);
	if (module_call_hook(m, m->reg, NULL)) {
		/* It cannot be freed (someone is inside) nor published:
		 * leave it to the worker, withdrawn. */
		set_state(m, MODULE_GOING);
		withdraw(m);
		mark_delayed(m, r);
		ksnprintf(r->msg, sizeof(r->msg), "%s; register failed, so "
			  "the module waits for delayed delete", why);
		return r->err = -EBUSY;
	}
	ksnprintf(r->msg, sizeof(r->msg), "%s; module '%s' was re-registered "
		  "and stays loaded", why, m->name);
	narrate(r->verbose, current->name, "  -> re-registered: %s", r->msg);
	r->outcome = UNLOAD_REREGISTERED;
	return r->err = -EBUSY;
}

/*
 * Step 1 found a count that is not 0. --busy=wait waits (bounded) for it
 * to drop; then the caller starts again at step 1, because whoever
 * dropped it may be followed by someone else. Return: 1 to start again,
 * or the refusal (a negative error).
 */
static int busy_at_check(struct module *m, struct unload_req *r,
			 const int *count, const char *what)
{
	unsigned left;

	r->by |= UD_USE_COUNT;
	if (r->busy != BUSY_WAIT)
		return refuse(r, -EBUSY, "module '%s' is in use (%s %d)",
			      m->name, what, *count);
	/* One deadline for every wait of this unload: restarts do not
	 * extend it, so a stream of users cannot keep rmmod waiting. */
	if (!r->wait_until)
		r->wait_until = ticks_read() + ms_to_ticks(r->timeout_ms);
	left = r->wait_until > ticks_read() ?
		(unsigned)((r->wait_until - ticks_read()) * 1000 / hz) : 0;
	narrate(r->verbose, current->name,
		"  1. %s is %d: waiting up to %u ms", what, *count, left);
	probe("unload.wait_users");
	if (!left || wait_event_timeout(unload_wq, *count == 0, left))
		return refuse(r, -EBUSY, "module '%s' is still in use after "
			      "waiting %u ms (%s %d)", m->name, r->timeout_ms,
			      what, *count);
	narrate(r->verbose, current->name,
		"  1. %s dropped to 0: starting again at step 1", what);
	r->by &= ~UD_USE_COUNT;
	return 1;
}

/* A thread of m ignores kthread_stop (quiesce.c marked it): m can be
 * neither freed nor re-registered (register would start another). It
 * stays withdrawn, and unloadd frees it if the thread ever exits. The
 * unload itself ends here: module_mutex and its task are released. */
static int stuck(struct module *m, struct unload_req *r, const char *why)
{
	mark_delayed(m, r);
	ksnprintf(r->msg, sizeof(r->msg), "%s; module '%s' stays loaded, "
		  "withdrawn, and is freed when the thread exits", why,
		  m->name);
	return r->err = -ETIMEDOUT;
}

/* Step 3 could not prove the module quiet (a freeze or a wait failed):
 * never free; delay or re-register, per --busy. */
static int quiesce_failed(struct module *m, struct unload_req *r, int err)
{
	char why[200];
	int ret;

	kstrlcpy(why, r->msg, sizeof(why));
	if (m->thread_stuck)
		return stuck(m, r, why);
	/* Out of memory is not "busy": nothing was learned about who is
	 * inside, so no delayed delete; the module goes back to live and
	 * the caller hears ENOMEM, not EBUSY (found by failalloc sweep). */
	if (err == -ENOMEM) {
		ret = reactivate(m, r, why);
		return ret == -EBUSY && m->state == MODULE_LIVE ?
		       (r->err = -ENOMEM) : ret;
	}
	if (r->busy == BUSY_DELAYED)
		return mark_delayed(m, r);
	return reactivate(m, r, why);
}

/* ---- the strategies ------------------------------------------------ */

static int unload_naive(struct module *m, struct unload_req *r)
{
	int err;

	while (m->refs)
		if ((err = busy_at_check(m, r, &m->refs, "refcount")) != 1)
			return err;
	narrate(r->verbose, current->name,
		"  1. use count 0: going straight to cleanup");
	set_state(m, MODULE_GOING);
	probe("unload.checked");
	if (withdraw(m)) {
		r->by |= UD_HOOK_FAULT;
		return refuse(r, -EFAULT, "module '%s' faulted while stopping",
			      m->name);
	}
	narrate(r->verbose, current->name,
		"  2. unregister and cleanup back to back, nothing "
		"checked in between");
	return unload_finish(m, r);
}

/* Look at the EIP of every frozen task: the only look the eip strategy
 * takes. Return: how many are in module text (the first in r->msg). */
static unsigned frozen_eips_inside(struct module *m, struct unload_req *r,
				   unsigned *frozen)
{
	uintptr_t lo = m->text, hi = m->text + m->text_size;
	unsigned n, inside = 0;
	struct task **snap = task_snapshot_all(&n);

	*frozen = 0;
	for (unsigned i = 0; snap && i < n; i++) {
		uintptr_t eip;
		char sym[96];

		if (!freezer_is_frozen(snap[i]))
			continue;
		(*frozen)++;
		eip = quiesce_saved_eip(snap[i]);
		if (eip < lo || eip >= hi || inside++)
			continue;
		ksyms_format(eip, sym, sizeof(sym));
		ksnprintf(r->msg, sizeof(r->msg), "task '%s' (id %d) is "
			  "executing module code at %s", snap[i]->name,
			  snap[i]->id, sym);
	}
	if (snap)
		task_snapshot_free(snap, n);
	return inside;
}

static int unload_eip(struct module *m, struct unload_req *r)
{
	unsigned frozen;
	int err;

	while (m->refs)
		if ((err = busy_at_check(m, r, &m->refs, "refcount")) != 1)
			return err;
	set_state(m, MODULE_GOING);
	probe("unload.checked");
	err = freezer_freeze(FREEZE_PREEMPTIVE, NULL, r->timeout_ms);
	if (err) {
		set_state(m, MODULE_LIVE);
		r->by |= UD_FREEZE_FAILED;
		return refuse(r, err, "the freeze failed (%s)",
			      errno_name(err));
	}
	narrate(r->verbose, current->name,
		"  2. froze everything that is freezable, the module's "
		"threads included");
	/* "Everything": the caller too, if it is freezable. Then nobody is
	 * left to thaw it (R1). */
	freezer_freeze_self();
	r->found_inside = frozen_eips_inside(m, r, &frozen);
	narrate(r->verbose, current->name,
		"  3. looked at the EIP of %u frozen task(s): %u inside",
		frozen, r->found_inside);
	if (r->found_inside) {
		freezer_thaw();
		set_state(m, MODULE_LIVE);
		r->by |= UD_EIP;
		r->outcome = UNLOAD_REFUSED;
		narrate(r->verbose, current->name, "  -> refused: %s", r->msg);
		return r->err = -EBUSY;
	}
	withdraw(m);            /* under the freeze, as the old code did */
	err = unload_finish(m, r);
	freezer_thaw();
	return err;
}

static int unload_twophase(struct module *m, struct unload_req *r)
{
	int err;

	/* 1. */
	while (m->refs) {
		if (r->busy == BUSY_DELAYED) {
			r->by |= UD_USE_COUNT;
			set_state(m, MODULE_GOING);
			withdraw(m);
			return mark_delayed(m, r);
		}
		if ((err = busy_at_check(m, r, &m->refs, "refcount")) != 1)
			return err;
	}
	narrate(r->verbose, current->name, "  1. use count is 0");
	probe("unload.checked");
	/* 2. */
	set_state(m, MODULE_GOING);
	if (withdraw(m)) {
		r->by |= UD_HOOK_FAULT;
		return reactivate(m, r, "unregister faulted");
	}
	narrate(r->verbose, current->name,
		"  2. unregister: interfaces withdrawn, structures "
		"stay");
	/* 3. */
	narrate(r->verbose, current->name, "  3. quiesce:");
	err = quiesce_module(m, r);
	if (err && err != -EBUSY)
		return quiesce_failed(m, r, err);
	/* 4. */
	probe("unload.recheck");
	narrate(r->verbose, current->name,
		"  4. re-check: use count %d; %u task(s) inside, %d in "
		"entry windows",
		m->refs, r->found_inside, r->entry_refs);
/* LAB(recheck) BEGIN: someone came in: delayed delete or re-register */
	if (m->refs && !MUTANT_NO_RECHECK)
		r->by |= UD_USE_COUNT;
	if ((m->refs && !MUTANT_NO_RECHECK) || r->found_inside ||
	    r->entry_refs) {
		char why[200];

		ksnprintf(why, sizeof(why), "someone is in module '%s' (use "
			  "count %d, %u task(s) inside, %d in entry windows)",
			  m->name, m->refs, r->found_inside, r->entry_refs);
		if (r->busy == BUSY_DELAYED)
			return mark_delayed(m, r);
		return reactivate(m, r, why);
	}
/* LAB(recheck) STUB
	if (r->busy == BUSY_DELAYED)
		return mark_delayed(m, r);
	return reactivate(m, r, "the re-check (step 4) is not written "
			  "yet (lab 6)");
   LAB(recheck) END */
	/* 5. */
	/* What step 3 established, and nothing can undo: the interfaces
	 * are withdrawn, so no thread, callback or boundary reference
	 * can appear any more. Freeing on top of one would be the bug
	 * this whole file exists to prevent. */
	mutant_assert(!m->kthreads && !m->callbacks && !m->core_refs);
	return unload_finish(m, r);
}

static int unload_refcount(struct module *m, struct unload_req *r)
{
	bool closed = false;
	uint32_t f;
	int err;

	/* 0. A notifier the core calls without a reference is an entry no
	 * count can see: counting alone cannot prove this module idle. */
	if (m->raw_entries && !MUTANT_NO_RAW_ENTRY) {
		r->by |= UD_RAW_ENTRY;
		return refuse(r, -EBUSY,
			      "module '%s' registered %u notifier(s) "
			      "the core calls without a reference, so no count "
			      "can prove it idle; unload it with "
			      "--strategy=twophase",
			      m->name, m->raw_entries);
	}
	/* 1. Check and close the gate at once: from here no new reference
	 * can be taken, so the count can only fall. */
/* LAB(refcount) BEGIN: check the count and close the gate in one step */
	while (!closed) {
		f = irq_save();
		if (m->core_refs == 0) {
			m->gated = !MUTANT_NO_GATE;
			m->state = MODULE_GOING;
			closed = true;
		}
		irq_restore(f);
		if (!closed && (err = busy_at_check(m, r, &m->core_refs,
						    "references")) != 1)
			return err;
	}
/* LAB(refcount) STUB
	(void)closed;
	return refuse(r, -ENOSYS, "the refcount gate is not written yet "
		      "(lab 7)");
   LAB(refcount) END */
	narrate(r->verbose, current->name,
		"  1. no references; the gate is closed: new callers "
		"are refused at the boundary");
	probe("unload.checked");
	withdraw(m);
	narrate(r->verbose, current->name,
		"  2. unregister: interfaces withdrawn");
	/* 3. The module's threads drop their reference in core exit code,
	 * after the reaper is done with them. */
	err = quiesce_module_threads(m, r);
	if (err) {
		f = irq_save();
		m->gated = false;
		irq_restore(f);
		return quiesce_failed(m, r, err);
	}
	/* The gate was closed with no reference, and every thread has
	 * been reaped: nothing can be inside. */
	mutant_assert(!m->core_refs && !m->kthreads);
	return unload_finish(m, r);
}

/* ---- the entry point ---------------------------------------------- */

static int (*const strategies[])(struct module *, struct unload_req *) = {
	unload_naive, unload_eip, unload_twophase, unload_refcount,
};

int unload_module(const char *name, struct unload_req *r)
{
	struct module *m;
	char by[64];
	int ret;

	if (!r->timeout_ms)
		r->timeout_ms = UNLOAD_TIMEOUT_MS;
	r->found_inside = 0;
	r->entry_refs = 0;
	r->by = 0;
	r->wait_until = 0;
	r->quiesce_cycles = 0;
	r->msg[0] = '\0';
	if ((unsigned)r->strategy >= UNLOAD_NR_STRATEGIES)
		return refuse(r, -EINVAL, "no such strategy");
	mutex_lock(&module_mutex);
	m = module_find(name);
	if (!m) {
		ret = refuse(r, -ENOENT, "module '%s' is not loaded; 'lsmod' "
			     "lists loaded modules", name);
	} else if (m->state != MODULE_LIVE) {
		ret = refuse(r, -EBUSY, "module '%s' is %s%s", name,
			     module_state_name(m->state),
			     m->thread_stuck ? " (a thread of it ignores "
			     "kthread_stop; it is freed when the thread "
			     "exits)" : m->delayed ?
			     " (marked for delayed delete)" : "");
	} else if (m->users) {
		/* Dependencies are bookkeeping, not quiescing: every
		 * strategy refuses (R10). */
		r->by |= UD_DEPENDENCY;
		ret = refuse(r, -EBUSY, "module '%s' is used by module '%s'; "
			     "unload that first", name, m->users->user->name);
	} else {
		narrate(r->verbose, current->name,
			"%s unload of '%s' (use count %d, core references "
			"%d, threads %u)",
			unload_strategy_name(r->strategy), name, m->refs,
			m->core_refs, m->kthreads);
		ret = strategies[r->strategy](m, r);
		narrate(r->verbose, current->name, "  decided by: %s%s",
			unload_detector_names(r->by, by, sizeof(by)),
			r->by || r->strategy != UNLOAD_TWOPHASE ? "" :
			" (nothing was inside, nothing had to wait)");
	}
	mutex_unlock(&module_mutex);
	return ret;
}

