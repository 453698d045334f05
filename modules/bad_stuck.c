/*
 * modules/bad_stuck.c: a thread that ignores kthread_stop (issue 16, 1).
 *
 * The module does what modules/worker.c does (start a thread in register,
 * kthread_stop it in unregister), but its thread does not look at
 * kthread_should_stop() for `stubborn_ms` milliseconds (0: never). The
 * kernel must bound the wait: rmmod fails with a message naming the
 * thread, releases module_mutex and everything the unload used, and
 * leaves the module loaded (withdrawn) until the thread exits; then
 * unloadd frees it.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: its thread ignores kthread_stop for stubborn_ms "
		   "(0: forever)");
MODULE_LICENSE("GPL");

static int stubborn_ms;
MODULE_PARAM_INT(stubborn_ms, "how long the thread ignores stop (0: forever)");

static struct task *thread;

static int stuck_fn(void *arg)
{
	uint64_t until = ticks_read() + stubborn_ms;

	/* The bug: sleeping in a loop that never checks for stop. */
	while (!stubborn_ms || ticks_read() < until || !kthread_should_stop())
		sleep_ms(10);
	return 0;
}

static int stuck_register(void)
{
	thread = module_kthread_run(stuck_fn, NULL, "bad_stuck");
	if (!thread)
		return -ENOMEM;
	task_get(thread);
	return 0;
}

static void stuck_unregister(void)
{
	kthread_stop(thread);   /* what worker.c does: waits for the exit */
}

static void stuck_cleanup(void)
{
	if (thread)
		task_put(thread);
	thread = NULL;
}

MODULE_REGISTER(stuck_register);
MODULE_UNREGISTER(stuck_unregister);
MODULE_CLEANUP(stuck_cleanup);
