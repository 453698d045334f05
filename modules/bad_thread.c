/*
 * modules/bad_thread.c: register starts a thread, then fails (issue 16, 2).
 *
 * The loader must stop and reap the thread before it frees the module;
 * freeing first is a use-after-free the moment the thread next runs.
 * With owner=0 the thread is started with kthread_run(..., NULL, ...),
 * no owner at all: the kernel must still know it runs this module's code.
 * With fail=0 the load succeeds and the ownerless thread runs until the
 * unload (which must stop it, under every strategy).
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: register starts a thread, then fails");
MODULE_LICENSE("GPL");

static bool owner = true;
MODULE_PARAM_BOOL(owner, "start the thread with THIS_MODULE (0: NULL)");
static bool fail = true;
MODULE_PARAM_BOOL(fail, "register fails after starting the thread");

static volatile unsigned rounds;

static int spin_fn(void *arg)
{
	while (!kthread_should_stop()) {
		rounds++;
		sleep_ms(5);
	}
	return 0;
}

static int bad_thread_register(void)
{
	struct task *t = kthread_run(spin_fn, NULL,
				     owner ? THIS_MODULE : NULL, "bad_thread");

	if (!t)
		return -ENOMEM;
	return fail ? -EIO : 0; /* the bug: the thread is left running */
}

MODULE_REGISTER(bad_thread_register);
