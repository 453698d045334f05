/*
 * <mm/vmm.h>: paging and the kernel's virtual address space.
 *
 * One page directory for everything (Quiesce has no user space). Layout:
 *
 *   0x00000000  +-------------------------------+
 *               | unmapped page: NULL faults    |
 *   0x00001000  +-------------------------------+
 *               | identity map of RAM (<256MiB) |  kernel image at 1 MiB:
 *               |                               |  text/rodata read-only
 *   ram_top     +-------------------------------+
 *               | (unmapped)                    |
 *   0xC0000000  +-------------------------------+
 *               | kernel heap (kmalloc), 64 MiB |  grows page by page
 *   0xC4000000  +-------------------------------+
 *               | vmap area, 64 MiB: stacks     |  a guard page below each
 *   0xC8000000  +-------------------------------+
 *               | (unmapped)                    |
 *   0xD0000000  +-------------------------------+
 *               | module area, 128 MiB          |  freed ranges unmapped and
 *   0xD8000000  +-------------------------------+  quarantined
 *
 * Page tables for the heap, vmap and module areas are allocated at boot, so
 * mapping a page there never allocates (and frame accounting stays exact).
 * CR0.WP is on: a write to a read-only page faults even in ring 0.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define HEAP_BASE    0xC0000000u
#define HEAP_END     0xC4000000u
#define VMAP_BASE    0xC4000000u
#define VMAP_END     0xC8000000u
#define DEVMAP_BASE  0xC8000000u     /* device memory: the framebuffer */
#define DEVMAP_END   0xD0000000u
#define MODAREA_BASE 0xD0000000u
#define MODAREA_END  0xD8000000u

#define PTE_PRESENT 0x001u
#define PTE_WRITE   0x002u
#define PTE_FLAGS   0xfffu

/* Build the page tables and turn paging on. Context: boot. */
void vmm_init(void);

/*
 * Map the page at va to the frame pa with flags (PTE_WRITE or 0) in an area
 * with boot-time page tables. Return: 0, or -EINVAL outside those areas or
 * if va is already mapped. Context: any; interrupts off inside.
 */
int vmm_map(uintptr_t va, uintptr_t pa, uint32_t flags);
/* Unmap va and flush it from the TLB. Return: the frame, or 0. */
uintptr_t vmm_unmap(uintptr_t va);
/* Unmap the mapped pages of [va, va + npages pages) and free their
 * frames: every CPU's TLB is shot down (one IPI round per batch of
 * pages) before a frame goes back. Return: the pages unmapped. Context:
 * task or boot. */
size_t vmm_unmap_free(uintptr_t va, size_t npages);
/* Change the flags of a mapped page. Return: 0 or -EINVAL. */
int vmm_protect(uintptr_t va, uint32_t flags);
/* Return: true if va is mapped; *pte gets the entry when pte != NULL. */
bool vmm_query(uintptr_t va, uint32_t *pte);

/*
 * Allocate npages of zeroed, writable memory in the vmap area, with an
 * unmapped guard page below (and the range is never shared with another
 * allocation's guard). Return: the address, or NULL. Context: task.
 */
/*
 * Map len bytes of device memory at physical address pa (a framebuffer
 * above the RAM the kernel maps) into the device window, uncached.
 * Return: its virtual address, or NULL if the window is full or pa is
 * above 4 GiB. Context: boot (page tables are allocated here).
 */
void *vmm_map_device(uint64_t pa, size_t len);

void *vmap_alloc(size_t npages);
/* Unmap and free a vmap_alloc() range. */
void vmap_free(void *va, size_t npages);
/* Pages of the vmap area in use (guards included). */
uint32_t vmap_used_pages(void);

#endif
