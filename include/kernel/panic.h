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

struct trap_frame;

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
