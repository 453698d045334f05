/*
 * mm/vrange.c: next-fit virtual range allocation (see <mm/vrange.h>).
 */
#include <mm/vrange.h>
#include <mm/pmm.h>
#include <kernel/panic.h>
#include <kernel/lib/string.h>

void vrange_init(struct vrange *vr, uintptr_t base, uint32_t npages,
		 uint32_t *bits)
{
	vr->base = base;
	vr->npages = npages;
	vr->map.bits = bits;
	vr->map.nbits = npages;
	vr->cursor = 0;
	vr->used = 0;
	memset(bits, 0, (npages + 31) / 32 * sizeof(uint32_t));
}

uintptr_t vrange_alloc(struct vrange *vr, uint32_t npages)
{
	int64_t i = bitmap_find_clear(&vr->map, vr->cursor, npages);

	if (i < 0)
		i = bitmap_find_clear(&vr->map, 0, npages);
	if (i < 0)
		return 0;
	bitmap_set_range(&vr->map, (uint32_t)i, npages);
	vr->cursor = ((uint32_t)i + npages) % vr->npages;
	vr->used += npages;
	return vr->base + (uintptr_t)i * PAGE_SIZE;
}

void vrange_free(struct vrange *vr, uintptr_t va, uint32_t npages)
{
	uint32_t first = (va - vr->base) / PAGE_SIZE;

	assert(vrange_contains(vr, va) && va % PAGE_SIZE == 0);
	assert(first + npages <= vr->npages);
	for (uint32_t i = first; i < first + npages; i++) {
		assert(bitmap_test(&vr->map, i));       /* double free */
		bitmap_clear(&vr->map, i);
	}
	vr->used -= npages;
}

bool vrange_contains(const struct vrange *vr, uintptr_t va)
{
	return va >= vr->base &&
	       va - vr->base < (uintptr_t)vr->npages * PAGE_SIZE;
}
