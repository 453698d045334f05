/*
 * modules/bad_common.c: built with -fcommon (see the Makefile): the
 * tentative definition below becomes a COMMON symbol, which the loader
 * refuses: "compile with -fno-common".
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: a COMMON symbol");
MODULE_LICENSE("GPL");

int bad_common_counter;

static int bad_init(void)
{
	bad_common_counter++;
	return 0;
}
MODULE_INIT(bad_init);
