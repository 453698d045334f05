/*
 * modules/race_thread.c: a module with a thread, for races R2, R3, R15.
 *
 * mode=loop (R2): the thread works in a loop with a freeze point (its
 *   sleep) until unregister stops it. A quiesce that freezes the thread
 *   and then lets unregister wait for it to stop deadlocks.
 * mode=exit (R3): the thread registers an exit hook (code in this module)
 *   and ends at once. The reaper runs the hook when it reaps the zombie:
 *   "the zombie clean up code can refer to the module that no longer
 *   exists" if the module was freed before the reap.
 * mode=forget (R15): as loop, but unregister forgets to stop the thread
 *   (a module bug): the unload itself must stop it, never freeze it, and
 *   wait until it has been reaped; cleanup drops the task reference.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("a module thread that loops (R2), exits with an exit hook "
		   "(R3), or is left running by unregister (R15)");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

static char mode[8] = "loop";
MODULE_PARAM_STR(mode, "loop (R2), exit (R3) or forget (R15)");

static struct task *thread;
static volatile unsigned rounds, hooks_run;

/* Runs in the reaper, after the thread has exited. */
static __attribute__((noinline)) void race_thread_exit_hook(struct task *t,
							      void *arg)
{
	hooks_run++;
}

static int race_thread_fn(void *arg)
{
	if (!strcmp(mode, "exit")) {
		reaper_add_exit_hook(current, race_thread_exit_hook, NULL);
		return 0;
	}
	while (!kthread_should_stop()) {
		rounds++;
		sleep_ms(2);            /* a freeze point */
	}
	return 0;
}

static int race_thread_init(void)
{
	if (strcmp(mode, "loop") && strcmp(mode, "exit") &&
	    strcmp(mode, "forget"))
		return -EINVAL;
	return 0;
}

static int race_thread_register(void)
{
	/* Called again when an unload gives up and re-registers (e.g. out
	 * of memory before it could stop the thread mode=forget left
	 * running): stop the old thread and drop its reference first,
	 * rather than leak it beside a second one (found by failalloc
	 * sweep). kthread_stop returns at once if it has exited. */
	if (thread) {
		kthread_stop(thread);
		task_put(thread);
	}
	thread = module_kthread_run(race_thread_fn, NULL, "race_thread");
	if (!thread)
		return -ENOMEM;
	task_get(thread);
	return 0;
}

static void race_thread_unregister(void)
{
	if (!strcmp(mode, "forget"))
		return;                 /* the bug R15 is about */
	kthread_stop(thread);   /* at once if it has exited already */
	task_put(thread);
	thread = NULL;
}

static void race_thread_cleanup(void)
{
	if (thread)
		task_put(thread);
	thread = NULL;
}

MODULE_INIT(race_thread_init);
MODULE_REGISTER(race_thread_register);
MODULE_UNREGISTER(race_thread_unregister);
MODULE_CLEANUP(race_thread_cleanup);
