/*
 * <kernel/module/modmem.h>: module memory, and the use-after-free detector.
 *
 * Each load gets its own range of the module area (MODAREA_BASE..END in
 * <mm/vmm.h>), followed by an unmapped guard page:
 *
 *   base                                                  base + pages*4K
 *   | text (r-x) | rodata (r--) | data + bss (rw-) | guard (unmapped) |
 *
 * Freeing a module unmaps every page and returns the frames, but keeps the
 * virtual range allocated: the range goes into a grave in the quarantine
 * (MODMEM_QUARANTINE graves, oldest evicted first), so no later load gets
 * those addresses while the grave lasts, and every stale pointer into
 * them faults. The grave keeps the module's name, the tick it was
 * unloaded, the backtrace of the unload and a copy of its symbols, so the
 * page-fault report can say:
 *
 *   use-after-free: module 'hello' (unloaded at tick 812) EIP=0xd0000013
 *   hello_poke+0x3 [hello, unloaded]: exec at 0xd0000013 ...
 *
 * Graves live in static storage: quarantine costs no heap, so the memory
 * accounting that tests compare is not disturbed by it.
 * Lock: interrupts off around the area bitmap and the quarantine.
 */
#ifndef KERNEL_MODMEM_H
#define KERNEL_MODMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODMEM_QUARANTINE 16    /* graves kept; the 17th evicts the first */
#define MODMEM_GRAVE_SYMS 96    /* symbols kept per grave */
#define MODMEM_GRAVE_STRS 1536  /* bytes of their names */
#define MODMEM_UNLOAD_BT  12    /* return addresses of the unload kept */

struct modmem {
	uintptr_t base;                 /* 0: nothing allocated */
	uint32_t pages;                 /* mapped pages (the guard excluded) */
	bool buried;                    /* in a grave, pages not yet gone */
};

struct module_sym;

/*
 * Reserve pages + 1 pages of the area and map the first pages to fresh,
 * zeroed, writable frames. Return: 0, -ENOMEM (frames) or -ENOSPC (area).
 * On error nothing is held. Context: task.
 */
int modmem_alloc(struct modmem *mm, uint32_t pages);
/* Make [addr, addr + bytes) read-only (whole pages); addr must be page
 * aligned and inside mm. Context: task. */
void modmem_protect_ro(struct modmem *mm, uintptr_t addr, uint32_t bytes);
/*
 * Bury the range, still mapped: name, the tick, the caller's backtrace and
 * a copy of syms go into a grave, and from now on a fault in the range is
 * explained as a use-after-free. First thing when a module is dead (found
 * by race R16 and the 4-CPU soak: a module's code run on another CPU
 * after its cleanup faulted while the module was on no list, and was
 * "in no module"). Context: task.
 */
void modmem_bury(struct modmem *mm, const char *name,
		 const struct module_sym *syms, uint32_t nsyms);
/* Then unmap every page (on every CPU) and free the frames. Context:
 * task. */
void modmem_free(struct modmem *mm);
/* Give back an allocation that never held module code (a failed load
 * before relocation): no grave. Context: task. */
void modmem_release(struct modmem *mm);

/*
 * If addr lies in a quarantined range, write the one-line use-after-free
 * explanation into buf. Return: true if it did. Context: any.
 */
bool modmem_explain(uintptr_t addr, uintptr_t eip, uint32_t pf_err,
		    char *buf, size_t len);
/* Pages of module memory mapped now; graves (quarantined ranges) now.
 * Context: any. */
uint32_t modmem_mapped_pages(void);
/* Use-after-free faults reported since boot (the race scenarios and the
 * stress test count them). Context: any. */
unsigned modmem_uaf_reports(void);
unsigned modmem_graves(void);
/* Return: true if addr is in a quarantined range. Context: any. */
bool modmem_in_grave(uintptr_t addr);

#endif
