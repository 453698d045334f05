/*
 * sched/kthread.c: kernel threads: create, run, stop, exit.
 *
 * Interface in <sched/kthread.h>. A kthread is a task whose stack starts
 * in sched_task_entry, which calls fn(arg) and exits with its return
 * value. Stopping is cooperative, as in Linux: kthread_stop sets
 * should_stop and wakes the thread; the thread notices at its next
 * kthread_should_stop() check (sleep_ms returns early for it) and returns.
 *
 * Exit: kthread_exit -> sched_exit: the task becomes a ZOMBIE, the reaper
 * frees it later, and everyone waiting in kthread_stop (task_exit_wq) is
 * woken. The exit code is kept in the struct, which kthread_stop holds a
 * reference on, so it can be read after the reaper has run.
 */
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/waitqueue.h>
#include "internal.h"
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <sched/task.h>

/* Woken whenever a task becomes a zombie (sched/reaper.c wakes it). */
struct wait_queue task_exit_wq = WAIT_QUEUE_INIT(task_exit_wq, "task exit");

struct task *kthread_create(int (*fn)(void *), void *arg,
			    struct module *owner, const char *name)
{
	return task_alloc(name, fn, arg, owner);
}

void kthread_start(struct task *t)
{
	sched_start_task(t);
}

struct task *kthread_run(int (*fn)(void *), void *arg, struct module *owner,
			 const char *name)
{
	struct task *t = kthread_create(fn, arg, owner, name);

	if (t)
		kthread_start(t);
	return t;
}

bool kthread_should_stop(void)
{
	return current->should_stop;
}

static bool exited(struct task *t)
{
	return t->state == TASK_ZOMBIE || t->state == TASK_DEAD;
}

int kthread_stop_timeout(struct task *t, unsigned ms)
{
	uint32_t f;
	int err;

	assert(t != current);
	task_get(t);
	t->should_stop = true;
	f = spin_lock_irqsave(&sched_lock);
	if (t->state == TASK_NEW) {
		t->started = true;
		sched_enqueue_locked(t);
	} else {
		sched_wake_locked(t);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	err = wait_event_timeout(task_exit_wq, exited(t), ms);
	if (!err)
		err = t->exit_code;
	task_put(t);
	return err;
}

/*
 * A module's thread that is not frozen gets KTHREAD_STOP_MS of running
 * time to notice the stop; one that ignores it (a module bug, issue 16)
 * must not hang the unload that asked, which holds module_mutex. A frozen
 * thread cannot answer at all: that wait stays unbounded here, so the
 * unload's watch reports the deadlock (race R2) and breaks it by thawing.
 */
int kthread_stop(struct task *t)
{
	unsigned waited = 0;
	int err;

	if (!t->owner)
		return kthread_stop_timeout(t, WAIT_FOREVER);
	task_get(t);
	for (;;) {
		err = kthread_stop_timeout(t, KTHREAD_STOP_SLICE_MS);
		if (err != -ETIMEDOUT || exited(t))
			break;
		if (!t->frozen && (waited += KTHREAD_STOP_SLICE_MS) >=
		    KTHREAD_STOP_MS) {
			char buf[24];

			t->stop_ignored = true;
			pr_warn("module %s: thread '%s' (id %d) ignored "
				"kthread_stop for %u ms; giving up on it",
				task_owner_name(t->owner, buf, sizeof(buf)),
				t->name, t->id, KTHREAD_STOP_MS);
			break;
		}
	}
	task_put(t);
	return err;
}

void kthread_exit(int code)
{
	sched_exit(code);
}
