/*
 * drivers/poweroff.c: power off (isa-debug-exit, ACPI ports) and reboot,
 * and the console commands that do them.
 */
#include <drivers/poweroff.h>
#include <kernel/arch.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

void poweroff(bool success)
{
	cli();
	outb(0xf4, success ? POWEROFF_SUCCESS : POWEROFF_FAILURE);
	outw(0x604, 0x2000);            /* QEMU q35/piix ACPI PM1a */
	outw(0xb004, 0x2000);           /* Bochs and older QEMU */
	outw(0x4004, 0x3400);           /* VirtualBox */
	for (;;)
		hlt();
}

void reboot(void)
{
	cli();
	while (inb(0x64) & 2)
		;
	outb(0x64, 0xfe);
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
	kprintf("rebooting\n");
	reboot();
}
COMMAND(reboot, "reboot", "", "reset the machine", cmd_reboot);
