/*
 * modules/mathlib.c: a module that exports symbols to other modules.
 * Loading mathuser links against these; mathlib cannot be unloaded while
 * mathuser is loaded.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("exports mathlib_gcd and mathlib_calls to other modules");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

unsigned mathlib_calls;

uint32_t mathlib_gcd(uint32_t a, uint32_t b)
{
	mathlib_calls++;
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

EXPORT_SYMBOL(mathlib_gcd);
EXPORT_SYMBOL(mathlib_calls);
