/*
 * <sched/kthread.h>: kernel threads.
 *
 *	t = kthread_run(worker, arg, THIS_MODULE, "worker");
 *	...
 *	code = kthread_stop(t);         wakes it, waits for its exit
 *
 *	static int worker(void *arg)
 *	{
 *		while (!kthread_should_stop()) {
 *			do_work();
 *			sleep_ms(100);  (freezable, returns early on stop)
 *		}
 *		return 0;       (= kthread_exit(0))
 *	}
 *
 * Every thread records its owner module (NULL for the core): the unload
 * protocol must find "the module's own threads" to stop them, never to
 * freeze them, and must then wait until each is reaped (<sched/reaper.h>),
 * because the reap may still touch module memory (the seed: "we must wait
 * until the process entries for the threads have been reaped").
 *
 * Pointer lifetime: a thread that may exit on its own can be reaped and
 * freed at any time; hold a reference (task_get) on a thread you will
 * kthread_stop, unless it only exits when stopped.
 */
#ifndef SCHED_KTHREAD_H
#define SCHED_KTHREAD_H

#include <stdbool.h>
#include <sched/current.h>

struct module;

/*
 * Create a thread running fn(arg), not started (state NEW): set fields,
 * then wake_up_task() or kthread_start(). Freezable by default.
 * Return: the task, or NULL out of memory. Context: task.
 */
struct task *kthread_create(int (*fn)(void *), void *arg,
			    struct module *owner, const char *name);
/* The same, started. */
struct task *kthread_run(int (*fn)(void *), void *arg, struct module *owner,
			 const char *name);
/* Start a NEW thread. Context: any. */
void kthread_start(struct task *t);

/* Return: true once kthread_stop was called on the current thread. */
bool kthread_should_stop(void);

/*
 * Ask t to stop (kthread_should_stop() turns true), wake it, and wait for
 * it to exit. A NEW thread exits without running fn (-EINTR).
 * A module's thread gets KTHREAD_STOP_MS of unfrozen time: one that
 * ignores the request is marked stop_ignored, warned about (naming the
 * module) and left running (-ETIMEDOUT). A frozen thread, or a core one,
 * is waited for without a bound (the watchdog reports a thread that never
 * stops, e.g. a frozen one: race R2).
 * Return: its exit code, or -ETIMEDOUT. Context: task, may sleep.
 */
#define KTHREAD_STOP_MS 1000
#define KTHREAD_STOP_SLICE_MS 50
int kthread_stop(struct task *t);
/* The same with a bound. Return: the exit code, or -ETIMEDOUT (t keeps
 * its stop request). */
int kthread_stop_timeout(struct task *t, unsigned ms);

/* End the current thread with code. Context: task. Never returns. */
void kthread_exit(int code) __attribute__((noreturn));

#endif
