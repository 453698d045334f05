/*
 * <drivers/acpi.h>: the ACPI tables, read once at boot.
 *
 * acpi_init() finds the RSDP (in the EBDA's first KiB or the BIOS area
 * 0xE0000-0xFFFFF; on UEFI, where it is in neither, in the ACPI regions
 * of the boot loader's memory map), walks the RSDT (or the XSDT on ACPI 2.0+), checks
 * every table's checksum, and keeps a copy of each table small enough
 * (the FADT, the MADT, ...), so later code can read them wherever the
 * firmware put them. It runs while paging is still off: every physical
 * address can be read then, and none later unless it is mapped.
 *
 * From the FADT and the DSDT it keeps what power-off and reset need: the
 * PM1a/PM1b control blocks, SMI_CMD and ACPI_ENABLE, the reset register,
 * and the \_S5 sleep type (found by a byte scan of the DSDT's AML, as
 * small kernels do; no AML interpreter).
 *
 * Nothing here panics: a missing or damaged table is reported in one
 * line and the facts it would have given stay unknown (acpi.s5_valid,
 * acpi.reset_valid false); poweroff and reboot fall back.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <stdbool.h>
#include <stdint.h>

/* Every ACPI table starts with this header. */
struct acpi_header {
	char sig[4];
	uint32_t length;                /* bytes, header included */
	uint8_t revision;
	uint8_t checksum;               /* all bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* What the tables said. Written once by acpi_init, read-only after. */
struct acpi_facts {
	bool found;                     /* an RSDP with a valid checksum */
	uint8_t revision;               /* RSDP revision: 0 ACPI 1.0, 2+ */
	uint32_t rsdp;                  /* physical addresses */
	uint32_t rsdt;                  /* RSDT or XSDT */
	bool xsdt;                      /* rsdt is an XSDT (64-bit entries) */
	bool fadt;                      /* a FADT with a valid checksum */
	uint16_t pm1a_cnt, pm1b_cnt;    /* I/O ports; 0: none */
	uint16_t smi_cmd;               /* 0: always in ACPI mode */
	uint8_t acpi_enable;            /* the value to write to SMI_CMD */
	bool s5_valid;                  /* \_S5 found in the DSDT */
	uint8_t slp_typa, slp_typb;     /* its two values */
	bool reset_valid;               /* FADT reset register, supported */
	uint8_t reset_space;            /* 1: I/O port, 2: PCI config */
	uint64_t reset_addr;
	uint8_t reset_value;
};

extern struct acpi_facts acpi;

/* Find and copy the tables. Context: boot, paging off, interrupts off. */
struct multiboot_info;
void acpi_init(const struct multiboot_info *mbi);
/* Print the facts in two lines (the boot log). Context: any. */
void acpi_report(void);
/*
 * The index-th table (0 first) whose signature is sig ("APIC" is the
 * MADT, "FACP" the FADT), as a kernel copy with a valid checksum.
 * Return: NULL if there is none, or it was too large to keep a copy.
 * Context: any.
 */
const struct acpi_header *acpi_find_table(const char *sig, unsigned index);
/*
 * Switch the chipset from legacy (SMM) to ACPI mode if it is not there
 * yet: write ACPI_ENABLE to SMI_CMD, then wait, bounded, for SCI_EN.
 * Return: true if SCI_EN is set. Context: any; spins for at most
 * ACPI_ENABLE_POLLS port reads.
 */
bool acpi_enable_mode(void);

#endif
