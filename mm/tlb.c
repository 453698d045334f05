/*
 * mm/tlb.c: TLB shootdown, as <mm/tlb.h> describes it.
 *
 * One range at a time: the other CPUs each run flush_here() in an IPI
 * (drivers/smp_call.c) while we wait, so when tlb_shootdown returns no CPU
 * can still reach the old pages. With one CPU online tlb_flush_range
 * (<mm/tlb.h>) is invlpg alone and does not come here.
 */
#include <mm/tlb.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/mutant.h>
#include <drivers/smp_call.h>
#include <mm/pmm.h>

bool tlb_shootdown_enabled = true;
uint64_t tlb_shootdowns;

struct tlb_range {
	uintptr_t va;
	size_t npages;
};

static void flush_here(void *arg)
{
	const struct tlb_range *r = arg;

	for (size_t i = 0; i < r->npages; i++)
		invlpg(r->va + i * PAGE_SIZE);
}

void tlb_shootdown(uintptr_t va, size_t npages)
{
	struct tlb_range r = { va, npages };
	/* Interrupts off: no move to another CPU between the two halves. */
	uint32_t f = irq_save_local();

	flush_here(&r);
	if (cpus_online > 1 && tlb_shootdown_enabled && !MUTANT_NO_SHOOTDOWN) {
		smp_call_others(flush_here, &r);
		tlb_shootdowns++;
	}
	irq_restore_local(f);
}
