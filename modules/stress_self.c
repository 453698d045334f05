/*
 * modules/stress_self.c: the stress test's self-counting module.
 *
 * It counts itself the 2002 way (MODULE_COUNTING("self")), and every
 * entry (its command `stress_self`, its service "stress_self", and the
 * exported stress_self_work that stress_user calls) passes through both
 * windows of the seed with a scheduling point in each:
 *
 *	probe("module.entry");   entered, not yet counted
 *	MOD_INC_USE_COUNT;
 *	... work on the state cleanup frees ...
 *	MOD_DEC_USE_COUNT;
 *	probe("module.exit");    counted down, not yet returned
 *
 * A task held at either point runs module code with the use count at 0.
 * The naive unload frees the module under it, and the task returns into
 * freed memory: the use-after-free the stress run must catch. The
 * two-phase unload finds it (a return address inside, or the core's
 * reference at the boundary) and re-registers. A timer keeps firing too.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("stress: self-counting command, service, export, timer");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_COUNTING("self");

/* The kernel's stress hook (kernel/race/stress_sched.c). */

struct self_state {
	uint32_t calls;
	uint32_t fired;
};

static struct self_state *state;

static __attribute__((noinline)) uint32_t work(uint32_t arg)
{
	uint32_t v;

	probe("module.entry");
	MOD_INC_USE_COUNT;
	state->calls += arg;
	probe("module.body");
	v = state->calls;
	MOD_DEC_USE_COUNT;
	probe("module.exit");
	return v;
}

uint32_t stress_self_work(uint32_t arg)
{
	return work(arg);
}
EXPORT_SYMBOL(stress_self_work);

static int self_cmd(int argc, char **argv)
{
	work(1);
	return 0;
}

MODULE_COMMAND(self_command, "stress_self", "", "stress: one self-counted "
	       "call", self_cmd);

static int self_call(struct service *svc, uint32_t op, uint32_t arg,
		     uint32_t *result)
{
	*result = work(arg);
	return 0;
}

static const struct service_ops self_ops = { .call = self_call };
static struct service self_svc = SERVICE_INIT("stress_self", &self_ops);

static void self_fire(struct timer *t)
{
	state->fired++;
	timer_add(t, 7);
}

static struct timer self_timer = TIMER_INIT(self_fire);

static int self_init(void)
{
	state = kzalloc(sizeof(*state));
	return state ? 0 : -ENOMEM;
}

static int self_register(void)
{
	int ret = shell_register(&self_command);

	if (ret)
		return ret;
	ret = service_register(&self_svc);
	if (ret) {
		shell_unregister(&self_command);
		return ret;
	}
	timer_add(&self_timer, 7);
	return 0;
}

static void self_unregister(void)
{
	timer_del(&self_timer);
	service_unregister(&self_svc);
	shell_unregister(&self_command);
}

static void self_cleanup(void)
{
	kfree(state);
	state = NULL;
}

MODULE_INIT(self_init);
MODULE_REGISTER(self_register);
MODULE_UNREGISTER(self_unregister);
MODULE_CLEANUP(self_cleanup);
