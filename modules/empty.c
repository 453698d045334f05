/*
 * modules/empty.c: a module that does nothing, silently. All four hooks,
 * each empty: what `bench` loads and unloads to measure the loader and the
 * unload protocol themselves, without a line of console output (a printed
 * line costs far more than the load: the serial port is slow).
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("does nothing, quietly: the benchmarks' module");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

static int empty_init(void)
{
	return 0;
}

static int empty_register(void)
{
	return 0;
}

static void empty_unregister(void)
{
}

static void empty_cleanup(void)
{
}

MODULE_INIT(empty_init);
MODULE_REGISTER(empty_register);
MODULE_UNREGISTER(empty_unregister);
MODULE_CLEANUP(empty_cleanup);
