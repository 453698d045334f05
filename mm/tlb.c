/*
 * mm/tlb.c: TLB shootdown, as <mm/tlb.h> describes it.
 *
 * One range at a time: the other CPUs each run flush_here() in an IPI
 * (drivers/smp_call.c) while we wait, so when tlb_flush_range returns no CPU
 * can still reach the old pages. With one CPU online it is invlpg alone.
 */
#include <mm/tlb.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
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

/* The other CPUs' part, out of line: the range goes to them by address,
 * and one CPU's path keeps it in registers. */
static void __attribute__((noinline)) shoot_others(uintptr_t va,
						    size_t npages)
{
	struct tlb_range r = { va, npages };

	smp_call_others(flush_here, &r);
	tlb_shootdowns++;
}

void tlb_flush_range(uintptr_t va, size_t npages)
{
	uintptr_t end = va + npages * PAGE_SIZE;
	uint32_t f = irq_save_local();

	for (uintptr_t a = va; a != end; a += PAGE_SIZE)
		invlpg(a);
	if (cpus_online > 1 && tlb_shootdown_enabled)
		shoot_others(va, npages);
	irq_restore_local(f);
}
