/*
 * drivers/poweroff.c: power off (isa-debug-exit, ACPI ports) and reboot.
 */
#include <drivers/poweroff.h>
#include <kernel/arch.h>

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
