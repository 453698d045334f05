/*
 * <kernel/module/memusage.h>: one reading of the memory the kernel has handed
 * out, for leak checks (tests, race scenarios, stress): frames, module
 * pages and heap. Frames exclude the heap arena, which grows and never
 * shrinks: that is not a leak.
 */
#ifndef KERNEL_MEMUSAGE_H
#define KERNEL_MEMUSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_usage {
	uint32_t frames;        /* pmm frames in use, heap arena excluded */
	uint32_t modpages;      /* module area pages mapped */
	size_t heap_bytes;      /* heap payload in use */
	size_t heap_allocs;     /* live heap allocations */
};

/* Context: any task. */
void mem_usage_read(struct mem_usage *u);
/* Return: true if a and b are equal in every count. */
bool mem_usage_same(const struct mem_usage *a, const struct mem_usage *b);
/* Return: true if now holds nothing more than base in any count. */
bool mem_usage_within(const struct mem_usage *now,
		      const struct mem_usage *base);

#endif
