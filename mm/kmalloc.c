/*
 * mm/kmalloc.c: the kernel heap: heap.c's allocator over the heap area,
 * growing by mapping fresh frames at its end. Interrupts are off inside
 * each call, which is the heap's lock on one CPU.
 */
#include <mm/heap.h>
#include <mm/failalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>

static struct heap kheap;

static int grow(struct heap *h, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += PAGE_SIZE) {
		uintptr_t pa = pmm_alloc();

		if (!pa) {
			vmm_unmap_free(h->brk, off / PAGE_SIZE);
			return -ENOMEM;
		}
		vmm_map(h->brk + off, pa, PTE_WRITE);
	}
	return 0;
}

void heap_init(void)
{
	heap_core_init(&kheap, HEAP_BASE, HEAP_END, grow, PAGE_SIZE);
}

/* site: the caller of kmalloc, kzalloc or kstrdup, for failalloc's report.
 * Inline in all three: kmalloc is one of the hottest calls there is. */
static inline __attribute__((always_inline)) void *
kmalloc_from(size_t size, uintptr_t site, uintptr_t site2)
{
	uint32_t f;
	void *p;

	assert(irq_depth == 0);         /* never from an interrupt handler */
	if (failalloc_check(FAILALLOC_HEAP, size, site, site2))
		return NULL;
	f = irq_save();
	p = heap_core_alloc(&kheap, size);
	irq_restore(f);
	return p;
}

#define CALLER ((uintptr_t)__builtin_return_address(0))
#define CALLER2 (FAILALLOC_CALLER2())

void *kmalloc(size_t size)
{
	return kmalloc_from(size, CALLER, CALLER2);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc_from(size, CALLER, CALLER2);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	uint32_t f = irq_save();

	heap_core_free(&kheap, p);
	irq_restore(f);
}

char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = kmalloc_from(n, CALLER, CALLER2);

	if (p)
		memcpy(p, s, n);
	return p;
}

void heap_stats(struct heap_stats *st)
{
	uint32_t f = irq_save();

	heap_core_stats(&kheap, st);
	irq_restore(f);
}
