/*
 * modules/race_cmd.c: a console command whose callback sleeps, for R9.
 *
 * `racecmd` runs in the module and, like many callbacks, calls a kernel
 * function that may sleep. While it sleeps, unregister can withdraw the
 * command: that stops new calls, not this one, which will return into the
 * module. The module counts itself and the callback takes no count (the
 * core calls it; in 2002 nothing made it count).
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("a command whose callback sleeps in the kernel (R9)");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_COUNTING("self");

static volatile unsigned runs;

static int racecmd(int argc, char **argv)
{
	probe("R9.callback");      /* asleep in the kernel, mid-call */
	runs++;
	return 0;
}
MODULE_COMMAND(racecmd_cmd, "racecmd", "", "a callback that sleeps (R9)",
	       racecmd);

static int race_cmd_register(void)
{
	return shell_register(&racecmd_cmd);
}

static void race_cmd_unregister(void)
{
	shell_unregister(&racecmd_cmd);
}

MODULE_REGISTER(race_cmd_register);
MODULE_UNREGISTER(race_cmd_unregister);
