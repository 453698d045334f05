/*
 * <kernel/lib/stackwalk.h>: walking a stack through its frame pointers.
 *
 * Every kernel and module function is built with -fno-omit-frame-pointer, so
 * each frame starts with [saved %ebp][return address]. The walk follows the
 * saved %ebp chain. It never trusts the stack: each frame must lie inside
 * the stack's bounds, be 4-byte aligned and sit above the previous one, so a
 * corrupt or racing stack ends the walk instead of faulting the walker.
 * That matters: the unload protocol walks the stacks of other tasks.
 */
#ifndef KERNEL_LIB_STACKWALK_H
#define KERNEL_LIB_STACKWALK_H

#include <stdint.h>

#define BACKTRACE_MAX 32

/*
 * Collect up to max return addresses, starting from frame pointer ebp, with
 * every frame inside [lo, hi). Pure; host tested.
 * Return: the number of return addresses stored in out.
 */
unsigned stack_walk(uintptr_t ebp, uintptr_t lo, uintptr_t hi,
		    uintptr_t *out, unsigned max);

#endif
