/*
 * <mm/pmm.h>: the physical frame allocator.
 *
 * One bit per 4 KiB frame of the first 256 MiB of RAM (the part the kernel
 * identity maps). Built from the multiboot memory map; the first MiB, the
 * kernel image and the boot modules are reserved at boot.
 * Lock: interrupts off around each call (one CPU).
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stdint.h>
#include <stddef.h>

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1))
#define PAGE_ALIGN_DOWN(x) ((x) & ~(uintptr_t)(PAGE_SIZE - 1))
#define PMM_MAX_BYTES (256u << 20)

struct multiboot_info;

/* Context: boot, before paging. */
void pmm_init(const struct multiboot_info *mbi);
/* Reserve [start, end) (e.g. a boot module). Context: boot. */
void pmm_reserve(uintptr_t start, uintptr_t end);
/* Return: the physical address of a free frame, or 0. Context: any. */
uintptr_t pmm_alloc(void);
/* Free a frame from pmm_alloc. Context: any. */
void pmm_free(uintptr_t pa);

/* Frames handed out by pmm_alloc and not yet freed. */
uint32_t pmm_used(void);
/* Frames free now. */
uint32_t pmm_free_count(void);
/* Usable RAM frames (free + used), and the highest RAM address + 1. */
uint32_t pmm_total(void);
/* Return: bytes of RAM the memory map reported above PMM_MAX_BYTES, which
 * the kernel does not use (kmain says so at boot). */
uint64_t pmm_ignored_bytes(void);
uintptr_t pmm_ram_top(void);

#endif
