/*
 * mm/vmm.c: the page directory, the identity map, and the vmap area.
 *
 * Layout and rules are in <mm/vmm.h>. The identity map covers RAM below
 * 256 MiB except page 0 (so NULL faults) and the boot stack's guard page;
 * kernel text and rodata are mapped read-only.
 */
#include <mm/vmm.h>
#include <mm/failalloc.h>
#include <mm/pmm.h>
#include <mm/tlb.h>
#include <mm/vrange.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>

#define CR0_PG 0x80000000u
#define CR0_WP 0x00010000u

static uint32_t page_dir[1024] __attribute__((aligned(4096)));

extern char _text_start[], _rodata_end[], boot_stack_guard[];

static uint32_t vmap_bits[(VMAP_END - VMAP_BASE) / PAGE_SIZE / 32];
static struct vrange vmap;

static uint32_t *pte_of(uintptr_t va)
{
	uint32_t pde = page_dir[va >> 22];

	if (!(pde & PTE_PRESENT))
		return NULL;
	return (uint32_t *)(pde & ~PTE_FLAGS) + ((va >> 12) & 1023);
}

static void add_table(uintptr_t va)
{
	uintptr_t pt = pmm_alloc();

	if (!pt)
		panic("out of memory building page tables");
	memset((void *)pt, 0, PAGE_SIZE);
	page_dir[va >> 22] = pt | PTE_PRESENT | PTE_WRITE;
}

static void add_tables(uintptr_t start, uintptr_t end)
{
	for (uintptr_t va = start; va < end; va += 1024 * PAGE_SIZE)
		if (!(page_dir[va >> 22] & PTE_PRESENT))
			add_table(va);
}

/* Map [start, end) to itself; the tables exist. One page table (4 MiB)
 * at a time, its entries in a row: 64 MiB of RAM is 16 Ki entries. */
static void identity_map(uintptr_t start, uintptr_t end, uint32_t flags)
{
	for (uintptr_t va = start; va < end;) {
		uintptr_t table_end = (va | (1024 * PAGE_SIZE - 1)) + 1;
		uint32_t *pte = pte_of(va);

		for (; va < end && va < table_end; va += PAGE_SIZE)
			*pte++ = va | flags;
	}
}

void vmm_init(void)
{
	uintptr_t top = pmm_ram_top();
	/* Read-only: every page that starts in [_text_start, _rodata_end). */
	uintptr_t ro_start = PAGE_ALIGN_UP((uintptr_t)_text_start);
	uintptr_t ro_end = PAGE_ALIGN_UP((uintptr_t)_rodata_end);

	/* Identity map: the tables come from low RAM, itself identity
	 * mapped, so we can fill them before paging is on. */
	add_tables(0, top);
	identity_map(PAGE_SIZE, ro_start, PTE_PRESENT | PTE_WRITE);
	identity_map(ro_start, ro_end, PTE_PRESENT);
	identity_map(ro_end, top, PTE_PRESENT | PTE_WRITE);
	*pte_of((uintptr_t)boot_stack_guard) = 0;
	add_tables(HEAP_BASE, HEAP_END);
	add_tables(VMAP_BASE, VMAP_END);
	add_tables(MODAREA_BASE, MODAREA_END);
	vrange_init(&vmap, VMAP_BASE, (VMAP_END - VMAP_BASE) / PAGE_SIZE,
		    vmap_bits);

	write_cr3((uint32_t)page_dir);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	gdt_set_df_cr3((uint32_t)page_dir);
}

static bool dynamic_area(uintptr_t va)
{
	return (va >= HEAP_BASE && va < VMAP_END) ||
	       (va >= MODAREA_BASE && va < MODAREA_END);
}

int vmm_map(uintptr_t va, uintptr_t pa, uint32_t flags)
{
	uint32_t *pte, f;

	if (!dynamic_area(va) || va % PAGE_SIZE || pa % PAGE_SIZE)
		return -EINVAL;
	f = irq_save();
	pte = pte_of(va);
	if (*pte & PTE_PRESENT) {
		irq_restore(f);
		return -EINVAL;
	}
	*pte = pa | PTE_PRESENT | (flags & PTE_WRITE);
	irq_restore(f);
	return 0;
}

uintptr_t vmm_unmap(uintptr_t va)
{
	uint32_t *pte, f;
	uintptr_t pa = 0;

	if (!dynamic_area(va))
		return 0;
	f = irq_save();
	pte = pte_of(va);
	if (*pte & PTE_PRESENT) {
		pa = *pte & ~PTE_FLAGS;
		*pte = 0;
		tlb_flush_range(va, 1);
	}
	irq_restore(f);
	return pa;
}

#define UNMAP_BATCH 128

size_t vmm_unmap_free(uintptr_t va, size_t npages)
{
	uintptr_t pa[UNMAP_BATCH];
	size_t done = 0;

	for (size_t i = 0; i < npages; i += UNMAP_BATCH) {
		size_t n = npages - i < UNMAP_BATCH ? npages - i : UNMAP_BATCH;
		uintptr_t base = va + i * PAGE_SIZE;
		unsigned got = 0;
		uint32_t f = irq_save();

		for (size_t k = 0; k < n; k++) {
			uint32_t *pte = pte_of(base + k * PAGE_SIZE);

			if (!dynamic_area(base + k * PAGE_SIZE) || !pte ||
			    !(*pte & PTE_PRESENT))
				continue;
			pa[got++] = *pte & ~PTE_FLAGS;
			*pte = 0;
		}
		/* Until every CPU has dropped them, the frames stay ours. */
		tlb_flush_range(base, n);
		irq_restore(f);
		for (unsigned k = 0; k < got; k++)
			pmm_free(pa[k]);
		done += got;
	}
	return done;
}

int vmm_protect(uintptr_t va, uint32_t flags)
{
	uint32_t *pte, f;

	if (!dynamic_area(va))
		return -EINVAL;
	f = irq_save();
	pte = pte_of(va);
	if (!(*pte & PTE_PRESENT)) {
		irq_restore(f);
		return -EINVAL;
	}
	*pte = (*pte & ~PTE_WRITE) | (flags & PTE_WRITE);
	tlb_flush_range(va, 1);
	irq_restore(f);
	return 0;
}

bool vmm_query(uintptr_t va, uint32_t *pte_out)
{
	uint32_t *pte = pte_of(va);
	uint32_t v = pte ? *pte : 0;

	if (pte_out)
		*pte_out = v;
	return v & PTE_PRESENT;
}

#define PTE_PCD 0x010u                  /* cache disable */

void *vmm_map_device(uint64_t pa, size_t len)
{
	static uintptr_t next = DEVMAP_BASE;
	uintptr_t off = pa % PAGE_SIZE, va = next;
	size_t n = PAGE_ALIGN_UP(len + off) / PAGE_SIZE;

	if (pa + len > 0x100000000ull || n > (DEVMAP_END - next) / PAGE_SIZE)
		return NULL;
	add_tables(va, va + n * PAGE_SIZE);
	for (size_t i = 0; i < n; i++) {
		*pte_of(va + i * PAGE_SIZE) = ((uintptr_t)(pa - off) +
			i * PAGE_SIZE) | PTE_PRESENT | PTE_WRITE | PTE_PCD;
		invlpg(va + i * PAGE_SIZE);
	}
	next += n * PAGE_SIZE;
	return (void *)(va + off);
}

void *vmap_alloc(size_t npages)
{
	uint32_t f;
	uintptr_t base;

	if (failalloc_check(FAILALLOC_VMAP, npages,
			    (uintptr_t)__builtin_return_address(0),
			    FAILALLOC_CALLER2()))
		return NULL;
	f = irq_save();
	base = vrange_alloc(&vmap, npages + 1);

	irq_restore(f);
	if (!base)
		return NULL;
	/* base is the guard page: left unmapped. */
	for (size_t i = 1; i <= npages; i++) {
		uintptr_t pa = pmm_alloc();

		if (!pa) {
			vmm_unmap_free(base + PAGE_SIZE, i - 1);
			f = irq_save();
			vrange_free(&vmap, base, npages + 1);
			irq_restore(f);
			return NULL;
		}
		vmm_map(base + i * PAGE_SIZE, pa, PTE_WRITE);
		memset((void *)(base + i * PAGE_SIZE), 0, PAGE_SIZE);
	}
	return (void *)(base + PAGE_SIZE);
}

void vmap_free(void *va, size_t npages)
{
	uintptr_t base = (uintptr_t)va - PAGE_SIZE;
	uint32_t f;

	vmm_unmap_free((uintptr_t)va, npages);
	f = irq_save();
	vrange_free(&vmap, base, npages + 1);
	irq_restore(f);
}

uint32_t vmap_used_pages(void)
{
	return vmap.used;
}
