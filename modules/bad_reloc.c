/*
 * modules/bad_reloc.c: built with -fpic (see the Makefile), so it reaches
 * its data through the GOT (R_386_GOTPC, R_386_GOTOFF), which the loader
 * refuses: "compile with -fno-pic".
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: position-independent code (GOT relocations)");
MODULE_LICENSE("GPL");

int bad_reloc_value = 42;

static int bad_init(void)
{
	return bad_reloc_value == 42 ? 0 : -EIO;
}
MODULE_INIT(bad_init);
