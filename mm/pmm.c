/*
 * mm/pmm.c: physical frames, one bit each (set = in use or not RAM).
 *
 * Allocation is next-fit from a moving hint, so a frame freed a moment ago
 * is not handed out again at once: a stale physical pointer then tends to
 * read old data rather than someone else's fresh data.
 */
#include <mm/pmm.h>
#include <mm/failalloc.h>
#include <mm/bitmap.h>
#include <kernel/arch.h>
#include <kernel/multiboot.h>
#include <kernel/panic.h>

#define NFRAMES (PMM_MAX_BYTES / PAGE_SIZE)

static uint32_t bits[NFRAMES / 32];
static struct bitmap frames = { bits, NFRAMES };
static uint32_t hint, used, total;
static uintptr_t ram_top;
static uint64_t ram_ignored;            /* bytes of RAM above the cap */

extern char _kernel_start[], _kernel_end[];

static void mark_free(uint64_t start, uint64_t end)
{
	if (start < 0x100000)           /* BIOS, VGA, the multiboot info */
		start = 0x100000;
	if (end > PMM_MAX_BYTES) {
		ram_ignored += end - (start > PMM_MAX_BYTES ? start :
				      PMM_MAX_BYTES);
		end = PMM_MAX_BYTES;
	}
	start = PAGE_ALIGN_UP(start);
	end = PAGE_ALIGN_DOWN(end);
	if (start >= end)
		return;
	bitmap_clear_range(&frames, start / PAGE_SIZE,
			   (end - start) / PAGE_SIZE);
	if (end > ram_top)
		ram_top = end;
}

void pmm_reserve(uintptr_t start, uintptr_t end)
{
	if (end > PMM_MAX_BYTES)
		end = PMM_MAX_BYTES;
	start = PAGE_ALIGN_DOWN(start);
	end = PAGE_ALIGN_UP(end);
	if (start < end)
		bitmap_set_range(&frames, start / PAGE_SIZE,
				 (end - start) / PAGE_SIZE);
}

void pmm_init(const struct multiboot_info *mbi)
{
	bitmap_set_range(&frames, 0, NFRAMES);
	if (mbi->flags & MB_INFO_MMAP) {
		uintptr_t p = mbi->mmap_addr;
		uintptr_t end = p + mbi->mmap_length;

		while (p < end) {
			const struct multiboot_mmap *m = (const void *)p;

			if (m->type == 1)
				mark_free(m->addr, m->addr + m->len);
			p += m->size + sizeof(m->size);
		}
	} else if (mbi->flags & MB_INFO_MEMORY) {
		mark_free(0x100000, 0x100000 + (uint64_t)mbi->mem_upper * 1024);
	} else {
		panic("the boot loader gave no memory map");
	}
	pmm_reserve((uintptr_t)_kernel_start, (uintptr_t)_kernel_end);
	if (mbi->flags & MB_INFO_MODS) {
		const struct multiboot_mod *mod = (const void *)mbi->mods_addr;

		for (uint32_t i = 0; i < mbi->mods_count; i++)
			pmm_reserve(mod[i].start, mod[i].end);
	}
	total = NFRAMES - bitmap_count(&frames);
	hint = 0x100000 / PAGE_SIZE;
}

uintptr_t pmm_alloc(void)
{
	uint32_t f;
	int64_t i;

	if (failalloc_check(FAILALLOC_FRAME, 1,
			    (uintptr_t)__builtin_return_address(0),
			    FAILALLOC_CALLER2()))
		return 0;
	f = irq_save();
	i = bitmap_find_clear(&frames, hint, 1);

	if (i < 0)
		i = bitmap_find_clear(&frames, 0, 1);
	if (i < 0) {
		irq_restore(f);
		return 0;
	}
	bitmap_set(&frames, (uint32_t)i);
	hint = (uint32_t)i + 1;
	used++;
	irq_restore(f);
	return (uintptr_t)i * PAGE_SIZE;
}

void pmm_free(uintptr_t pa)
{
	uint32_t f = irq_save();
	uint32_t i = pa / PAGE_SIZE;

	assert(pa % PAGE_SIZE == 0 && i < NFRAMES);
	assert(bitmap_test(&frames, i));        /* double free */
	bitmap_clear(&frames, i);
	used--;
	irq_restore(f);
}

uint32_t pmm_used(void)
{
	return used;
}

uint32_t pmm_total(void)
{
	return total;
}

uint32_t pmm_free_count(void)
{
	uint32_t f = irq_save();
	uint32_t n = NFRAMES - bitmap_count(&frames);

	irq_restore(f);
	return n;
}

uintptr_t pmm_ram_top(void)
{
	return ram_top;
}

uint64_t pmm_ignored_bytes(void)
{
	return ram_ignored;
}
