/*
 * mm/heap.c: a first-fit heap with an address-ordered free list.
 *
 * Every block starts with a 16-byte header: its total size, a magic word
 * telling whether it is allocated or free, and (when free) the next free
 * block. Invariants, checked by heap_core_check() and by asserts:
 *   - blocks tile [start, brk) exactly; sizes are multiples of 16;
 *   - the free list is sorted by address and no two free blocks touch
 *     (kfree merges with both neighbours);
 *   - bytes in use + free bytes + one header per block == arena size.
 * First fit over a list is O(free blocks) per call; fine for a kernel whose
 * heap holds hundreds of objects, and easy to read.
 */
#include <mm/heap.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/lib/string.h>

#define ALIGN 16u
#define MAGIC_USED 0xa110c8edu
#define MAGIC_FREE 0xf4eef4eeu

struct heap_block {
	uint32_t size;                  /* header included */
	uint32_t magic;
	struct heap_block *next;        /* free blocks only */
} __attribute__((aligned(ALIGN)));

_Static_assert(sizeof(struct heap_block) == ALIGN, "header is 16 bytes");

void heap_core_init(struct heap *h, uintptr_t start, uintptr_t limit,
		    int (*grow)(struct heap *, size_t), size_t grow_unit)
{
	*h = (struct heap){ .start = start, .brk = start, .limit = limit,
			    .grow = grow, .grow_unit = grow_unit };
}

/* Put b into the free list in address order, merging with neighbours. */
static void insert_free(struct heap *h, struct heap_block *b)
{
	struct heap_block **pp = &h->free_list, *prev = NULL;

	while (*pp && *pp < b) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	b->magic = MAGIC_FREE;
	b->next = *pp;
	*pp = b;
	if (b->next && (uintptr_t)b + b->size == (uintptr_t)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
		h->blocks--;
	}
	if (prev && (uintptr_t)prev + prev->size == (uintptr_t)b) {
		prev->size += b->size;
		prev->next = b->next;
		h->blocks--;
	}
}

static int extend(struct heap *h, size_t need)
{
	size_t bytes = (need + h->grow_unit - 1) / h->grow_unit * h->grow_unit;
	struct heap_block *b;

	if (bytes > h->limit - h->brk || h->grow(h, bytes))
		return -ENOMEM;
	b = (struct heap_block *)h->brk;
	b->size = bytes;
	h->brk += bytes;
	h->st.arena_bytes += bytes;
	h->blocks++;
	insert_free(h, b);
	return 0;
}

void *heap_core_alloc(struct heap *h, size_t size)
{
	struct heap_block **pp, *b;
	size_t need;

	if (size == 0 || size > h->limit - h->start)
		return NULL;
	need = (size + sizeof(struct heap_block) + ALIGN - 1) & ~(ALIGN - 1);
	for (;;) {
		for (pp = &h->free_list; *pp; pp = &(*pp)->next)
			if ((*pp)->size >= need)
				break;
		if (*pp)
			break;
		if (extend(h, need))
			return NULL;
	}
	b = *pp;
	assert(b->magic == MAGIC_FREE);
	if (b->size - need >= 2 * sizeof(struct heap_block)) {
		/* split: the tail stays free, in b's place in the list */
		struct heap_block *rest = (void *)((uintptr_t)b + need);

		rest->size = b->size - need;
		rest->magic = MAGIC_FREE;
		rest->next = b->next;
		*pp = rest;
		b->size = need;
		h->blocks++;
	} else {
		*pp = b->next;
	}
	b->magic = MAGIC_USED;
	b->next = NULL;
	h->st.bytes_in_use += b->size - sizeof(*b);
	h->st.allocations++;
	return b + 1;
}

void heap_core_free(struct heap *h, void *p)
{
	struct heap_block *b;

	if (!p)
		return;
	b = (struct heap_block *)p - 1;
	assert((uintptr_t)b >= h->start && (uintptr_t)p < h->brk);
	assert(((uintptr_t)p & (ALIGN - 1)) == 0);
	if (b->magic != MAGIC_USED)
		panic("kfree(%p): %s", p, b->magic == MAGIC_FREE ?
		      "double free" : "not a heap pointer (bad magic)");
	h->st.bytes_in_use -= b->size - sizeof(*b);
	h->st.allocations--;
	insert_free(h, b);
}

void heap_core_stats(const struct heap *h, struct heap_stats *st)
{
	*st = h->st;
	st->free_bytes = h->st.arena_bytes - h->st.bytes_in_use -
			 h->blocks * sizeof(struct heap_block);
}

void heap_core_check(const struct heap *h)
{
	uintptr_t p = h->start;
	const struct heap_block *f = h->free_list;
	size_t used = 0, free = 0, headers = 0;

	while (p < h->brk) {
		const struct heap_block *b = (const void *)p;

		assert(b->size >= sizeof(*b) && b->size % ALIGN == 0);
		assert(b->magic == MAGIC_USED || b->magic == MAGIC_FREE);
		if (b->magic == MAGIC_FREE) {
			assert(b == f);         /* sorted, nothing missing */
			assert(!b->next || (uintptr_t)b + b->size <
					   (uintptr_t)b->next);
			f = b->next;
			free += b->size - sizeof(*b);
		} else {
			used += b->size - sizeof(*b);
		}
		headers += sizeof(*b);
		p += b->size;
	}
	assert(p == h->brk && f == NULL);
	assert(used == h->st.bytes_in_use);
	assert(headers == h->blocks * sizeof(struct heap_block));
	assert(used + free + headers == h->st.arena_bytes);
}
