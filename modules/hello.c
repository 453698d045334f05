/*
 * modules/hello.c: the smallest useful module. All four hooks and two
 * parameters: `insmod hello who=students times=3`.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("says hello and goodbye; the first module to load");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

static char who[24] = "world";
static int times = 1;
MODULE_PARAM_STR(who, "whom to greet");
MODULE_PARAM_INT(times, "how many times to greet");

static int hello_init(void)
{
	for (int i = 0; i < times && i < 10; i++)
		pr_info("hello, %s", who);
	return 0;
}

static int hello_register(void)
{
	pr_debug("hello: register (nothing to publish)");
	return 0;
}

static void hello_unregister(void)
{
	pr_debug("hello: unregister");
}

static void hello_cleanup(void)
{
	pr_info("goodbye, %s", who);
}

MODULE_INIT(hello_init);
MODULE_REGISTER(hello_register);
MODULE_UNREGISTER(hello_unregister);
MODULE_CLEANUP(hello_cleanup);
