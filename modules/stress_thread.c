/*
 * modules/stress_thread.c: the stress test's module with a thread.
 *
 * Boundary counting (the core holds the use count around each call). Its
 * own kernel thread loops through a scheduling point and a short sleep,
 * so an unload always finds it running: the protocol must stop it (never
 * freeze it) and wait until it is reaped. Its command `stress_thread` and
 * service "stress_thread" pass a scheduling point inside module code.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("stress: a module thread, a command and a service");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");


static struct task *thread;
static volatile uint32_t rounds, calls;

static int thread_fn(void *arg)
{
	while (!kthread_should_stop()) {
		rounds++;
		probe("module.thread");
		sleep_ms(2);
	}
	return 0;
}

static int thread_cmd(int argc, char **argv)
{
	probe("module.entry");
	calls++;
	probe("module.exit");
	return 0;
}

MODULE_COMMAND(thread_command, "stress_thread", "", "stress: one call",
	       thread_cmd);

static int thread_call(struct service *svc, uint32_t op, uint32_t arg,
		       uint32_t *result)
{
	probe("module.entry");
	*result = calls += arg;
	probe("module.exit");
	return 0;
}

static const struct service_ops thread_ops = { .call = thread_call };
static struct service thread_svc = SERVICE_INIT("stress_thread",
						&thread_ops);

static int thread_register(void)
{
	int ret;

	thread = module_kthread_run(thread_fn, NULL, "stress_thread");
	if (!thread)
		return -ENOMEM;
	task_get(thread);
	ret = shell_register(&thread_command);
	if (!ret)
		ret = service_register(&thread_svc);
	return ret;     /* on failure cleanup runs: it stops the thread */
}

static void stop_thread(void)
{
	if (thread) {
		kthread_stop(thread);
		task_put(thread);
		thread = NULL;
	}
}

static void thread_unregister(void)
{
	service_unregister(&thread_svc);
	shell_unregister(&thread_command);
	stop_thread();
}

MODULE_REGISTER(thread_register);
MODULE_UNREGISTER(thread_unregister);
MODULE_CLEANUP(stop_thread);
