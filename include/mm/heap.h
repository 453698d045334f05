/*
 * <mm/heap.h>: kmalloc and kfree, with accounting.
 *
 * The kernel heap lives at HEAP_BASE and grows a page at a time. `mem`
 * prints heap_stats(), and tests compare it before and after an operation
 * to prove nothing leaked.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
	size_t bytes_in_use;    /* payload bytes of live allocations */
	size_t allocations;     /* live allocations */
	size_t arena_bytes;     /* bytes the heap has mapped */
	size_t free_bytes;      /* of those, free */
};

/*
 * Return: 16-byte aligned memory, or NULL. kzalloc zeroes it.
 * Context: any except IRQ; interrupts off inside (never sleeps).
 */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Free p (NULL is fine). Freeing twice, or a bad pointer, panics. */
void kfree(void *p);
/* Duplicate a string. Return: NULL if out of memory. */
char *kstrdup(const char *s);

void heap_stats(struct heap_stats *st);
/* Context: boot, after vmm_init. */
void heap_init(void);

/* ---- the allocator core, shared with host tests ------------------------ */
struct heap_block;
struct heap {
	uintptr_t start, brk, limit;    /* [start, brk) is the arena */
	/* Extend the arena by bytes (a multiple of grow_unit); 0 or -ENOMEM. */
	int (*grow)(struct heap *h, size_t bytes);
	size_t grow_unit;
	struct heap_block *free_list;   /* address ordered */
	size_t blocks;                  /* blocks tiling the arena */
	struct heap_stats st;           /* free_bytes: see heap_core_stats */
};
void heap_core_init(struct heap *h, uintptr_t start, uintptr_t limit,
		    int (*grow)(struct heap *, size_t), size_t grow_unit);
void *heap_core_alloc(struct heap *h, size_t size);
void heap_core_free(struct heap *h, void *p);
void heap_core_stats(const struct heap *h, struct heap_stats *st);
/* Check every invariant of the free list; panics on a broken one. */
void heap_core_check(const struct heap *h);

#endif
