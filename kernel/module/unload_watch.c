/*
 * kernel/module/unload_watch.c: running an unload in its own task, watched.
 *
 * `rmmod` and the race scenarios never unload from the task that asked:
 * they start an "rmmod" task (freezable or not, as the scenario needs) and
 * wait for it with a bound. A strategy that deadlocks (eip freezing the
 * caller, race R1, or the module's own thread, R2) is then caught, not
 * suffered: the wait reports every task involved with its backtrace, and
 * breaks the deadlock the only way there is, by thawing.
 *
 * A job is shared by the waiter and the task: two references, the last
 * one frees it ([irq] refs).
 */
#include <kernel/module/module.h>
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/ksyms.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>
#include <sched/completion.h>
#include <sched/freezer.h>
#include <sched/task.h>

struct unload_job {
	char name[MODULE_NAME_MAX];
	struct unload_req req;
	struct task *task;              /* the "rmmod" task, referenced */
	struct completion done;
	int refs;                       /* [irq] the waiter and the task */
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
		/* Before the thaw: once thawed, the unload goes on and
		 * narrates its next steps. */
		narrate(r->verbose, current->name, "deadlock: no progress in "
			"%u ms; thawing %u frozen task(s) to break it",
			watch_ms, freezer_frozen_count());
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
	if (!j) {
		ksnprintf(r->msg, sizeof(r->msg), "out of memory for the "
			  "unload task");
		r->outcome = UNLOAD_REFUSED;
		return r->err = -ENOMEM;
	}
	return unload_wait(j, r, watch_ms, deadlocked);
}
