/*
 * modules/bad_ctor.c: a constructor (issue 16, 6). GCC puts a pointer to
 * it in .init_array, which the loader does not run: it must refuse the
 * file naming the section and saying what to use instead (MODULE_INIT).
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: a constructor (.init_array)");
MODULE_LICENSE("GPL");

__attribute__((constructor)) static void bad_ctor(void)
{
	kprintf("bad_ctor: a constructor ran\n");
}
