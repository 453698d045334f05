/*
 * modules/bad_init.c: init fails (after allocating, which it undoes).
 * The loader must unwind completely: memory back where it was.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: init fails with EIO");
MODULE_LICENSE("GPL");

static int bad_init(void)
{
	void *p = kmalloc(100);

	kfree(p);
	return -EIO;
}

static void bad_cleanup(void)
{
	panic("bad_init: cleanup must not run after a failed init");
}

MODULE_INIT(bad_init);
MODULE_CLEANUP(bad_cleanup);
