/*
 * kernel/lib/stackwalk.c: the frame-pointer walk, with its bounds checks.
 *
 * Pure logic, shared by the kernel and the host tests. See
 * <kernel/backtrace.h> for the frame layout and why every check is there.
 */
#include <kernel/lib/stackwalk.h>

unsigned stack_walk(uintptr_t ebp, uintptr_t lo, uintptr_t hi,
		    uintptr_t *out, unsigned max)
{
	unsigned n = 0;

	while (n < max) {
		const uintptr_t *frame = (const uintptr_t *)ebp;
		uintptr_t next, ret;

		/* The frame's two words must both lie inside the stack. */
		if (ebp < lo || ebp & (sizeof(uintptr_t) - 1) ||
		    ebp > hi - 2 * sizeof(uintptr_t))
			break;
		next = frame[0];
		ret = frame[1];
		if (ret == 0)
			break;
		out[n++] = ret;
		/* Frames grow toward higher addresses as we unwind: a chain
		 * that goes down or stays put is corrupt (or a loop). */
		if (next <= ebp)
			break;
		ebp = next;
	}
	return n;
}
