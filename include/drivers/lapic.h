/*
 * <drivers/lapic.h>: the local APIC: this CPU's interrupt controller.
 *
 * Every CPU has one, at the same physical address (0xFEE00000 unless the
 * MADT says otherwise), each seeing its own. We use it for three things:
 * inter-processor interrupts (IPIs: start-up, calls, reschedules), a
 * periodic timer on every application processor, and its ID (which CPU
 * am I). The 8259 PIC stays: its IRQs (timer, keyboard, serial) go to
 * CPU 0 through CPU 0's LINT0 in "virtual wire" mode, as at reset.
 */
#ifndef DRIVERS_LAPIC_H
#define DRIVERS_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/trap.h>

/* The local APIC's vectors, in the range <kernel/trap.h> gives it. */
#define VEC_LAPIC_TIMER    (VEC_LOCAL0 + 0)
#define VEC_IPI_CALL       (VEC_LOCAL0 + 1)
#define VEC_IPI_RESCHED    (VEC_LOCAL0 + 2)
#define VEC_LAPIC_SPURIOUS (VEC_LOCAL0 + 15)   /* low 4 bits all ones */

/* Enable CPU 0's APIC, its registers mapped (uncached) at mapped; LINT0
 * stays the PIC's wire. Context: boot, CPU 0, interrupts on (the timer's
 * rate is measured against the PIT). Return: 0, or -ENODEV without an
 * APIC. */
int lapic_init_bsp(volatile uint32_t *mapped);
/* Enable this AP's APIC and start its timer at the PIT's rate. Context:
 * the AP's start-up, interrupts off. */
void lapic_init_ap(void);
/* This CPU's APIC ID. Context: any, after lapic_init_bsp. */
uint8_t lapic_id(void);
/* End of interrupt, for a local vector's handler. Context: IRQ. */
void lapic_eoi(void);
/* A fixed IPI of vector to the CPU with APIC ID dest. Context: any. */
void lapic_send_ipi(uint8_t dest, uint8_t vector);
/* The start-up sequence's IPIs: INIT (assert), then STARTUP at the
 * real-mode page page (the AP starts at page << 12). Context: boot. */
void lapic_send_init(uint8_t dest);
void lapic_send_startup(uint8_t dest, uint8_t page);
/* Local timer counts per PIT tick (0: not measured). */
uint32_t lapic_timer_per_tick(void);

#endif
