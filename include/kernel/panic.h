/*
 * <kernel/panic.h>: stopping on a broken invariant.
 *
 * panic() prints the message, the registers when there is a trap frame, and
 * a symbolized backtrace, then exits QEMU with the failure code (or halts).
 * It is for broken invariants only; bad input gets an error, never a panic.
 *
 * assert(cond) panics with the condition, file and line when cond is false.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdbool.h>

struct trap_frame;

/* How a panic leaves the machine: the poweroff driver, installed first
 * thing in kmain; until then (and if it returns) a panic halts.
 * Context: boot. */
void panic_set_poweroff(void (*off)(bool success));

void panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
void panic_frame(struct trap_frame *tf, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#define assert(cond)                                                      \
	do {                                                              \
		if (__builtin_expect(!(cond), 0))                         \
			panic("assertion failed: %s at %s:%d", #cond,     \
			      __FILE__, __LINE__);                        \
	} while (0)

#endif
