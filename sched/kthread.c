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

int kthread_stop(struct task *t)
{
	return kthread_stop_timeout(t, WAIT_FOREVER);
}

void kthread_exit(int code)
{
	sched_exit(code);
}
