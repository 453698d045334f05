/*
 * <kernel/backtrace.h>: stack bounds and printed backtraces, on top of the
 * pure walker <kernel/lib/stackwalk.h>.
 */
#ifndef KERNEL_BACKTRACE_H
#define KERNEL_BACKTRACE_H

#include <stdint.h>
#include <stdbool.h>
#include <kernel/lib/stackwalk.h>

/*
 * The stack bounds that contain addr. The boot and double-fault stacks are
 * built in; the scheduler adds a finder for task stacks.
 * Return: false if addr is on no known stack.
 */
bool stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);
typedef bool (*stack_bounds_fn)(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);
void backtrace_set_bounds_fn(stack_bounds_fn fn);

/*
 * Print "#0 eip sym", then one line per frame found from ebp, each prefixed
 * by indent, on the console (kprintf), so a report stays together.
 * Context: any.
 */
void backtrace_print(uintptr_t eip, uintptr_t ebp, const char *indent);
/* Backtrace of the caller. */
void backtrace_here(const char *indent);

#endif
