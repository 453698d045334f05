/*
 * <drivers/madt.h>: the CPUs and interrupt controllers the firmware lists
 * in ACPI's MADT ("APIC" table).
 */
#ifndef DRIVERS_MADT_H
#define DRIVERS_MADT_H

#include <stdint.h>
#include <kernel/cpu.h>

struct madt_info {
	uint32_t lapic_phys;            /* local APIC registers */
	unsigned ncpus;                 /* enabled processors, <= MAX_CPUS */
	uint8_t apic_ids[MAX_CPUS];     /* in table order */
	unsigned skipped;               /* enabled ones beyond MAX_CPUS */
	unsigned nioapics;              /* I/O APICs listed (not used) */
	uint32_t ioapic_phys;           /* the first one's registers */
};

/* Read the MADT. Context: boot. Return: 0, or -ENOENT with no MADT (then
 * info says one CPU). */
int madt_read(struct madt_info *info);

#endif
