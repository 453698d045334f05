/*
 * <drivers/poweroff.h>: leaving the machine.
 *
 * Under QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`, writing
 * v to port 0xf4 makes QEMU exit with status (v << 1) | 1: 0x10 gives 33
 * (success), 0x11 gives 35 (failure). Status 0 never means success: a triple
 * fault under -no-reboot exits 0 too. Without that device we try the QEMU
 * and Bochs ACPI ports, then halt.
 */
#ifndef DRIVERS_POWEROFF_H
#define DRIVERS_POWEROFF_H

#include <stdbool.h>

#define POWEROFF_SUCCESS 0x10
#define POWEROFF_FAILURE 0x11

/* Context: any; does not return. */
void poweroff(bool success) __attribute__((noreturn));
/* Pulse the keyboard controller's reset line. Does not return. */
void reboot(void) __attribute__((noreturn));

#endif
