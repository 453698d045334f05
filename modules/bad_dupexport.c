/*
 * modules/bad_dupexport.c: exports a name mathlib already exports (and
 * one the kernel exports), so loading it next to mathlib fails (EEXIST).
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: exports mathlib_gcd, already exported by mathlib");
MODULE_LICENSE("GPL");

uint32_t mathlib_gcd(uint32_t a, uint32_t b);

uint32_t mathlib_gcd(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}
EXPORT_SYMBOL(mathlib_gcd);
