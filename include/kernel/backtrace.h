/*
 * <kernel/backtrace.h>: walking a stack through its frame pointers.
 *
 * Every kernel and module function is built with -fno-omit-frame-pointer, so
 * each frame starts with [saved %ebp][return address]. The walk follows the
 * saved %ebp chain. It never trusts the stack: each frame must lie inside
 * the stack's bounds, be 4-byte aligned and sit above the previous one, so a
 * corrupt or racing stack ends the walk instead of faulting the walker.
 * That matters: the unload protocol walks the stacks of other tasks.
 */
#ifndef KERNEL_BACKTRACE_H
#define KERNEL_BACKTRACE_H

#include <stdint.h>
#include <stdbool.h>

#define BACKTRACE_MAX 32

/*
 * Collect up to max return addresses, starting from frame pointer ebp, with
 * every frame inside [lo, hi). Pure; host tested.
 * Return: the number of return addresses stored in out.
 */
unsigned stack_walk(uintptr_t ebp, uintptr_t lo, uintptr_t hi,
		    uintptr_t *out, unsigned max);

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
