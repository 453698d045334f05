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
 *      etc."  kernel/module/quiesce.c: stop and reap the module's threads, drain
 *      callbacks, freeze the rest, scan every stack and entry window, thaw.
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
 * Delayed delete never frees from the module's own code (the task that
 * drops the last count is still in the module's epilogue: race R5). The
 * `unloadd` worker does it, after quiescing again.
 *
 * A buried module's struct outlives its memory while a zombie thread or a
 * stale reference still points at it (only the naive strategies leave
 * those): it becomes a ghost, freed by unloadd when nothing refers to it,
 * so a broken strategy shows up as a caught use-after-free of module
 * memory, never as a corrupted kernel heap.
 *
 * Lock: module_mutex across each unload; counts change with IRQs off.
 */
#include <kernel/module/module.h>
#include "internal.h"
#include "unload_internal.h"
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/probe.h>
#include <sched/freezer.h>
#include <sched/completion.h>

#define DEFAULT_TIMEOUT_MS 2000

struct wait_queue unload_wq = WAIT_QUEUE_INIT(unload_wq, "unload");
static struct wait_queue unloadd_wq = WAIT_QUEUE_INIT(unloadd_wq, "unloadd");
static volatile bool unloadd_kicked;    /* [a] work may be there */

/* Wake the worker. The flag, not the wakeup, ends its wait. Context: any. */
static void unloadd_kick(void)
{
	unloadd_kicked = true;
	wake_up(&unloadd_wq);
}
static struct module *delayed_list;     /* [module_mutex] */
static struct module *ghosts;           /* [irq off] */
static volatile unsigned ndelayed;

static const char *const strategy_names[] = {
	"naive", "eip", "twophase", "refcount" };
static const char *const busy_names[] = {
	"fail", "wait", "delayed", "reregister" };
static const char *const outcome_names[] = {
	"freed", "refused", "delayed", "reregistered", "failed" };

const char *unload_strategy_name(enum unload_strategy s)
{
	return (unsigned)s < UNLOAD_NR_STRATEGIES ? strategy_names[s] : "?";
}

const char *unload_outcome_name(enum unload_outcome o)
{
	return (unsigned)o <= UNLOAD_FAILED ? outcome_names[o] : "?";
}

int unload_parse_strategy(const char *s, enum unload_strategy *out)
{
	for (unsigned i = 0; i < UNLOAD_NR_STRATEGIES; i++)
		if (!strcmp(s, strategy_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

int unload_parse_busy(const char *s, enum unload_busy *out)
{
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(s, busy_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

void unload_req_init(struct unload_req *r)
{
	*r = (struct unload_req){ .strategy = UNLOAD_TWOPHASE,
				  .busy = BUSY_FAIL,
				  .timeout_ms = DEFAULT_TIMEOUT_MS };
}


void module_ref_dropped(struct module *mod)
{
	wake_up(&unload_wq);
	if (mod->delayed || mod->ghost)
		unloadd_kick();
}

unsigned unload_delayed_pending(void)
{
	return ndelayed;
}

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
static int finish(struct module *m, struct unload_req *r)
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
	narrate(r->verbose, current->name, "  5. cleanup ran; freeing the module's memory");
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
	m->delayed = true;
	m->next_ghost = delayed_list;
	delayed_list = m;
	ndelayed++;
	unloadd_kick();
	ksnprintf(r->msg, sizeof(r->msg), "module '%s' is withdrawn and "
		  "will be freed when its last user has left", m->name);
	narrate(r->verbose, current->name, "  -> delayed: %s", r->msg);
	r->outcome = UNLOAD_DELAYED;
	return r->err = 0;
}

/* 4, busy: call register again, the module is LIVE. */
static int reactivate(struct module *m, struct unload_req *r, const char *why)
{
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

/* Step 1 found the use count non-zero. */
static int busy_at_check(struct module *m, struct unload_req *r,
			 const int *count, const char *what)
{
	if (r->busy == BUSY_WAIT) {
		narrate(r->verbose, current->name, "  1. %s is %d: waiting up to %u ms", what,
			   *count, r->timeout_ms);
		probe("unload.wait_users");
		if (!wait_event_timeout(unload_wq, *count == 0, r->timeout_ms))
			return 0;
	}
	return refuse(r, -EBUSY, "module '%s' is in use (%s %d)", m->name,
		      what, *count);
}

/* ---- the strategies ------------------------------------------------ */

static int unload_naive(struct module *m, struct unload_req *r)
{
	if (m->refs && busy_at_check(m, r, &m->refs, "refcount"))
		return r->err;
	narrate(r->verbose, current->name, "  1. use count 0: going straight to cleanup");
	set_state(m, MODULE_GOING);
	probe("unload.checked");
	if (withdraw(m))
		return refuse(r, -EFAULT, "module '%s' faulted while stopping",
			      m->name);
	narrate(r->verbose, current->name, "  2. unregister and cleanup back to back, nothing "
		   "checked in between");
	return finish(m, r);
}

static int unload_eip(struct module *m, struct unload_req *r)
{
	struct task **snap;
	unsigned n, frozen = 0;
	uintptr_t lo = m->text, hi = m->text + m->text_size;
	int err;

	if (m->refs && busy_at_check(m, r, &m->refs, "refcount"))
		return r->err;
	set_state(m, MODULE_GOING);
	probe("unload.checked");
	err = freezer_freeze(FREEZE_PREEMPTIVE, NULL, r->timeout_ms);
	if (err) {
		set_state(m, MODULE_LIVE);
		return refuse(r, err, "the freeze failed");
	}
	narrate(r->verbose, current->name, "  2. froze everything that is freezable, the module's "
		   "threads included");
	/* "Everything": the caller too, if it is freezable. Then nobody is
	 * left to thaw it (R1). */
	freezer_freeze_self();
	snap = kmalloc(128 * sizeof(*snap));
	n = snap ? task_snapshot(snap, 128) : 0;
	for (unsigned i = 0; i < n; i++) {
		uintptr_t eip;

		if (!freezer_is_frozen(snap[i]))
			continue;
		frozen++;
		eip = quiesce_saved_eip(snap[i]);
		if (eip >= lo && eip < hi && !r->found_inside++) {
			char sym[96];

			ksyms_format(eip, sym, sizeof(sym));
			ksnprintf(r->msg, sizeof(r->msg), "task '%s' (id %d) "
				  "is executing module code at %s",
				  snap[i]->name, snap[i]->id, sym);
		}
	}
	task_snapshot_put(snap, n);
	kfree(snap);
	narrate(r->verbose, current->name, "  3. looked at the EIP of %u frozen task(s): %u inside",
		   frozen, r->found_inside);
	if (r->found_inside) {
		freezer_thaw();
		set_state(m, MODULE_LIVE);
		r->outcome = UNLOAD_REFUSED;
		narrate(r->verbose, current->name, "  -> refused: %s", r->msg);
		return r->err = -EBUSY;
	}
	withdraw(m);            /* under the freeze, as the old code did */
	err = finish(m, r);
	freezer_thaw();
	return err;
}

static int unload_twophase(struct module *m, struct unload_req *r)
{
	int err;

	/* 1. */
	if (m->refs) {
		if (r->busy != BUSY_DELAYED)
			return busy_at_check(m, r, &m->refs, "refcount");
		set_state(m, MODULE_GOING);
		withdraw(m);
		return mark_delayed(m, r);
	}
	narrate(r->verbose, current->name, "  1. use count is 0");
	probe("unload.checked");
	/* 2. */
	set_state(m, MODULE_GOING);
	if (withdraw(m))
		return reactivate(m, r, "unregister faulted");
	narrate(r->verbose, current->name, "  2. unregister: interfaces withdrawn, structures "
		   "stay");
	/* 3. */
	narrate(r->verbose, current->name, "  3. quiesce:");
	err = quiesce_module(m, r);
	if (err == -ETIMEDOUT || err == -ENOMEM) {
		char why[200];

		kstrlcpy(why, r->msg, sizeof(why));
		return reactivate(m, r, why);
	}
	/* 4. */
	probe("unload.recheck");
	narrate(r->verbose, current->name, "  4. re-check: use count %d; %u task(s) inside, %d in "
		   "entry windows", m->refs, r->found_inside, r->entry_refs);
	if (m->refs || r->found_inside || r->entry_refs) {
		char why[200];

		ksnprintf(why, sizeof(why), "someone is in module '%s' (use "
			  "count %d, %u task(s) inside, %d in entry windows)",
			  m->name, m->refs, r->found_inside, r->entry_refs);
		if (r->busy == BUSY_DELAYED)
			return mark_delayed(m, r);
		return reactivate(m, r, why);
	}
	/* 5. */
	/* What step 3 established, and nothing can undo: the interfaces
	 * are withdrawn, so no thread, callback or boundary reference
	 * can appear any more. Freeing on top of one would be the bug
	 * this whole file exists to prevent. */
	assert(!m->kthreads && !m->callbacks && !m->core_refs);
	return finish(m, r);
}

static int unload_refcount(struct module *m, struct unload_req *r)
{
	uint32_t f;
	int err;

	/* 1. Check and close the gate at once: from here no new reference
	 * can be taken, so the count can only fall. */
	for (;;) {
		f = irq_save();
		if (m->core_refs == 0) {
			m->gated = true;
			m->state = MODULE_GOING;
		}
		irq_restore(f);
		if (m->gated)
			break;
		if (busy_at_check(m, r, &m->core_refs, "references"))
			return r->err;
	}
	narrate(r->verbose, current->name, "  1. no references; the gate is closed: new callers "
		   "are refused at the boundary");
	probe("unload.checked");
	withdraw(m);
	narrate(r->verbose, current->name, "  2. unregister: interfaces withdrawn");
	/* 3. The module's threads drop their reference in core exit code,
	 * after the reaper is done with them. */
	err = quiesce_module_threads(m, r);
	if (err) {
		f = irq_save();
		m->gated = false;
		irq_restore(f);
		return reactivate(m, r, r->msg);
	}
	/* The gate was closed with no reference, and every thread has
	 * been reaped: nothing can be inside. */
	assert(!m->core_refs && !m->kthreads);
	return finish(m, r);
}

/* ---- the entry point ---------------------------------------------- */

static int (*const strategies[])(struct module *, struct unload_req *) = {
	unload_naive, unload_eip, unload_twophase, unload_refcount,
};

int unload_module(const char *name, struct unload_req *r)
{
	struct module *m;
	int ret;

	if (!r->timeout_ms)
		r->timeout_ms = DEFAULT_TIMEOUT_MS;
	r->found_inside = 0;
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
			     m->delayed ? " (marked for delayed delete)" : "");
	} else if (m->users) {
		/* Dependencies are bookkeeping, not quiescing: every
		 * strategy refuses (R10). */
		ret = refuse(r, -EBUSY, "module '%s' is used by module '%s'; "
			     "unload that first", name, m->users->user->name);
	} else {
		narrate(r->verbose, current->name, "%s unload of '%s' (use count %d, core references "
			   "%d, threads %u)", unload_strategy_name(r->strategy),
			   name, m->refs, m->core_refs, m->kthreads);
		ret = strategies[r->strategy](m, r);
	}
	mutex_unlock(&module_mutex);
	return ret;
}

/* ---- ghosts ---------------------------------------------------------- */

static bool ghost_free(const struct module *m)
{
	return !m->kthreads && !m->core_refs && !m->callbacks;
}

void unload_release_struct(struct module *m)
{
	uint32_t f = irq_save();

	if (ghost_free(m)) {
		irq_restore(f);
		kfree(m);
		return;
	}
	m->ghost = true;
	m->next_ghost = ghosts;
	ghosts = m;
	irq_restore(f);
	pr_warn("module %s: freed while %u thread(s) and %d reference(s) "
		"still point at it; its struct waits for them", m->name,
		m->kthreads, m->core_refs);
}

/* Free the ghosts nothing refers to any more. Context: unloadd. */
static void bury_ghosts(void)
{
	for (;;) {
		struct module *m = NULL, **pp;
		uint32_t f = irq_save();

		for (pp = &ghosts; *pp; pp = &(*pp)->next_ghost)
			if (ghost_free(*pp)) {
				m = *pp;
				*pp = m->next_ghost;
				break;
			}
		irq_restore(f);
		if (!m)
			return;
		kfree(m);
	}
}

/* ---- delayed delete: the unloadd worker ---------------------------- */

/* Try to finish one delayed module. Caller holds module_mutex. */
static bool try_delayed(struct module *m)
{
	struct unload_req r;

	unload_req_init(&r);
	if (m->refs || m->core_refs)
		return false;
	if (quiesce_module(m, &r))
		return false;
	if (finish(m, &r))
		return false;
	pr_info("module %s: delayed delete done", m->name);
	return true;
}

static void run_delayed(void)
{
	struct module **pp;

	mutex_lock(&module_mutex);
	pp = &delayed_list;
	while (*pp) {
		struct module *m = *pp;

		if (try_delayed(m)) {
			*pp = m->next_ghost;
			ndelayed--;
		} else {
			pp = &m->next_ghost;
		}
	}
	mutex_unlock(&module_mutex);
}

static int unloadd_fn(void *arg)
{
	for (;;) {
		/* A count dropping kicks us. While modules wait for delayed
		 * delete, a 20 ms period also catches a task that left one
		 * without touching a count (the scan saw it inside); with
		 * nothing delayed we sleep until kicked. */
		wait_event_idle_timeout(unloadd_wq, unloadd_kicked,
					ndelayed ? 20 : WAIT_FOREVER);
		unloadd_kicked = false;
		if (ndelayed)
			run_delayed();
		if (ghosts)
			bury_ghosts();
	}
	return 0;
}

static int unload_setup(void)
{
	struct task *t = kthread_run(unloadd_fn, NULL, NULL, "unloadd");

	if (!t)
		return -ENOMEM;
	t->freezable = false;
	t->system = true;
	return 0;
}
INITCALL(unload_setup, INIT_LATE);

/* ---- running an unload under watch ---------------------------------- */

struct unload_job {
	char name[MODULE_NAME_MAX];
	struct unload_req req;
	struct task *task;              /* the "rmmod" task, referenced */
	struct completion done;
	int refs;                       /* [irq off] the waiter and the task */
};

static void job_put(struct unload_job *j)
{
	uint32_t f = irq_save();
	bool last = --j->refs == 0;

	irq_restore(f);
	if (last)
		kfree(j);
}

static int unload_job_fn(void *arg)
{
	struct unload_job *j = arg;

	unload_module(j->name, &j->req);
	complete(&j->done);
	job_put(j);
	return 0;
}

static bool report_task(struct task *t, void *arg)
{
	char sym[96];

	ksyms_format(task_where(t), sym, sizeof(sym));
	kprintf("  task '%s' (id %d) %s%s at %s\n", t->name, t->id,
		task_state_name(t->state), t->frozen ? " (frozen)" : "", sym);
	task_print_backtrace(t, "      ");
	return true;
}

struct unload_job *unload_start(const char *name, const struct unload_req *r,
				bool freezable_caller)
{
	struct unload_job *j = kzalloc(sizeof(*j));
	struct task *t;

	if (!j)
		return NULL;
	kstrlcpy(j->name, name, sizeof(j->name));
	j->req = *r;
	j->refs = 2;
	completion_init(&j->done, "rmmod");
	t = kthread_create(unload_job_fn, j, NULL, "rmmod");
	if (!t) {
		kfree(j);
		return NULL;
	}
	t->freezable = freezable_caller;
	task_get(t);
	j->task = t;
	kthread_start(t);
	return j;
}

bool unload_done(struct unload_job *j)
{
	return completion_done(&j->done);
}

struct task *unload_job_task(struct unload_job *j)
{
	return j->task;
}

int unload_wait(struct unload_job *j, struct unload_req *r, unsigned watch_ms,
		bool *deadlocked)
{
	int err;

	*deadlocked = false;
	err = wait_for_completion_timeout(&j->done, watch_ms);
	if (err) {
		/* The bounded wait caught a deadlock: say who is stuck where,
		 * then break it the only way there is: thaw. */
		*deadlocked = true;
		kprintf("deadlock: the unload of '%s' made no progress in %u "
			"ms; the tasks involved:\n", j->name, watch_ms);
		report_task(j->task, NULL);
		freezer_for_each_frozen(report_task, NULL);
		kprintf("deadlock: recovering: thawing %u frozen task(s)\n",
			freezer_thaw());
		err = wait_for_completion_timeout(&j->done, watch_ms);
	}
	task_put(j->task);
	if (err) {
		*r = j->req;
		ksnprintf(r->msg, sizeof(r->msg), "the unload of '%s' is stuck "
			  "and stays stuck", j->name);
		r->err = -EDEADLK;
		job_put(j);     /* the task keeps the job it still uses */
		return r->err;
	}
	*r = j->req;
	job_put(j);
	if (*deadlocked && !r->err)
		ksnprintf(r->msg, sizeof(r->msg), "deadlocked until the freeze "
			  "was broken; then the unload went on");
	return *deadlocked ? -EDEADLK : r->err;
}

int unload_module_watched(const char *name, struct unload_req *r,
			  bool freezable_caller, unsigned watch_ms,
			  bool *deadlocked)
{
	struct unload_job *j = unload_start(name, r, freezable_caller);

	*deadlocked = false;
	if (!j)
		return refuse(r, -ENOMEM, "out of memory");
	return unload_wait(j, r, watch_ms, deadlocked);
}
