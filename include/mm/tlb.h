/*
 * <mm/tlb.h>: keeping every CPU's TLB true to the page tables.
 *
 * A CPU caches translations in its TLB; invlpg drops one, but only on the
 * CPU that runs it. After a mapping is removed or made stricter, another
 * CPU may go on using the old translation from its TLB: reading freed
 * memory without a fault, or writing into a page that now belongs to
 * someone else. So every such change ends in a shootdown: invlpg here,
 * and an IPI asking every other online CPU to do the same, waiting until
 * all have (smp_call_others). A new mapping needs none: x86 does not cache
 * "not present".
 *
 * tlb_shootdown_enabled is a switch for the demonstration of what goes
 * wrong without it (`race run R17 --shootdown=off`, the smp suite); it is
 * on at boot.
 */
#ifndef MM_TLB_H
#define MM_TLB_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <mm/pmm.h>

extern bool tlb_shootdown_enabled;
/* Shootdowns sent (each to every other online CPU) since boot. */
extern uint64_t tlb_shootdowns;

/* The shootdown proper: invlpg here and on every other online CPU (IPIs,
 * waited for). Context: as tlb_flush_range. */
void tlb_shootdown(uintptr_t va, size_t npages);

/* Drop the translations of npages pages from va on every CPU. With one
 * CPU online that is invlpg alone, inline: the loader and the unload
 * protect and unmap module pages one or two at a time. Context: any but
 * an IRQ handler; may spin (IPIs) with interrupts off. */
static inline void tlb_flush_range(uintptr_t va, size_t npages)
{
	if (cpus_online > 1) {
		tlb_shootdown(va, npages);
		return;
	}
	for (size_t i = 0; i < npages; i++)
		invlpg(va + i * PAGE_SIZE);
}

#endif
