/*
 * modules/bad_unknown.c: calls a function nobody exports.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: uses an unknown symbol");
MODULE_LICENSE("GPL");

void no_such_function(void);

static int bad_init(void)
{
	no_such_function();
	return 0;
}
MODULE_INIT(bad_init);
