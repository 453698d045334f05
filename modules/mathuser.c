/*
 * modules/mathuser.c: uses mathlib's exports, so it depends on mathlib
 * (found from its symbols, and declared with MODULE_DEPENDS). Adds the
 * command `gcd A B`.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("uses mathlib: the command 'gcd A B'");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_DEPENDS("mathlib");

/* What mathlib exports (a real pair would share a header). */
uint32_t mathlib_gcd(uint32_t a, uint32_t b);
extern unsigned mathlib_calls;

static int gcd_cmd(int argc, char **argv)
{
	uint32_t a, b;

	if (argc != 3 || parse_u32(argv[1], &a) || parse_u32(argv[2], &b))
		return cmd_error(-EINVAL, "usage: gcd A B");
	kprintf("gcd(%lu, %lu) = %lu (mathlib called %u times)\n",
		(unsigned long)a, (unsigned long)b,
		(unsigned long)mathlib_gcd(a, b), mathlib_calls);
	return 0;
}
MODULE_COMMAND(gcd, "gcd", "A B", "greatest common divisor, via mathlib",
	       gcd_cmd);

static int mathuser_init(void)
{
	return mathlib_gcd(12, 18) == 6 ? 0 : -EIO;
}

static int mathuser_register(void)
{
	return shell_register(&gcd);
}

static void mathuser_unregister(void)
{
	shell_unregister(&gcd);
}

MODULE_INIT(mathuser_init);
MODULE_REGISTER(mathuser_register);
MODULE_UNREGISTER(mathuser_unregister);
