/*
 * modules/bad_owner.c: registrations with owner NULL, never withdrawn
 * (issue 16, 4).
 *
 * what=timer arms a periodic timer, what=command registers a command,
 * what=service a service, each with .owner = NULL (a hand-written
 * initialiser instead of TIMER_INIT / MODULE_COMMAND / SERVICE_INIT), and
 * unregister withdraws nothing. Without an owner the core cannot count
 * calls into the module nor withdraw what it forgot: after rmmod, the
 * timer tick, `help` or `svc` would run freed memory. The kernel must
 * refuse such a registration, naming the module.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: a timer, command or service with owner NULL");
MODULE_LICENSE("GPL");

static char what[16] = "timer";
MODULE_PARAM_STR(what, "timer, command or service");

static void tick_fn(struct timer *t)
{
	timer_add(t, 10);
}
static struct timer tick = { .fn = tick_fn, .owner = NULL };

static int orphan_cmd(int argc, char **argv)
{
	kprintf("orphan\n");
	return 0;
}
static struct command orphan = { .name = "orphan", .usage = "",
				 .help = "a command without an owner",
				 .fn = orphan_cmd, .owner = NULL };

static int orphan_call(struct service *svc, uint32_t op, uint32_t arg,
		       uint32_t *result)
{
	*result = arg;
	return 0;
}
static const struct service_ops orphan_ops = { .call = orphan_call };
static struct service orphan_svc = { .name = "orphan", .ops = &orphan_ops,
				     .owner = NULL };

static int bad_owner_register(void)
{
	if (!strcmp(what, "timer"))
		return timer_add(&tick, 10);
	if (!strcmp(what, "command"))
		return shell_register(&orphan);
	if (!strcmp(what, "service"))
		return service_register(&orphan_svc);
	return -EINVAL;
}

MODULE_REGISTER(bad_owner_register);
