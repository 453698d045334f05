/*
 * modules/bad_refs.c: reference calls used wrongly (issue 16, 3).
 *
 * `bad_refs put` calls module_put without a get, `bad_refs dec` runs
 * MOD_DEC_USE_COUNT without MOD_INC_USE_COUNT; with unreg_get=1 the
 * unregister hook takes module_get(THIS_MODULE) (and never puts it).
 * Each is a module bug: the kernel must warn, naming the module and the
 * call, keep the counts consistent, and never panic.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: module_put without get, MOD_DEC_USE_COUNT without "
		   "inc, module_get in unregister");
MODULE_LICENSE("GPL");

static bool unreg_get;
MODULE_PARAM_BOOL(unreg_get, "module_get(THIS_MODULE) in unregister");

static int bad_refs_cmd(int argc, char **argv)
{
	if (argc != 2)
		return cmd_error(-EINVAL, "usage: bad_refs put|dec|putput");
	if (!strcmp(argv[1], "put")) {
		module_put(THIS_MODULE);        /* drops the shell's pin */
		module_put(THIS_MODULE);        /* and one nobody took */
	} else if (!strcmp(argv[1], "dec")) {
		MOD_DEC_USE_COUNT;
		MOD_DEC_USE_COUNT;
	} else {
		return cmd_error(-EINVAL, "usage: bad_refs put|dec");
	}
	return 0;
}
MODULE_COMMAND(bad_refs_command, "bad_refs", "put|dec",
	       "misuse a reference call", bad_refs_cmd);

static int bad_refs_register(void)
{
	return shell_register(&bad_refs_command);
}

static void bad_refs_unregister(void)
{
	shell_unregister(&bad_refs_command);
	if (unreg_get)
		module_get(THIS_MODULE);
}

MODULE_REGISTER(bad_refs_register);
MODULE_UNREGISTER(bad_refs_unregister);
