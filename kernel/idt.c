/*
 * kernel/idt.c: the interrupt descriptor table.
 *
 * Vectors 0-31 are CPU exceptions, 32-47 the PIC's IRQs, 48-63 the local
 * APIC's (timer, IPIs, spurious); all are interrupt
 * gates (interrupts off on entry) to the stubs in boot/isr.asm, except the
 * double fault, a task gate to the double-fault task (kernel/gdt.c), and
 * 0x81, the deliberate preemption point, a trap gate.
 */
#include <kernel/trap.h>
#include <kernel/cpu.h>
#include <stdint.h>

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const uint32_t isr_table[NR_VECTORS], isr_preempt_point;
static struct idt_entry idt[256];

void idt_init(void)
{
	for (unsigned v = 0; v < NR_VECTORS; v++) {
		idt[v].off_lo = isr_table[v] & 0xffff;
		idt[v].off_hi = isr_table[v] >> 16;
		idt[v].sel = 0x08;
		idt[v].type = 0x8e;     /* present, ring 0, 32-bit interrupt gate */
	}
	/* A trap gate: interrupts stay on, as for the code that ran it. */
	idt[VEC_PREEMPT_POINT] = (struct idt_entry){
		.off_lo = isr_preempt_point & 0xffff,
		.off_hi = isr_preempt_point >> 16,
		.sel = 0x08, .type = 0x8f };
	idt[VEC_DOUBLE] = (struct idt_entry){
		.sel = 0x20,            /* the double-fault TSS */
		.type = 0x85,           /* present, task gate */
	};
	idt_load();
}

/* One IDT for every CPU; each loads it. */
void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uint32_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}
