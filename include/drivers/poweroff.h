/*
 * <drivers/poweroff.h>: leaving the machine.
 *
 * Under QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`, writing
 * v to port 0xf4 makes QEMU exit with status (v << 1) | 1: 0x10 gives 33
 * (success), 0x11 gives 35 (failure). Status 0 never means success: a triple
 * fault under -no-reboot exits 0 too. Without that device, poweroff uses
 * ACPI S5 (<drivers/acpi.h>) and reboot the FADT's reset register, then
 * 0xcf9, the keyboard controller and a triple fault (drivers/poweroff.c).
 */
#ifndef DRIVERS_POWEROFF_H
#define DRIVERS_POWEROFF_H

#include <stdbool.h>

#define POWEROFF_SUCCESS 0x10
#define POWEROFF_FAILURE 0x11

/* Context: any; does not return. */
void poweroff(bool success) __attribute__((noreturn));
/*
 * QEMU's isa-debug-exit alone, then a halt: how a panic ends, so that on
 * a real machine the report stays on the screen. Context: any.
 */
void poweroff_qemu_exit(bool success) __attribute__((noreturn));
/* Reset: ACPI, 0xcf9, keyboard controller, triple fault. Context: any. */
void reboot(void) __attribute__((noreturn));

#endif
