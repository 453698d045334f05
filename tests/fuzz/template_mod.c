/*
 * tests/fuzz/template_mod.c: the module fuzz_modinfo rewrites.
 *
 * Built like a sample module (build/fuzz/template.ko) but not put on the
 * ISO. Its .modinfo section has a 256-byte padding entry, so an input has
 * room to say a lot there (more would make each input slower: every
 * lookup walks the whole section); it has one parameter of each type, and an
 * export, so parameters and exports are read for real.
 */
#include <kernel/module.h>

#define PAD16 "0123456789abcdef"
#define PAD256 PAD16 PAD16 PAD16 PAD16 PAD16 PAD16 PAD16 PAD16 \
	PAD16 PAD16 PAD16 PAD16 PAD16 PAD16 PAD16 PAD16

MODULE_DESCRIPTION("the fuzzer's template module");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_COUNTING("boundary");
MODULE_INFO(padding, PAD256);

static int number = 7;
static bool flag;
static char word[16] = "hello";
MODULE_PARAM_INT(number, "a number");
MODULE_PARAM_BOOL(flag, "a flag");
MODULE_PARAM_STR(word, "a word");

int template_value(void)
{
	return number + flag + word[0];
}
EXPORT_SYMBOL(template_value);

static int template_init(void)
{
	return template_value() ? 0 : -EINVAL;
}
MODULE_INIT(template_init);
