/*
 * modules/shout.c: a module that adds a console command.
 *
 * `shout WORDS` prints the words in capitals. The shell calls the command
 * through the module boundary: the module's use count is 1 while it runs.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("adds the console command 'shout'");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

static unsigned calls;

static int shout(int argc, char **argv)
{
	calls++;
	for (int i = 1; i < argc; i++) {
		for (const char *p = argv[i]; *p; p++)
			kprintf("%c", *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		kprintf(i + 1 < argc ? " " : "");
	}
	kprintf("!\n");
	return 0;
}
MODULE_COMMAND(shout_cmd, "shout", "WORDS...", "print the words loudly",
	       shout);

static int shout_register(void)
{
	return shell_register(&shout_cmd);
}

static void shout_unregister(void)
{
	shell_unregister(&shout_cmd);
}

static void shout_cleanup(void)
{
	pr_debug("shout: %u calls", calls);
}

MODULE_REGISTER(shout_register);
MODULE_UNREGISTER(shout_unregister);
MODULE_CLEANUP(shout_cleanup);
