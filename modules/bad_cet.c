/*
 * modules/bad_cet.c: built with -fcf-protection=full (Ubuntu's gcc
 * default), which adds a .note.gnu.property section (issue 16, 6). The
 * loader must refuse it naming the section and the flag that removes it.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: built with -fcf-protection (a CET note)");
MODULE_LICENSE("GPL");

static int bad_cet_init(void)
{
	return 0;
}
MODULE_INIT(bad_cet_init);
