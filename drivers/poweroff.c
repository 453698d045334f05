/*
 * drivers/poweroff.c: leaving the machine: power off and reset, and the
 * console commands that do them.
 *
 * Power off, first thing that works:
 *   1. QEMU's isa-debug-exit (port 0xf4): QEMU exits 33 or 35 at once;
 *      elsewhere the write goes nowhere;
 *   2. ACPI S5: ACPI mode on (acpi_enable_mode), then SLP_TYPa|SLP_EN to
 *      PM1a_CNT and SLP_TYPb|SLP_EN to PM1b_CNT (drivers/acpi.c read
 *      both from the FADT and \_S5);
 *   3. with no ACPI tables at all: the fixed PM1a ports of QEMU, Bochs
 *      and VirtualBox, blindly;
 *   4. a halt, saying so.
 * Reset, first thing that works, each given RESET_SETTLE port writes to
 * take effect:
 *   1. the FADT's reset register (an I/O port or a PCI config byte);
 *   2. the PCI reset control register, port 0xcf9 (PIIX, ICH);
 *   3. the keyboard controller's reset line (0xfe to port 0x64), after
 *      a bounded wait for its input buffer;
 *   4. a triple fault: an empty IDT and an exception. Always works.
 * `reboot METHOD` tries one of them alone and says if it did not work.
 */
#include <drivers/poweroff.h>
#include <drivers/acpi.h>
#include <kernel/arch.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

#define DEBUG_EXIT_PORT 0xf4
#define SLP_EN          (1u << 13)
#define RESET_SETTLE    50000   /* port writes (about 1 us each) */
#define KBC_WAIT        100000  /* status polls */

static void settle(void)
{
	for (unsigned i = 0; i < RESET_SETTLE; i++)
		io_wait();
}

void poweroff_qemu_exit(bool success)
{
	cli();
	console_flush();
	outb(DEBUG_EXIT_PORT, success ? POWEROFF_SUCCESS : POWEROFF_FAILURE);
	for (;;)
		hlt();
}

/* Return: only if the machine is still on. */
static void acpi_s5(void)
{
	if (!acpi.fadt || !acpi.s5_valid || !acpi.pm1a_cnt)
		return;
	if (!acpi_enable_mode())
		kprintf("poweroff: ACPI mode did not come on (SCI_EN stayed "
			"0); trying S5 anyway\n");
	kprintf("poweroff: ACPI S5: PM1a_CNT %x <- %x\n", acpi.pm1a_cnt,
		(unsigned)(acpi.slp_typa << 10 | SLP_EN));
	console_flush();
	outw(acpi.pm1a_cnt, (inw(acpi.pm1a_cnt) & 0x0203) |
	     acpi.slp_typa << 10 | SLP_EN);
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt, (inw(acpi.pm1b_cnt) & 0x0203) |
		     acpi.slp_typb << 10 | SLP_EN);
	settle();
}

void poweroff(bool success)
{
	cli();
	console_flush();
	outb(DEBUG_EXIT_PORT, success ? POWEROFF_SUCCESS : POWEROFF_FAILURE);
	acpi_s5();
	if (!acpi.found) {
		outw(0x604, 0x2000);    /* QEMU q35/piix ACPI PM1a */
		outw(0xb004, 0x2000);   /* Bochs and older QEMU */
		outw(0x4004, 0x3400);   /* VirtualBox */
		settle();
	}
	kprintf("poweroff: the machine is still on; halted (it is safe to "
		"switch it off now)\n");
	console_flush();
	for (;;)
		hlt();
}

enum reset_method { RESET_ACPI, RESET_PCI, RESET_KBD, RESET_TRIPLE };
static const char *const method_names[] = { "acpi", "pci", "kbd",
					    "triple" };

static void pci_config_write8(uint64_t addr, uint8_t v)
{
	uint32_t dev = (addr >> 32) & 0x1f, fn = (addr >> 16) & 7;
	uint32_t off = addr & 0xff;

	outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
	outb(0xcfc + (off & 3), v);
}

/* Return: -ENODEV if the method is not there, 0 if it did not reset. */
static int reset_by(enum reset_method m)
{
	unsigned n = 0;

	switch (m) {
	case RESET_ACPI:
		if (!acpi.reset_valid)
			return -ENODEV;
		if (acpi.reset_space == 1)
			outb((uint16_t)acpi.reset_addr, acpi.reset_value);
		else
			pci_config_write8(acpi.reset_addr, acpi.reset_value);
		break;
	case RESET_PCI:
		outb(0xcf9, 0x02);      /* hard reset, armed */
		io_wait();
		outb(0xcf9, 0x06);      /* ... and done */
		break;
	case RESET_KBD:
		if (inb(0x64) == 0xff)  /* no controller */
			return -ENODEV;
		while ((inb(0x64) & 2) && ++n < KBC_WAIT)
			;
		outb(0x64, 0xfe);
		break;
	case RESET_TRIPLE: {
		struct { uint16_t limit; uint32_t base; }
			__attribute__((packed)) none = { 0, 0 };

		__asm__ volatile("lidt %0; int3" : : "m"(none));
		break;
	}
	}
	settle();
	return 0;
}

void reboot(void)
{
	cli();
	for (unsigned m = RESET_ACPI; m <= RESET_TRIPLE; m++) {
		kprintf("reboot: %s\n", method_names[m]);
		console_flush();
		reset_by(m);
	}
	for (;;)
		hlt();
}

static int cmd_poweroff(int argc, char **argv)
{
	bool ok = ktest_total_failed == 0;

	kprintf("poweroff: %u test cases run, %u failed; exiting with %s\n",
		ktest_total_run, ktest_total_failed,
		ok ? "success (QEMU status 33)" : "failure (QEMU status 35)");
	poweroff(ok);
}
COMMAND(poweroff, "poweroff", "",
	"power off (QEMU exits 33 if every test passed, else 35)",
	cmd_poweroff);

static int cmd_reboot(int argc, char **argv)
{
	uint32_t f;
	int err;

	if (argc < 2) {
		kprintf("rebooting\n");
		reboot();
	}
	for (unsigned m = RESET_ACPI; m <= RESET_TRIPLE; m++) {
		if (strcmp(argv[1], method_names[m]))
			continue;
		kprintf("reboot: %s\n", method_names[m]);
		f = irq_save();
		console_flush();
		err = reset_by(m);
		irq_restore(f);
		if (err)
			return cmd_error(err, "reboot: this machine has no %s "
					 "reset", method_names[m]);
		return cmd_error(-ETIMEDOUT, "reboot: the %s reset did not "
				 "reset the machine", method_names[m]);
	}
	return cmd_error(-EINVAL, "reboot: unknown method '%s'; use acpi, "
			 "pci, kbd or triple", argv[1]);
}
COMMAND(reboot, "reboot", "[acpi|pci|kbd|triple]",
	"reset the machine (or by one method alone)", cmd_reboot);
