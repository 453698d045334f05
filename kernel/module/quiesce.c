/*
 * kernel/module/quiesce.c: step 3 of the two-phase unload, "the handwaving".
 *
 * The seed leaves it to us: "Outside the module, do whatever it takes to
 * ensure that nothing is executing any module code, including threads,
 * command callbacks etc." Here is what it takes, in order, with the
 * sentence of the seed each part answers:
 *
 *   a. The module's own threads. "You must not freeze any threads that
 *      belong to the module." They are stopped, not frozen (a frozen
 *      thread could never answer kthread_stop), and then "we must wait
 *      until the process entries for the threads have been reaped",
 *      because "the zombie clean up code can refer to the module": the
 *      reaper runs exit hooks, and drops the thread's count on the module
 *      only after them (sched/reaper.c).
 *   b. Callbacks already running. Unregister stopped new command and
 *      timer calls; the core counts the ones in flight, and we wait for
 *      them to return.
 *   c. Freeze the rest, preemptively. "You must not freeze the process
 *      doing rmmod": the caller is exempt by identity. A preempted task is
 *      frozen where it stands, which is the point: "freezing processes has
 *      the same effect as preempt".
 *   d. Scan every other task: "Simply looking at the EIP after freeze is
 *      not enough". A task is inside if its EIP (the interrupted one, if
 *      it was preempted) or any return address on its stack is in module
 *      text: a task asleep in a kernel function called from the module
 *      will return into it. And the entry windows: "any process that has
 *      entered the module but not yet incremented the use count, nor any
 *      process that has decremented the use count but not yet left": the
 *      core's own references (a service held, a call in flight) say a task
 *      is between the boundary and the module's count.
 *   e. Thaw, exactly the tasks frozen.
 * Every wait is bounded by req->timeout_ms.
 */
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/lib/errno.h>
#include <kernel/trap.h>
#include <kernel/ksyms.h>
#include <kernel/probe.h>
#include <kernel/lib/stackwalk.h>
#include <kernel/mutant.h>
#include <sched/freezer.h>
#include <sched/stop_cpus.h>
#include "internal.h"

uintptr_t quiesce_saved_eip(struct task *t)
{
	uintptr_t pcs[BACKTRACE_MAX];

	if (t->preempt_tf)
		return t->preempt_tf->eip;
	return task_backtrace(t, pcs, 1) ? pcs[0] : 0;
}

/* A thread of m did not stop in time. Running (not frozen), it ignores
 * the request: a module bug. m must stay until it exits (issue 16). */
static void thread_would_not_stop(struct module *m, struct task *t,
				  struct unload_req *r)
{
	if (t->frozen) {
		ksnprintf(r->msg, sizeof(r->msg), "thread '%s' (id %d) of "
			  "module '%s' did not stop in %u ms", t->name, t->id,
			  m->name, r->timeout_ms);
		return;
	}
	t->stop_ignored = true;
	m->thread_stuck = true;
	r->by |= UD_THREAD_STOP;
	ksnprintf(r->msg, sizeof(r->msg), "thread '%s' (id %d) of module "
		  "'%s' ignores kthread_stop", t->name, t->id, m->name);
}

/* a. Stop the module's threads that unregister left running, then wait
 * until every one has been reaped. */
static int stop_and_reap_threads(struct module *m, struct unload_req *r)
{
	struct task **snap = NULL;
	unsigned n = 0, stopped = 0;
	int err;

	/* No thread of m alive (m->kthreads counts them): nothing to stop. */
	if (m->kthreads) {
		snap = task_snapshot_all(&n);
		if (!snap) {
			ksnprintf(r->msg, sizeof(r->msg), "no memory to list "
				  "the threads of module '%s'", m->name);
			return -ENOMEM;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct task *t = snap[i];

		if (t->owner != m || t->state == TASK_ZOMBIE ||
		    t->state == TASK_DEAD)
			continue;
		narrate(r->verbose, current->name,
			"     thread '%s' (id %d) still runs: stopping it "
			"(never frozen)",
			t->name, t->id);
		/* One that already ignored a stop (in the module's own
		 * unregister) is not waited for again. */
		err = t->stop_ignored ? -ETIMEDOUT :
		      kthread_stop_timeout(t, r->timeout_ms);
		if (err == -ETIMEDOUT) {
			thread_would_not_stop(m, t, r);
			task_snapshot_free(snap, n);
			return -ETIMEDOUT;
		}
		stopped++;
	}
	if (snap)
		task_snapshot_free(snap, n);
	if (stopped)
		r->by |= UD_THREAD_STOP;
	if (m->kthreads) {
		narrate(r->verbose, current->name,
			"     waiting for the reaper: %u thread(s) of '%s' "
			"not reaped yet",
			m->kthreads, m->name);
		/* Zombies that had exited before we came: the reap wait is
		 * what protects their exit hooks (R3). Threads we stopped
		 * are reaped as part of stopping them. */
		if (m->kthreads > stopped)
			r->by |= UD_THREAD_REAP;
	}
	probe("quiesce.reap");
/* LAB(reaper) BEGIN: wait until every thread of m has been reaped */
	if (MUTANT_NO_THREAD_REAP)
		return 0;
	err = wait_event_timeout(unload_wq, m->kthreads == 0, r->timeout_ms);
/* LAB(reaper) STUB
	err = m->kthreads ? -ETIMEDOUT : 0;
   LAB(reaper) END */
	if (err) {
		ksnprintf(r->msg, sizeof(r->msg), "%u thread(s) of module '%s' "
			  "were not reaped in %u ms", m->kthreads, m->name,
			  r->timeout_ms);
		return -ETIMEDOUT;
	}
	narrate(r->verbose, current->name,
		"  a. module threads: %u stopped here, all reaped", stopped);
	return 0;
}

/* b. Wait for the command and timer callbacks already running. */
static int drain_callbacks(struct module *m, struct unload_req *r)
{
	unsigned running = m->callbacks;
	int err;

	probe("quiesce.callbacks");
/* LAB(recheck) BEGIN: wait, bounded, for the callbacks in flight */
	if (MUTANT_NO_CALLBACK_DRAIN)
		return 0;
	if (running)
		r->by |= UD_CALLBACK_DRAIN;
	err = wait_event_timeout(unload_wq, m->callbacks == 0, r->timeout_ms);
	if (err) {
		ksnprintf(r->msg, sizeof(r->msg), "%u callback(s) of module "
			  "'%s' still running after %u ms", m->callbacks,
			  m->name, r->timeout_ms);
		return -ETIMEDOUT;
	}
/* LAB(recheck) STUB
	(void)err;
   LAB(recheck) END */
	narrate(r->verbose, current->name,
		"  b. callbacks in flight: %u, drained", running);
	return 0;
}

/*
 * d. Is t inside m? Two looks, each its own detector:
 *   eip         the instruction t stopped at: the interrupted one if it was
 *               preempted (or held at a PROBE_PREEMPT);
 *   stack-scan  every return address of the context t stopped in: from the
 *               interrupted frame if it was preempted, else from its saved
 *               switch frame, so a task asleep in a kernel function called
 *               from the module is found.
 * Return: the detectors that found it (0: not inside). Prints why.
 */
static unsigned task_inside(struct module *m, struct task *t,
			    struct unload_req *r)
{
/* LAB(scan) BEGIN: is t inside m? its EIP, then every return address */
	uintptr_t lo = m->text, hi = m->text + m->text_size;
	uintptr_t pcs[BACKTRACE_MAX], eip;
	unsigned n, found = 0;
	char sym[96];

	/* A task that has been off the CPU since before the module was
	 * loaded never ran its code, so it cannot be inside: skip the walk
	 * (the freeze still holds it). */
	if (t->switched_out_at < m->load_switch)
		return 0;
	if (t->preempt_tf) {
		eip = t->preempt_tf->eip;
		n = stack_walk(t->preempt_tf->ebp, (uintptr_t)t->stack,
			       (uintptr_t)t->stack + t->stack_size, pcs,
			       BACKTRACE_MAX);
	} else {
		n = task_backtrace(t, pcs, BACKTRACE_MAX);
		eip = n ? pcs[0] : 0;
	}
	if (!MUTANT_NO_EIP_CHECK && eip >= lo && eip < hi) {
		ksyms_format(eip, sym, sizeof(sym));
		narrate(r->verbose, current->name,
			"     task '%s' (id %d, %s): EIP %08lx %s: inside",
			t->name, t->id, task_state_name(t->state),
			(unsigned long)eip, sym);
		found |= UD_EIP;
	}
	for (unsigned i = 0; !MUTANT_NO_STACK_SCAN && i < n; i++) {
		if (pcs[i] - 1 < lo || pcs[i] - 1 >= hi)
			continue;
		ksyms_format_ret(pcs[i], sym, sizeof(sym));
		narrate(r->verbose, current->name,
			"     task '%s' (id %d, %s): returns to %08lx %s: "
			"inside", t->name, t->id, task_state_name(t->state),
			(unsigned long)pcs[i], sym);
		found |= UD_STACK_SCAN;
		break;
	}
	return found;
/* LAB(scan) STUB
	return 0;
   LAB(scan) END */
}

/* c, d, e: freeze all but the caller, scan, thaw. */
static int freeze_and_scan(struct module *m, struct unload_req *r)
{
	struct task_set exempt = { 0 };
	struct task **snap;
	unsigned n, inside = 0, scanned = 0, unfrozen = 0;
	bool stop = !MUTANT_SCAN_SLEEPING_ONLY;
	int err;

	if (!MUTANT_FREEZE_CALLER)
		task_set_add(&exempt, current);
	probe("quiesce.freeze");
	err = freezer_freeze(FREEZE_PREEMPTIVE, &exempt, r->timeout_ms);
	if (err) {
		r->by |= UD_FREEZE_FAILED;
		ksnprintf(r->msg, sizeof(r->msg), "the freeze failed (%s%s)",
			  errno_name(err), err == -EBUSY ?
			  ": another freeze is active" : "");
		return err == -EBUSY ? -EAGAIN : err;
	}
	if (MUTANT_FREEZE_CALLER)
		freezer_freeze_self();
	if (current->freezable)
		r->by |= UD_CALLER_EXEMPT;
	/* The seed's first rule: never the process doing rmmod. */
	mutant_assert(!freezer_is_frozen(current));
	/* With more than one CPU, the tasks that are never frozen (the
	 * reaper, the shell...) may be running elsewhere: stop every other
	 * CPU, so no stack we read is in use (sched/stop_cpus.c). */
	err = stop ? sched_stop_others(r->timeout_ms) : 0;
	if (err) {
		freezer_thaw();
		ksnprintf(r->msg, sizeof(r->msg), "another CPU did not stop "
			  "within %u ms (a task there kept preemption off)",
			  r->timeout_ms);
		return -EAGAIN;
	}
	/* The list is taken under the freeze, so every task that could be
	 * inside is on it: a freezable task created from now on is frozen
	 * before it first runs, and the module's own threads were stopped
	 * and reaped in step a. */
	snap = task_snapshot_all(&n);
	if (!snap) {
		if (stop)
			sched_resume_others();
		freezer_thaw();
		ksnprintf(r->msg, sizeof(r->msg), "no memory to list the tasks "
			  "to scan");
		return -ENOMEM;
	}
	narrate(r->verbose, current->name,
		"  c. froze %u task(s); exempt: the caller '%s' (id %d) "
		"and the tasks that are never frozen",
		freezer_frozen_count(), current->name, current->id);
	for (unsigned i = 0; i < n; i++) {
		struct task *t = snap[i];
		unsigned found;

		if (t == current || t->state == TASK_ZOMBIE ||
		    t->state == TASK_DEAD || t->state == TASK_NEW)
			continue;
		/* Unfrozen tasks (reaper, watchdog) are scanned too: the
		 * other CPUs are stopped, so they are off every CPU, and an
		 * exit hook or a callback could have them inside. */
		/* The rule the scan stands on: no stack it reads is in use.
		 * One CPU: only we run. More: the others are stopped, each
		 * running its idle task, whose stack is in use: not walked
		 * (an idle task runs no module code; callbacks that ran in
		 * interrupts on its stack were drained in b). */
		if (t->state == TASK_RUNNING) {
			mutant_assert(t->idle && sched_stopper_is_me());
			continue;
		}
		unfrozen += !freezer_is_frozen(t);
		scanned++;
		found = task_inside(m, t, r);
		r->by |= found;
		inside += found != 0;
	}
	task_snapshot_free(snap, n);
	if (stop)
		sched_resume_others();
	narrate(r->verbose, current->name,
		"  d. scanned %u task(s) (%u not frozen): EIP and every "
		"return address; %u inside",
		scanned, unfrozen, inside);
	r->entry_refs = MUTANT_NO_ENTRY_WINDOW ? 0 : m->core_refs;
	/* More references than tasks seen inside: someone is between the
	 * boundary and the module, where no scan can see. */
	if (r->entry_refs > (int)inside)
		r->by |= UD_ENTRY_WINDOW;
	if (r->entry_refs)
		narrate(r->verbose, current->name,
			"     entry windows: %d reference(s) held at the "
			"boundary (a task between the core and the "
			"module's count)",
			r->entry_refs);
	narrate(r->verbose, current->name, "  e. thawed %u task(s)",
		freezer_thaw());
	r->found_inside = inside;
	if (inside || r->entry_refs) {
		ksnprintf(r->msg, sizeof(r->msg), "%u task(s) inside module "
			  "'%s', %d reference(s) in its entry windows", inside,
			  m->name, r->entry_refs);
		return -EBUSY;
	}
	return 0;
}

int quiesce_module_threads(struct module *m, struct unload_req *r)
{
	return stop_and_reap_threads(m, r);
}

int quiesce_module(struct module *m, struct unload_req *r)
{
	uint64_t t0 = rdtsc();
	int err;

	assert(mutex_is_mine(&module_mutex));
	assert(m->state == MODULE_GOING);       /* unregister has run */
	r->found_inside = 0;
	r->entry_refs = 0;
	if (MUTANT_FREEZE_MODULE_THREADS) {
		struct task_set exempt = { 0 };

		task_set_add(&exempt, current);
		if (!freezer_freeze(FREEZE_PREEMPTIVE, &exempt,
				    r->timeout_ms)) {
			err = stop_and_reap_threads(m, r);
			freezer_thaw();
			if (err)
				return err;
		}
	}
	err = stop_and_reap_threads(m, r);
	if (!err)
		err = drain_callbacks(m, r);
	if (!err)
		err = freeze_and_scan(m, r);
	r->quiesce_cycles = rdtsc() - t0;
	return err;
}
