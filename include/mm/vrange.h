/*
 * <mm/vrange.h>: allocating ranges of virtual pages in an area.
 *
 * A bitmap over the area's pages, searched next-fit from a cursor that only
 * moves forward (wrapping at the end). A freed range is therefore reused
 * only after the cursor has gone round the whole area: stale pointers into
 * it keep faulting for a long time. The module area adds an explicit
 * quarantine on top. Pure logic, host tested. Lock: the caller's.
 */
#ifndef MM_VRANGE_H
#define MM_VRANGE_H

#include <mm/bitmap.h>
#include <stddef.h>

struct vrange {
	uintptr_t base;
	uint32_t npages;
	struct bitmap map;      /* 1: page allocated (or quarantined) */
	uint32_t cursor;        /* next page to try */
	uint32_t used;          /* pages allocated */
};

/* bits must hold npages bits (zeroed by this call). */
void vrange_init(struct vrange *vr, uintptr_t base, uint32_t npages,
		 uint32_t *bits);
/* Return: the start of npages free pages, or 0 if none. */
uintptr_t vrange_alloc(struct vrange *vr, uint32_t npages);
/* Release pages [va, va + npages*4K); each must be allocated. */
void vrange_free(struct vrange *vr, uintptr_t va, uint32_t npages);
/* Return: true if va lies in the area. */
bool vrange_contains(const struct vrange *vr, uintptr_t va);

#endif
