/*
 * kernel/module/memusage.c: reading memory usage for leak checks
 * (<kernel/module/memusage.h>).
 */
#include <kernel/module/memusage.h>
#include <kernel/module/modmem.h>
#include <mm/heap.h>
#include <mm/pmm.h>

void mem_usage_read(struct mem_usage *u)
{
	struct heap_stats st;

	heap_stats(&st);
	u->frames = pmm_used() - st.arena_bytes / PAGE_SIZE;
	u->modpages = modmem_mapped_pages();
	u->heap_bytes = st.bytes_in_use;
	u->heap_allocs = st.allocations;
}

bool mem_usage_same(const struct mem_usage *a, const struct mem_usage *b)
{
	return a->frames == b->frames && a->modpages == b->modpages &&
	       a->heap_bytes == b->heap_bytes &&
	       a->heap_allocs == b->heap_allocs;
}

bool mem_usage_within(const struct mem_usage *now,
		      const struct mem_usage *base)
{
	return now->frames <= base->frames &&
	       now->modpages <= base->modpages &&
	       now->heap_bytes <= base->heap_bytes &&
	       now->heap_allocs <= base->heap_allocs;
}
