/*
 * modules/worker.c: a module with a kernel thread of its own.
 *
 * The thread wakes every `period` ms and counts; `worker` prints the count.
 * The thread belongs to the module (module_kthread_run records the owner),
 * which is what the unload protocol needs to know: never freeze it, stop
 * it, and wait until its zombie has been reaped before freeing the module
 * (the seed: "we must wait until the process entries for the threads have
 * been reaped").
 *
 * The thread is started in register and stopped in unregister: a thread
 * is an interface of sorts (it acts on the world), and stopping it early
 * means cleanup never races with it.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("a kernel thread owned by the module, and a command 'worker'");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

static int period = 50;
MODULE_PARAM_INT(period, "how often the thread wakes, in ms");

static struct task *thread;
static volatile unsigned rounds;

static int worker_fn(void *arg)
{
	while (!kthread_should_stop()) {
		rounds++;
		sleep_ms(period);       /* a freeze point, too */
	}
	return 0;
}

static int worker_show(int argc, char **argv)
{
	kprintf("worker: %u rounds of %d ms\n", rounds, period);
	return 0;
}
MODULE_COMMAND(worker_cmd, "worker", "", "show the worker thread's count",
	       worker_show);

static int worker_init(void)
{
	return period < 1 ? -EINVAL : 0;
}

static int worker_register(void)
{
	thread = module_kthread_run(worker_fn, NULL, "worker");
	if (!thread)
		return -ENOMEM;
	task_get(thread);               /* ours until unregister */
	return shell_register(&worker_cmd);
}

static void worker_unregister(void)
{
	shell_unregister(&worker_cmd);
	if (thread) {
		kthread_stop(thread);
		task_put(thread);
		thread = NULL;
	}
}

MODULE_INIT(worker_init);
MODULE_REGISTER(worker_register);
MODULE_UNREGISTER(worker_unregister);
