/*
 * drivers/madt.c: the MADT (ACPI "APIC" table): which CPUs there are.
 *
 * After a 36-byte table header: the local APIC address (u32) and flags
 * (u32), then variable-length entries, each starting with a type and a
 * length byte. We read type 0 (a processor's local APIC: ACPI processor
 * ID, APIC ID, flags; bit 0 "enabled"), type 1 (an I/O APIC, counted for
 * `cpus`) and type 5 (a 64-bit local APIC address override, honoured when
 * it is below 4 GiB). A disabled processor entry is a socket with no CPU
 * in it, or a CPU the firmware turned off: it is not started. The BSP is
 * the first enabled entry on every firmware we know; smp.c does not rely
 * on it and matches by APIC ID.
 */
#include <drivers/madt.h>
#include <drivers/acpi.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <kernel/printk.h>

#define MADT_LAPIC          0
#define MADT_IOAPIC         1
#define MADT_LAPIC_OVERRIDE 5
#define LAPIC_ENABLED       0x1
#define LAPIC_DEFAULT_PHYS  0xfee00000u

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int madt_read(struct madt_info *info)
{
	const struct acpi_header *h = acpi_find_table("APIC", 0);
	const uint8_t *p, *end;

	memset(info, 0, sizeof(*info));
	info->lapic_phys = LAPIC_DEFAULT_PHYS;
	if (!h || h->length < sizeof(*h) + 8) {
		info->ncpus = 1;
		return -ENOENT;
	}
	p = (const uint8_t *)h + sizeof(*h);
	end = (const uint8_t *)h + h->length;
	info->lapic_phys = rd32(p);
	for (p += 8; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (p[0] == MADT_LAPIC && p[1] >= 8 &&
		    (rd32(p + 4) & LAPIC_ENABLED)) {
			if (info->ncpus < MAX_CPUS)
				info->apic_ids[info->ncpus++] = p[3];
			else
				info->skipped++;
		} else if (p[0] == MADT_IOAPIC && p[1] >= 12) {
			if (!info->nioapics++)
				info->ioapic_phys = rd32(p + 4);
		} else if (p[0] == MADT_LAPIC_OVERRIDE && p[1] >= 12 &&
			   rd32(p + 8) == 0) {
			info->lapic_phys = rd32(p + 4);
		}
	}
	if (!info->ncpus)
		info->ncpus = 1;
	return 0;
}
