/*
 * modules/stress_user.c: the stress test's cross-module path.
 *
 * Depends on stress_self (it calls stress_self_work, an export), so
 * stress_self cannot be unloaded while this one is loaded: every strategy
 * refuses that (race R10). Its command `stress_user` and service
 * "stress_user" enter this module through the boundary and then run
 * stress_self's code through the export, with no boundary between.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("stress: calls stress_self through an export");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_DEPENDS("stress_self");

uint32_t stress_self_work(uint32_t arg);

static int user_cmd(int argc, char **argv)
{
	probe("module.entry");
	stress_self_work(1);
	probe("module.exit");
	return 0;
}

MODULE_COMMAND(user_command, "stress_user", "", "stress: a call through "
	       "stress_self's export", user_cmd);

static int user_call(struct service *svc, uint32_t op, uint32_t arg,
		     uint32_t *result)
{
	*result = stress_self_work(arg);
	return 0;
}

static const struct service_ops user_ops = { .call = user_call };
static struct service user_svc = SERVICE_INIT("stress_user", &user_ops);

static int user_register(void)
{
	int ret = shell_register(&user_command);

	if (!ret && (ret = service_register(&user_svc)))
		shell_unregister(&user_command);
	return ret;
}

static void user_unregister(void)
{
	service_unregister(&user_svc);
	shell_unregister(&user_command);
}

MODULE_REGISTER(user_register);
MODULE_UNREGISTER(user_unregister);
