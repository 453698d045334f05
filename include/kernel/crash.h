/*
 * <kernel/crash.h>: the `crash` command's kinds (kernel/crash.c).
 */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

/* Add `crash NAME`: fn does something wrong on purpose; what says what,
 * in `crash`'s list. At most 8 kinds in all. Context: boot (an initcall). */
void crash_add_kind(const char *name, void (*fn)(void), const char *what);

#endif
